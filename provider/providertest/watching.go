package providertest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-go/strata/provider"
)

// watching is one Watch call running in a goroutine the subtest owns, and
// the record of what it emitted. emit only records, so it never blocks the
// watcher; the checks run on the test's goroutine.
type watching struct {
	timeout time.Duration
	cancel  context.CancelFunc
	done    chan error

	inEmit atomic.Int32

	mu       sync.Mutex
	events   []provider.Event
	seen     int // events before seen were consumed by next
	returned bool
	problems []string // contract violations seen by emit
	deltas   deltas   // the snapshots seen, to check each Delta against
	notify   chan struct{}
	stopped  bool
	err      error
}

// watch starts b's Watch from last; the subtest's cleanup stops it and
// reports what emit saw wrong.
func (s *suite) watch(t *testing.T, b Backend, last provider.Snapshot) *watching {
	t.Helper()
	pw := b.Provider.(provider.Watcher)
	ctx, cancel := context.WithCancel(context.Background())
	w := &watching{timeout: s.h.Timeout, cancel: cancel, done: make(chan error, 1), notify: make(chan struct{}, 1)}
	w.deltas.seen = append(w.deltas.seen, last.Data)
	go func() {
		err := pw.Watch(ctx, last, w.emit)
		w.mu.Lock()
		w.returned = true
		w.mu.Unlock()
		w.done <- err
	}()
	t.Cleanup(func() {
		w.stop(t)
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, p := range w.problems {
			t.Error(p)
		}
	})
	return w
}

func (w *watching) emit(ev provider.Event) {
	if w.inEmit.Add(1) > 1 {
		w.problem("emit was called concurrently; Watch must call it from one goroutine at a time")
	}
	defer w.inEmit.Add(-1)
	w.mu.Lock()
	if w.returned {
		w.problems = append(w.problems, "emit was called after Watch returned: "+describe(ev))
	}
	if ev.Snapshot != nil && ev.Err != nil {
		w.problems = append(w.problems, "an event carries both a snapshot and an error; exactly one case holds: "+describe(ev))
	}
	if ev.Snapshot != nil {
		if p := w.deltas.check(*ev.Snapshot); p != "" {
			w.problems = append(w.problems, p)
		}
	}
	w.events = append(w.events, ev)
	w.mu.Unlock()
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (w *watching) problem(p string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, p)
}

// next returns the next event not yet consumed, failing the test with what
// was awaited when none comes within the timeout.
func (w *watching) next(t *testing.T, what string) provider.Event {
	t.Helper()
	return w.nextOr(t, func() string { return "no event (" + what + ")" })
}

func (w *watching) nextOr(t *testing.T, failure func() string) provider.Event {
	t.Helper()
	deadline := time.NewTimer(w.timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		if w.seen < len(w.events) {
			ev := w.events[w.seen]
			w.seen++
			w.mu.Unlock()
			return ev
		}
		w.mu.Unlock()
		select {
		case <-w.notify:
		case err := <-w.done:
			w.done <- err // keep it for stop
			w.mu.Lock()
			pending := w.seen < len(w.events)
			w.mu.Unlock()
			if !pending {
				t.Fatalf("%s: Watch returned %v before its context ended; it must run until then:\n%s",
					failure(), err, w.describe())
			}
		case <-deadline.C:
			t.Fatalf("%s within %s; events so far:\n%s", failure(), w.timeout, w.describe())
		}
	}
}

// stop cancels the watcher's context and waits for Watch to return,
// failing the test if it does not within the timeout. It returns Watch's
// result; calling it again returns the same.
func (w *watching) stop(t *testing.T) error {
	t.Helper()
	w.mu.Lock()
	if w.stopped {
		defer w.mu.Unlock()
		return w.err
	}
	w.mu.Unlock()
	w.cancel()
	select {
	case err := <-w.done:
		w.mu.Lock()
		w.stopped, w.err = true, err
		w.mu.Unlock()
		return err
	case <-time.After(w.timeout):
		t.Fatalf("Watch did not return within %s of its context being cancelled", w.timeout)
		return nil
	}
}

// describe lists every event emitted so far, for failure messages.
func (w *watching) describe() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.events) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for i, ev := range w.events {
		fmt.Fprintf(&b, "  %d: %s\n", i, describe(ev))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func describe(ev provider.Event) string {
	switch {
	case ev.Snapshot != nil && ev.Err != nil:
		return fmt.Sprintf("snapshot %s %v and error %v", ev.Snapshot.Version, ev.Snapshot.Data, ev.Err)
	case ev.Snapshot != nil:
		return fmt.Sprintf("snapshot %s %v", ev.Snapshot.Version, ev.Snapshot.Data)
	case ev.Err != nil:
		return "error: " + ev.Err.Error()
	default:
		return "recovered"
	}
}
