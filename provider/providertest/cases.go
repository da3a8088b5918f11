package providertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/strata-go/strata/provider"
)

// cases returns Run's subtests, in the order they run.
func cases() []testCase {
	return []testCase{
		{"Load/returns the whole content", 0, loadContent},
		{"Load/sees a change", needSet, loadChange},
		{"Load/drops a deleted key", needDelete, loadDelete},
		{"Load/names the layer in an error", needFail, loadError},
		{"Load/works again after recovery", needFail | needRecover, loadRecover},
		{"Load/returns when its context is cancelled", 0, loadCancelled},
		{"Watch/delivers the content when started from nothing", needWatch, watchFromNothing},
		{"Watch/delivers a change as a whole snapshot", needWatch | needSet, watchChange},
		{"Watch/delivers nothing for unchanged content", needWatch | needSet, watchUnchanged},
		{"Watch/carries a deletion", needWatch | needDelete, watchDelete},
		{"Watch/reports an outage once and its end once", needWatch | needSet | needFail | needRecover, watchOutage},
		{"Watch/retries by itself", needWatch | needFail | needRecover, watchRetries},
		{"Watch/stops when its context ends", needWatch, watchStops},
		{"Watch/stops during an outage", needWatch | needFail, watchStopsFailing},
	}
}

func loadContent(t *testing.T, s *suite, b Backend) {
	checkSnapshot(t, "first Load", s.load(t, b.Provider), seed())
}

func loadChange(t *testing.T, s *suite, b Backend) {
	first := s.load(t, b.Provider)
	b.Set("db.host", "beta")
	next := s.load(t, b.Provider)
	checkSnapshot(t, "Load after Set(db.host)", next, with(seed(), "db.host", "beta"))
	if next.Version == first.Version {
		t.Errorf("Load after Set(db.host): Version %q did not change with the content", next.Version)
	}
}

func loadDelete(t *testing.T, s *suite, b Backend) {
	first := s.load(t, b.Provider)
	b.Delete("db.port")
	next := s.load(t, b.Provider)
	checkSnapshot(t, "Load after Delete(db.port)", next, with(seed(), "db.port", ""))
	if next.Version == first.Version {
		t.Errorf("Load after Delete(db.port): Version %q did not change with the content", next.Version)
	}
}

func loadError(t *testing.T, s *suite, b Backend) {
	b.Fail()
	ctx, cancel := context.WithTimeout(context.Background(), s.h.Timeout)
	defer cancel()
	_, err := b.Provider.Load(ctx)
	if err == nil {
		t.Fatal("Load during an outage (after Fail) returned no error")
	}
	checkLayerError(t, "Load during an outage", err, b.Provider.Name())
}

func loadRecover(t *testing.T, s *suite, b Backend) {
	b.Fail()
	b.Recover()
	checkSnapshot(t, "Load after Recover", s.load(t, b.Provider), seed())
}

func loadCancelled(t *testing.T, s *suite, b Backend) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = b.Provider.Load(ctx) // either result is fine; returning is the point
	}()
	select {
	case <-done:
	case <-time.After(s.h.Timeout):
		t.Fatalf("Load with a cancelled context did not return within %s; it must return promptly once ctx is done", s.h.Timeout)
	}
}

// watchFromNothing starts Watch from a zero Snapshot, as a caller without a
// first Load would: the current content differs from nothing delivered.
func watchFromNothing(t *testing.T, s *suite, b Backend) {
	w := s.watch(t, b, provider.Snapshot{})
	ev := w.next(t, "the current content, when Watch starts from a zero Snapshot")
	w.requireSnapshot(t, ev, "the first event of a Watch started from a zero Snapshot")
	checkSnapshot(t, "Watch from a zero Snapshot", *ev.Snapshot, seed())
	w.stop(t)
}

func watchChange(t *testing.T, s *suite, b Backend) {
	w := s.watch(t, b, s.load(t, b.Provider))
	b.Set("db.host", "beta")
	ev := w.next(t, "a snapshot after Set(db.host)")
	w.requireSnapshot(t, ev, "the first event after Set(db.host)")
	checkSnapshot(t, "Watch after Set(db.host)", *ev.Snapshot, with(seed(), "db.host", "beta"))
	w.stop(t)
}

// watchUnchanged writes a key's own value again (a write that changes
// nothing), then a real change; the first event must be that change, so
// neither the starting snapshot nor the empty write was delivered.
func watchUnchanged(t *testing.T, s *suite, b Backend) {
	w := s.watch(t, b, s.load(t, b.Provider))
	since := attempts(b)
	b.Set("db.host", "alpha")
	s.settle(t, b, since, 1)
	b.Set("app.mode", "sentinel")
	ev := w.next(t, "a snapshot after Set(app.mode)")
	w.requireSnapshot(t, ev, "the first event after an unchanged write and Set(app.mode)")
	if v, _ := lookup(ev.Snapshot.Data, "app", "mode"); v != "sentinel" {
		t.Errorf("the first event holds no app.mode, so it delivered unchanged content "+
			"(the snapshot Watch started from, or an unchanged write); dedupe by content: %v", ev.Snapshot.Data)
	}
	w.stop(t)
}

