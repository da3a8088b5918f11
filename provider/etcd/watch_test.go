package etcd

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-go/strata/provider"
)

// watching runs p.Watch from last in a goroutine and returns its events;
// the watch is stopped, and seen to return, when the test ends.
func watching(t *testing.T, p *Provider, last provider.Snapshot) <-chan provider.Event {
	t.Helper()
	events := make(chan provider.Event, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx, last, func(ev provider.Event) { events <- ev }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(30 * time.Second):
			t.Error("Watch did not return after its context ended")
		}
	})
	return events
}

// next returns the next event, failing the test after a generous deadline.
func next(t *testing.T, events <-chan provider.Event) provider.Event {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case <-time.After(30 * time.Second):
		require.FailNow(t, "no event from the watcher")
	}
	return provider.Event{}
}

// nextSnapshot returns the next event, which must be a snapshot.
func nextSnapshot(t *testing.T, events <-chan provider.Event) provider.Snapshot {
	t.Helper()
	ev := next(t, events)
	require.NoError(t, ev.Err)
	require.NotNil(t, ev.Snapshot, "a recovery where a snapshot was expected")
	return *ev.Snapshot
}

func loaded(t *testing.T, p *Provider) provider.Snapshot {
	t.Helper()
	snap, err := p.Load(context.Background())
	require.NoError(t, err)
	return snap
}

func TestWatchTree(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1", "app/b/c", "2")
	p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}})
	events := watching(t, p, loaded(t, p))

	put(t, c, "app/a", "10")
	s := nextSnapshot(t, events)
	assert.Equal(t, map[string]any{"a": "10", "b": map[string]any{"c": "2"}}, s.Data)

	// A write of the same value, one outside the prefix and one to a
	// folder key deliver nothing: the next event is the transaction's.
	put(t, c, "app/a", "10")
	put(t, c, "apple", "x")
	put(t, c, "app/b/", "folder keys are ignored")
	rev := put(t, c, "app/a", "11", "app/b/c", "21", "app/d", "3")
	s = nextSnapshot(t, events)
	assert.Equal(t, map[string]any{"a": "11", "b": map[string]any{"c": "21"}, "d": "3"}, s.Data,
		"a three-key transaction is one snapshot")
	assert.Equal(t, rev, mustInt(t, s.Version))
	assert.Equal(t, "etcd key app/d", s.OriginOf("d").String())

	del(t, c, "app/b/c", false)
	s = nextSnapshot(t, events)
	assert.Equal(t, map[string]any{"a": "11", "d": "3"}, s.Data, "a deletion is carried")

	del(t, c, "app/", true)
	s = nextSnapshot(t, events)
	assert.Empty(t, s.Data, "a deleted prefix is an empty layer")
	assert.Empty(t, events)
}

func TestWatchDocument(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "cfg.yaml", "a: 1\n")
	p := New(Options{Key: "cfg.yaml", Endpoints: []string{m.clientURL}})
	events := watching(t, p, loaded(t, p))

	put(t, c, "cfg.yaml", "a: 2\n")
	assert.Equal(t, map[string]any{"a": 2}, nextSnapshot(t, events).Data)

	put(t, c, "cfg.yaml", "a: [oops\n")
	ev := next(t, events)
	require.Error(t, ev.Err)
	assert.Equal(t, ClassInvalidData, errClass(ev.Err))
	assert.Contains(t, ev.Err.Error(), `reading key "cfg.yaml"`)

	put(t, c, "cfg.yaml", "a: 3\n")
	assert.Equal(t, map[string]any{"a": 3}, nextSnapshot(t, events).Data, "a fixed document recovers")

	del(t, c, "cfg.yaml", false)
	ev = next(t, events)
	assert.ErrorIs(t, ev.Err, provider.ErrNotFound, "a deleted document is an error unless Optional")
	put(t, c, "cfg.yaml", "a: 3\n")
	ev = next(t, events)
	assert.Equal(t, provider.Event{}, ev, "back to the content last delivered: a recovery")
}

