package etcd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/strata-go/strata/provider"
)

// buildTree turns the keys read below prefix into a nested map, "/" nesting,
// with string leaves. Every leaf's origin is its etcd key, which
// treeRule(prefix) derives from the dotted key, except for a key with a '.'
// in a segment ("limits/a.b"): its dotted key cannot be split back into
// segments, so its origin is returned in origins, under its dotted key
// (origins is nil when no key has a '.'). Keys ending in "/" are skipped. Keys are visited in sorted order so that
// the error for a key that is both a value and a folder ("a" and "a/b"),
// or that has an empty path segment, names the same keys on every read.
func buildTree(prefix string, kvs map[string]string) (map[string]any, map[string]provider.Origin, error) {
	data := make(map[string]any)
	var origins map[string]provider.Origin // keys with a '.': few or none
	for _, k := range slices.Sorted(maps.Keys(kvs)) {
		if !strings.HasPrefix(k, prefix) || strings.HasSuffix(k, "/") {
			continue
		}
		rel := k[len(prefix):]
		// Counted before splitting: a hostile key of 30,000 segments would
		// otherwise cost a map per level before anything checks depth.
		if strings.Count(rel, "/") >= provider.MaxDepth {
			return nil, nil, fmt.Errorf("key %q: %w", shortKey(k), &provider.DepthError{})
		}
		segs := strings.Split(rel, "/")
		if slices.Contains(segs, "") {
			return nil, nil, fmt.Errorf("key %q has an empty path segment", k)
		}
		node := data
		for i, s := range segs[:len(segs)-1] {
			switch v := node[s].(type) {
			case nil:
				m := make(map[string]any)
				node[s] = m
				node = m
			case map[string]any:
				node = v
			default:
				return nil, nil, conflict(prefix+strings.Join(segs[:i+1], "/"), k)
			}
		}
		// Sorted order puts "a" before "a/b", so a leaf that is already a
		// folder cannot happen here; a folder over a leaf is caught above.
		node[segs[len(segs)-1]] = kvs[k]
		if strings.IndexByte(rel, '.') >= 0 {
			if origins == nil {
				origins = make(map[string]provider.Origin)
			}
			origins[strings.Join(segs, ".")] = provider.Origin{Kind: originKind, Ref: k}
		}
	}
	return data, origins, nil
}

// treeRule is the OriginRule of a tree-mode snapshot read below prefix: a
// leaf's origin is the etcd key its dotted key names, so no Origin and
// dotted key string is held per leaf; buildTree records the keys the rule
// cannot name.
func treeRule(prefix string) provider.OriginRule {
	return provider.OriginRule{Kind: originKind, Prefix: prefix, Sep: "/"}
}

func conflict(leaf, below string) error {
	return fmt.Errorf("key %q holds a value but key %q makes it a folder", leaf, below)
}

// maxKeyInError bounds a key quoted in an error: a key nested too deep may
// be any length.
const maxKeyInError = 200

// shortKey cuts k to maxKeyInError bytes, on a rune boundary, marking the cut.
func shortKey(k string) string {
	if len(k) <= maxKeyInError {
		return k
	}
	return strings.ToValidUTF8(k[:maxKeyInError], "") + "…"
}
