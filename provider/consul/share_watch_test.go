package consul_test

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider/consul"
)

func sameMapID(a, b any) bool {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	return aok && bok && reflect.ValueOf(am).Pointer() == reflect.ValueOf(bm).Pointer()
}

// TestWatchSharesUnchangedSubtrees: after a change in one folder, the next
// snapshot holds the previous snapshot's maps for the folders that did not
// change (so the root's reload skips them by identity), new maps for the
// path that changed, and the previous origins when no key was added.
func TestWatchSharesUnchangedSubtrees(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Txn(t, map[string]string{"app/db/host": "h", "app/db/port": "1", "app/cache/ttl": "5", "app/cache/lru/size": "9", "app/cache/x.y": "z"})
	tests := []struct {
		name string
		opts consul.Options
		put  func()
	}{
		{name: "tree", opts: consul.Options{Prefix: "app/"}, put: func() { a.Put(t, "app/db/port", "2") }},
		{name: "document", opts: consul.Options{Key: "doc.json"}, put: func() {
			a.Put(t, "doc.json", `{"db": {"host": "h", "port": 2}, "cache": {"ttl": 5, "lru": {"size": 9}}}`)
		}},
	}
	a.Put(t, "doc.json", `{"db": {"host": "h", "port": 1}, "cache": {"ttl": 5, "lru": {"size": 9}}}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Config = a.Config()
			p := consul.New(fast(opts))
			first, err := load(t, p)
			require.NoError(t, err)
			ev, _ := watch(t, p, first)

			tt.put()
			got := ev.next(t, "the change", isSnapshot).Snapshot
			assert.True(t, sameMapID(first.Data["cache"], got.Data["cache"]), "an unchanged folder is the delivered map")
			assert.False(t, sameMapID(first.Data["db"], got.Data["db"]), "the changed folder is a new map")
			assert.Equal(t, "h", got.Data["db"].(map[string]any)["host"])
			if tt.opts.Prefix != "" {
				assert.Equal(t, "2", got.Data["db"].(map[string]any)["port"])
				assert.Equal(t, "1", first.Data["db"].(map[string]any)["port"], "the delivered snapshot is never written")
				require.NotNil(t, first.Origins, "the dotted key's origin is stored")
				assert.Equal(t, reflect.ValueOf(first.Origins).Pointer(), reflect.ValueOf(got.Origins).Pointer(),
					"the same keys: the delivered origins")
			}
		})
	}
}
