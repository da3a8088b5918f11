package strata

import (
	"fmt"
	"sort"
	"strings"

	"github.com/knadh/koanf/maps"

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
// left at its zero value). Secret values are redacted.
func (c *Config[T]) Explain(key string) (Explanation, bool) {
	cand := c.applied.Load()
	if cand == nil {
		return Explanation{}, false
	}
	return c.explain(cand, key)
}

// ExplainAll explains every key set by any layer, sorted by key.
func (c *Config[T]) ExplainAll() []Explanation {
	cand := c.applied.Load()
	if cand == nil {
		return nil
	}
	var keys []string
	provider.Leaves(cand.merged, func(key string, _ any) { keys = append(keys, key) })
	sort.Strings(keys)
	out := make([]Explanation, 0, len(keys))
	for _, k := range keys {
		if e, ok := c.explain(cand, k); ok {
			out = append(out, e)
		}
	}
	return out
}

func (c *Config[T]) explain(cand *candidate[T], key string) (Explanation, bool) {
	path := strings.Split(key, ".")
	e := Explanation{Key: key, Secret: c.isSecret(key)}
	found := false
	for i := len(cand.snaps) - 1; i >= 0; i-- {
		v := maps.Search(cand.snaps[i].Data, path)
		if v == nil {
			continue
		}
		if _, isMap := v.(map[string]any); isMap {
			continue
		}
		text := fmt.Sprint(v)
		if e.Secret {
			text = redacted
		}
		origin := cand.snaps[i].OriginOf(key)
		if !found {
			found = true
			e.Value, e.Layer, e.Origin = text, cand.layers[i], origin
			continue
		}
		e.Overrode = append(e.Overrode, Override{Layer: cand.layers[i], Origin: origin, Value: text})
	}
	return e, found
}
