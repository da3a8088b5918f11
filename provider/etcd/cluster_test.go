package etcd

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-go/strata/provider"
)

// TestClusterLeaderStoppedWhileWriting stops, in a three-member cluster,
// the member that is both the leader and the one serving the watcher's
// stream, while a writer keeps going through the other two: the watcher,
// given all three endpoints, never goes backwards and applies the final
// value.
func TestClusterLeaderStoppedWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-member cluster")
	}
	ms := startCluster(t, 3)
	ctx := context.Background()
	all := newAdmin(t, endpointsOf(ms), nil, "", "")
	put(t, all, "app/n", "0")

	p := New(Options{
		Prefix: "app/", Endpoints: endpointsOf(ms),
		ProbeInterval: 200 * time.Millisecond, RequestTimeout: 2 * time.Second,
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond},
	})
	read := make(chan struct{}, 1)
	p.hooks.afterRead = func(int64) {
		select {
		case read <- struct{}{}:
		default:
		}
	}
	events := watching(t, p, loaded(t, p))
	<-read // so that the next write reaches the watcher as a watch event
	put(t, all, "app/n", "1")
	// An event's header names the member serving the watch stream.
	streamMember := nextSnapshot(t, events).Info["member"]
	target := -1
	for i, m := range ms {
		if fmt.Sprintf("%x", uint64(m.e.Server.MemberID())) == streamMember {
			target = i
		}
	}
	require.NotEqual(t, -1, target, "member %s", streamMember)
	lead := ms[target].e.Server.Leader()
	if lead != ms[target].e.Server.MemberID() {
		var leader *member
		for _, m := range ms {
			if m.e.Server.MemberID() == lead {
				leader = m
			}
		}
		require.NotNil(t, leader)
		c := newAdmin(t, []string{leader.clientURL}, nil, "", "")
		_, err := c.MoveLeader(ctx, uint64(ms[target].e.Server.MemberID()))
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool {
		return ms[target].e.Server.Leader() == ms[target].e.Server.MemberID()
	}, 30*time.Second, 10*time.Millisecond)

	var others []*member
	for i, m := range ms {
		if i != target {
			others = append(others, m)
		}
	}
	writer := newAdmin(t, endpointsOf(others), nil, "", "")
	write := func(c *clientv3.Client, n int) {
		t.Helper()
		// Writes during the election fail; the writer retries until one
		// lands, as a real one would.
		require.Eventually(t, func() bool {
			wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			_, err := c.Put(wctx, "app/n", strconv.Itoa(n))
			return err == nil
		}, 60*time.Second, 10*time.Millisecond)
	}
	const final = 40
	for n := 2; n <= final; n++ {
		if n == final/2 {
			ms[target].stop()
		}
		write(writer, n)
	}
	seen := 1
	for seen != final {
		ev := next(t, events)
		if ev.Snapshot == nil {
			continue // an error or a recovery during the election
		}
		n, err := strconv.Atoi(ev.Snapshot.Data["n"].(string))
		require.NoError(t, err)
		assert.Greater(t, n, seen, "the watcher went backwards")
		seen = n
		if n == final {
			assert.NotEqual(t, streamMember, ev.Snapshot.Info["member"], "served by the stopped member")
		}
	}
}

// TestClusterQuorumLost stops two of three members under a running watch:
// the survivor has no leader, so reads fail and a watch requiring a leader
// is cancelled. That is one error however long it lasts; once the members
// are back, the value written meanwhile is applied.
func TestClusterQuorumLost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-member cluster")
	}
	ms := startCluster(t, 3)
	all := newAdmin(t, endpointsOf(ms), nil, "", "")
	put(t, all, "app/n", "0")
	p := New(Options{
		Prefix: "app/", Endpoints: endpointsOf(ms),
		ProbeInterval: 100 * time.Millisecond, RequestTimeout: time.Second,
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	})
	var failures atomic.Int32
	p.hooks.failed = func(error) { failures.Add(1) }
	events := watching(t, p, loaded(t, p))

	ms[1].stop()
	ms[2].stop()
	ev := next(t, events)
	require.Error(t, ev.Err)
	assert.Equal(t, ClassUnavailable, errClass(ev.Err), "%v", ev.Err)
	require.Eventually(t, func() bool { return failures.Load() >= 5 }, 60*time.Second, 10*time.Millisecond)

	ms[1].start()
	ms[2].start()
	for _, m := range ms[1:] {
		m.waitReady()
	}
	put(t, all, "app/n", "1")
	for {
		ev := next(t, events)
		require.NoError(t, ev.Err, "a second error for the same outage")
		if ev.Snapshot != nil && ev.Snapshot.Data["n"] == "1" {
			break
		}
	}
}
