package strata

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestReloadFollowsTheDelta checks how a reload uses a snapshot's
// provider.Delta. A Delta is trusted, so the cases that name less than
// what changed show that only its paths were compared: the change outside
// them is not applied. That is the provider's fault, and providertest
// catches it; here it is the proof that the Delta cut the work.
func TestReloadFollowsTheDelta(t *testing.T) {
	before := func() map[string]any {
		return map[string]any{
			"name":  "a",
			"inner": map[string]any{"port": "1", "host": "h"},
			"flags": map[string]any{"x": "1", "y": "2"},
		}
	}
	// after changes name, inner.port and flags.y.
	after := func() map[string]any {
		return map[string]any{
			"name":  "b",
			"inner": map[string]any{"port": "2", "host": "h"},
			"flags": map[string]any{"x": "1", "y": "3"},
		}
	}
	tests := []struct {
		name      string
		paths     [][]string
		otherBase bool // the Delta is relative to content never applied
		data      func() map[string]any
		want      func(m map[string]any) // the changes applied, made to before()'s data; nil: refused
	}{
		{name: "every change named", paths: [][]string{{"name"}, {"inner", "port"}, {"flags", "y"}}, data: after,
			want: func(m map[string]any) {
				m["name"], m["inner"].(map[string]any)["port"], m["flags"].(map[string]any)["y"] = "b", "2", "3"
			}},
		{name: "a map named whole", paths: [][]string{{"name"}, {"inner"}, {"flags"}}, data: after,
			want: func(m map[string]any) {
				m["name"], m["inner"].(map[string]any)["port"], m["flags"].(map[string]any)["y"] = "b", "2", "3"
			}},
		{name: "the empty path is the whole tree", paths: [][]string{{}}, data: after,
			want: func(m map[string]any) {
				m["name"], m["inner"].(map[string]any)["port"], m["flags"].(map[string]any)["y"] = "b", "2", "3"
			}},
		{name: "only the struct field named", paths: [][]string{{"inner", "port"}}, data: after,
			want: func(m map[string]any) { m["inner"].(map[string]any)["port"] = "2" }},
		{name: "only the map entry named", paths: [][]string{{"flags", "y"}}, data: after,
			want: func(m map[string]any) { m["flags"].(map[string]any)["y"] = "3" }},
		{name: "another base: compared in full", paths: [][]string{{"flags", "y"}}, otherBase: true, data: after,
			want: func(m map[string]any) {
				m["name"], m["inner"].(map[string]any)["port"], m["flags"].(map[string]any)["y"] = "b", "2", "3"
			}},
		{name: "a path below a leaf that became a map", paths: [][]string{{"name", "first"}},
			data: func() map[string]any {
				m := before()
				m["name"] = map[string]any{"first": "b"}
				return m
			},
			want: nil}, // a map where a string field is: refused, as a rebuild refuses it
		{name: "a deleted subtree", paths: [][]string{{"inner", "port"}},
			data: func() map[string]any {
				m := before()
				delete(m, "inner")
				return m
			},
			want: func(m map[string]any) { delete(m, "inner") }}, // the defaults show through
		{name: "a path to nothing", paths: [][]string{{"inner", "nothing", "deeper"}, {"absent"}}, data: before,
			want: func(map[string]any) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := before()
			c, apply, defaults := loadWithLayer[propConfig](t, base)
			next := provider.Snapshot{Data: tt.data(), Delta: &provider.Delta{Base: base, Paths: tt.paths}}
			if tt.otherBase {
				next.Delta.Base = before()
			}
			err := apply(next)
			if tt.want == nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			wantData := before()
			tt.want(wantData)
			want, err := c.build("load", []provider.Snapshot{defaults, {Data: wantData}})
			require.NoError(t, err)
			assert.Equal(t, *want.value, *c.Get())
			for i, s := range c.applied.Load().snaps {
				assert.Nil(t, s.Delta, "layer %d: an applied snapshot keeps no Delta, whose Base would hold the tree before it alive", i)
			}
		})
	}
}

// loadWithLayer returns a Config of T over its defaults and one more layer
// holding data, a function applying the next snapshot of that layer as a
// watcher's change would, and the defaults layer's snapshot.
func loadWithLayer[T any](t *testing.T, data map[string]any) (*Config[T], func(provider.Snapshot) error, provider.Snapshot) {
	t.Helper()
	c, err := LoadWith[T](context.Background(), Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	defaults, err := c.layers[0].Load(context.Background())
	require.NoError(t, err)
	c.names = append(c.names, "consul")
	c.status.s.Layers = append(c.status.s.Layers, LayerStatus{Name: "consul"})
	h := handler[T]{c}
	require.NoError(t, h.Apply([]provider.Snapshot{defaults, {Data: data}}))
	return c, func(s provider.Snapshot) error { return h.Apply([]provider.Snapshot{defaults, s}) }, defaults
}
