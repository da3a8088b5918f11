package strata

import (
	"context"
	"fmt"
	"testing"

	"github.com/strata-go/strata/provider"
)

// BenchmarkReloadOneKey measures the in-memory reload (merge, decode,
// validate, compare, swap, callbacks) when one key changes in a config of
// n keys: the cost that should follow the size of the change. The layer
// delivers whole snapshots, as every provider does, so each iteration gets
// a map that shares nothing with the previous one except leaf strings.
// "keys=N" changes db.max_conns, a struct field; "keys=N/map" changes one
// entry of the n-entry map field; "onapply" also builds the change list.
func BenchmarkReloadOneKey(b *testing.B) {
	for _, n := range []int{100, 1000, 10000, 100000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) { benchReloadOneKey(b, n, false, Options{}, false) })
		b.Run(fmt.Sprintf("keys=%d/map", n), func(b *testing.B) { benchReloadOneKey(b, n, true, Options{}, false) })
	}
	// A provider that reuses its previous snapshot's unchanged subtrees (the
	// same "keys" map in both contents) lets the comparison skip them: the
	// cost then follows the change alone, whatever the size.
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("keys=%d/shared", n), func(b *testing.B) { benchReloadOneKey(b, n, false, Options{}, true) })
	}
	// With an OnApply hook (or a Logger) the change list is computed too.
	b.Run("keys=10000/onapply", func(b *testing.B) {
		calls := 0
		benchReloadOneKey(b, 10000, false, Options{OnApply: func(ch Change) {
			if calls++; calls > 1 && len(ch.Keys) != 1 { // the first call adds the 10,000 keys
				b.Errorf("%d keys changed, want 1", len(ch.Keys))
			}
		}}, false)
	})
}

func benchReloadOneKey(b *testing.B, n int, inMap bool, opts Options, shared bool) {
	c := loadBench(b, opts)
	defaults, err := c.layers[0].Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	snaps := [2][]provider.Snapshot{}
	for v := range snaps {
		keys := make(map[string]any, n)
		for i := range n {
			keys[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("value-%d", i)
		}
		conns := "20"
		if inMap {
			keys[fmt.Sprintf("k%05d", n/2)] = fmt.Sprintf("changed-%d", v)
		} else {
			conns = fmt.Sprint(20 + v)
		}
		if shared && v == 1 {
			keys = snaps[0][1].Data["keys"].(map[string]any)
		}
		snaps[v] = []provider.Snapshot{defaults, {Data: map[string]any{"keys": keys, "db": map[string]any{"max_conns": conns}}}}
	}
	c.names = append(c.names, "bench")
	c.status.s.Layers = append(c.status.s.Layers, LayerStatus{Name: "bench"})
	h := handler[benchConfig]{c}
	if err := h.Apply(snaps[1]); err != nil { // the starting point: a config of n keys
		b.Fatal(err)
	}
	changes := 0
	c.OnChange(func(_, _ *benchConfig) { changes++ })
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
