package consul_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
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

	down := time.Now()
	a.Stop(t)
	outage := ev.next(t, "an error while Consul is down", isError)
	noticed := time.Since(down)
	var ce *consul.Error
	require.ErrorAs(t, outage.Err, &ce)
	assert.Equal(t, consul.ClassUnavailable, ce.Class)

	a.Restart(t)
	back := time.Now()
	a.Put(t, "app/x", "2")
	ev.next(t, "the value written after the restart", hasValue("x", "2"))
	recovered := time.Since(back)
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
	reliability.Record(t, "consul/restart", reliability.Took("notice", noticed), reliability.Took("recover", recovered), reliability.Count("errors reported", errs))
}

// TestWatchSeesSnapshotRestore restores a snapshot on a real (non-dev)
// server with default options. The watcher's parked query comes back at
// restore time with the index it was sent and the pre-restore data (rule
// 12); parking again on that index would hide the restore for the whole
// 5-minute wait. The watcher must deliver the restored data, with the
// extra key gone and the Version going back, well before that.
func TestWatchSeesSnapshotRestore(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{Persistent: true})
	a.Put(t, "app/db/max_conns", "20")
	saved := a.Snapshot(t)
	a.Put(t, "app/db/max_conns", "40")
	a.Put(t, "app/extra", "1")

	var logs logBuffer
	cfg, count := countingConfig(t, a)
	p := consul.New(consul.Options{Prefix: "app/", Config: cfg, Logger: logs.logger()})
	first, err := load(t, p)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"db": map[string]any{"max_conns": "40"}, "extra": "1"}, first.Data)
	loaded := count.n.Load()
	ev, _ := watch(t, p, first)
	// The watcher's first request blocks on first's index; the restore
	// must find it parked, as an application's would be.
	waitFor(t, "the watcher's blocking query", func() bool { return count.n.Load() > loaded })

	restored := time.Now()
	a.Restore(t, saved)
	got := ev.next(t, "the restored data (eventWait is far below the 5-minute wait)", hasValue("db.max_conns", "20"))
	reliability.Record(t, "consul/restore", reliability.Took("notice", time.Since(restored)))
	assert.Equal(t, map[string]any{"db": map[string]any{"max_conns": "20"}}, got.Snapshot.Data,
		"the key written after the snapshot is gone")
	before, err := strconv.ParseUint(first.Version, 10, 64)
	require.NoError(t, err)
	after, err := strconv.ParseUint(got.Snapshot.Version, 10, 64)
	require.NoError(t, err)
	assert.Less(t, after, before, "the snapshot's Version shows the index going back")
	assert.Contains(t, logs.String(), "index went backwards")
	for _, e := range ev.all() {
		assert.Nil(t, e.Err, "a restore is data, not an error")
	}
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

	killed := time.Now()
	leader.Kill(t)
	newLeader := c.WaitLeader(t)
	newLeader.Put(t, "app/x", "2")
	ev.next(t, "the write after the election", hasValue("x", "2"))
	reliability.Record(t, "consul/leader-loss", reliability.Took("recover", time.Since(killed)))
}

