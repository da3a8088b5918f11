package strata

import (
	"fmt"
	"sort"

	"github.com/strata-go/strata/internal/limits"
)

// Change describes one applied change, for Options.OnApply and logs.
type Change struct {
	// Generation is the new value's generation (see Status).
	Generation uint64
	// Keys lists every key whose effective value changed, sorted.
	Keys []KeyChange
}

// KeyChange is one key's old and new effective value as text. The values
// of secret keys are replaced by "[redacted]"; an absent value is "".
type KeyChange struct {
	Key    string // dotted config key
	Old    string // value before the change; "" when the key was absent
	New    string // value after the change; "" when the key was removed
	Secret bool   // the values are redacted
}

func (ch Change) keyNames() []string {
	n := min(len(ch.Keys), loggedKeys)
	names := make([]string, n, n+1)
	for i, k := range ch.Keys[:n] {
		names[i] = k.Key
	}
	if more := len(ch.Keys) - n; more > 0 {
		names = append(names, fmt.Sprintf("and %d more", more))
	}
	return names
}

// loggedKeys is how many changed keys the log line names: a 200-key
// publish must stay one readable line. OnApply gets every key.
const loggedKeys = 10

// diff compares the merged inputs of two applied candidates key by key.
// Raw merged values are compared (not decoded fields) so that keys read as
// they are written in the sources, and so defaults count too. It walks both
// trees together once, building keys in one buffer, and formats only the
// values that changed, so its cost is linear in the size of the inputs.
func (c *Config[T]) diff(gen uint64, prev, next *candidate[T]) Change {
	if next.base != nil && prev != nil && next.base == prev.value {
		if ch, ok := c.diffUnits(gen, prev, next); ok {
			return ch
		}
	}
	ch := Change{Generation: gen}
	d := differ{changed: func(key string, cur cursor, ov, nv any, depth int) {
		ch.Keys = append(ch.Keys, keyChange(key, cur, ov, nv, depth))
	}}
	d.maps(c.rootCursor(), make(keyBuf, 0, 256), prev.mergedTree(), next.mergedTree(), 0)
	sort.Slice(ch.Keys, func(i, j int) bool { return ch.Keys[i].Key < ch.Keys[j].Key })
	return ch
}

// absent marks a side of a change where the key does not exist.
type absent struct{}

type differ struct {
	changed func(key string, cur cursor, ov, nv any, depth int)
}

// maps reports every leaf key whose value differs between a and b,
// including keys present on one side only (the other side absent).
func (d differ) maps(cur cursor, key keyBuf, a, b map[string]any, depth int) {
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			bv = absent{}
		}
		d.values(cur.key(k), key.push(k), av, bv, depth+1)
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok {
			d.values(cur.key(k), key.push(k), absent{}, bv, depth+1)
		}
	}
}

func (d differ) values(cur cursor, key keyBuf, av, bv any, depth int) {
	am, aIsMap := av.(map[string]any)
	bm, bIsMap := bv.(map[string]any)
	if (aIsMap || bIsMap) && depth >= limits.MaxDepth {
		// Below the limit the subtree is one value, shown as tooDeep.
		if !sameValue(av, bv) {
			d.changed(string(key), cur, av, bv, depth)
		}
		return
	}
	switch {
	case aIsMap && bIsMap:
		d.maps(cur, key, am, bm, depth)
	case aIsMap:
		d.maps(cur, key, am, nil, depth)
		if _, gone := bv.(absent); !gone {
			d.changed(string(key), cur, absent{}, bv, depth)
		}
	case bIsMap:
		d.maps(cur, key, nil, bm, depth)
		if _, gone := av.(absent); !gone {
			d.changed(string(key), cur, av, absent{}, depth)
		}
	case !sameLeaf(av, bv):
		d.changed(string(key), cur, av, bv, depth)
	}
}

// sameLeaf compares two leaves; the string case, by far the most common
// (Consul and env values), avoids reflection. NaN equals NaN here: an
// unchanged value is not a change.
func sameLeaf(a, b any) bool {
	if as, ok := a.(string); ok {
		bs, ok := b.(string)
		return ok && as == bs
	}
	return sameValue(a, b)
}

func keyChange(key string, cur cursor, ov, nv any, depth int) KeyChange {
	kc := KeyChange{Key: key, Old: text(cur, ov, depth), New: text(cur, nv, depth), Secret: cur.secret}
	if kc.Secret {
		kc.Old, kc.New = redactIf(ov), redactIf(nv)
	}
	return kc
}

// text renders a leaf as the text an operator expects, with secrets inside
// lists redacted; absent is "".
func text(cur cursor, v any, depth int) string {
	switch v := v.(type) {
	case absent:
		return ""
	case string:
		return v
	default:
		return display(redactValue(cur, v, depth))
	}
}

func redactIf(v any) string {
	if _, gone := v.(absent); gone {
		return ""
	}
	return redacted
}
