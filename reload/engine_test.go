package reload_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/reload"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 10 * time.Second

// static is a layer without Watch.
type static struct{ name string }

func (s static) Name() string                                    { return s.name }
func (s static) Load(context.Context) (provider.Snapshot, error) { return snap("static"), nil }

// scripted is a watching layer driven by the test: each function sent on
// steps runs inside Watch with its emit.
type scripted struct {
	static
	steps  chan func(emit func(provider.Event)) error
	starts chan provider.Snapshot
}

func newScripted(name string) *scripted {
	return &scripted{static: static{name}, steps: make(chan func(func(provider.Event)) error), starts: make(chan provider.Snapshot, 10)}
}

func (s *scripted) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	s.starts <- last
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case step := <-s.steps:
			if err := step(emit); errors.Is(err, errReturnNil) {
				return nil
			} else if err != nil {
				return err
			}
		}
	}
}

// run executes fn inside the watcher and waits until it has run, so that
// whatever fn emitted has reached the engine when run returns.
func (s *scripted) run(t *testing.T, fn func(emit func(provider.Event)) error) {
	t.Helper()
	done := make(chan struct{})
	step := func(emit func(provider.Event)) error {
		defer close(done)
		return fn(emit)
	}
	select {
	case s.steps <- step:
	case <-time.After(wait):
		t.Fatal("watcher did not take the step")
	}
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("step did not finish")
	}
}

func snap(version string) provider.Snapshot {
	return provider.Snapshot{Data: map[string]any{"v": version}, Version: version}
}

// recorder is a Handler that reports every call on channels. Apply can be
// held to simulate slow callbacks.
type recorder struct {
	applies chan []provider.Snapshot
	events  chan string
	hold    chan struct{}

	mu      sync.Mutex
	running int
	overlap bool
}

func newRecorder() *recorder {
	return &recorder{applies: make(chan []provider.Snapshot, 100), events: make(chan string, 100)}
}

func (r *recorder) Apply(s []provider.Snapshot) {
	r.mu.Lock()
	r.running++
	r.overlap = r.overlap || r.running > 1
	hold := r.hold
	r.mu.Unlock()
	r.applies <- s
	if hold != nil {
		<-hold
	}
	r.mu.Lock()
	r.running--
	r.mu.Unlock()
}

func (r *recorder) LayerEvent(i int, ev provider.Event) {
	switch {
	case ev.Err != nil:
		r.events <- "error: " + ev.Err.Error()
	case ev.Snapshot != nil:
		r.events <- "snapshot " + ev.Snapshot.Version
	default:
		r.events <- "recovered"
	}
}

func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatal("timed out waiting")
		panic("unreachable")
	}
}

func start(t *testing.T, layers []provider.Provider, h reload.Handler) *reload.Engine {
	t.Helper()
	initial := make([]provider.Snapshot, len(layers))
	for i := range layers {
		initial[i] = snap("initial")
	}
	e, err := reload.Start(context.Background(), layers, initial, h, reload.Options{})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	return e
}

func TestApplyGetsLatestOfEveryLayer(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	start(t, []provider.Provider{static{"s"}, w}, rec)
	assert.Equal(t, "initial", next(t, w.starts).Version, "watch starts from the loaded snapshot")

	w.run(t, func(emit func(provider.Event)) error {
		s := snap("v1")
		emit(provider.Event{Snapshot: &s})
		return nil
	})
	got := next(t, rec.applies)
	require.Len(t, got, 2)
	assert.Equal(t, "initial", got[0].Version)
	assert.Equal(t, "v1", got[1].Version)
	assert.Equal(t, "snapshot v1", next(t, rec.events))
}

func TestUpdatesDuringApplyCoalesce(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	rec.hold = make(chan struct{})
	start(t, []provider.Provider{w}, rec)
	// Cleanups run last-in first-out: release any held Apply before the
	// engine's Close waits for it, even when an assertion failed.
	t.Cleanup(func() { close(rec.hold) })
	next(t, w.starts)

	emitVersion := func(v string) {
		w.run(t, func(emit func(provider.Event)) error {
			s := snap(v)
			emit(provider.Event{Snapshot: &s})
			return nil
		})
	}
	emitVersion("v1")
	assert.Equal(t, "v1", next(t, rec.applies)[0].Version)
	// Apply is now held: these three arrive while it runs.
	emitVersion("v2")
	emitVersion("v3")
	emitVersion("v4")
	rec.hold <- struct{}{}
	assert.Equal(t, "v4", next(t, rec.applies)[0].Version, "latest wins")
	rec.hold <- struct{}{}
	select {
	case s := <-rec.applies:
		t.Fatalf("unexpected extra apply of %s", s[0].Version)
	case <-time.After(100 * time.Millisecond):
	}
	rec.mu.Lock()
	assert.False(t, rec.overlap, "Apply calls never overlap")
	rec.mu.Unlock()
}

