package consul_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// TestRequestBudget counts what a watcher costs Consul: an idle watcher one
// request per wait period, and an outage requests spaced by the backoff,
// never a busy loop (rules 5, 6, 8).
func TestRequestBudget(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "1")
	cfg, count := countingConfig(t, a)
	p := consul.New(consul.Options{
		Prefix: "app/", Config: cfg, Wait: time.Second,
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 400 * time.Millisecond},
	})
	first, err := load(t, p)
	require.NoError(t, err)

	ev, stop := watch(t, p, first)
	start := count.n.Load()
	time.Sleep(3500 * time.Millisecond)
	idle := count.n.Load() - start
	t.Logf("idle watcher, Wait=1s, 3.5s: %d requests", idle)
	assert.GreaterOrEqual(t, idle, int64(2), "the watcher keeps a query open")
	assert.LessOrEqual(t, idle, int64(6), "an idle watcher costs about one request per wait period")
	assert.Empty(t, ev.all(), "timeouts and unchanged content deliver nothing (rule 1)")

	a.Kill(t)
	ev.next(t, "the outage", isError)
	start = count.n.Load()
	time.Sleep(3 * time.Second)
	outage := count.n.Load() - start
	stop()
	t.Logf("outage, backoff 50ms..400ms, 3s: %d requests", outage)
	assert.GreaterOrEqual(t, outage, int64(3), "the watcher keeps retrying")
	assert.LessOrEqual(t, outage, int64(25), "retries follow the backoff, no busy loop")

	errs := 0
	for _, e := range ev.all() {
		if e.Err != nil {
			errs++
		}
	}
	assert.Equal(t, 1, errs, "one error event per outage, not one per retry")
}

func TestChurnDegradesToPolling(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	c := a.Client(t)
	cfg, count := countingConfig(t, a)
	p := consul.New(consul.Options{Prefix: "app/", Config: cfg, MinInterval: 100 * time.Millisecond, Wait: time.Second})
	ev, stop := watch(t, p, provider.Snapshot{})
	ev.next(t, "the first snapshot", isSnapshot)

	// Writes to another prefix wake the query (rule 1) as fast as they come.
	done := make(chan error, 1)
	quit := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-quit:
				done <- nil
				return
			default:
			}
			if _, err := c.KV().Put(kvPair("other/x", i), nil); err != nil {
				done <- err
				return
			}
		}
	}()
	start := count.n.Load()
	time.Sleep(2 * time.Second)
	n := count.n.Load() - start
	close(quit)
	require.NoError(t, <-done)
	stop()
	t.Logf("churn on an unrelated prefix, MinInterval=100ms, 2s: %d requests", n)
	assert.LessOrEqual(t, n, int64(21), "at most one fetch per MinInterval")
	assert.Len(t, ev.all(), 1, "unrelated writes deliver nothing")
}