func watchDelete(t *testing.T, s *suite, b Backend) {
	w := s.watch(t, b, s.load(t, b.Provider))
	b.Delete("db.port")
	ev := w.next(t, "a snapshot after Delete(db.port)")
	w.requireSnapshot(t, ev, "the first event after Delete(db.port)")
	checkSnapshot(t, "Watch after Delete(db.port)", *ev.Snapshot, with(seed(), "db.port", ""))
	w.stop(t)
}

// watchOutage holds an outage long enough for several retries, then ends it
// and makes a change that a backend event announces, so that even a
// watcher that cannot notice a silent recovery gets through; everything
// between the first error and that change must be at most one recovery.
func watchOutage(t *testing.T, s *suite, b Backend) {
	w := s.watch(t, b, s.load(t, b.Provider))
	b.Fail()
	ev := w.next(t, "an error after Fail")
	if ev.Err == nil {
		t.Fatalf("the first event after Fail must be an error, got %s", describe(ev))
	}
	checkLayerError(t, "Watch's error", ev.Err, b.Provider.Name())
	s.settle(t, b, attempts(b), 3)
	b.Recover()
	s.settle(t, b, attempts(b), 1)
	b.Set("app.mode", "sentinel")
	var errs, recoveries int
	for {
		ev = w.next(t, "a snapshot after Recover and Set(app.mode)")
		if ev.Snapshot != nil {
			break
		}
		if ev.Err != nil {
			errs++
		} else {
			recoveries++
		}
	}
	if errs > 0 {
		t.Errorf("one outage was reported %d times; report it once, not once per retry:\n%s", errs+1, w.describe())
	}
	if recoveries > 1 {
		t.Errorf("the end of one outage was reported %d times; report it once:\n%s", recoveries, w.describe())
	}
	if v, _ := lookup(ev.Snapshot.Data, "app", "mode"); v != "sentinel" {
		t.Errorf("after the outage a snapshot without app.mode came first: unchanged content was delivered "+
			"again; an outage that ends with the content unchanged is one recovery event:\n%s", w.describe())
	}
	w.stop(t)
}

// watchRetries ends an outage silently: only the watcher's own retries can
// notice.
func watchRetries(t *testing.T, s *suite, b Backend) {
	w := s.watch(t, b, s.load(t, b.Provider))
	b.Fail()
	if ev := w.next(t, "an error after Fail"); ev.Err == nil {
		t.Fatalf("the first event after Fail must be an error, got %s", describe(ev))
	}
	b.Recover()
	for {
		ev := w.nextOr(t, func() string {
			return "no recovery event after Recover: the watcher must keep retrying by itself " +
				"during an outage, not wait for an event from the backend"
		})
		if ev.Err != nil {
			continue // retries that began before Recover
		}
		if ev.Snapshot != nil {
			t.Errorf("an outage that ended with the content unchanged must be reported by a recovery event "+
				"(neither snapshot nor error), not by delivering the content again:\n%s", w.describe())
		}
		break
	}
	w.stop(t)
}

func watchStops(t *testing.T, s *suite, b Backend) {
	s.checkStops(t, b, func(*watching) {})
}

func watchStopsFailing(t *testing.T, s *suite, b Backend) {
	s.checkStops(t, b, func(w *watching) {
		b.Fail()
		if ev := w.next(t, "an error after Fail"); ev.Err == nil {
			t.Errorf("the first event after Fail must be an error, got %s", describe(ev))
		}
	})
	if b.Recover != nil {
		b.Recover()
	}
}

// checkStops starts a watcher, brings it into a state, cancels its context
// and checks that Watch returns, with what, and that no goroutine started
// since outlives it.
func (s *suite) checkStops(t *testing.T, b Backend, state func(*watching)) {
	first := s.load(t, b.Provider)
	before := goleak.IgnoreCurrent()
	w := s.watch(t, b, first)
	state(w)
	err := w.stop(t)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Watch returned %v after its context was cancelled; want nil or context.Canceled", err)
	}
	if err := goleak.Find(before); err != nil {
		t.Errorf("goroutines outlive Watch: %v", err)
	}
}

// settle lets the watcher work after an action: until the backend counted
// more than attempts reads since then, or, when it cannot count them
// (Backend.Attempts is nil), for Harness.Settle. Without it a lazy watcher
// could pass by reading only after the suite's next change.
func (s *suite) settle(t *testing.T, b Backend, since, attempts int) {
	t.Helper()
	if b.Attempts == nil {
		// The wait is the scenario (an outage, a quiet spell), not a
		// synchronisation: no event marks a read the backend cannot count.
		time.Sleep(s.h.Settle)
		return
	}
	deadline := time.Now().Add(s.h.Timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for b.Attempts() < since+attempts {
		if time.Now().After(deadline) {
			t.Fatalf("the watcher made %d attempts in %s, want %d: it must keep reading by itself",
				b.Attempts()-since, s.h.Timeout, attempts)
		}
		<-tick.C
	}
}

// attempts returns the backend's read count, or 0 if it cannot count.
func attempts(b Backend) int {
	if b.Attempts == nil {
		return 0
	}
	return b.Attempts()
}

// lookup returns the value at a path of nested maps.
func lookup(data map[string]any, path ...string) (any, bool) {
	var v any = data
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

func (w *watching) requireSnapshot(t *testing.T, ev provider.Event, what string) {
	t.Helper()
	if ev.Snapshot == nil {
		t.Fatalf("%s must be a snapshot, got %s:\n%s", what, describe(ev), w.describe())
	}
}
