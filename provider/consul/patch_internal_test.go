package consul

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"unsafe"

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
	// In key order, as Consul answers.
	base := []string{
		"=skip", "other/x=9", "p/a-b/c=2", "p/a.x=1", "p/a/b=3", "p/a/c/d=4", "p/ab/c=5",
		"p/db/host=h", "p/db/port=5432", "p/folder/",
	}
	tests := []struct {
		name      string
		change    map[string]string // key → new value
		unchanged []string          // dotted paths of maps that must be shared
	}{
		{name: "top-level leaf", change: map[string]string{"p/a.x=1": "10"}, unchanged: []string{"a-b", "a", "ab", "db"}},
		{name: "nested leaf", change: map[string]string{"p/a/c/d=4": "40"}, unchanged: []string{"a-b", "ab", "db"}},
		{name: "siblings sharing a prefix", change: map[string]string{"p/a/b=3": "30", "p/ab/c=5": "50", "p/a-b/c=2": "20"}, unchanged: []string{"a.c", "db"}},
		{name: "several folders", change: map[string]string{"p/a/b=3": "30", "p/db/port=5432": "6432"}, unchanged: []string{"a-b", "ab", "a.c"}},
		{name: "to empty", change: map[string]string{"p/db/host=h": ""}, unchanged: []string{"a", "ab", "a-b"}},
		{name: "outside the tree only", change: map[string]string{"other/x=9": "99", "p/folder/": "=x"}, unchanged: []string{"a", "ab", "a-b", "db"}},
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
			prevData, _, err := buildTreeFrom("p/", prev)
			require.NoError(t, err)
			before := deepCopy(prevData)
			want, _, err := buildTreeFrom("p/", next)
			require.NoError(t, err)

			got, changed, ok := patchTree("p/", prevData, newBuiltTree("p/", prevData).leaves, next)
			require.True(t, ok)
			assert.Equal(t, want, got)
			assert.Equal(t, before, prevData, "the delivered tree must not be modified")
			inTree := !strings.HasPrefix(tt.name, "outside")
			assert.Equal(t, inTree, len(changed) > 0)
			var wantPaths [][]string
			for e := range tt.change {
				if k, _, _ := strings.Cut(e, "="); inTree {
					wantPaths = append(wantPaths, strings.Split(strings.TrimPrefix(k, "p/"), "/"))
				}
			}
			assert.ElementsMatch(t, wantPaths, changed, "the delta names every changed value, and only those")
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

// TestPatchTreeRefusesAnotherShape: an answer whose keys are not exactly
// the delivered tree's leaves, or not in Consul's strictly increasing
// order, is never patched (the caller builds it whole), and the delivered
// tree is not modified.
func TestPatchTreeRefusesAnotherShape(t *testing.T) {
	tree := func() map[string]any { return map[string]any{"a": map[string]any{"b": "1"}, "c": "2"} }
	tests := []struct {
		name string
		data map[string]any
		next pairList
	}{
		{"leaf where the answer has a folder", map[string]any{"a": map[string]any{"b": "1"}, "c": map[string]any{}}, listOf("p/a/b=1", "p/c=3")},
		{"folder where the answer has a leaf", map[string]any{"a": "x", "c": "2"}, listOf("p/a/b=9", "p/c=2")},
		{"a key added", tree(), listOf("p/a/b=1", "p/b=5", "p/c=2")},
		{"a key removed", tree(), listOf("p/a/b=1")},
		{"a key renamed", tree(), listOf("p/a/b=1", "p/d=2")},
		{"a key repeated for a missing one", tree(), listOf("p/a/b=1", "p/a/b=1")},
		{"unsorted", tree(), listOf("p/c=3", "p/a/b=1")},
		{"an empty segment", tree(), listOf("p/a//b=1", "p/c=2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := deepCopy(tt.data)
			_, _, ok := patchTree("p/", tt.data, newBuiltTree("p/", tt.data).leaves, tt.next)
			assert.False(t, ok)
			assert.Equal(t, before, tt.data)
		})
	}
	// The same tree and keys, for contrast: patched.
	_, changed, ok := patchTree("p/", tree(), 2, listOf("other=1", "p/a/b=1", "p/c=3", "p/d/"))
	assert.True(t, ok)
	assert.Equal(t, [][]string{{"c"}}, changed)
}

// TestPatchTreeKeepsNoPartOfTheAnswer: the keys of a patched map are
// copies, not substrings of the answer's keys (decodeList puts them all in
// one string, which the delivered tree must not keep alive).
func TestPatchTreeKeepsNoPartOfTheAnswer(t *testing.T) {
	prev, _, err := buildTreeFrom("p/", listOf("p/a/b=1", "p/c=2"))
	require.NoError(t, err)
	next, err := decodeList(strings.NewReader(`[{"Key":"p/a/b","Value":"OQ=="},{"Key":"p/c","Value":"OA=="}]`), "p/", newBuiltTree("p/", prev))
	require.NoError(t, err)
	got, changed, ok := patchTree("p/", prev, 2, next)
	require.True(t, ok)
	require.NotEmpty(t, changed)
	require.Equal(t, map[string]any{"a": map[string]any{"b": "9"}, "c": "8"}, got)
	lo := uintptr(unsafe.Pointer(unsafe.StringData(next.keys[0])))
	hi := uintptr(unsafe.Pointer(unsafe.StringData(next.keys[1]))) + uintptr(len(next.keys[1]))
	assert.False(t, keysIn(got, lo, hi))
}

func TestSameMap(t *testing.T) {
	m := map[string]any{"a": "1"}
	assert.True(t, sameMap(m, m))
	assert.False(t, sameMap(m, maps.Clone(m)))
	assert.False(t, sameMap(nil, m))
	assert.False(t, sameMap(m, nil))
	assert.False(t, sameMap(nil, nil))
}

// FuzzPatchTree: whenever patchTree accepts an answer (newline-separated
// "key=value" entries) against the tree of a previous one, the result is
// what building the answer whole gives, and the previous tree is intact.
func FuzzPatchTree(f *testing.F) {
	f.Add("p/a/b=1\np/c=2", "p/a/b=1\np/c=3")
	f.Add("p/a/b=1\np/c=2", "p/a/b=1\np/a/b=1")
	f.Add("p/a=1\np/b=2", "p/a=1\np/b/c=2")
	f.Add("p/a.b=1\np/a/b=2", "p/a.b=3\np/a/b=2")
	f.Add("p/a/=\np/a/b=1", "p/a/=x\np/a/b=2\nq/z=1")
	f.Fuzz(func(t *testing.T, prev, next string) {
		prevData, _, err := buildTreeFrom("p/", listOf(strings.Split(prev, "\n")...))
		if err != nil {
			return
		}
		before := deepCopy(prevData)
		nl := listOf(strings.Split(next, "\n")...)
		got, changed, ok := patchTree("p/", prevData, newBuiltTree("p/", prevData).leaves, nl)
		if !ok {
			return
		}
		want, _, err := buildTreeFrom("p/", nl)
		if err != nil {
			t.Fatalf("patched an answer that does not build: %v", err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("patched %v, built %v", got, want)
		}
		if !reflect.DeepEqual(before, prevData) {
			t.Fatalf("the previous tree was modified")
		}
		if (len(changed) > 0) == reflect.DeepEqual(before, got) {
			t.Fatalf("changed = %v for %v -> %v", changed, before, got)
		}
	})
}
