package consul_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// TestWatchNeverDeliversAStoreBeingReplayed restarts a persistent server
// under a running watcher, again and again. A restarted server elects
// itself and then replays its Raft log into an empty store (Raft does not
// persist its commit index); until it has, a default-mode read answers
// from the partial store: 404 at index 1, or some of the keys at an index
// below the real one (measured on 1.14.11, docs/consul.md rule 13). A
// watcher that delivered that would make the layer's keys look deleted
// until the next change. Every snapshot delivered must hold the whole
// layer.
//
// The server's log is made long (many Txn entries outside the layer's
// prefix) so that the replay takes long enough for the watcher's quick
// retries to land in it; the layer's keys come last in the log, so a
// partial store misses them.
func TestWatchNeverDeliversAStoreBeingReplayed(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{Persistent: true})
	big := strings.Repeat("x", 1024)
	for j := range 150 {
		kv := map[string]string{}
		for i := range 64 {
			kv[fmt.Sprintf("bulk/%d/%d", j, i)] = big
		}
		a.Txn(t, kv)
	}
	const keys = 10
	for i := range keys {
		a.Put(t, "app/k"+strconv.Itoa(i), "v")
	}
	a.Put(t, "app/loop", "-1")

	p := consul.New(fast(consul.Options{
		Prefix: "app/", Config: a.Config(),
		// Retry as often as the test can, so reads land in the replay.
		Backoff:     provider.Backoff{Min: 5 * time.Millisecond, Max: 10 * time.Millisecond},
		MinInterval: time.Millisecond,
	}))
	first, err := load(t, p)
	require.NoError(t, err)
	require.Len(t, first.Data, keys+1)
	ev, stop := watch(t, p, first)

	const loops = 10
	for loop := range loops {
		a.Kill(t)
		a.Restart(t)
		a.Put(t, "app/loop", strconv.Itoa(loop))
		ev.next(t, "the value written after restart "+strconv.Itoa(loop), hasValue("loop", strconv.Itoa(loop)))
	}
	stop()

	partial := 0
	for _, e := range ev.all() {
		if e.Snapshot != nil && !assert.Len(t, e.Snapshot.Data, keys+1,
			"a snapshot at index %s is a store still being replayed: %v", e.Snapshot.Version, e.Snapshot.Data) {
			partial++
		}
	}
	reliability.Record(t, "consul/replay", reliability.Count("restarts", loops), reliability.Count("partial snapshots", partial))
}

// TestWatchDeliversATrulyEmptiedServer is the other side of rule 13: a
// server that really lost its data (a dev agent restarted, as a fresh data
// dir) answers the consistent read with its empty store, and the watcher
// delivers that as an empty layer without waiting for a write.
func TestWatchDeliversATrulyEmptiedServer(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/x", "1")
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()}))
	first, err := load(t, p)
	require.NoError(t, err)
	require.NotEmpty(t, first.Data)
	ev, _ := watch(t, p, first)

	a.Kill(t)
	a.Restart(t)
	ev.next(t, "the empty layer of the emptied server", func(e provider.Event) bool {
		return e.Snapshot != nil && len(e.Snapshot.Data) == 0
	})
	reliability.Record(t, "consul/emptied")
}
