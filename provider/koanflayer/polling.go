package koanflayer

import (
	"context"
	"time"

	"github.com/strata-go/strata/provider"
)

// PollingLayer is a Layer that also watches, by calling Load every
// interval. New returns one when Options.Interval is positive.
//
// Load is safe for concurrent use, also while Watch runs. Watch must be
// called at most once at a time per PollingLayer value.
type PollingLayer struct {
	*Layer
	interval time.Duration
}

// Watch calls Load every interval until ctx is done, then returns
// ctx.Err(). It emits a Snapshot when the content's hash differs from the
// last one delivered (initially last.Version), so a deleted key is carried
// by the next snapshot; an error for each failed Load, retrying after a
// capped, jittered backoff that starts at the interval; and a recovery
// event when a Load succeeds after errors with the content unchanged. It
// calls emit from the goroutine that called Watch, never concurrently, and
// starts no goroutine.
func (l *PollingLayer) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	var (
		version = last.Version
		failing bool
		bo      = provider.Backoff{Min: l.interval, Max: max(l.interval, 30*time.Second)}
		delay   = l.interval
	)
	for {
		if err := provider.Sleep(ctx, delay); err != nil {
			return err
		}
		snap, err := l.Load(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err != nil:
			failing = true
			emit(provider.Event{Err: err})
			delay = bo.Next()
			continue
		case snap.Version != version:
			version = snap.Version
			emit(provider.Event{Snapshot: &snap})
		case failing:
			emit(provider.Event{})
		}
		failing = false
		bo.Reset()
		delay = l.interval
	}
}
