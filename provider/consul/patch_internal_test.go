package consul

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listOf makes a pairList from "key=value" entries, in the order given.
func listOf(entries ...string) pairList {
	var l pairList
	for _, e := range entries {
		k, v, _ := strings.Cut(e, "=")
		l.keys, l.vals = append(l.keys, k), append(l.vals, v)
	}
	return l
}

// TestPatchTreeEqualsAWholeBuild: patching the delivered tree with the
// changed values gives what building the new answer whole gives, leaves
// the delivered tree untouched, and shares every unchanged subtree.
func TestPatchTreeEqualsAWholeBuild(t *testing.T) {
	base := []string{
		"p/a.x=1", "p/a-b/c=2", "p/a/b=3", "p/a/c/d=4", "p/ab/c=5",
		"p/db/host=h", "p/db/port=5432", "p/folder/", "other/x=9", "=skip",
	}
	tests := []struct {
		name      string
		change    map[string]string // key → new value
		unchanged []string          // dotted paths of maps that must be shared
		order     func(pairList) pairList
	}{
		{name: "top-level leaf", change: map[string]string{"p/a.x=1": "10"}, unchanged: []string{"a-b", "a", "ab", "db"}},
		{name: "nested leaf", change: map[string]string{"p/a/c/d=4": "40"}, unchanged: []string{"a-b", "ab", "db"}},
		{name: "siblings sharing a prefix", change: map[string]string{"p/a/b=3": "30", "p/ab/c=5": "50", "p/a-b/c=2": "20"}, unchanged: []string{"a.c", "db"}},
		{name: "several folders", change: map[string]string{"p/a/b=3": "30", "p/db/port=5432": "6432"}, unchanged: []string{"a-b", "ab", "a.c"}},
		{name: "to empty", change: map[string]string{"p/db/host=h": ""}, unchanged: []string{"a", "ab", "a-b"}},
		{name: "outside the tree only", change: map[string]string{"other/x=9": "99", "p/folder/": "=x"}, unchanged: []string{"a", "ab", "a-b", "db"}},
		{name: "unsorted answer", change: map[string]string{"p/a/b=3": "30", "p/db/host=h": "h2"}, unchanged: []string{"ab", "a-b", "a.c"},
			order: func(l pairList) pairList {
				r := pairList{}
				for i := len(l.keys) - 1; i >= 0; i-- {
					r.keys, r.vals = append(r.keys, l.keys[i]), append(r.vals, l.vals[i])
				}
				return r
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := listOf(base...)
			var nextEntries []string
			for _, e := range base {
				if v, ok := tt.change[e]; ok {
					k, _, _ := strings.Cut(e, "=")
					e = k + "=" + v
				}
				nextEntries = append(nextEntries, e)
			}
			next := listOf(nextEntries...)
			if tt.order != nil {
				prev, next = tt.order(prev), tt.order(next)
			}
			prevData, _, err := buildTreeFrom("p/", prev)
			require.NoError(t, err)
			before := deepCopy(prevData)
			want, _, err := buildTreeFrom("p/", next)
			require.NoError(t, err)

			got, changed, ok := patchTree("p/", prevData, prev, next)
			require.True(t, ok)
			assert.Equal(t, want, got)
			assert.Equal(t, before, prevData, "the delivered tree must not be modified")
			inTree := !strings.HasPrefix(tt.name, "outside")
			assert.Equal(t, inTree, changed)
			for _, path := range tt.unchanged {
				assert.Truef(t, sameMap(at(t, prevData, path), at(t, got, path)), "%s must be the delivered map", path)
			}
			if !inTree {
				assert.True(t, sameMap(prevData, got), "no change: the delivered tree itself")
			} else {
				assert.False(t, sameMap(prevData, got), "a changed tree is a new root")
			}
		})
	}
}

// at returns the map at a dotted path of tree.
func at(t *testing.T, tree map[string]any, path string) map[string]any {
	t.Helper()
	node := tree
	for seg := range strings.SplitSeq(path, ".") {
		next, ok := node[seg].(map[string]any)
		require.Truef(t, ok, "no map at %s", path)
		node = next
	}
	return node
}

// TestPatchTreeRefusesATreeOfAnotherShape: a delivered tree that was not
// built from the previous answer is never patched (the caller builds).
func TestPatchTreeRefusesATreeOfAnotherShape(t *testing.T) {
	prev := listOf("p/a/b=1", "p/c=2")
	next := listOf("p/a/b=1", "p/c=3")
	tests := []struct {
		name string
		data map[string]any
	}{
		{"leaf where the answer has a folder", map[string]any{"a": map[string]any{"b": "1"}, "c": map[string]any{}}},
		{"folder where the answer has a leaf", map[string]any{"a": "x", "c": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := next
			if tt.name == "folder where the answer has a leaf" {
				next = listOf("p/a/b=9", "p/c=2")
			}
			before := deepCopy(tt.data)
			_, _, ok := patchTree("p/", tt.data, prev, next)
			assert.False(t, ok)
			assert.Equal(t, before, tt.data)
		})
	}
}

func TestSameKeys(t *testing.T) {
	a := listOf("p/a=1", "p/b=2")
	assert.True(t, sameKeys(a, listOf("p/a=9", "p/b=8")))
	assert.False(t, sameKeys(a, listOf("p/a=1")))
	assert.False(t, sameKeys(a, listOf("p/b=2", "p/a=1")))
	assert.False(t, sameKeys(a, listOf("p/a=1", "p/c=2")))
}

func TestSameMap(t *testing.T) {
	m := map[string]any{"a": "1"}
	assert.True(t, sameMap(m, m))
	assert.False(t, sameMap(m, maps.Clone(m)))
	assert.False(t, sameMap(nil, m))
	assert.False(t, sameMap(m, nil))
	assert.False(t, sameMap(nil, nil))
}
