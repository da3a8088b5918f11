package strata

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/reload"
)

// Reload re-reads every layer now and applies the result exactly as a
// watched change: merged, decoded and validated, published only if valid
// and different, with the same OnApply, OnChange and OnError calls, on the
// same goroutine (never concurrently with a watched change). It is meant
// for SIGHUP and for layers that cannot watch, such as the environment.
//
// Reload returns nil once the result is in force (or equal to it), the
// *Error that rejected it (the last good value stays), or an *Error listing
// every layer that could not be read — the layers that could are still
// applied, as when a watched layer fails, and problems with their values
// are listed as at Load. After Shutdown or Close it returns ErrClosed; on a
// Config from Static it does nothing. ctx bounds the reads and the wait; if
// it ends first, Reload returns its error and the change may still be
// applied. Do not call Reload from an
// OnChange callback or hook: it waits for the goroutine running them.
func (c *Config[T]) Reload(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	if c.engine == nil {
		return nil // a static Config: no layer to re-read
	}
	mark := c.engine.Mark()
	events := make([]provider.Event, len(c.layers))
	snaps := make([]provider.Snapshot, len(c.layers))
	var failed []Problem
	for i, l := range c.layers {
		s, err := l.Load(ctx)
		if err != nil {
			events[i] = provider.Event{Err: err}
			failed = append(failed, Problem{Layer: c.names[i], Message: layerMessage(c.names[i], err), Err: err})
			continue
		}
		snaps[i] = s
		events[i] = provider.Event{Snapshot: &snaps[i]}
	}
	err := c.engine.Refresh(ctx, mark, events)
	switch {
	case errors.Is(err, reload.ErrClosed):
		return ErrClosed
	case len(failed) > 0:
		return c.redactError(&Error{Op: "reload", Problems: append(failed, valueProblems(err)...)}, snaps)
	case err != nil && !errors.As(err, new(*Error)):
		return fmt.Errorf("strata: %w", err) // ctx ended, or the reload goroutine stopped
	}
	return err
}
