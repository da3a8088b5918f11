package strata

import (
	"context"
	"fmt"
	"testing"

	"github.com/strata-go/strata/provider"
)

type groupedConfig struct {
	Groups map[string]map[string]string `config:"groups"`
}

// BenchmarkReloadOneKeyGrouped is BenchmarkReloadOneKey's map case with the
// 10,000 keys split into 100 groups of 100 (a map of maps): a changed key
// costs the decoding of its group and a copy of the outer map, not a copy
// of a 10,000-entry map. BENCHMARKS.md §8 suggests the layout from it.
func BenchmarkReloadOneKeyGrouped(b *testing.B) {
	const n, groups = 10000, 100
	c, err := LoadWith[groupedConfig](context.Background(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	defaults, err := c.layers[0].Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var snaps [2][]provider.Snapshot
	for v := range snaps {
		data := map[string]any{}
		for i := range n {
			g := fmt.Sprintf("g%03d", i%groups)
			m, ok := data[g].(map[string]any)
			if !ok {
				m = map[string]any{}
				data[g] = m
			}
			m[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("value-%d", i)
		}
		data["g000"].(map[string]any)["k00000"] = fmt.Sprintf("changed-%d", v)
		snaps[v] = []provider.Snapshot{defaults, {Data: map[string]any{"groups": data}}}
	}
	c.names = append(c.names, "bench")
	c.status.s.Layers = append(c.status.s.Layers, LayerStatus{Name: "bench"})
	h := handler[groupedConfig]{c}
	if err := h.Apply(snaps[1]); err != nil {
		b.Fatal(err)
	}
	changes := 0
	c.OnChange(func(_, _ *groupedConfig) { changes++ })
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := h.Apply(snaps[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if changes != i {
		b.Fatalf("%d reloads applied %d changes", i, changes)
	}
}