func TestClusterQuorumLostServesStale(t *testing.T) {
	t.Parallel()
	c := consultest.StartCluster(t, 3)
	survivor := c.Followers(t)[0]
	survivor.Put(t, "app/x", "1")

	p := consul.New(fast(consul.Options{
		Prefix: "app/", Config: survivor.Config(),
		Consistency: consul.ConsistencyStale, MaxStale: 500 * time.Millisecond, Wait: time.Second,
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

	killed := time.Now()
	for _, a := range c.Agents {
		if a != survivor {
			a.Kill(t)
		}
	}
	got := ev.next(t, "a snapshot marked stale", func(e provider.Event) bool { return e.Snapshot != nil && e.Snapshot.Stale })
	reliability.Record(t, "consul/quorum-loss", reliability.Took("notice", time.Since(killed)))
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
	reliability.Record(t, "consul/dc-failover", reliability.Took("failover", time.Since(start)))
	assert.Equal(t, "dc2", got.Snapshot.Info["datacenter"])

	// A dev agent comes back empty: write dc1's data again.
	dc1.Restart(t)
	dc1.Put(t, "app/where", "dc1 again")
	start = time.Now()
	got = ev.next(t, "the failback to dc1", hasValue("where", "dc1 again"))
	t.Logf("failback to dc1 %s after the write", time.Since(start).Round(time.Millisecond))
	reliability.Record(t, "consul/dc-failback", reliability.Took("failback", time.Since(start)))
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
	back := time.Now()
	a.Put(t, "app/x", "after-restart")
	ev.next(t, "the value written after the restart, long before the 5-minute wait", hasValue("x", "after-restart"))
	reliability.Record(t, "consul/kill-fresh", reliability.Took("recover", time.Since(back)))
}

// TestWatchNoticesSilentSwitchToLowerIndexThroughProxy puts a reverse proxy
// in front of two real agents, the second with a lower index, and moves
// the client to it between two requests: no request fails, as when a
// proxy or DNS sends the client to a freshly restored server. (A proxy is
// the only way to make a real server silently take another's place.)
// Consul holds a query whose index is above its own for the whole wait,
// so a watcher that blocks on its old index there learns of the reset
// only a wait later (rule 12). When the query parked on the first agent
// comes back with the index it was sent, the next read carries no index;
// when a write to the first agent wakes it with a new one, the next
// query may wait only what is left of Wait since the last read without
// an index, so the move is seen within Wait + Wait/16 either way.
func TestWatchNoticesSilentSwitchToLowerIndexThroughProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		writeOld bool // a write reaches the first agent after the move
	}{
		{"first agent idle after the move", false},
		{"first agent written after the move", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			high := consultest.Start(t, consultest.Options{})
			low := consultest.Start(t, consultest.Options{})
			for i := range 30 {
				high.Put(t, "app/x", strconv.Itoa(i)) // raise its index well above low's
			}
			low.Put(t, "app/x", "low")
			px := newSwitchProxy(t, high, low)

			const wait = time.Second
			p := consul.New(fast(consul.Options{Prefix: "app/", Config: px.config(), Wait: wait}))
			first, err := load(t, p)
			require.NoError(t, err)
			require.Equal(t, "29", first.Data["x"])
			ev, _ := watch(t, p, first)
			waitFor(t, "the watch's query parked on the first agent", func() bool { return len(px.queries(0)) >= 2 })

			moved := time.Now()
			px.use(1)
			if tc.writeOld {
				high.Put(t, "app/x", "after the move")
			}
			got := ev.next(t, "the lower-index agent's data", hasValue("x", "low"))
			reliability.Record(t, map[bool]string{false: "consul/switch-idle", true: "consul/switch-written"}[tc.writeOld], reliability.Took("notice", time.Since(moved)))
			assert.Less(t, indexOf(t, got.Snapshot.Version), indexOf(t, first.Version), "the Version goes back")
			seen := px.queries(1)
			require.NotEmpty(t, seen)
			if !tc.writeOld {
				assert.Empty(t, seen[0].Get("index"),
					"the first request to the lower-index agent carries no index; a blocking one would be held for the whole wait")
			}
			if seen[0].Get("index") != "" {
				w, err := time.ParseDuration(seen[0].Get("wait"))
				require.NoError(t, err)
				assert.Less(t, w, wait, "a blocking query waits only what is left of Wait since the last read without an index")
			}
		})
	}
}

// switchProxy forwards each request to one of several agents, chosen per
// request, and records the queries each agent received.
type switchProxy struct {
	srv     *httptest.Server
	targets []*url.URL
	cur     atomic.Int32
	mu      sync.Mutex
	qs      [][]url.Values
}

func newSwitchProxy(t *testing.T, agents ...*consultest.Agent) *switchProxy {
	t.Helper()
	px := &switchProxy{qs: make([][]url.Values, len(agents))}
	for _, a := range agents {
		px.targets = append(px.targets, &url.URL{Scheme: "http", Host: a.Config().Address})
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	rp := &httputil.ReverseProxy{
		Transport: tr,
		Rewrite: func(r *httputil.ProxyRequest) {
			i := px.cur.Load()
			px.mu.Lock()
			px.qs[i] = append(px.qs[i], r.In.URL.Query())
			px.mu.Unlock()
			r.SetURL(px.targets[i])
		},
	}
	px.srv = httptest.NewServer(rp)
	t.Cleanup(func() {
		px.srv.Close()
		tr.CloseIdleConnections()
	})
	return px
}

func (px *switchProxy) use(i int) { px.cur.Store(int32(i)) }

func (px *switchProxy) queries(i int) []url.Values {
	px.mu.Lock()
	defer px.mu.Unlock()
	return append([]url.Values(nil), px.qs[i]...)
}

func (px *switchProxy) config() *api.Config {
	return &api.Config{Address: strings.TrimPrefix(px.srv.URL, "http://"), Scheme: "http"}
}
