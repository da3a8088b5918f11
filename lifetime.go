package strata

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-go/strata/reload"
)

// ErrClosed is what Ready returns, and Status.Error says, once Shutdown or
// Close has been called: the Config still serves its last value but no
// longer follows its layers. It plays the part of http.ErrServerClosed.
var ErrClosed = errors.New("strata: config is closed")

// Shutdown stops every watcher and waits until every goroutine strata
// started for this Config has exited, or until ctx ends, whichever comes
// first. It returns nil once all have exited, and otherwise an error
// wrapping ctx's error: an OnChange callback (or hook) that never returns
// keeps the reload goroutine alive, and Shutdown does not wait for it past
// ctx. Once Shutdown has been called no further change is applied; a change
// already being applied completes, its callbacks included.
//
// Get keeps returning the last value after Shutdown. Shutdown is
// idempotent, and safe to call again (e.g. with a longer deadline) after it
// gave up. From within an OnChange callback or hook call it only with a
// context that ends: the callback's own return is one of the things it
// waits for.
func (c *Config[T]) Shutdown(ctx context.Context) error {
	c.closed.Store(true)
	if c.engine == nil {
		return nil
	}
	if err := c.engine.Shutdown(ctx); err != nil {
		return fmt.Errorf("strata: %w", err)
	}
	return nil
}

// Close is Shutdown without a deadline: it stops every watcher and returns
// once every goroutine strata started for this Config has exited. Get keeps
// returning the last value. Close is idempotent and always returns nil; it
// must not be called from an OnChange callback (it would wait for itself).
func (c *Config[T]) Close() error { return c.Shutdown(context.Background()) }

// Ready reports whether a valid configuration is being served and kept
// current: nil from a successful Load until Shutdown or Close, which make
// it ErrClosed. It is also an error, naming what stopped, if strata's
// watching or reload goroutine stopped for good without being closed (for
// instance a callback that called runtime.Goexit, as t.FailNow does), so
// that a readiness probe never says yes to a Config that silently stopped
// following its sources. Layers that fail or serve stale data do not make
// it fail — the last good value is still valid and the layer's watcher
// keeps retrying — but are listed by Status for alerting.
func (c *Config[T]) Ready() error {
	if c.closed.Load() {
		return ErrClosed
	}
	if c.engine == nil {
		return nil
	}
	switch err := c.engine.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, reload.ErrClosed):
		return ErrClosed
	default:
		return fmt.Errorf("strata: %w", err)
	}
}
