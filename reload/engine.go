// Package reload runs the watchers of a set of layers and funnels everything
// they report into one goroutine, so that the code applying a new
// configuration never runs concurrently with itself.
//
// The Engine owns every goroutine it starts: one per watching layer and one
// that applies updates. Close cancels them and returns only once all have
// exited. reload imports only package provider.
package reload

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/strata-go/strata/provider"
)

// Handler receives what the Engine's layers report. Both methods are called
// from the Engine's single apply goroutine, never concurrently and never
// after Close has returned.
type Handler interface {
	// Apply is called with the latest snapshot of every layer, in layer
	// order, whenever at least one layer delivered new content since the
	// previous call. Updates that arrive while Apply runs coalesce: the
	// next call sees only the latest snapshot of each layer.
	Apply(snapshots []provider.Snapshot)

	// LayerEvent is called for each event a layer's watcher reports,
	// before the Apply call that includes its snapshot (if any). Repeated
	// events of the same kind from one layer may be coalesced.
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

	mu      sync.Mutex
	latest  []provider.Snapshot
	dirty   bool
	pending []layerEvent

	kick   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

type layerEvent struct {
	layer int
	ev    provider.Event
}

// Start begins watching every layer that implements provider.Watcher.
// initial holds the snapshot each layer's Load returned (same order and
// length as layers); watchers start from it so they deliver only changes.
// The Engine stops when ctx is done or Close is called.
func Start(ctx context.Context, layers []provider.Provider, initial []provider.Snapshot, h Handler, opts Options) (*Engine, error) {
	if len(initial) != len(layers) {
		return nil, fmt.Errorf("reload: %d initial snapshots for %d layers", len(initial), len(layers))
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &Engine{
		layers:  layers,
		handler: h,
		opts:    opts,
		latest:  append([]provider.Snapshot(nil), initial...),
		kick:    make(chan struct{}, 1),
		cancel:  cancel,
	}
	watching := 0
	for i, l := range layers {
		w, ok := l.(provider.Watcher)
		if !ok {
			continue
		}
		watching++
		e.wg.Add(1)
		go e.watch(ctx, i, w, initial[i])
	}
	if watching > 0 {
		e.wg.Add(1)
		go e.applyLoop(ctx)
	}
	return e, nil
}

// Close stops every watcher and the apply goroutine and waits for them to
// exit. It is idempotent. It must not be called from within Handler methods
// (it would wait for itself).
func (e *Engine) Close() {
	e.once.Do(e.cancel)
	e.wg.Wait()
}

// emit records an event from layer i and wakes the apply goroutine. It
// never blocks, so a slow Handler cannot stall a watcher.
func (e *Engine) emit(i int, ev provider.Event) {
	e.mu.Lock()
	if ev.Snapshot != nil {
		e.latest[i] = *ev.Snapshot
		e.dirty = true
	}
	e.pending = coalesce(e.pending, layerEvent{layer: i, ev: ev})
	e.mu.Unlock()
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// coalesce appends ev, replacing the previous pending event of the same
// layer and kind: only the latest error or the latest snapshot of a layer
// matters to the Handler, and a flapping watcher cannot grow the queue.
func coalesce(pending []layerEvent, le layerEvent) []layerEvent {
	if n := len(pending); n > 0 {
		last := pending[n-1]
		if last.layer == le.layer && kindOf(last.ev) == kindOf(le.ev) {
			pending[n-1] = le
			return pending
		}
	}
	return append(pending, le)
}

func kindOf(ev provider.Event) int {
	switch {
	case ev.Snapshot != nil:
		return 1
	case ev.Err != nil:
		return 2
	default:
		return 3
	}
}
