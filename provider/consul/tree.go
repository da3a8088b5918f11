package consul

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// buildTree turns the pairs read below prefix into a nested map, "/"
// nesting, with string leaves. Every leaf's origin is its Consul key, which
// treeRule(prefix) derives from the dotted key, except for a key with a '.'
// in a segment ("limits/a.b"): its dotted key cannot be split back into
// segments, so its origin is returned in origins, under its dotted key
// (origins is nil when no key has a '.'). Folder keys (ending in "/") are
// skipped. A key that is both a value and a folder ("a" and "a/b"), or has
// an empty path segment, is an error naming the keys; pairs are never
// modified.
func buildTree(prefix string, pairs api.KVPairs) (map[string]any, map[string]provider.Origin, error) {
	return buildTreeFrom(prefix, kvPairs(pairs))
}

// treeRule is the OriginRule of a tree-mode snapshot read below prefix: a
// leaf's origin is the Consul key its dotted key names. Storing the rule
// instead of an Origin and a dotted key string per leaf is most of what
// keeps a large layer's live heap small; buildTree records the keys the
// rule cannot name.
func treeRule(prefix string) provider.OriginRule {
	return provider.OriginRule{Kind: originKind, Prefix: prefix, Sep: "/"}
}

// pairSource is a List answer's entries, whatever decoded them: Key is ""
// for an entry to skip.
type pairSource interface {
	Len() int
	Key(i int) string
	Value(i int) string
}

// kvPairs is consul/api's decoding of a List answer.
type kvPairs api.KVPairs

func (p kvPairs) Len() int           { return len(p) }
func (p kvPairs) Key(i int) string   { return keyOf(p[i]) }
func (p kvPairs) Value(i int) string { return string(p[i].Value) }

// pairList is a List answer's keys and values, in the answer's order:
// keys[i] holds vals[i], and a key of "" is an entry to skip. It is never
// modified once built, and never kept once the answer is delivered: the
// delivered tree is what the next answer is compared with (decodeList,
// patchTree).
type pairList struct{ keys, vals []string }

// pairsList is consul/api's decoding of a List answer as a pairList.
func pairsList(pairs api.KVPairs) pairList {
	l := pairList{keys: make([]string, len(pairs)), vals: make([]string, len(pairs))}
	for i, kv := range pairs {
		l.keys[i] = keyOf(kv)
		if kv != nil {
			l.vals[i] = string(kv.Value)
		}
	}
	return l
}

func (p pairList) Len() int           { return len(p.keys) }
func (p pairList) Key(i int) string   { return p.keys[i] }
func (p pairList) Value(i int) string { return p.vals[i] }

// buildTreeFrom is buildTree over any decoding of the answer.
func buildTreeFrom(prefix string, pairs pairSource) (map[string]any, map[string]provider.Origin, error) {
	n := 0
	if pairs != nil {
		n = pairs.Len()
	}
	data := make(map[string]any)
	var origins map[string]provider.Origin // keys with a '.': few or none
	// folders remembers, per dotted folder path, the key that created it,
	// to name both keys of a conflict whichever comes first.
	folders := make(map[string]string)

	// Consul answers in key order; visiting in sorted order otherwise
	// keeps the error for a conflict deterministic whatever the source.
	var order []int
	for i := 1; i < n; i++ {
		if pairs.Key(i-1) > pairs.Key(i) {
			order = make([]int, n)
			for j := range order {
				order[j] = j
			}
			slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(pairs.Key(a), pairs.Key(b)) })
			break
		}
	}

	for j := range n {
		i := j
		if order != nil {
			i = order[j]
		}
		key := pairs.Key(i)
		if key == "" || !strings.HasPrefix(key, prefix) || strings.HasSuffix(key, "/") {
			continue
		}
		rel := key[len(prefix):]
		// Counted before splitting: a hostile key of 30,000 segments
		// would otherwise cost a map per level and a dotted key per map.
		if strings.Count(rel, "/") >= provider.MaxDepth {
			return nil, nil, fmt.Errorf("key %q: %w", bounded(key), &provider.DepthError{})
		}
		// Walked in place rather than split: no slice per key.
		if rel == "" || rel[0] == '/' || strings.Contains(rel, "//") {
			return nil, nil, fmt.Errorf("key %q has an empty path segment", key)
		}
		node, start := data, 0
		for {
			j := strings.IndexByte(rel[start:], '/')
			if j < 0 {
				break
			}
			j += start
			s := rel[start:j]
			switch v := node[s].(type) {
			case nil:
				m := make(map[string]any)
				node[strings.Clone(s)] = m // see below
				folders[strings.ReplaceAll(rel[:j], "/", ".")] = key
				node = m
			case map[string]any:
				node = v
			default:
				// The leaf in the way is the key of this path.
				return nil, nil, conflict(prefix+rel[:j], key)
			}
			start = j + 1
		}
		last := rel[start:]
		if _, ok := node[last].(map[string]any); ok {
			return nil, nil, conflict(key, folders[strings.ReplaceAll(rel, "/", ".")])
		}
		// A copy of the segment, not a substring of the key: the key may
		// be part of a whole answer's keys in one string (decodeList),
		// which a map key would keep alive for as long as the tree.
		node[strings.Clone(last)] = pairs.Value(i)
		if strings.IndexByte(rel, '.') >= 0 {
			if origins == nil {
				origins = make(map[string]provider.Origin)
			}
			origins[strings.ReplaceAll(rel, "/", ".")] = provider.Origin{Kind: originKind, Ref: key}
		}
	}
	return data, origins, nil
}

func keyOf(kv *api.KVPair) string {
	if kv == nil {
		return ""
	}
	return kv.Key
}

func conflict(leaf, below string) error {
	return fmt.Errorf("key %q holds a value but key %q makes it a folder", leaf, below)
}