func TestErrorsAndRecoveryReachHandlerWithoutApply(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	start(t, []provider.Provider{w}, rec)
	next(t, w.starts)

	w.run(t, func(emit func(provider.Event)) error {
		emit(provider.Event{Err: errors.New("boom")})
		return nil
	})
	assert.Equal(t, "error: boom", next(t, rec.events))
	w.run(t, func(emit func(provider.Event)) error {
		emit(provider.Event{})
		return nil
	})
	assert.Equal(t, "recovered", next(t, rec.events))
	assert.Empty(t, rec.applies, "health events alone apply nothing")
}

func TestWatchThatFailsOrPanicsIsRestarted(t *testing.T) {
	tests := []struct {
		name string
		step func(emit func(provider.Event)) error
		want string
	}{
		{"returns error", func(func(provider.Event)) error { return errors.New("lost") }, "lost"},
		{"returns nil", func(func(provider.Event)) error { return errReturnNil }, "ended unexpectedly"},
		{"panics", func(func(provider.Event)) error { panic("kaboom") }, "kaboom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newScripted("w")
			rec := newRecorder()
			e, err := reload.Start(context.Background(), []provider.Provider{w}, []provider.Snapshot{snap("initial")}, rec,
				reload.Options{Restart: provider.Backoff{Min: time.Millisecond, Max: time.Millisecond}})
			require.NoError(t, err)
			defer e.Close()
			next(t, w.starts)
			w.run(t, func(emit func(provider.Event)) error {
				s := snap("v1")
				emit(provider.Event{Snapshot: &s})
				return tt.step(emit)
			})
			assert.Equal(t, "snapshot v1", next(t, rec.events))
			assert.Contains(t, next(t, rec.events), tt.want)
			assert.Equal(t, "v1", next(t, w.starts).Version, "restarted from the last delivered snapshot")
		})
	}
}

// errReturnNil makes the scripted Watch return nil before its context ends.
var errReturnNil = errors.New("return nil")

func TestCloseStopsEverythingAndIsIdempotent(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	e := start(t, []provider.Provider{w, static{"s"}}, rec)
	next(t, w.starts)
	e.Close()
	e.Close()
	// goleak in TestMain checks that the goroutines really exited.
}

func TestContextCancelStopsWatchers(t *testing.T) {
	w := newScripted("w")
	ctx, cancel := context.WithCancel(context.Background())
	e, err := reload.Start(ctx, []provider.Provider{w}, []provider.Snapshot{{}}, newRecorder(), reload.Options{})
	require.NoError(t, err)
	next(t, w.starts)
	cancel()
	e.Close()
}

func TestStartRejectsMismatchedSnapshots(t *testing.T) {
	_, err := reload.Start(context.Background(), []provider.Provider{static{"s"}}, nil, newRecorder(), reload.Options{})
	assert.ErrorContains(t, err, "1 layers")
}

func TestDebounceBatchesLayers(t *testing.T) {
	a, b := newScripted("a"), newScripted("b")
	rec := newRecorder()
	e, err := reload.Start(context.Background(), []provider.Provider{a, b}, []provider.Snapshot{snap("a0"), snap("b0")}, rec,
		reload.Options{Debounce: time.Second})
	require.NoError(t, err)
	defer e.Close()
	next(t, a.starts)
	next(t, b.starts)
	for _, w := range []*scripted{a, b} {
		w.run(t, func(emit func(provider.Event)) error {
			s := snap(w.name + "1")
			emit(provider.Event{Snapshot: &s})
			return nil
		})
	}
	got := next(t, rec.applies)
	assert.Equal(t, []string{"a1", "b1"}, []string{got[0].Version, got[1].Version}, "both changes applied together")
}
