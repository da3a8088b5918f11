package reload_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
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
	steps   chan func(emit func(provider.Event)) error
	starts  chan provider.Snapshot
	returns chan error // what each Watch returned, in order
}

func newScripted(name string) *scripted {
	return &scripted{static: static{name}, steps: make(chan func(func(provider.Event)) error), starts: make(chan provider.Snapshot, 10), returns: make(chan error, 10)}
}

func (s *scripted) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) (err error) {
	s.starts <- last
	defer func() { s.returns <- err }()
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
	reject  error // what Apply returns
}

func newRecorder() *recorder {
	return &recorder{applies: make(chan []provider.Snapshot, 100), events: make(chan string, 4096)}
}

func (r *recorder) Apply(s []provider.Snapshot) error {
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
	defer r.mu.Unlock()
	r.running--
	return r.reject
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
	require.NoError(t, e.Err())
	require.True(t, e.Watching(0))
	var emit func(provider.Event)
	w.run(t, func(em func(provider.Event)) error { emit = em; return nil })

	e.Close()
	e.Close()
	// Close waits: the Watch has already returned, with its context's error.
	select {
	case err := <-w.returns:
		assert.ErrorIs(t, err, context.Canceled)
	default:
		t.Fatal("Close returned before the watcher did")
	}
	assert.ErrorIs(t, e.Err(), reload.ErrClosed)
	assert.False(t, e.Watching(0), "a closed engine watches nothing")
	assert.False(t, e.Watching(1), "a layer that cannot watch is never watching")

	// A Watch that (wrongly) emits after its context ended reaches nobody.
	s := snap("late")
	emit(provider.Event{Snapshot: &s})
	assert.Empty(t, rec.events, "no Handler call after Close")
	assert.Empty(t, rec.applies, "no Handler call after Close")
	// goleak in TestMain checks that the goroutines really exited.
}

// TestStartContextDoesNotEndWatching is the lifetime contract: Start's
// context bounds nothing; only Shutdown or Close end watching.
func TestStartContextDoesNotEndWatching(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	e, err := reload.Start(ctx, []provider.Provider{w}, []provider.Snapshot{{}}, rec, reload.Options{})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	next(t, w.starts)
	cancel()

	w.run(t, func(emit func(provider.Event)) error {
		s := snap("after-cancel")
		emit(provider.Event{Snapshot: &s})
		return nil
	})
	assert.Equal(t, "after-cancel", next(t, rec.applies)[0].Version, "a change after cancel is still applied")
	assert.NoError(t, e.Err())
	assert.True(t, e.Watching(0))
}

// TestShutdownIsBoundedByItsContext: a Handler that never returns must not
// make Shutdown hang past its context.
func TestShutdownIsBoundedByItsContext(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	rec.hold = make(chan struct{})
	e, err := reload.Start(context.Background(), []provider.Provider{w}, []provider.Snapshot{snap("initial")}, rec, reload.Options{})
	require.NoError(t, err)
	next(t, w.starts)
	w.run(t, func(emit func(provider.Event)) error {
		s := snap("v1")
		emit(provider.Event{Snapshot: &s})
		return nil
	})
	next(t, rec.applies) // Apply is now held

	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() { result <- e.Shutdown(ctx) }()
	assert.ErrorIs(t, next(t, w.returns), context.Canceled, "Shutdown stopped the watcher")
	cancel()
	assert.ErrorIs(t, next(t, result), context.Canceled, "Shutdown gave up when its context ended")
	assert.ErrorIs(t, e.Err(), reload.ErrClosed)

	close(rec.hold) // the stuck Apply returns; then everything exits
	require.NoError(t, e.Shutdown(context.Background()))
}

// TestFlappingLayerKeepsPendingBounded: a layer failing and recovering
// 1,000 times while Apply runs leaves at most two events for the Handler
// (its latest failure and latest success, in order), never one per flap.
func TestFlappingLayerKeepsPendingBounded(t *testing.T) {
	tests := []struct {
		name  string
		final string // "error" or "recovered"
		want  []string
	}{
		{"ends recovered", "recovered", []string{"error: flap 999", "snapshot v1000"}},
		{"ends failing", "error", []string{"snapshot v1000", "error: flap 1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newScripted("w")
			rec := newRecorder()
			rec.hold = make(chan struct{})
			start(t, []provider.Provider{w}, rec)
			t.Cleanup(func() { close(rec.hold) })
			next(t, w.starts)
			w.run(t, func(emit func(provider.Event)) error {
				s := snap("v0")
				emit(provider.Event{Snapshot: &s})
				return nil
			})
			assert.Equal(t, "snapshot v0", next(t, rec.events))
			next(t, rec.applies) // Apply is now held

			w.run(t, func(emit func(provider.Event)) error {
				for i := range 1000 {
					emit(provider.Event{Err: fmt.Errorf("flap %d", i)})
					s := snap(fmt.Sprint("v", i+1))
					emit(provider.Event{Snapshot: &s})
				}
				if tt.final == "error" {
					emit(provider.Event{Err: errors.New("flap 1000")})
				}
				return nil
			})
			rec.hold <- struct{}{}
			var got []string
			for range tt.want {
				got = append(got, next(t, rec.events))
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, "v1000", next(t, rec.applies)[0].Version, "the latest snapshot is applied")
			assert.Zero(t, len(rec.events), "nothing else was queued: pending stays O(layers)")
		})
	}
}

