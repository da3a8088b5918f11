package strata

import (
	"fmt"
	"reflect"
	"sort"
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
	names := make([]string, len(ch.Keys))
	for i, k := range ch.Keys {
		names[i] = k.Key
	}
	return names
}

// diff compares the merged inputs of two applied candidates key by key.
// Raw merged values are compared (not decoded fields) so that keys read as
// they are written in the sources, and so defaults count too. It walks both
// trees together and formats only the values that changed.
func (c *Config[T]) diff(gen uint64, prev, next *candidate[T]) Change {
	ch := Change{Generation: gen}
	diffMaps("", prev.merged, next.merged, func(key string, ov, nv any) {
		ch.Keys = append(ch.Keys, c.keyChange(key, ov, nv))
	})
	sort.Slice(ch.Keys, func(i, j int) bool { return ch.Keys[i].Key < ch.Keys[j].Key })
	return ch
}

// absent marks a side of a change where the key does not exist.
type absent struct{}

// diffMaps calls changed for every leaf key whose value differs between a
// and b, including keys present on one side only (the other side absent).
func diffMaps(prefix string, a, b map[string]any, changed func(key string, ov, nv any)) {
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			bv = absent{}
		}
		diffValues(join(prefix, k), av, bv, changed)
	}
	for k, bv := range b {
		if _, ok := a[k]; !ok {
			diffValues(join(prefix, k), absent{}, bv, changed)
		}
	}
}

func diffValues(key string, av, bv any, changed func(string, any, any)) {
	am, aIsMap := av.(map[string]any)
	bm, bIsMap := bv.(map[string]any)
	switch {
	case aIsMap && bIsMap:
		diffMaps(key, am, bm, changed)
	case aIsMap:
		diffMaps(key, am, nil, changed)
		if _, gone := bv.(absent); !gone {
			changed(key, absent{}, bv)
		}
	case bIsMap:
		diffMaps(key, nil, bm, changed)
		if _, gone := av.(absent); !gone {
			changed(key, av, absent{})
		}
	case !sameLeaf(av, bv):
		changed(key, av, bv)
	}
}

// sameLeaf compares two leaves; the string case, by far the most common
// (Consul and env values), avoids reflection.
func sameLeaf(a, b any) bool {
	if as, ok := a.(string); ok {
		bs, ok := b.(string)
		return ok && as == bs
	}
	return reflect.DeepEqual(a, b)
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func (c *Config[T]) keyChange(key string, ov, nv any) KeyChange {
	kc := KeyChange{Key: key, Old: text(ov), New: text(nv), Secret: c.isSecret(key)}
	if kc.Secret {
		kc.Old, kc.New = redactIf(ov), redactIf(nv)
	}
	return kc
}

// text renders a leaf as the text an operator expects; absent is "".
func text(v any) string {
	switch v := v.(type) {
	case absent:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

func redactIf(v any) string {
	if _, gone := v.(absent); gone {
		return ""
	}
	return redacted
}
