package consul

import (
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestOutageRetryDelays checks the retry delays with the default Backoff:
// while Consul is unreachable at most one request a second and at most
// two seconds between attempts, however long the outage (rule 6); other
// errors still back off to 30 s. BENCHMARKS.md measures what this gives.
func TestOutageRetryDelays(t *testing.T) {
	unavailable := (&Provider{}).failClass("", ClassUnavailable, 500, errors.New("No cluster leader"))
	limited := (&Provider{}).failClass("", ClassRateLimited, 429, errors.New("too many"))
	for _, tc := range []struct {
		name     string
		err      error
		min, max time.Duration // of every delay after the first few
	}{
		{"unavailable", unavailable, time.Second, 2 * time.Second},
		{"rate limited", limited, 15 * time.Second, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}})
			w := p.newWatcher(provider.Snapshot{}, func(provider.Event) {})
			seen := map[time.Duration]bool{}
			for i := range 100 {
				d := w.failed(tc.err)
				assert.LessOrEqual(t, d, tc.max, "attempt %d", i)
				if i >= 20 {
					assert.GreaterOrEqual(t, d, tc.min, "attempt %d", i)
				}
				if tc.err == unavailable {
					assert.GreaterOrEqual(t, d, time.Second, "attempt %d: at most one request a second", i)
				}
				seen[d] = true
			}
			assert.Greater(t, len(seen), 1, "delays are jittered")
		})
	}
}

// TestSameIndexAnswerRereadsWithoutIndex checks rule 12 on the watcher's
// state: a blocking query answered with the index it was sent is followed
// by a read without an index; an answer with a new index is blocked on.
func TestSameIndexAnswerRereadsWithoutIndex(t *testing.T) {
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}})
	for _, tc := range []struct {
		name        string
		sent, index uint64
		next        uint64
	}{
		{"plain read", 0, 26, 26},
		{"new index", 26, 30, 30},
		{"same index: restore or timeout", 26, 26, 0},
		{"lower index", 26, 15, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := p.newWatcher(provider.Snapshot{}, func(provider.Event) {})
			w.succeeded(&read{sent: tc.sent, index: tc.index})
			assert.Equal(t, tc.next, w.index)
		})
	}
}

// TestNoMoreThanWaitWithoutAPlainRead checks the bound of rule 12: a
// blocking query waits only what is left of Wait since the last read
// without an index, and once nothing is left the read carries none, so a
// server silently behind is found within Wait + Wait/16.
func TestNoMoreThanWaitWithoutAPlainRead(t *testing.T) {
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}, Wait: time.Minute})
	plain := time.Now()
	for _, tc := range []struct {
		name  string
		index uint64
		since time.Duration // since the last read without an index
		want  uint64
		wait  time.Duration
	}{
		{"nothing to block on", 0, 0, 0, 0},
		{"just read", 26, 0, 26, time.Minute},
		{"part of the wait used", 26, 40 * time.Second, 26, 20 * time.Second},
		{"the wait used up", 26, time.Minute, 0, 0},
		{"long past", 26, time.Hour, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := p.newWatcher(provider.Snapshot{}, func(provider.Event) {})
			w.index, w.plainAt = tc.index, plain
			index, wait := w.query(plain.Add(tc.since))
			assert.Equal(t, tc.want, index)
			assert.Equal(t, tc.wait, wait)
		})
	}
	w := p.newWatcher(provider.Snapshot{Version: "26", Data: map[string]any{}, ReadAt: plain}, func(provider.Event) {})
	index, _ := w.query(plain.Add(time.Second))
	assert.Equal(t, uint64(26), index, "Load's read counts as a read without an index")
}

// TestWatcherPatchesAnswersOfTheDeliveredKeys: the watcher's bookkeeping
// of the delivered tree (builtTree) lets every answer with the delivered
// keys be applied as a patch: the first after Load, one after a patched
// delivery, and one after a whole build for added keys; an answer with
// other keys is not.
func TestWatcherPatchesAnswersOfTheDeliveredKeys(t *testing.T) {
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}})
	first, err := p.snapshot(&read{index: 5, list: listOf("app/a/x=1", "app/b=2")})
	require.NoError(t, err)
	p.hint.Store(newBuiltTree("app/", first.Data)) // as Load does
	var got []provider.Event
	w := p.newWatcher(first, func(ev provider.Event) { got = append(got, ev) })

	steps := []struct {
		name    string
		list    pairList
		patched bool
		want    map[string]any
	}{
		{"a value after Load", listOf("app/a/x=1", "app/b=3"), true, map[string]any{"a": map[string]any{"x": "1"}, "b": "3"}},
		{"a value after a patch", listOf("app/a/x=4", "app/b=3"), true, map[string]any{"a": map[string]any{"x": "4"}, "b": "3"}},
		{"an added key", listOf("app/a/x=4", "app/a/y=5", "app/b=3"), false, map[string]any{"a": map[string]any{"x": "4", "y": "5"}, "b": "3"}},
		{"a value after a whole build", listOf("app/a/x=4", "app/a/y=6", "app/b=3"), true, map[string]any{"a": map[string]any{"x": "4", "y": "6"}, "b": "3"}},
		{"a removed key", listOf("app/a/x=4", "app/b=3"), false, map[string]any{"a": map[string]any{"x": "4"}, "b": "3"}},
	}
	for i, st := range steps {
		r := &read{sent: uint64(5 + i), index: uint64(6 + i), list: st.list}
		_, patched := w.patch(r)
		assert.Equal(t, st.patched, patched, st.name)
		w.succeeded(r)
		require.Len(t, got, i+1, st.name)
		require.NotNil(t, got[i].Snapshot, st.name)
		assert.Equal(t, st.want, got[i].Snapshot.Data, st.name)
		assert.Same(t, w.built, p.hint.Load(), "%s: the hint is the delivered tree", st.name)
	}
}
