package koanflayer

import (
	"context"
	"time"

	"github.com/strata-go/strata/provider"
)

// PollingProvider is a Provider that also watches, by calling Load every
// interval. Create it with NewPolling.
//
// Load is safe for concurrent use, also while Watch runs. Watch must be
// called at most once at a time per PollingProvider value.
type PollingProvider struct {
	*Provider
	interval time.Duration
}

// Compile-time check: strata finds watching by type assertion, so a
// drifting signature would silently turn it off.
var _ provider.Watcher = (*PollingProvider)(nil)

// Watch calls Load every interval until ctx is done, then returns
// ctx.Err(). What it emits follows provider.Emitter: a Snapshot when the
// content differs from the last one delivered (initially last), so a
// deleted key is carried by the next snapshot and an unchanged poll emits
// nothing; an error when an outage begins, not for each failed poll; and,
// when a poll succeeds after errors with the content unchanged, one
// recovery event. During an outage it retries after a capped, jittered
// backoff that starts at the interval. It calls emit from the goroutine
// that called Watch, never concurrently, and starts no goroutine.
func (l *PollingProvider) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	var (
		e     = provider.NewEmitter(last, emit)
		bo    = provider.Backoff{Min: l.interval, Max: max(l.interval, 30*time.Second)}
		delay = l.interval
	)
	for {
		if err := provider.Sleep(ctx, delay); err != nil {
			return err
		}
		snap, err := l.Load(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e.Report(snap, err)
		if e.Failing() {
			delay = bo.Next()
			continue
		}
		bo.Reset()
		delay = l.interval
	}
}
