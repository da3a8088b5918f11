package consul

import (
	"maps"
	"reflect"
	"slices"
	"strings"
)

// builtTree is a tree-mode layer's delivered data with its count of
// leaves, so that the next answer with the same keys can be applied as a
// patch (patchTree) rather than built again whole, and decoded into slices
// of the right size (decodeList). It is never modified once made; several
// goroutines may read it (Provider.hint).
type builtTree struct {
	data     map[string]any
	leaves   int
	keyBytes int // the length of every leaf's Consul key, summed
}

// newBuiltTree counts the leaves of data, read below prefix.
func newBuiltTree(prefix string, data map[string]any) *builtTree {
	b := &builtTree{data: data}
	b.count(len(prefix), data)
	return b
}

// count adds the leaves of m, whose keys start with base bytes.
func (b *builtTree) count(base int, m map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			b.count(base+len(k)+1, sub)
			continue
		}
		b.leaves++
		b.keyBytes += base + len(k)
	}
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b map[string]any) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// edit is one changed value, under its key relative to the prefix.
type edit struct{ rel, val string }

// patchTree returns the tree of next from prevData, the delivered tree,
// which has leaves leaves, when next has exactly prevData's keys: only the
// maps on the path to a changed value are copied, every other subtree is
// prevData's own, so the root's incremental reload skips it by identity
// and the cost follows the change, not the prefix. prevData is never
// modified (it was delivered, so it is immutable). changed lists the path
// (key segments) of every value that differs, in key order, for the
// snapshot's provider.Delta; when none does, prevData itself is returned.
//
// ok is false when next's keys are not prevData's: a key that is not a
// leaf of prevData, or fewer keys than leaves. The keys of next below
// prefix must be in strictly increasing order, as Consul answers, which
// also makes them distinct (else ok is false too): the caller then builds
// the tree whole.
func patchTree(prefix string, prevData map[string]any, leaves int, next pairList) (data map[string]any, changed [][]string, ok bool) {
	var edits []edit
	n, last := 0, ""
	for i, k := range next.keys {
		if k == "" || !strings.HasPrefix(k, prefix) || strings.HasSuffix(k, "/") {
			continue // not in the tree (buildTreeFrom skips it too)
		}
		if n > 0 && k <= last {
			return nil, nil, false
		}
		n, last = n+1, k
		rel := k[len(prefix):]
		old, found := stringLeaf(prevData, rel)
		if !found {
			return nil, nil, false
		}
		if old != next.vals[i] { // decodeList reused the leaf's string when equal: compared by pointer
			edits = append(edits, edit{rel: rel, val: next.vals[i]})
		}
	}
	if n != leaves {
		return nil, nil, false
	}
	if len(edits) == 0 {
		return prevData, nil, true
	}
	// Sorted keys give sorted edits; applyEdits needs the edits of one
	// folder next to each other, which sorting guarantees.
	if !slices.IsSortedFunc(edits, compareEdits) {
		slices.SortFunc(edits, compareEdits)
	}
	if data, ok = applyEdits(prevData, edits); !ok {
		return nil, nil, false
	}
	changed = make([][]string, len(edits))
	for i, e := range edits {
		// A copy, like the tree's own segments: rel is part of a whole
		// answer's keys, which the snapshot must not keep alive.
		changed[i] = strings.Split(strings.Clone(e.rel), "/")
	}
	return data, changed, true
}

// stringLeaf returns the string leaf of tree at rel, a "/"-separated path.
func stringLeaf(tree map[string]any, rel string) (string, bool) {
	for {
		seg, rest, folder := strings.Cut(rel, "/")
		if !folder {
			s, ok := tree[seg].(string)
			return s, ok
		}
		sub, ok := tree[seg].(map[string]any)
		if !ok {
			return "", false
		}
		tree, rel = sub, rest
	}
}

func compareEdits(a, b edit) int { return strings.Compare(a.rel, b.rel) }

// applyEdits returns a copy of node with edits (sorted, relative to node)
// applied, copying only the maps the edits go through.
func applyEdits(node map[string]any, edits []edit) (map[string]any, bool) {
	out := maps.Clone(node)
	for i := 0; i < len(edits); {
		seg, rest, folder := strings.Cut(edits[i].rel, "/")
		if !folder {
			if _, leaf := node[seg].(string); !leaf {
				return nil, false
			}
			// A copy of the segment: assigning an existing key stores
			// the key given, and rel is part of a whole answer's keys
			// (decodeList), which the tree must not keep alive.
			out[strings.Clone(seg)] = edits[i].val
			i++
			continue
		}
		child, isMap := node[seg].(map[string]any)
		if !isMap {
			return nil, false
		}
		// The edits below seg are the ones that follow, up to the first
		// outside "seg/" (sorted strings sharing a prefix are adjacent).
		sub := []edit{{rel: rest, val: edits[i].val}}
		j := i + 1
		for ; j < len(edits); j++ {
			r := edits[j].rel
			if len(r) <= len(seg) || r[len(seg)] != '/' || r[:len(seg)] != seg {
				break
			}
			sub = append(sub, edit{rel: r[len(seg)+1:], val: edits[j].val})
		}
		patched, ok := applyEdits(child, sub)
		if !ok {
			return nil, false
		}
		out[strings.Clone(seg)] = patched
		i = j
	}
	return out, true
}
