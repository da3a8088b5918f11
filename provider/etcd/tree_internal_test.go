package etcd

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestBuildTreeDepthLimit: a key with more segments than provider.MaxDepth
// would nest the tree deeper than any layer may; it is refused, as the
// Consul layer refuses it, naming a shortened key and no value.
func TestBuildTreeDepthLimit(t *testing.T) {
	deepest := "p/" + strings.Repeat("a/", provider.MaxDepth-1) + "b"
	data, _, err := buildTree("p/", map[string]string{deepest: "1"})
	require.NoError(t, err)
	assert.NoError(t, provider.CheckDepth(data), "buildTree and CheckDepth must agree on the limit")

	for _, segs := range []int{provider.MaxDepth + 1, 30000} {
		key := "p/" + strings.Repeat("a/", segs-1) + "b"
		_, _, err := buildTree("p/", map[string]string{key: "s3cret"})
		require.Error(t, err, "%d segments", segs)
		var de *provider.DepthError
		assert.ErrorAs(t, err, &de)
		assert.Less(t, len(err.Error()), 400, "the error quotes a shortened key")
		assert.NotContains(t, err.Error(), "s3cret")
	}
}

// TestBuildTreeOrigins: every leaf's origin is its etcd key, as the
// layer's snapshot gives it (OriginOf); only keys with a '.' in a segment,
// which the rule cannot name, have an origin stored.
func TestBuildTreeOrigins(t *testing.T) {
	tests := []struct {
		name    string
		kvs     map[string]string
		origins map[string]string // every leaf's origin (Ref)
		stored  []string          // the dotted keys with an origin of their own
	}{
		{name: "empty", origins: map[string]string{}},
		{
			name:    "nesting",
			kvs:     map[string]string{"p/db/max_conns": "7", "p/name": "n", "p/db/": "", "q/x": "1"},
			origins: map[string]string{"db.max_conns": "p/db/max_conns", "name": "p/name"},
		},
		{
			name:    "dotted segments stored",
			kvs:     map[string]string{"p/limits/a.b": "1", "p/c.d/e": "2", "p/limits/f": "3"},
			origins: map[string]string{"limits.a.b": "p/limits/a.b", "c.d.e": "p/c.d/e", "limits.f": "p/limits/f"},
			stored:  []string{"c.d.e", "limits.a.b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, origins, err := buildTree("p/", tt.kvs)
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.stored, slices.Collect(maps.Keys(origins)), "only dotted segments are stored")
			snap := provider.Snapshot{Data: data, Origins: origins, OriginRule: treeRule("p/"), Source: provider.Origin{Kind: originKind, Ref: "p/"}}
			n := 0
			provider.Leaves(data, func(string, any) { n++ })
			assert.Equal(t, len(tt.origins), n, "every leaf is checked")
			for k, ref := range tt.origins {
				assert.Equal(t, provider.Origin{Kind: originKind, Ref: ref}, snap.OriginOf(k), k)
			}
		})
	}
}
