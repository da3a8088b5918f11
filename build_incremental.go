package strata

import (
	"reflect"
	"slices"
	"strings"

	"github.com/knadh/koanf/maps"

	"github.com/strata-go/strata/internal/decode"
	"github.com/strata-go/strata/internal/limits"
	"github.com/strata-go/strata/provider"
)

// An incremental reload does what build does, but in time and memory that
// follow the size of the change rather than of the configuration. Its
// result is the one build would return from the same snapshots; anything it
// cannot show to be so is handed to build.
//
//  1. Each layer's new snapshot is compared with the one the current value
//     was built from: a layer whose data map is the same map is skipped, and
//     unchanged subtrees cost one comparison each and no allocation. When
//     the provider says where the snapshot differs from that one
//     (provider.Delta), only those paths are compared. Every
//     difference is cut to its decode unit (decode.UnitLen: a leaf field,
//     one entry of a map field, an unknown key).
//  2. For each unit, the merged value is computed from the layers alone
//     (mergedAt), the way merge would compute it: the highest layer wins,
//     maps merge deeply, a deletion falls through to lower layers.
//  3. Only those values are decoded (decode.Patch) into a shallow copy of
//     the current value; a map field that changes is cloned first. The new
//     value shares every unchanged map, slice and pointer with the old one.
//     That is safe because published values are immutable: strata never
//     writes into a value once it is published (Get's contract forbids
//     readers to), and Patch writes only into the copy and into maps it
//     cloned for this reload.
//  4. The whole value is validated as before (tags and Validate methods), so
//     cross-field rules and a user's Validate see the complete value.
//  5. Whether the value changed is decided per unit, not by comparing the
//     whole value.
//
// Any problem (a decode or validation error, an unknown key in strict mode,
// a leaf where a struct is expected) or an unusual shape (",remain"
// fields, more than maxUnits units) goes to build, which reports every
// problem exactly as a first load would. Converters are per type, so a
// field decodes the same alone as within the whole value.

// maxUnits bounds the units of an incremental reload; a change touching
// more is rebuilt from scratch, which then costs about as much.
const maxUnits = 64

// buildIncremental returns the candidate for snaps, built from the applied
// one, or ok=false when build must do it.
func (c *Config[T]) buildIncremental(snaps []provider.Snapshot) (cand *candidate[T], ok bool) {
	prev := c.applied.Load()
	if prev == nil || prev.value == nil || prev.value != c.value.Load() || len(prev.snaps) != len(snaps) {
		return nil, false
	}
	us := unitSet{dec: c.dec, seen: map[string]bool{}}
	for i := range snaps {
		if sameMap(prev.snaps[i].Data, snaps[i].Data) {
			continue
		}
		if d := snaps[i].Delta; d != nil && sameMap(d.Base, prev.snaps[i].Data) {
			if !us.along(prev.snaps[i].Data, snaps[i].Data, d.Paths) {
				return nil, false
			}
			continue
		}
		if !us.maps(prev.snaps[i].Data, snaps[i].Data, 0) {
			return nil, false
		}
	}
	cand = &candidate[T]{layers: c.names, snaps: snaps, base: prev.value}
	if len(us.units) == 0 {
		cand.value, cand.unknown, cand.same = prev.value, prev.unknown, true
		return cand, true
	}
	units := outermost(us.units)
	partial := map[string]any{}
	for _, u := range units {
		v, present, blocked := mergedAt(snaps, u)
		if blocked {
			return nil, false
		}
		if present {
			setPath(partial, u, v)
		}
	}
	value := new(T)
	unused, changed, err := c.dec.Patch(prev.value, value, units, partial, sameValue)
	if err != nil {
		return nil, false
	}
	cand.unknown = patchUnknown(prev.unknown, units, unused)
	if c.opts.Strict && len(cand.unknown) > 0 {
		return nil, false
	}
	if c.val.Struct(value) != nil {
		return nil, false
	}
	cand.value, cand.same, cand.units = value, !changed, units
	return cand, true
}

// unitSet collects the decode units where two snapshots of one layer
// differ. path is a stack reused for every key, so an unchanged subtree
// costs no allocation.
type unitSet struct {
	dec   *decode.Decoder
	path  []string
	units [][]string
	seen  map[string]bool
}

// maps compares two maps at us.path; false means the reload must be built
// from scratch (too many units, or a path that cannot be patched).
func (us *unitSet) maps(a, b map[string]any, depth int) bool {
	matched := 0
	for k, bv := range b {
		av, ok := a[k]
		if ok {
			matched++
		}
		if !us.value(k, av, ok, bv, true, depth+1) {
			return false
		}
	}
	if matched == len(a) {
		return true
	}
	for k, av := range a {
		if _, ok := b[k]; !ok {
			if !us.value(k, av, true, nil, false, depth+1) {
				return false
			}
		}
	}
	return true
}

// along compares a and b only at paths, the provider's account of where
// they differ (provider.Delta): it follows each path down through the maps
// both hold, and compares what it reaches as maps would, which cuts any
// difference to its decode unit.
func (us *unitSet) along(a, b map[string]any, paths [][]string) bool {
	for _, p := range paths {
		us.path = us.path[:0]
		if !us.alongPath(a, b, p) {
			return false
		}
	}
	return true
}

