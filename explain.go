package strata

import (
	"fmt"
	"sort"
	"strings"

	"github.com/knadh/koanf/maps"

	"github.com/strata-go/strata/internal/limits"
	"github.com/strata-go/strata/provider"
)

// Explanation says where a key's effective value came from.
type Explanation struct {
	// Key is the dotted config key.
	Key string `json:"key"`
	// Value is the effective value as its layer wrote it, or "[redacted]"
	// when the key is secret.
	Value string `json:"value"`
	// Secret is true when the key is secret.
	Secret bool `json:"secret"`
	// Layer names the layer that supplied the value.
	Layer string `json:"layer"`
	// Origin is the exact source: Consul key, file path, env var, tag.
	Origin provider.Origin `json:"origin"`
	// Overrode lists the lower layers that also set the key, highest
	// first; their values lost to Layer.
	Overrode []Override `json:"overrode,omitempty"`
}

// Override is a value that a higher layer replaced.
type Override struct {
	Layer  string          `json:"layer"`  // the overridden layer's name
	Origin provider.Origin `json:"origin"` // where its value came from
	Value  string          `json:"value"`  // its value, redacted when secret
}

// String renders the explanation as one line, e.g.
// `db.max_conns = 20 from consul key services/orders/db/max_conns (overrode file config.yaml, default tag Config.DB.MaxConns)`.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %s from %s", e.Key, e.Value, e.Origin)
	if len(e.Overrode) > 0 {
		parts := make([]string, len(e.Overrode))
		for i, o := range e.Overrode {
			parts[i] = fmt.Sprintf("%s=%s", o.Origin, o.Value)
		}
		fmt.Fprintf(&b, " (overrode %s)", strings.Join(parts, ", "))
	}
	return b.String()
}

// Explain reports where the current value of key came from and which
// layers it overrode. It reports false when no layer sets key (a field
// left at its zero value). Secret values are redacted, also inside lists
// and maps shown as one value.
func (c *Config[T]) Explain(key string) (Explanation, bool) {
	cand := c.applied.Load()
	if cand == nil {
		return Explanation{}, false
	}
	path := strings.Split(key, ".")
	if len(path) > limits.MaxDepth {
		return Explanation{}, false
	}
	cur := c.rootCursor()
	nodes := make([]any, len(cand.snaps))
	for i := range cand.snaps {
		nodes[i] = maps.Search(cand.snaps[i].Data, path)
	}
	for _, p := range path {
		cur = cur.key(p)
	}
	return explainLeaf(cand.layers, cand.snaps, key, cur, nodes, len(path))
}

// ExplainAll explains every key set by any layer, sorted by key. Lists are
// one key each (a higher layer replaces a list whole). It walks every
// layer's tree once, alongside the merged one, so its cost is linear in
// the size of the configuration.
func (c *Config[T]) ExplainAll() []Explanation {
	cand := c.applied.Load()
	if cand == nil {
		return nil
	}
	// Counting first costs one allocation-free pass and saves growing a
	// slice of 10k explanations several times over.
	w := explainWalk{layers: cand.layers, snaps: cand.snaps, out: make([]Explanation, 0, countLeaves(cand.mergedTree(), 0))}
	nodes := make([]any, len(cand.snaps))
	for i := range cand.snaps {
		nodes[i] = cand.snaps[i].Data
	}
	w.walk(c.rootCursor(), make(keyBuf, 0, 256), cand.mergedTree(), nodes, 0)
	sort.Slice(w.out, func(i, j int) bool { return w.out[i].Key < w.out[j].Key })
	return w.out
}

type explainWalk struct {
	layers []string
	snaps  []provider.Snapshot
	out    []Explanation
	// scratch holds, per depth, the layers' values at the key being
	// visited; siblings reuse it, since a level is done with it before
	// moving on.
	scratch [][]any
}

func (w *explainWalk) nodesAt(depth, n int) []any {
	for len(w.scratch) <= depth {
		w.scratch = append(w.scratch, make([]any, n))
	}
	return w.scratch[depth]
}

// walk visits the merged map m at key; nodes holds each layer's value at
// the same key (nil where the layer does not set it).
func (w *explainWalk) walk(cur cursor, key keyBuf, m map[string]any, nodes []any, depth int) {
	for k, v := range m {
		child := key.push(k)
		ccur := cur.key(k)
		cnodes := w.nodesAt(depth, len(nodes))
		for i, n := range nodes {
			cnodes[i] = nil
			if nm, ok := n.(map[string]any); ok {
				cnodes[i] = nm[k]
			}
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			if depth+1 < limits.MaxDepth {
				w.walk(ccur, child, sub, cnodes, depth+1)
				continue
			}
		}
		if e, ok := explainLeaf(w.layers, w.snaps, string(child), ccur, cnodes, depth+1); ok {
			w.out = append(w.out, e)
		}
	}
}

// explainLeaf builds the explanation of one key from each layer's value
// there, highest layer first. Maps are not values of their own, except
// below the depth limit, where the whole subtree is shown as tooDeep.
func explainLeaf(layers []string, snaps []provider.Snapshot, key string, cur cursor, nodes []any, depth int) (Explanation, bool) {
	e := Explanation{Key: key, Secret: cur.secret}
	found := false
	for i := len(snaps) - 1; i >= 0; i-- {
		v := nodes[i]
		if v == nil {
			continue
		}
		if _, isMap := v.(map[string]any); isMap && depth < limits.MaxDepth {
			continue
		}
		text := display(redactValue(cur, v, depth))
		origin := snaps[i].OriginOf(key)
		if !found {
			found = true
			e.Value, e.Layer, e.Origin = text, layers[i], origin
			continue
		}
		e.Overrode = append(e.Overrode, Override{Layer: layers[i], Origin: origin, Value: text})
	}
	return e, found
}

// display renders a value as Explain and change lists show it; strings,
// nearly every value from Consul and env, are shown as they are without
// going through fmt.
func display(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// countLeaves counts the keys ExplainAll may report below m.
func countLeaves(m map[string]any, depth int) int {
	n := 0
	for _, v := range m {
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 && depth+1 < limits.MaxDepth {
			n += countLeaves(sub, depth+1)
			continue
		}
		n++
	}
	return n
}
