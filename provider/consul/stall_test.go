package consul_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider/consul"
)

// TestWatchSurvivesStalledServer SIGSTOPs the server under a running
// watch: it keeps accepting connections and never answers, so only the
// request deadline (rule 5: Wait + Wait/16 plus a margin) can end the
// parked query. The stall must become one ClassUnavailable error, never a
// hung watcher or an empty layer, and the watch must recover once the
// server continues.
func TestWatchSurvivesStalledServer(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "1")
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config(), Wait: time.Second}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	stalled := time.Now()
	a.Pause(t)
	got := ev.next(t, "error once the request deadline passed", isError)
	noticed := time.Since(stalled)
	var ce *consul.Error
	require.ErrorAs(t, got.Err, &ce)
	assert.Equal(t, consul.ClassUnavailable, ce.Class, "%v", got.Err)

	a.Resume(t)
	back := time.Now()
	a.Put(t, "app/x", "2")
	ev.next(t, "the write after the server continued", hasValue("x", "2"))
	recovered := time.Since(back)
	stop()

	errs := 0
	for _, e := range ev.all() {
		if e.Err != nil {
			errs++
		}
		if e.Snapshot != nil {
			assert.NotEmpty(t, e.Snapshot.Data, "a stall never looks like deleted keys")
		}
	}
	assert.Equal(t, 1, errs, "one error per stall, not one per retry: %s", describe(ev.all()))
	reliability.Record(t, "consul/stall-watch", reliability.Took("notice", noticed), reliability.Took("recover", recovered), reliability.Count("errors reported", errs))
}