// TestWatchSeesChangesBetweenLoadAndWatch checks the watch starts from its
// own read, not from whatever revision Load saw.
func TestWatchSeesChangesBetweenLoadAndWatch(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1")
	p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}})
	snap := loaded(t, p)
	put(t, c, "app/a", "2")
	events := watching(t, p, snap)
	assert.Equal(t, map[string]any{"a": "2"}, nextSnapshot(t, events).Data)
}

// TestWatchSeesChangesBetweenReadAndWatch writes between the watcher's own
// read at R and the start of its watch: the watch starts at R+1, so the
// write is delivered; a watch from "now" would miss it.
func TestWatchSeesChangesBetweenReadAndWatch(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1")
	p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}})
	last := loaded(t, p)
	var reads atomic.Int32
	p.hooks.afterRead = func(int64) {
		if reads.Add(1) == 1 {
			put(t, c, "app/a", "2")
		}
	}
	events := watching(t, p, last)
	assert.Equal(t, map[string]any{"a": "2"}, nextSnapshot(t, events).Data)
	assert.EqualValues(t, 1, reads.Load(), "delivered by the watch, not by a second read")
}

// TestWatchMemberStoppedBeforeWatchStarts stops the only member between
// the watcher's read and the start of its watch. The client's Watch call
// waits for a stream to the member, which cannot open: the outage must
// still be reported (once), and its end too.
func TestWatchMemberStoppedBeforeWatchStarts(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	put(t, m.admin("", ""), "app/a", "1")
	p := New(Options{
		Prefix: "app/", Endpoints: []string{m.clientURL},
		ProbeInterval: 100 * time.Millisecond, RequestTimeout: 500 * time.Millisecond,
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	})
	last := loaded(t, p)
	var reads atomic.Int32
	p.hooks.afterRead = func(int64) {
		if reads.Add(1) == 1 {
			m.stop()
		}
	}
	events := watching(t, p, last)
	ev := next(t, events)
	require.Error(t, ev.Err, "the outage, reported while the watch cannot start")
	assert.Equal(t, ClassUnavailable, errClass(ev.Err), "%v", ev.Err)

	m.start()
	m.waitReady()
	for {
		ev := next(t, events)
		require.NoError(t, ev.Err, "a second error for the same outage")
		if ev == (provider.Event{}) {
			break // recovered, content unchanged
		}
		require.Nil(t, ev.Snapshot, "the same content delivered again")
	}
}

// TestWatchCompactedWhileBehind compacts the revision the watcher is about
// to resume from: it must re-read from scratch, deliver the final values
// once, and report no error.
func TestWatchCompactedWhileBehind(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1", "app/b", "1")
	p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}})
	last := loaded(t, p)

	var (
		mu    sync.Mutex
		reads []int64
	)
	p.hooks.afterRead = func(rev int64) {
		mu.Lock()
		reads = append(reads, rev)
		first := len(reads) == 1
		mu.Unlock()
		if !first {
			return
		}
		// The watcher read at rev and will watch from rev+1: move on and
		// compact past it, so that revision is gone.
		put(t, c, "app/a", "2")
		put(t, c, "app/b", "3")
		top := put(t, c, "app/c", "4")
		_, err := c.Compact(context.Background(), top, clientv3.WithCompactPhysical())
		assert.NoError(t, err)
	}
	events := watching(t, p, last)
	s := nextSnapshot(t, events)
	assert.Equal(t, map[string]any{"a": "2", "b": "3", "c": "4"}, s.Data)
	mu.Lock()
	assert.Len(t, reads, 2, "one read, then one more after the compaction")
	mu.Unlock()

	put(t, c, "app/a", "5")
	assert.Equal(t, "5", nextSnapshot(t, events).Data["a"], "the new watch follows on")
	assert.Empty(t, events, "no error for a compaction")
}

