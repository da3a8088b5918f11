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
func (e *Engine) watch(ctx context.Context, i int, w provider.Watcher, last provider.Snapshot) {
	defer e.wg.Done()
	backoff := e.opts.Restart
	emit := func(ev provider.Event) {
		if ev.Snapshot != nil {
			last = *ev.Snapshot
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
		e.emit(i, provider.Event{Err: provider.Errorf(e.layers[i].Name(), "", fmt.Errorf("reload: %w; restarting", err))})
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

// applyLoop hands coalesced updates to the Handler, one at a time.
func (e *Engine) applyLoop(ctx context.Context) {
	defer e.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.kick:
		}
		if e.opts.Debounce > 0 && provider.Sleep(ctx, e.opts.Debounce) != nil {
			return
		}
		e.mu.Lock()
		events := e.pending
		e.pending = nil
		dirty := e.dirty
		e.dirty = false
		var snaps []provider.Snapshot
		if dirty {
			snaps = append([]provider.Snapshot(nil), e.latest...)
		}
		e.mu.Unlock()

		for _, le := range events {
			if ctx.Err() != nil {
				return
			}
			e.handler.LayerEvent(le.layer, le.ev)
		}
		if dirty && ctx.Err() == nil {
			e.handler.Apply(snaps)
		}
	}
}
