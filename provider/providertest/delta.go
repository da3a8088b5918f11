package providertest

import (
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/strata-go/strata/provider"
)

// deltas checks the provider.Delta of each snapshot a watcher emits
// against the snapshots seen before it: a Delta is trusted by strata, so a
// change outside its paths would be a change never applied. A Base the
// suite has not seen (a change the watcher skipped) cannot be checked and
// is not a fault: strata compares such a snapshot in full.
type deltas struct {
	seen []map[string]any // Data of the starting snapshot and of each emitted one
}

// check records snap and returns what is wrong with its Delta, if anything.
func (d *deltas) check(snap provider.Snapshot) string {
	defer func() { d.seen = append(d.seen, snap.Data) }()
	delta := snap.Delta
	if delta == nil {
		return ""
	}
	i := slices.IndexFunc(d.seen, func(m map[string]any) bool { return sameMap(m, delta.Base) })
	if i < 0 {
		return ""
	}
	if missed := uncovered(d.seen[i], snap.Data, delta.Paths); len(missed) > 0 {
		return "a snapshot's Delta leaves out keys that changed since its Base: " + strings.Join(missed, ", ") +
			"; strata would never apply those changes"
	}
	return ""
}

// uncovered returns, sorted, the dotted keys of the leaves that differ
// between a and b and lie outside every path.
func uncovered(a, b map[string]any, paths [][]string) []string {
	var out []string
	var walk func(a, b map[string]any, at []string)
	report := func(p []string) {
		if !covered(p, paths) {
			out = append(out, strings.Join(p, "."))
		}
	}
	walk = func(a, b map[string]any, at []string) {
		keys := map[string]bool{}
		for k := range a {
			keys[k] = true
		}
		for k := range b {
			keys[k] = true
		}
		for k := range keys {
			p := append(slices.Clip(at), k)
			av, aok := a[k]
			bv, bok := b[k]
			am, amap := av.(map[string]any)
			bm, bmap := bv.(map[string]any)
			switch {
			case amap && bmap:
				walk(am, bm, p)
			case amap || bmap: // a map on one side only: all its leaves moved, and the leaf facing it
				walk(am, bm, p)
				if aok && bok {
					report(p)
				}
			case aok != bok || !reflect.DeepEqual(av, bv):
				report(p)
			}
		}
	}
	walk(a, b, nil)
	sort.Strings(out)
	return out
}

// covered reports whether p lies at or below one of paths.
func covered(p []string, paths [][]string) bool {
	return slices.ContainsFunc(paths, func(q []string) bool {
		return len(q) <= len(p) && slices.Equal(q, p[:len(q)])
	})
}

// sameMap reports whether a and b are the same map, not merely equal ones.
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}
