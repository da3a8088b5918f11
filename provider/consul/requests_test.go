package consul_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
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

// TestIdleWatcherBlocksOnItsIndex checks what an idle watcher costs Consul
// (rules 2, 5, 12): every request either blocks on the last index with a
// wait of at most Wait, so the server holds it for that long, or is the
// one read without an index that follows a query answered with the index
// it was sent. Nothing is delivered (rule 1).
func TestIdleWatcherBlocksOnItsIndex(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "1")
	cfg, rec := recordingConfig(t, a)
	p := consul.New(consul.Options{Prefix: "app/", Config: cfg, Wait: time.Second})
	first, err := load(t, p)
	require.NoError(t, err)
	loaded := len(rec.queries())

	ev, stop := watch(t, p, first)
	const periods = 3
	// Each period is a blocking query held for the wait, then one read
	// without an index; the last blocking query is in flight.
	waitFor(t, "three wait periods", func() bool { return len(rec.queries()) >= loaded+2*periods+1 })
	stop()
	assert.Empty(t, ev.all(), "timeouts and unchanged content deliver nothing (rule 1)")

	blocking, plain := 0, 0
	for i, q := range rec.queries()[loaded:] {
		if q.Get("index") == "" {
			plain++
			assert.Empty(t, q.Get("wait"), "request %d: a read without an index does not wait", i)
			continue
		}
		blocking++
		assert.Equal(t, first.Version, q.Get("index"), "request %d blocks on the last index", i)
		wait, err := time.ParseDuration(q.Get("wait"))
		if assert.NoError(t, err, "request %d carries a wait", i) {
			assert.Positive(t, wait, "request %d", i)
			assert.LessOrEqual(t, wait, time.Second, "request %d waits at most Wait", i)
		}
	}
	assert.Equal(t, first.Version, rec.queries()[loaded].Get("index"), "the first request blocks on last's index")
	assert.GreaterOrEqual(t, blocking, periods)
	assert.LessOrEqual(t, plain, blocking, "at most one read without an index per blocking query")
}

// TestOutageIsOneErrorAndKeepsRetrying kills the agent under a watcher:
// the outage is one error event however many retries fail, and the
// watcher keeps retrying. How far apart the retries are is decided by
// failed (see TestRetryDelays) and measured in BENCHMARKS.md.
func TestOutageIsOneErrorAndKeepsRetrying(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "1")
	cfg, rec := recordingConfig(t, a)
	p := consul.New(consul.Options{
		Prefix: "app/", Config: cfg, Wait: time.Second,
		Backoff: provider.Backoff{Min: 20 * time.Millisecond, Max: 50 * time.Millisecond},
	})
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	a.Kill(t)
	ev.next(t, "the outage", isError)
	failedAt := len(rec.queries())
	const retries = 10
	waitFor(t, "ten retries", func() bool { return len(rec.queries()) >= failedAt+retries })
	stop()

	errs := 0
	for _, e := range ev.all() {
		if e.Err != nil {
			errs++
		}
	}
	assert.Equal(t, 1, errs, "one error event per outage, not one per retry")
	reliability.Record(t, "consul/outage-retries", reliability.Count("errors reported", errs))
	for i, q := range rec.queries()[failedAt:] {
		assert.Empty(t, q.Get("index"), "retry %d: after a failure the read does not block (rule 2)", i)
	}
}

// TestChurnDegradesToPolling writes to another prefix as fast as it can,
// which wakes an empty prefix's query on every write (rule 1). With
// MinInterval 200 ms the watcher must send far fewer requests than there
// are writes (rule 8): a write takes a few milliseconds on a dev agent,
// so an unpaced watcher would send about one request per write.
func TestChurnDegradesToPolling(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	c := a.Client(t)
	cfg, rec := recordingConfig(t, a)
	p := consul.New(consul.Options{Prefix: "app/", Config: cfg, MinInterval: 200 * time.Millisecond, Wait: time.Second})
	ev, stop := watch(t, p, provider.Snapshot{})
	ev.next(t, "the first snapshot", isSnapshot)

	start := len(rec.queries())
	const writes = 300
	for i := range writes {
		_, err := c.KV().Put(kvPair("other/x", i), nil)
		require.NoError(t, err)
	}
	stop()
	n := len(rec.queries()) - start
	t.Logf("%d writes to an unrelated prefix, MinInterval=200ms: %d requests", writes, n)
	assert.LessOrEqual(t, n*5, writes, "at most one fetch per MinInterval, not one per write")
	assert.Len(t, ev.all(), 1, "unrelated writes deliver nothing")
	reliability.Record(t, "consul/churn", reliability.Count("requests for 300 writes", n))
}

// recording records the query of every request a client sends.
type recording struct {
	base http.RoundTripper
	mu   sync.Mutex
	qs   []url.Values
}

func (r *recording) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.qs = append(r.qs, req.URL.Query())
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

func (r *recording) queries() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]url.Values(nil), r.qs...)
}

// recordingConfig returns a config for a plain-HTTP agent whose requests
// are recorded; its idle connections are closed at cleanup.
func recordingConfig(t *testing.T, a *consultest.Agent) (*api.Config, *recording) {
	t.Helper()
	cfg := a.Config()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	r := &recording{base: tr}
	cfg.HttpClient = &http.Client{Transport: r}
	t.Cleanup(tr.CloseIdleConnections)
	return cfg, r
}

// waitFor polls cond until it holds, failing the test after eventWait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, eventWait)
		}
		<-tick.C
	}
}

func indexOf(t *testing.T, version string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(version, 10, 64)
	require.NoError(t, err)
	return n
}
