package strata

import "sort"

// diffUnits is diff for a candidate patched from prev (buildIncremental):
// the merged inputs can differ only at or below its units, so only those
// are compared, each computed from the layers (mergedAt). The result is
// the one diff gives over the whole trees. ok is false when a unit's value
// cannot be computed that way; diff then compares the whole trees.
func (c *Config[T]) diffUnits(gen uint64, prev, next *candidate[T]) (ch Change, ok bool) {
	ch = Change{Generation: gen}
	d := differ{changed: func(key string, cur cursor, ov, nv any, depth int) {
		ch.Keys = append(ch.Keys, keyChange(key, cur, ov, nv, depth))
	}}
	key := make(keyBuf, 0, 256)
	for _, u := range next.units {
		ov, oldSet, oldBlocked := mergedAt(prev.snaps, u)
		nv, newSet, newBlocked := mergedAt(next.snaps, u)
		if oldBlocked || newBlocked {
			return Change{}, false
		}
		if !oldSet {
			ov = absent{}
		}
		if !newSet {
			nv = absent{}
		}
		cur, k := c.rootCursor(), key[:0]
		for _, seg := range u {
			cur, k = cur.key(seg), k.push(seg)
		}
		d.values(cur, k, ov, nv, len(u))
	}
	sort.Slice(ch.Keys, func(i, j int) bool { return ch.Keys[i].Key < ch.Keys[j].Key })
	return ch, true
}
