package reload

import (
	"context"
	"fmt"
	"time"

	"github.com/strata-go/strata/provider"
)

// watch runs one layer's Watch until ctx is done. A Watch that returns
// early or panics is reported as a layer error and restarted with backoff,
// so one faulty provider can neither crash the process nor end reloading.
// If the goroutine ends any other way (runtime.Goexit in Watch), Err and
// Watching say so: nothing stops silently.
func (e *Engine) watch(ctx context.Context, i int, w provider.Watcher, last provider.Snapshot) {
	defer e.running.Done()
	defer func() {
		if ctx.Err() == nil {
			e.mu.Lock()
			e.stopped[i] = fmt.Errorf("reload: layer %s: watcher stopped; changes to it are no longer seen", e.layers[i].Name())
			e.mu.Unlock()
		}
	}()
	backoff := e.opts.Restart
	emit := func(ev provider.Event) {
		if ctx.Err() != nil {
			return // Watch must not emit after its context ends; drop if it does
		}
		if ev.Snapshot != nil {
			last = *ev.Snapshot
			last.Delta = nil // only a restart reads last; a Base would hold the tree before it alive
		}
		e.emit(i, ev)
	}
	for {
		start := time.Now()
		err := runWatch(ctx, w, last, emit)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			err = fmt.Errorf("watch ended unexpectedly")
		}
		e.emit(i, provider.Event{Err: provider.WrapError(e.layers[i].Name(), "", fmt.Errorf("reload: %w; restarting", err))})
		// A watch that ran for a while before failing is not a tight loop.
		if time.Since(start) > time.Minute {
			backoff.Reset()
		}
		if provider.Sleep(ctx, backoff.Next()) != nil {
			return
		}
	}
}

func runWatch(ctx context.Context, w provider.Watcher, last provider.Snapshot, emit func(provider.Event)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("watch panicked: %v", r)
		}
	}()
	return w.Watch(ctx, last, emit)
}

// applyLoop hands coalesced updates and refreshes to the Handler, one at
// a time. If it ends before ctx does (a Handler calling runtime.Goexit, as
// t.FailNow does), Err says that changes are no longer applied.
func (e *Engine) applyLoop(ctx context.Context) {
	defer e.running.Done()
	defer close(e.applyDone)
	defer func() {
		if ctx.Err() == nil {
			e.mu.Lock()
			e.applyErr = fmt.Errorf("reload: apply goroutine stopped; changes are no longer applied")
			e.mu.Unlock()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-e.refresh:
			e.storeRefresh(req)
			err := e.deliver(ctx, true)
			req.result <- err
			continue
		case <-e.kick:
		}
		if e.opts.Debounce > 0 && provider.Sleep(ctx, e.opts.Debounce) != nil {
			return
		}
		_ = e.deliver(ctx, false) // the Handler reported a rejection itself
	}
}

// deliver hands the Handler what is pending: each layer's events, then
// Apply if a snapshot arrived or force is set. It returns Apply's error,
// or ErrClosed if ctx ended first.
func (e *Engine) deliver(ctx context.Context, force bool) error {
	e.mu.Lock()
	type layerEvents struct {
		layer  int
		events []provider.Event
	}
	var events []layerEvents
	for _, i := range e.queued {
		events = append(events, layerEvents{i, e.pending[i].events(e.latest[i])})
		e.pending[i] = pendingState{}
	}
	e.queued = e.queued[:0]
	apply := e.dirty || force
	e.dirty = false
	var snaps []provider.Snapshot
	if apply {
		snaps = append([]provider.Snapshot(nil), e.latest...)
		// This copy carries each Delta to Apply, its only reader; kept in
		// latest, a Delta's Base would hold the tree before it alive.
		for i := range e.latest {
			e.latest[i].Delta = nil
		}
	}
	e.mu.Unlock()

	for _, le := range events {
		for _, ev := range le.events {
			if ctx.Err() != nil {
				return ErrClosed
			}
			e.handler.LayerEvent(le.layer, ev)
		}
	}
	if !apply {
		return nil
	}
	if ctx.Err() != nil {
		return ErrClosed
	}
	return e.handler.Apply(snaps)
}
