package consul_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

func TestWatchSurvivesRestart(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{Persistent: true})
	a.Put(t, "app/x", "1")
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	a.Stop(t)
	outage := ev.next(t, "an error while Consul is down", isError)
	var ce *consul.Error
	require.ErrorAs(t, outage.Err, &ce)
	assert.Equal(t, consul.ClassUnavailable, ce.Class)

	a.Restart(t)
	a.Put(t, "app/x", "2")
	ev.next(t, "the value written after the restart", hasValue("x", "2"))
	stop()

	errs := 0
	for _, e := range ev.all() {
		if e.Err != nil {
			errs++
		}
		if e.Snapshot != nil {
			assert.NotEmpty(t, e.Snapshot.Data, "an outage never looks like deleted keys")
		}
	}
	assert.LessOrEqual(t, errs, 3, "one error per outage (plus one per change of error class), not one per retry")
}

// TestWatchIndexReset restores a snapshot, which moves the index backwards
// (rule 2): the watcher must start again from 0 and deliver the restored
// data rather than block on an index the store will not reach for a while.
func TestWatchIndexReset(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "old")
	saved := a.Snapshot(t)
	for i := range 20 {
		a.Put(t, "app/x", "new"+strconv.Itoa(i))
	}
	a.Put(t, "app/extra", "1")

	var logs logBuffer
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config(), Logger: logs.logger()}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, _ := watch(t, p, first)

	a.Restore(t, saved)
	got := ev.next(t, "the restored data", hasValue("x", "old"))
	assert.Equal(t, map[string]any{"x": "old"}, got.Snapshot.Data)
	before, _ := strconv.ParseUint(first.Version, 10, 64)
	after, _ := strconv.ParseUint(got.Snapshot.Version, 10, 64)
	assert.Less(t, after, before, "the index went backwards")
	assert.Contains(t, logs.String(), "index went backwards")
}

func TestClusterLeaderLoss(t *testing.T) {
	t.Parallel()
	c := consultest.StartCluster(t, 3)
	leader := c.Leader(t)
	follower := c.Followers(t)[0]
	follower.Put(t, "app/x", "1")

	p := consul.New(fast(consul.Options{Prefix: "app/", Config: follower.Config()}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, _ := watch(t, p, first)

	leader.Kill(t)
	newLeader := c.WaitLeader(t)
	newLeader.Put(t, "app/x", "2")
	ev.next(t, "the write after the election", hasValue("x", "2"))
}

func TestClusterQuorumLostServesStale(t *testing.T) {
	t.Parallel()
	c := consultest.StartCluster(t, 3)
	survivor := c.Followers(t)[0]
	survivor.Put(t, "app/x", "1")

	p := consul.New(fast(consul.Options{
		Prefix: "app/", Config: survivor.Config(),
		Consistency: consul.Stale, MaxStale: 500 * time.Millisecond, Wait: time.Second,
	}))
	first, err := load(t, p)
	require.NoError(t, err)
	assert.False(t, first.Stale)
	assert.Equal(t, "true", first.Info["known_leader"])
	ev, _ := watch(t, p, first)
	if first.Data["x"] != "1" {
		// A stale read may not have the write yet; wait until the survivor
		// has it, or the test would kill the servers before it replicates.
		ev.next(t, "the write replicated to the survivor", hasValue("x", "1"))
	}

	for _, a := range c.Agents {
		if a != survivor {
			a.Kill(t)
		}
	}
	got := ev.next(t, "a snapshot marked stale", func(e provider.Event) bool { return e.Snapshot != nil && e.Snapshot.Stale })
	assert.Equal(t, map[string]any{"x": "1"}, got.Snapshot.Data, "stale mode keeps answering with the last data")
	lastContact, err := time.ParseDuration(got.Snapshot.Info["last_contact"])
	require.NoError(t, err)
	assert.True(t, got.Snapshot.Info["known_leader"] == "false" || lastContact > 500*time.Millisecond,
		"stale only beyond MaxStale or without a leader: %v", got.Snapshot.Info)
	assert.Equal(t, "stale", got.Snapshot.Info["consistency"])
	for _, e := range ev.all() {
		assert.Nil(t, e.Err, "a stale answer is data, not an error")
	}
}

func TestDatacenterFailover(t *testing.T) {
	t.Parallel()
	dc1, dc2 := consultest.StartWAN(t)
	dc1.Put(t, "app/where", "dc1")
	dc2.Put(t, "app/where", "dc2")

	var logs logBuffer
	p := consul.New(fast(consul.Options{
		Prefix: "app/", Config: dc2.Config(), // dc2's agent reaches both datacenters
		Datacenters: []string{"dc1", "dc2"}, FailbackInterval: 500 * time.Millisecond,
		Wait: time.Second, Logger: logs.logger(),
	}))
	first, err := load(t, p)
	require.NoError(t, err)
	assert.Equal(t, "dc1", first.Data["where"])
	assert.Equal(t, "dc1", first.Info["datacenter"])
	assert.Equal(t, "consul app/@dc1,dc2", p.Name())
	ev, _ := watch(t, p, first)

	start := time.Now()
	dc1.Stop(t)
	got := ev.next(t, "the failover to dc2", hasValue("where", "dc2"))
	t.Logf("failover to dc2 %s after stopping dc1", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, "dc2", got.Snapshot.Info["datacenter"])

	// A dev agent comes back empty: write dc1's data again.
	dc1.Restart(t)
	dc1.Put(t, "app/where", "dc1 again")
	start = time.Now()
	got = ev.next(t, "the failback to dc1", hasValue("where", "dc1 again"))
	t.Logf("failback to dc1 %s after the write", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, "dc1", got.Snapshot.Info["datacenter"])
	assert.Contains(t, logs.String(), "switching datacenter")

	// Load also fails over.
	dc1.Stop(t)
	snap, err := load(t, p)
	require.NoError(t, err)
	assert.Equal(t, "dc2", snap.Info["datacenter"])
	assert.True(t, strings.HasPrefix(snap.Data["where"].(string), "dc2"))
}

// TestWatchAfterOutageDoesNotBlockOnAStaleIndex restarts a dev agent, which
// comes back empty with its index near zero. A watcher that kept its old
// index across the outage would have its next blocking query held for the
// whole Wait (5 minutes here) before Consul answered with the lower index;
// the first read after a failure must therefore not block.
func TestWatchAfterOutageDoesNotBlockOnAStaleIndex(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	for i := range 30 {
		a.Put(t, "app/x", strconv.Itoa(i)) // raise the index well above a fresh agent's
	}
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config(), Wait: 5 * time.Minute}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, _ := watch(t, p, first)

	a.Kill(t)
	ev.next(t, "an error while Consul is down", isError)
	a.Restart(t)
	a.Put(t, "app/x", "after-restart")
	ev.next(t, "the value written after the restart, long before the 5-minute wait", hasValue("x", "after-restart"))
}
