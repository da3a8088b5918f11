package strata_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 10 * time.Second

// load is Load with t.Cleanup(Close) and a required success.
func load[T any](t *testing.T, opts strata.Options, layers ...provider.Provider) *strata.Config[T] {
	t.Helper()
	cfg, err := strata.LoadWith[T](context.Background(), opts, layers...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cfg.Close() })
	return cfg
}

// receive waits for one value from ch; it runs on the test goroutine only.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatal("timed out waiting for a value")
		panic("unreachable")
	}
}

// quiet asserts that nothing arrives on ch for a short while.
func quiet[T any](t *testing.T, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected value %v", v)
	case <-time.After(150 * time.Millisecond):
	}
}

// sendTo returns a callback body that sends v on ch, giving up once the
// test is over: t.Context ends before the cleanups run, so a callback
// called more often than the test reads (a bug, or a mutant) cannot block
// the reload goroutine and with it the cleanup's Close for ever. The test
// then fails on its own assertions instead of hanging until the timeout.
func sendTo[T any](t *testing.T, ch chan<- T) func(T) {
	done := t.Context().Done()
	return func(v T) {
		select {
		case ch <- v:
		case <-done:
		}
	}
}

// errorsOf collects what OnError hears, for assertions on the test goroutine.
func errorsOf(opts *strata.Options) <-chan error {
	ch := make(chan error, 100)
	opts.OnError = func(err error) { ch <- err }
	return ch
}

// providerBackoff retries quickly so outage tests finish fast.
func providerBackoff() provider.Backoff {
	return provider.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond}
}
