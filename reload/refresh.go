package reload

import (
	"context"
	"fmt"

	"github.com/strata-go/strata/provider"
)

// Mark records which snapshots each layer's watcher had delivered, so that
// Refresh can tell whether a watcher delivered something newer than what
// was read after the Mark was taken.
type Mark []uint64

// Mark returns the current Mark; take it before reading layers for Refresh.
func (e *Engine) Mark() Mark {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append(Mark(nil), e.seq...)
}

type refreshRequest struct {
	mark   Mark
	events []provider.Event
	result chan error // buffered: the apply goroutine never waits on it
}

// Refresh hands the Handler events read outside the watchers (a re-read of
// every layer on demand), as if each layer's watcher had emitted them, and
// then calls Apply with the latest snapshot of every layer, whether or not
// anything changed. All of it runs on the apply goroutine, serialised with
// watched changes. events has one entry per layer; a zero Event means the
// layer was not read. A snapshot is not stored for a layer whose watcher
// delivered one since mark: that one is at least as new as the read.
//
// Refresh returns Apply's error, ErrClosed if the Engine is closed, the
// error Err reports if the apply goroutine stopped for good, or ctx's error
// if ctx ends first (the refresh may still be applied).
func (e *Engine) Refresh(ctx context.Context, mark Mark, events []provider.Event) error {
	if len(events) != len(e.layers) || len(mark) != len(e.layers) {
		return fmt.Errorf("reload: refresh with %d events and a mark of %d for %d layers", len(events), len(mark), len(e.layers))
	}
	if err := e.Err(); err != nil {
		return err // closed, or nothing left to apply it
	}
	req := refreshRequest{mark: mark, events: events, result: make(chan error, 1)}
	select {
	case e.refresh <- req:
	case <-e.applyDone:
		return e.Err()
	case <-ctx.Done():
		return fmt.Errorf("reload: refresh: %w", ctx.Err())
	}
	select {
	case err := <-req.result:
		return err
	case <-e.applyDone:
		return e.Err()
	case <-ctx.Done():
		return fmt.Errorf("reload: refresh: %w", ctx.Err())
	}
}

// storeRefresh records a refresh's events as emits would, on the apply
// goroutine.
func (e *Engine) storeRefresh(req refreshRequest) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, ev := range req.events {
		switch {
		case ev.Snapshot != nil && e.seq[i] != req.mark[i]:
			continue // the watcher delivered something at least as new
		case ev.Snapshot != nil:
			e.latest[i] = *ev.Snapshot
		case ev.Err == nil:
			continue // not read
		}
		e.recordLocked(i, ev)
	}
}