func (us *unitSet) alongPath(a, b map[string]any, p []string) bool {
	if len(p) == 0 {
		return us.maps(a, b, 0)
	}
	last := len(p) - 1
	for depth, seg := range p[:last] {
		am, amap := a[seg].(map[string]any)
		bm, bmap := b[seg].(map[string]any)
		if !amap || !bmap { // the path ends here in one of them: compare what is here
			av, aok := a[seg]
			bv, bok := b[seg]
			return us.value(seg, av, aok, bv, bok, depth+1)
		}
		us.path = append(us.path, seg)
		a, b = am, bm
	}
	av, aok := a[p[last]]
	bv, bok := b[p[last]]
	return us.value(p[last], av, aok, bv, bok, len(p))
}

func (us *unitSet) value(k string, av any, aok bool, bv any, bok bool, depth int) bool {
	if aok && bok {
		if as, ok := av.(string); ok {
			if bs, ok := bv.(string); ok && as == bs {
				return true
			}
		}
	}
	us.path = append(us.path, k)
	defer func() { us.path = us.path[:len(us.path)-1] }()
	n, finer, ok := us.dec.UnitLen(us.path)
	if !ok || depth > limits.MaxDepth {
		return false
	}
	am, amap := av.(map[string]any)
	bm, bmap := bv.(map[string]any)
	if finer && amap && bmap && n == len(us.path) {
		if sameMap(am, bm) {
			return true
		}
		return us.maps(am, bm, depth)
	}
	if aok && bok && sameTree(av, bv, depth) {
		return true
	}
	return us.add(us.path[:n])
}

func (us *unitSet) add(u []string) bool {
	key := strings.Join(u, "\x00")
	if us.seen[key] {
		return true
	}
	us.seen[key] = true
	us.units = append(us.units, slices.Clone(u))
	return len(us.units) <= maxUnits
}

// sameTree compares two snapshot values, with a fast path for the maps and
// strings providers deliver; NaN equals NaN (sameValue).
func sameTree(a, b any, depth int) bool {
	if depth > limits.MaxDepth {
		return false
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		if sameMap(x, y) {
			return true
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameTree(v, w, depth+1) {
				return false
			}
		}
		return true
	}
	return sameValue(a, b)
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// outermost drops every unit that lies below another, so that each part of
// the value is decoded once.
func outermost(units [][]string) [][]string {
	slices.SortFunc(units, func(a, b []string) int { return len(a) - len(b) })
	out := units[:0:0]
	for _, u := range units {
		covered := false
		for _, o := range out {
			if len(o) < len(u) && slices.Equal(o, u[:len(o)]) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, u)
		}
	}
	return out
}

// mergedAt is the value merge(snaps) holds at path, computed from the
// layers alone, highest first: a leaf ends the search (unless a higher
// layer set a map there, which replaces it), maps found on the way are
// merged deeply, lowest first, and a layer without the key lets the lower
// ones show through. blocked reports a leaf where path needs a map above
// it (a struct field set to a scalar): a value only a full build can judge.
func mergedAt(snaps []provider.Snapshot, path []string) (v any, present, blocked bool) {
	var found []map[string]any // maps at path, highest layer first
	reach := 0                 // the longest prefix of path a higher layer holds as a map
layers:
	for i := len(snaps) - 1; i >= 0; i-- {
		var node any = snaps[i].Data
		for j, seg := range path {
			m, ok := node.(map[string]any)
			if !ok { // a leaf at path[:j]
				if reach >= j {
					break layers // hidden by a higher map, and hiding what is below
				}
				return nil, false, true
			}
			if reach < j {
				reach = j
			}
			if node, ok = m[seg]; !ok {
				continue layers
			}
		}
		if m, ok := node.(map[string]any); ok {
			found = append(found, m)
			reach = len(path)
			continue
		}
		if len(found) == 0 {
			return node, true, false
		}
		break
	}
	switch len(found) {
	case 0:
		return nil, false, false
	case 1:
		return found[0], true, false // decoding never writes into its input
	}
	out := map[string]any{}
	for i := len(found) - 1; i >= 0; i-- {
		maps.Merge(cloneMaps(found[i]), out)
	}
	return out, true, false
}

// setPath stores v at path in m, creating the maps on the way.
func setPath(m map[string]any, path []string, v any) {
	for _, seg := range path[:len(path)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[seg] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// patchUnknown is the unknown-key list after a patch: the previous keys
// outside every unit, plus those found at or below the units.
func patchUnknown(prev []string, units [][]string, found []string) []string {
	if len(prev) == 0 && len(found) == 0 {
		return nil
	}
	dotted := make([]string, len(units))
	for i, u := range units {
		dotted[i] = strings.Join(u, ".")
	}
	out := slices.Clip(found)
	for _, k := range prev {
		if !slices.ContainsFunc(dotted, func(u string) bool { return under(k, u) }) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// under reports whether key is u or lies below it.
func under(key, u string) bool {
	return key == u || strings.HasPrefix(key, u) && (key[len(u)] == '.' || key[len(u)] == '[')
}
