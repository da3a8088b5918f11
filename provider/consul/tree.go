package consul

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// buildTree turns the pairs read below prefix into a nested map, "/"
// nesting, with string leaves, and the origin of every leaf under its
// dotted key. Folder keys (ending in "/") are skipped. A key that is both a
// value and a folder ("a" and "a/b"), or has an empty path segment, is an
// error naming the keys; pairs are never modified.
func buildTree(prefix string, pairs api.KVPairs) (map[string]any, map[string]provider.Origin, error) {
	data := make(map[string]any)
	origins := make(map[string]provider.Origin, len(pairs))
	// folders remembers, per dotted folder path, the key that created it,
	// to name both keys of a conflict whichever comes first.
	folders := make(map[string]string)

	// Consul answers in key order; sorting a copy otherwise keeps the
	// error for a conflict deterministic whatever the source.
	byKey := func(a, b *api.KVPair) int { return strings.Compare(keyOf(a), keyOf(b)) }
	if !slices.IsSortedFunc(pairs, byKey) {
		pairs = slices.Clone(pairs)
		slices.SortFunc(pairs, byKey)
	}

	for _, kv := range pairs {
		if kv == nil || !strings.HasPrefix(kv.Key, prefix) || strings.HasSuffix(kv.Key, "/") {
			continue
		}
		rel := kv.Key[len(prefix):]
		// Counted before splitting: a hostile key of 30,000 segments
		// would otherwise cost a map per level and a dotted key per map.
		if strings.Count(rel, "/") >= provider.MaxDepth {
			return nil, nil, fmt.Errorf("key %q: %w", bounded(kv.Key), &provider.DepthError{})
		}
		segs := strings.Split(rel, "/")
		if slices.Contains(segs, "") {
			return nil, nil, fmt.Errorf("key %q has an empty path segment", kv.Key)
		}
		node := data
		for i, s := range segs[:len(segs)-1] {
			switch v := node[s].(type) {
			case nil:
				m := make(map[string]any)
				node[s] = m
				folders[strings.Join(segs[:i+1], ".")] = kv.Key
				node = m
			case map[string]any:
				node = v
			default:
				return nil, nil, conflict(origins[strings.Join(segs[:i+1], ".")].Ref, kv.Key)
			}
		}
		dotted := strings.Join(segs, ".")
		last := segs[len(segs)-1]
		if _, ok := node[last].(map[string]any); ok {
			return nil, nil, conflict(kv.Key, folders[dotted])
		}
		node[last] = string(kv.Value)
		origins[dotted] = provider.Origin{Kind: originKind, Ref: kv.Key}
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
