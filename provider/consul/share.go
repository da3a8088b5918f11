package consul

import (
	"reflect"

	"github.com/strata-go/strata/provider"
)

// shareTree makes next, a tree just built for this read and not yet
// delivered, reuse prev's maps and strings wherever their content is
// equal, so a consumer that compares snapshots by map identity (the root
// package's incremental reload) skips every unchanged subtree in one
// comparison, and compares unchanged strings by pointer.
//
// Only next's maps are written: prev was delivered and is immutable. A
// subtree of next equal to prev's is replaced by prev's, so the maps left
// in next that are not prev's are exactly the changed ones.
//
// same reports that next holds prev's content (nil and empty are the same
// content); shape reports that both have the same
// keys at the same places (only leaf values may differ), in which case
// their origins are the same too.
func shareTree(prev, next map[string]any) (same, shape bool) {
	if len(prev) != len(next) {
		return false, false
	}
	same, shape = true, true
	for k, nv := range next {
		pv, ok := prev[k]
		if !ok {
			return false, false
		}
		switch n := nv.(type) {
		case map[string]any:
			p, ok := pv.(map[string]any)
			if !ok {
				return false, false
			}
			s, sh := shareTree(p, n)
			if !sh {
				return false, false
			}
			if s {
				next[k] = p
			} else {
				same = false
			}
		case string:
			p, ok := pv.(string)
			switch {
			case !ok:
				if _, isMap := pv.(map[string]any); isMap {
					return false, false
				}
				same = false
			case p == n:
				next[k] = pv // one string for both, compared by pointer later; pv, not p: boxing p again would allocate
			default:
				same = false
			}
		default:
			if _, isMap := pv.(map[string]any); isMap {
				return false, false
			}
			if !sameLeaf(pv, nv) {
				same = false
			}
		}
	}
	return same, shape
}

// shareSnapshot applies shareTree to a tree-mode read against the last
// delivered data and origins: when the content is unchanged the previous
// maps are returned as they are, and when the keys are the same (only
// values changed) the previous origins are returned in place of the read's
// own, since a tree's origins follow from its keys alone (buildTree). It
// reports whether the content is the same.
func shareSnapshot(prevData, data map[string]any, prevOrigins, origins map[string]provider.Origin) (map[string]any, map[string]provider.Origin, bool) {
	same, shape := shareTree(prevData, data)
	if shape {
		origins = prevOrigins
	}
	if same && prevData != nil {
		data = prevData
	}
	return data, origins, same
}

// sameLeaf compares two values of a parsed document that are not maps (a
// tree's leaves are all strings): NaN is the same
// as NaN, so a document holding .nan is not a change on every answer.
func sameLeaf(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || x != x && y != y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			xm, xok := x[i].(map[string]any)
			ym, yok := y[i].(map[string]any)
			if xok != yok {
				return false
			}
			if xok {
				if same, _ := sameMapContent(xm, ym); !same {
					return false
				}
			} else if !sameLeaf(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// sameMapContent is shareTree's comparison without sharing, for maps
// inside lists: nothing is written.
func sameMapContent(a, b map[string]any) (bool, bool) {
	if len(a) != len(b) {
		return false, false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return false, false
		}
		am, aok := av.(map[string]any)
		bm, bok := bv.(map[string]any)
		if aok != bok {
			return false, false
		}
		if aok {
			if same, _ := sameMapContent(am, bm); !same {
				return false, false
			}
		} else if !sameLeaf(av, bv) {
			return false, false
		}
	}
	return true, true
}
