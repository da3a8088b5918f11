package consul_test

import (
	"strconv"
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

func TestWatchChangesAndDeletions(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/db/max_conns", "7")
	a.Put(t, "app/name", "orders")
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, _ := watch(t, p, first)

	a.Put(t, "app/db/max_conns", "8")
	got := ev.next(t, "the changed value", isSnapshot)
	assert.Equal(t, map[string]any{"db": map[string]any{"max_conns": "8"}, "name": "orders"}, got.Snapshot.Data)

	a.Delete(t, "app/name", false)
	got = ev.next(t, "the deletion", isSnapshot)
	assert.Equal(t, map[string]any{"db": map[string]any{"max_conns": "8"}}, got.Snapshot.Data,
		"a deleted key is gone from the next snapshot")

	a.Delete(t, "app/", true)
	got = ev.next(t, "the emptied prefix", isSnapshot)
	assert.Empty(t, got.Snapshot.Data, "rule 3: a deleted prefix is an empty layer")

	a.Put(t, "app/back", "1")
	ev.next(t, "the prefix coming back", hasValue("back", "1"))

	for _, e := range ev.all() {
		assert.Nil(t, e.Err, "no error while Consul is healthy")
	}
}

func TestWatchDocument(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "cfg/app.yaml", "db:\n  max_conns: 7\n")
	p := consul.New(fast(consul.Options{Key: "cfg/app.yaml", Config: a.Config()}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, _ := watch(t, p, first)

	// Same content, other formatting: no new snapshot (rule 1).
	a.Put(t, "cfg/app.yaml", "db: {max_conns: 7}\n")
	a.Put(t, "cfg/app.yaml", "db:\n  max_conns: 8\n")
	got := ev.next(t, "the changed document", isSnapshot)
	assert.Equal(t, map[string]any{"db": map[string]any{"max_conns": 8}}, got.Snapshot.Data)

	a.Put(t, "cfg/app.yaml", "db: [broken\n")
	bad := ev.next(t, "the malformed document's error", isError)
	var ce *consul.Error
	require.ErrorAs(t, bad.Err, &ce)
	assert.Equal(t, consul.ClassInvalidData, ce.Class)

	// Reverting to the delivered content is a recovery, not a snapshot.
	a.Put(t, "cfg/app.yaml", "db:\n  max_conns: 8\n")
	rec := ev.next(t, "the recovery", func(e provider.Event) bool { return e.Err == nil })
	assert.Nil(t, rec.Snapshot, "content equal to the last delivered is not re-delivered")

	a.Delete(t, "cfg/app.yaml", false)
	gone := ev.next(t, "the missing key's error", isError)
	assert.ErrorIs(t, gone.Err, provider.ErrNotFound)
}

// TestWatchTxnIsAtomic checks rule 4: keys written in one transaction are
// seen together or not at all.
func TestWatchTxnIsAtomic(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Txn(t, map[string]string{"app/a": "0", "app/b": "0", "app/c": "0"})
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	const rounds = 20
	for i := 1; i <= rounds; i++ {
		v := strconv.Itoa(i)
		a.Txn(t, map[string]string{"app/a": v, "app/b": v, "app/c": v})
	}
	ev.next(t, "the last transaction", hasValue("a", strconv.Itoa(rounds)))
	stop()

	for _, e := range ev.all() {
		require.NotNil(t, e.Snapshot, "only snapshots expected: %v", e.Err)
		d := e.Snapshot.Data
		assert.True(t, d["a"] == d["b"] && d["b"] == d["c"], "a mix of two transactions: %v", d)
	}
	reliability.Record(t, "consul/txn", reliability.Count("mixed snapshots", 0))
}

func TestWatchRapidWritesEndOnLastValue(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	c := a.Client(t)
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()}))
	ev, stop := watch(t, p, provider.Snapshot{})
	ev.next(t, "the first (empty) snapshot", isSnapshot)

	const writes = 1000
	for i := 1; i <= writes; i++ {
		_, err := c.KV().Put(&api.KVPair{Key: "app/counter", Value: []byte(strconv.Itoa(i))}, nil)
		require.NoError(t, err)
	}
	ev.next(t, "the last write", hasValue("counter", strconv.Itoa(writes)))
	// A marker written after the last value: once it is delivered, any
	// straggler carrying an older value would have been delivered too.
	a.Put(t, "app/marker", "end")
	ev.next(t, "the marker", hasValue("marker", "end"))
	stop()

	all := ev.all()
	last := all[len(all)-1]
	require.NotNil(t, last.Snapshot)
	assert.Equal(t, strconv.Itoa(writes), last.Snapshot.Data["counter"], "the final delivered value is the last write")
	final := false
	for _, e := range all {
		require.NotNil(t, e.Snapshot, "only snapshots expected: %v", e.Err)
		final = final || e.Snapshot.Data["counter"] == strconv.Itoa(writes)
		if final {
			assert.Equal(t, strconv.Itoa(writes), e.Snapshot.Data["counter"], "no older value after the last one")
		}
	}
	t.Logf("%d writes delivered as %d snapshots", writes, len(all)-1)
	reliability.Record(t, "consul/rapid-writes", reliability.Count("snapshots for 1000 writes", len(all)-1), reliability.Count("final values lost", 0))
}

func TestWatchSeedsIndexFromLast(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "1")
	cfg, rec := recordingConfig(t, a)
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: cfg, Wait: 30 * time.Second}))
	first, err := load(t, p)
	require.NoError(t, err)
	loaded := len(rec.queries())

	ev, _ := watch(t, p, first)
	waitFor(t, "the watch's first request", func() bool { return len(rec.queries()) > loaded })
	assert.Equal(t, first.Version, rec.queries()[loaded].Get("index"), "with last's index the first request blocks")

	a.Put(t, "app/x", "2")
	ev.next(t, "the change", hasValue("x", "2"))
	assert.Len(t, ev.all(), 1, "the snapshot Load returned counts as delivered: only the change is")
}