// TestWatchOutageOneErrorThenRecovery stops the only member under a running
// watch: one error, however long the outage, then the final value written
// after the restart.
func TestWatchOutageOneErrorThenRecovery(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1")
	p := New(Options{
		Prefix: "app/", Endpoints: []string{m.clientURL},
		ProbeInterval: 100 * time.Millisecond, RequestTimeout: 500 * time.Millisecond,
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	})
	var failures atomic.Int32
	p.hooks.failed = func(error) { failures.Add(1) }
	events := watching(t, p, loaded(t, p))

	m.stop()
	ev := next(t, events)
	require.Error(t, ev.Err)
	assert.Equal(t, ClassUnavailable, errClass(ev.Err), "%v", ev.Err)

	// Let the watcher fail several more times while etcd is down: it must
	// stay one error.
	require.Eventually(t, func() bool { return failures.Load() >= 5 }, 30*time.Second, 10*time.Millisecond)
	m.start()
	m.waitReady()
	put(t, m.admin("", ""), "app/a", "2")
	for {
		ev := next(t, events)
		require.NoError(t, ev.Err, "a second error for the same outage")
		if ev.Snapshot != nil && ev.Snapshot.Data["a"] == "2" {
			break
		}
	}
}

// TestWatchReplacesCachedSnapshot starts a watch from a snapshot served by
// the cache while etcd was down: once etcd answers, the same content is
// delivered again, no longer stale, so Status stops calling it stale.
func TestWatchReplacesCachedSnapshot(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	put(t, m.admin("", ""), "app/a", "1")
	opts := Options{
		Prefix: "app/", Endpoints: []string{m.clientURL}, RequestTimeout: 500 * time.Millisecond,
		CacheFile: filepath.Join(t.TempDir(), "cache.json"),
		Backoff:   provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	}
	loaded(t, New(opts))
	m.stop()
	p := New(opts)
	cached := loaded(t, p)
	require.True(t, cached.Stale)
	events := watching(t, p, cached)
	m.start()
	m.waitReady()
	for {
		ev := next(t, events)
		if ev.Snapshot != nil {
			assert.False(t, ev.Snapshot.Stale)
			assert.Equal(t, cached.Data, ev.Snapshot.Data)
			assert.NotEqual(t, "cache", ev.Snapshot.Info["source"])
			return
		}
		require.Error(t, ev.Err, "a recovery instead of the fresh snapshot")
	}
}

// TestWatchOptionalDocumentDeleted: a deleted Optional document is an empty
// layer, and its return is a change like any other.
func TestWatchOptionalDocumentDeleted(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "cfg.json", `{"a": 1}`)
	p := New(Options{Key: "cfg.json", Optional: true, Endpoints: []string{m.clientURL}})
	events := watching(t, p, loaded(t, p))
	del(t, c, "cfg.json", false)
	assert.Empty(t, nextSnapshot(t, events).Data)
	put(t, c, "cfg.json", `{"a": 2}`)
	assert.Equal(t, map[string]any{"a": float64(2)}, nextSnapshot(t, events).Data)
}

// TestWatchCompactedTwiceBacksOff compacts after two reads in a row: the
// first is re-read silently, the second is one error and a retry after
// backoff, never a loop of re-reads.
func TestWatchCompactedTwiceBacksOff(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1")
	p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL},
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond}})
	last := loaded(t, p)
	var reads atomic.Int32
	p.hooks.afterRead = func(int64) {
		n := reads.Add(1)
		if n > 2 {
			return
		}
		// Two writes, so that compacting at the second removes the
		// revision the watch would start from.
		put(t, c, "app/b", strconv.Itoa(int(n)))
		top := put(t, c, "app/a", strconv.Itoa(int(n)+1))
		_, err := c.Compact(context.Background(), top)
		assert.NoError(t, err)
	}
	events := watching(t, p, last)
	assert.Equal(t, "2", nextSnapshot(t, events).Data["a"])
	ev := next(t, events)
	require.Error(t, ev.Err)
	assert.Equal(t, ClassWatch, errClass(ev.Err))
	assert.Contains(t, ev.Err.Error(), "compacted again")
	assert.Equal(t, "3", nextSnapshot(t, events).Data["a"], "the retry after backoff reads the final value")
	put(t, c, "app/a", "4")
	assert.Equal(t, "4", nextSnapshot(t, events).Data["a"])
	assert.EqualValues(t, 3, reads.Load(), "two compacted reads, then the retry after backoff, and no other")
}