// TestGoroutineThatStopsForGoodIsReported: a Watch or a Handler calling
// runtime.Goexit (as t.FailNow does) ends its goroutine without a panic to
// recover; the Engine must say so rather than stop silently.
func TestGoroutineThatStopsForGoodIsReported(t *testing.T) {
	t.Run("watcher", func(t *testing.T) {
		w := newScripted("w")
		e := start(t, []provider.Provider{w}, newRecorder())
		next(t, w.starts)
		w.steps <- func(func(provider.Event)) error { runtime.Goexit(); return nil }
		next(t, w.returns)
		require.Eventually(t, func() bool { return e.Err() != nil }, wait, time.Millisecond)
		assert.ErrorContains(t, e.Err(), "layer w: watcher stopped")
		assert.False(t, e.Watching(0))
	})
	t.Run("apply", func(t *testing.T) {
		w := newScripted("w")
		e := start(t, []provider.Provider{w}, goexitHandler{})
		next(t, w.starts)
		w.run(t, func(emit func(provider.Event)) error {
			s := snap("v1")
			emit(provider.Event{Snapshot: &s})
			return nil
		})
		require.Eventually(t, func() bool { return e.Err() != nil }, wait, time.Millisecond)
		assert.ErrorContains(t, e.Err(), "apply goroutine stopped")
		assert.False(t, e.Watching(0), "nothing the watcher sees is applied any more")
	})
}

type goexitHandler struct{}

func (goexitHandler) Apply([]provider.Snapshot) error { runtime.Goexit(); return nil }
func (goexitHandler) LayerEvent(int, provider.Event)  {}

func TestStartRejectsMismatchedSnapshots(t *testing.T) {
	_, err := reload.Start(context.Background(), []provider.Provider{static{"s"}}, nil, newRecorder(), reload.Options{})
	assert.ErrorContains(t, err, "1 layers")
}

// TestRefreshAppliesAReadLikeAWatchedChange: Refresh delivers what was read
// (snapshots and failures) through the Handler on the apply goroutine,
// applies even when nothing changed, and returns Apply's verdict.
func TestRefreshAppliesAReadLikeAWatchedChange(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	e := start(t, []provider.Provider{static{"s"}, w, static{"t"}}, rec)
	next(t, w.starts)

	s1 := snap("s1")
	mark := e.Mark()
	require.NoError(t, e.Refresh(context.Background(), mark, []provider.Event{{Snapshot: &s1}, {}, {Err: errors.New("t down")}}))
	assert.Equal(t, "snapshot s1", next(t, rec.events))
	assert.Equal(t, "error: t down", next(t, rec.events))
	got := next(t, rec.applies)
	assert.Equal(t, []string{"s1", "initial", "initial"}, []string{got[0].Version, got[1].Version, got[2].Version})

	rec.mu.Lock()
	rec.reject = errors.New("invalid")
	rec.mu.Unlock()
	assert.EqualError(t, e.Refresh(context.Background(), e.Mark(), make([]provider.Event, 3)), "invalid", "Apply runs even with nothing new, and its error is returned")
	next(t, rec.applies)

	// A watcher that delivered since the mark wins over an older read.
	stale := snap("read-before-watch")
	mark = e.Mark()
	w.run(t, func(emit func(provider.Event)) error {
		s := snap("watched")
		emit(provider.Event{Snapshot: &s})
		return nil
	})
	assert.Equal(t, "snapshot watched", next(t, rec.events))
	assert.Equal(t, "watched", next(t, rec.applies)[1].Version)
	_ = e.Refresh(context.Background(), mark, []provider.Event{{}, {Snapshot: &stale}, {}})
	assert.Equal(t, "watched", next(t, rec.applies)[1].Version)

	e.Close()
	assert.ErrorIs(t, e.Refresh(context.Background(), e.Mark(), make([]provider.Event, 3)), reload.ErrClosed)
	assert.ErrorContains(t, e.Refresh(context.Background(), nil, nil), "0 events")
}
