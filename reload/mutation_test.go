package reload_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/reload"
)

// These tests run in a synctest bubble: the Engine's timers (restart
// backoff, debounce) use the bubble's fake clock, which moves only when
// every goroutine in the bubble is blocked. So what the Engine waited is
// exact and the tests need neither sleeps nor wall-clock bounds. They were
// written to kill mutants that every other test let live (MUTATION.md).

// failingLayer is a watching layer whose n-th Watch runs for run(n) of fake
// time and then fails. It records when each Watch started and returned.
type failingLayer struct {
	run     func(n int) time.Duration
	started chan struct{}

	mu      sync.Mutex
	starts  []time.Time
	returns []time.Time
}

func (f *failingLayer) Name() string { return "failing" }
func (f *failingLayer) Load(context.Context) (provider.Snapshot, error) {
	return provider.Snapshot{}, nil
}

func (f *failingLayer) Watch(ctx context.Context, _ provider.Snapshot, _ func(provider.Event)) error {
	f.mu.Lock()
	n := len(f.starts)
	f.starts = append(f.starts, time.Now())
	f.mu.Unlock()
	f.started <- struct{}{}
	t := time.NewTimer(f.run(n))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	f.mu.Lock()
	f.returns = append(f.returns, time.Now())
	f.mu.Unlock()
	return errors.New("backend gone")
}

type nopHandler struct{}

func (nopHandler) Apply([]provider.Snapshot) error { return nil }
func (nopHandler) LayerEvent(int, provider.Event)  {}

// TestRestartBackoffGrowsAndResetsAfterALongWatch: a Watch that fails at
// once is restarted after a delay that doubles each time (drawn from
// [d/2, d]), and one that ran for more than a minute before failing is not
// a tight loop, so the sequence starts again at Min.
func TestRestartBackoffGrowsAndResetsAfterALongWatch(t *testing.T) {
	const restarts = 7
	long := 5 // the Watch that runs long, in the cases that have one
	tests := []struct {
		name string
		run  time.Duration // how long Watch number `long` runs; the others fail at once
		// step[k] is the backoff step of the delay before restart k+1:
		// the delay lies in [Min·2^step/2, Min·2^step].
		step [restarts]int
	}{
		{name: "quick failures back off", run: 0, step: [restarts]int{0, 1, 2, 3, 4, 5, 6}},
		{name: "over a minute resets", run: 2 * time.Minute, step: [restarts]int{0, 1, 2, 3, 4, 0, 1}},
		{name: "exactly a minute does not reset", run: time.Minute, step: [restarts]int{0, 1, 2, 3, 4, 5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := &failingLayer{started: make(chan struct{}, restarts+2)}
				l.run = func(n int) time.Duration {
					if n == long {
						return tt.run
					}
					return 0
				}
				e, err := reload.Start(context.Background(), []provider.Provider{l}, []provider.Snapshot{{}}, nopHandler{},
					reload.Options{Restart: provider.Backoff{Min: time.Second, Max: time.Hour}})
				require.NoError(t, err)
				for range restarts + 1 {
					<-l.started // blocks the test, so the fake clock runs to the next restart
				}
				e.Close()

				l.mu.Lock()
				defer l.mu.Unlock()
				for k := range restarts {
					delay := l.starts[k+1].Sub(l.returns[k])
					hi := time.Second << tt.step[k]
					assert.True(t, delay >= hi/2 && delay <= hi, "restart %d after %v, want backoff step %d [%v, %v]", k+1, delay, tt.step[k], hi/2, hi)
				}
			})
		})
	}
}

// commandLayer is a watching layer that emits the snapshots sent to it.
type commandLayer struct {
	name string
	send chan provider.Snapshot
}

func (c *commandLayer) Name() string { return c.name }
func (c *commandLayer) Load(context.Context) (provider.Snapshot, error) {
	return provider.Snapshot{}, nil
}

func (c *commandLayer) Watch(ctx context.Context, _ provider.Snapshot, emit func(provider.Event)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case s := <-c.send:
			emit(provider.Event{Snapshot: &s})
		}
	}
}

type applyRecorder struct{ applies chan []provider.Snapshot }

func (r applyRecorder) Apply(s []provider.Snapshot) error { r.applies <- s; return nil }
func (applyRecorder) LayerEvent(int, provider.Event)      {}

// TestDebounceHoldsTheFirstChange: with Debounce set, a change is not
// applied at once but after the delay, together with the changes to other
// layers that arrived meanwhile.
func TestDebounceHoldsTheFirstChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := &commandLayer{name: "a", send: make(chan provider.Snapshot)}
		b := &commandLayer{name: "b", send: make(chan provider.Snapshot)}
		rec := applyRecorder{applies: make(chan []provider.Snapshot, 10)}
		e, err := reload.Start(context.Background(), []provider.Provider{a, b}, []provider.Snapshot{snap("a0"), snap("b0")}, rec,
			reload.Options{Debounce: time.Minute})
		require.NoError(t, err)
		defer e.Close()

		a.send <- snap("a1")
		synctest.Wait() // the Engine has done all it does before time moves
		assert.Empty(t, rec.applies, "nothing applied before the debounce delay")
		b.send <- snap("b1")
		got := <-rec.applies // the fake clock runs out the delay
		assert.Equal(t, []string{"a1", "b1"}, []string{got[0].Version, got[1].Version}, "both changes applied together")
	})
}
