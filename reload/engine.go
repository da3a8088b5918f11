// Package reload runs the watchers of a set of layers and funnels everything
// they report into one goroutine, so that the code applying a new
// configuration never runs concurrently with itself.
//
// The Engine owns every goroutine it starts: one per watching layer and one
// that applies updates. They run until Shutdown or Close, whatever happens
// to the context Start was given, as an http.Server serves until it is shut
// down. reload imports only package provider.
//
// Its main user is strata.Config, whose Handler is the merge, decode,
// validate and swap; an application needs none of it directly (Config
// offers Reload, Shutdown, Close, Ready and Status). It is a package of its
// own so that the goroutine ownership rules live in one small place, and so
// that a program that wants its own merge over strata's layers can reuse
// the watch-and-serialise half without the rest.
package reload

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/strata-go/strata/provider"
)

// ErrClosed is what Err reports once Shutdown or Close has been called.
var ErrClosed = errors.New("reload: engine closed")

// Handler receives what the Engine's layers report. Both methods are called
// from the Engine's single apply goroutine, never concurrently and never
// after Shutdown or Close has returned nil.
type Handler interface {
	// Apply is called with the latest snapshot of every layer, in layer
	// order, whenever at least one layer delivered new content since the
	// previous call, or when Refresh asks. Updates that arrive while Apply
	// runs coalesce: the next call sees only the latest snapshot of each
	// layer. Its error (the change was rejected) is returned by Refresh;
	// for a watched change the Handler reports it itself.
	Apply(snapshots []provider.Snapshot) error

	// LayerEvent is called for events a layer's watcher reports, before
	// the Apply call that includes its snapshot (if any). Events that
	// arrive while the Handler is busy are coalesced per layer: it then
	// hears, for each layer, at most its latest failure and its latest
	// success (a recovery, or a snapshot: the latest one), in the order
	// of those two. However often a layer flaps, what waits for the
	// Handler stays bounded by the number of layers.
	LayerEvent(layer int, ev provider.Event)
}

// Options tunes an Engine. The zero value means defaults.
type Options struct {
	// Debounce delays applying an update by this long, so that changes in
	// several layers close together are applied once. Zero applies at once.
	Debounce time.Duration

	// Restart is the backoff used when a layer's Watch returns (or panics)
	// before the Engine is closed. Zero means provider.Backoff's defaults.
	Restart provider.Backoff
}

// Engine watches layers and serialises their updates. Create it with Start.
// Its methods are safe for concurrent use.
type Engine struct {
	layers  []provider.Provider
	handler Handler
	opts    Options

	mu       sync.Mutex
	latest   []provider.Snapshot
	dirty    bool
	pending  []pendingState // one per layer: bounded whatever watchers do
	queued   []int          // layers with pending events, in arrival order
	stopped  []error        // per watching layer: why it stopped for good
	applyErr error          // why the apply goroutine stopped for good
	closed   bool
	seq      []uint64 // per layer: snapshots delivered by its watcher

	refresh   chan refreshRequest
	applyDone chan struct{} // closed when the apply goroutine exits

	kick    chan struct{}
	cancel  context.CancelFunc
	running sync.WaitGroup
	done    chan struct{} // closed once every goroutine has exited
	once    sync.Once
}

// Start begins watching every layer that implements provider.Watcher.
// initial holds the snapshot each layer's Load returned (same order and
// length as layers); watchers start from it so they deliver only changes.
//
// ctx passes its values to the watchers; its cancellation and deadline are
// ignored, so that a context meant to bound the first read does not end
// watching. The Engine runs until Shutdown or Close.
func Start(ctx context.Context, layers []provider.Provider, initial []provider.Snapshot, h Handler, opts Options) (*Engine, error) {
	if len(initial) != len(layers) {
		return nil, fmt.Errorf("reload: %d initial snapshots for %d layers", len(initial), len(layers))
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Engine{
		layers:    layers,
		handler:   h,
		opts:      opts,
		latest:    append([]provider.Snapshot(nil), initial...),
		pending:   make([]pendingState, len(layers)),
		stopped:   make([]error, len(layers)),
		seq:       make([]uint64, len(layers)),
		refresh:   make(chan refreshRequest),
		applyDone: make(chan struct{}),
		kick:      make(chan struct{}, 1),
		cancel:    cancel,
		done:      make(chan struct{}),
	}
	for i, l := range layers {
		if w, ok := l.(provider.Watcher); ok {
			e.running.Add(1)
			go e.watch(ctx, i, w, initial[i])
		}
	}
	// The apply goroutine runs even when nothing watches: Refresh needs it.
	e.running.Add(1)
	go e.applyLoop(ctx)
	// The waiter lets Shutdown stop waiting when its context ends without
	// leaving anything behind once the goroutines it waits for exit.
	go func() {
		e.running.Wait()
		close(e.done)
	}()
	return e, nil
}

// Shutdown stops every watcher and the apply goroutine and waits for them
// to exit, or for ctx to end, whichever comes first. It returns nil once
// every goroutine has exited, or ctx's error if they have not by then (a
// Handler call that never returns keeps the apply goroutine alive; it exits
// when that call returns, and no further Handler call is made). It is
// idempotent and safe to call again, e.g. with a longer deadline. It must
// not be called from within Handler methods with a context that never ends
// (it would wait for itself).
func (e *Engine) Shutdown(ctx context.Context) error {
	e.once.Do(func() {
		e.mu.Lock()
		e.closed = true
		e.mu.Unlock()
		e.cancel()
	})
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("reload: shutdown: %w", ctx.Err())
	}
}

// Close is Shutdown without a deadline: it returns once every goroutine the
// Engine started has exited.
func (e *Engine) Close() { _ = e.Shutdown(context.Background()) }

// Err reports whether the Engine still keeps its layers current: nil while
// every watcher and the apply goroutine run, ErrClosed after Shutdown or
// Close, and otherwise an error naming what stopped for good (a goroutine
// that exited without being asked to, such as a Handler or Watch calling
// runtime.Goexit).
func (e *Engine) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if e.applyErr != nil {
		return e.applyErr
	}
	for _, err := range e.stopped {
		if err != nil {
			return err
		}
	}
	return nil
}

// Watching reports whether layer i's watcher is running: false for a layer
// that cannot watch, after Shutdown or Close, and after its watcher stopped
// for good.
func (e *Engine) Watching(i int) bool {
	if _, ok := e.layers[i].(provider.Watcher); !ok {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.closed && e.stopped[i] == nil && e.applyErr == nil
}

// emit records an event from layer i and wakes the apply goroutine. It
// never blocks, so a slow Handler cannot stall a watcher, and it keeps
// O(1) state per layer, so a flapping watcher cannot grow memory.
func (e *Engine) emit(i int, ev provider.Event) {
	e.mu.Lock()
	if ev.Snapshot != nil {
		e.latest[i] = *ev.Snapshot
		e.dirty = true
		e.seq[i]++
	}
	e.recordLocked(i, ev)
	e.mu.Unlock()
	select {
	case e.kick <- struct{}{}:
		// The apply goroutine is ready to run; yielding lets it run now.
		// Left to the scheduler it started 86–123 µs later on 2 cores
		// (BENCHMARKS.md, "The hop to the apply goroutine"), most of what a
		// small change cost over a raw consul/api loop; the caller, a
		// watcher, has nothing urgent left (its next request waits for
		// MinInterval anyway).
		runtime.Gosched()
	default:
	}
}

func (e *Engine) recordLocked(i int, ev provider.Event) {
	if !e.pending[i].any() {
		e.queued = append(e.queued, i)
	}
	e.pending[i].record(ev)
}
