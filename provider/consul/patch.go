package consul

import (
	"maps"
	"reflect"
	"slices"
	"strings"
)

// builtTree is a tree-mode layer's delivered data with the answer it was
// built from, so that the next answer with the same keys can be applied as
// a patch (patchTree) rather than built again whole.
type builtTree struct {
	list pairList
	data map[string]any
}

// sameKeys reports whether a and b hold the same keys in the same order
// (their values may differ). Strings that decodeList reused compare by
// pointer.
func sameKeys(a, b pairList) bool {
	return slices.Equal(a.keys, b.keys)
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b map[string]any) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// edit is one changed value, under its key relative to the prefix.
type edit struct{ rel, val string }

// patchTree returns the tree of next, an answer with the same keys as prev
// (sameKeys), from prevData, the delivered tree built from prev: only the
// maps on the path to a changed value are copied, every other subtree is
// prevData's own, so the root's incremental reload skips it by identity
// and the cost follows the change, not the prefix. prevData is never
// modified (it was delivered, so it is immutable). changed reports whether
// any value differs; when none does, prevData itself is returned. ok is
// false when prevData does not have prev's shape, which cannot happen when
// prevData was built from prev: the caller then builds the tree whole.
func patchTree(prefix string, prevData map[string]any, prev, next pairList) (data map[string]any, changed, ok bool) {
	var edits []edit
	for i, k := range next.keys {
		if next.vals[i] == prev.vals[i] {
			continue
		}
		if k == "" || !strings.HasPrefix(k, prefix) || strings.HasSuffix(k, "/") {
			continue // not in the tree (buildTreeFrom skips it too)
		}
		edits = append(edits, edit{rel: k[len(prefix):], val: next.vals[i]})
	}
	if len(edits) == 0 {
		return prevData, false, true
	}
	// Consul answers in key order; applyEdits needs the edits of one
	// folder next to each other, which sorting guarantees.
	if !slices.IsSortedFunc(edits, compareEdits) {
		slices.SortFunc(edits, compareEdits)
	}
	data, ok = applyEdits(prevData, edits)
	return data, ok, ok
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
			out[seg] = edits[i].val
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
		out[seg] = patched
		i = j
	}
	return out, true
}
