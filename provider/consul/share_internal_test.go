package consul

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mapID(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }

// TestShareTree checks that a new read reuses the delivered maps of every
// unchanged subtree, keeps new maps for changed ones, never writes into
// the delivered tree, and tells same content and same shape apart. Every
// case has a key with a '.', which has an origin of its own (buildTree).
func TestShareTree(t *testing.T) {
	tests := []struct {
		name        string
		prev, next  []string // key/value pairs under "p/"
		same, shape bool
		shared      []string // top-level folders that must be prev's map
		fresh       []string // top-level folders that must be new maps
	}{
		{name: "unchanged", prev: []string{"p/a/x.v", "1", "p/b/y", "2"}, next: []string{"p/a/x.v", "1", "p/b/y", "2"},
			same: true, shape: true, shared: []string{"a", "b"}},
		{name: "one value", prev: []string{"p/a/x.v", "1", "p/b/y", "2"}, next: []string{"p/a/x.v", "1", "p/b/y", "3"},
			shape: true, shared: []string{"a"}, fresh: []string{"b"}},
		{name: "key added", prev: []string{"p/a/x.v", "1", "p/b/y", "2"}, next: []string{"p/a/x.v", "1", "p/b/y", "2", "p/b/z", "3"}},
		{name: "key removed", prev: []string{"p/a/x.v", "1", "p/b/y", "2"}, next: []string{"p/a/x.v", "1"}},
		{name: "leaf becomes folder", prev: []string{"p/a.v", "1"}, next: []string{"p/a.v/x", "1"}},
		{name: "deep change", prev: []string{"p/a/b/c/d", "1", "p/a/b/e.v", "2"}, next: []string{"p/a/b/c/d", "9", "p/a/b/e.v", "2"},
			shape: true, fresh: []string{"a"}},
		{name: "empty both", same: true, shape: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev, po, err := buildTree("p/", pairs(tt.prev...))
			require.NoError(t, err)
			before := deepCopy(prev)
			next, no, err := buildTree("p/", pairs(tt.next...))
			require.NoError(t, err)
			want := deepCopy(next)

			require.True(t, len(po) > 0 || len(tt.prev) == 0, "the case has a dotted key")
			data, origins, same := shareSnapshot(prev, next, po, no)
			assert.Equal(t, tt.same, same, "same")
			_, shape := shareTree(prev, data)
			assert.Equal(t, tt.shape || tt.same, shape, "shape")
			assert.Equal(t, want, data, "sharing keeps next's content")
			assert.Equal(t, before, prev, "the delivered tree is never written")
			assert.Equal(t, no, origins, "the read's origins, or equal ones")
			if tt.same && len(prev) > 0 {
				assert.Equal(t, mapID(prev), mapID(data), "unchanged: the delivered map itself")
			}
			if tt.shape || tt.same {
				assert.Equal(t, reflect.ValueOf(po).Pointer(), reflect.ValueOf(origins).Pointer(), "same keys: the delivered origins")
			} else {
				assert.Equal(t, reflect.ValueOf(no).Pointer(), reflect.ValueOf(origins).Pointer(), "keys changed: the read's origins")
			}
			for _, k := range tt.shared {
				assert.Equal(t, mapID(prev[k].(map[string]any)), mapID(data[k].(map[string]any)), "%s shared", k)
			}
			for _, k := range tt.fresh {
				assert.NotEqual(t, mapID(prev[k].(map[string]any)), mapID(data[k].(map[string]any)), "%s new", k)
			}
		})
	}
}

// TestShareTreeNilLast: with nothing delivered yet an empty read stays an
// empty map (never nil) and counts as the same content as nil.
func TestShareTreeNilLast(t *testing.T) {
	data, _, same := shareSnapshot(nil, map[string]any{}, nil, nil)
	assert.True(t, same)
	assert.NotNil(t, data)
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}
