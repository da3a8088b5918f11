package strata

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/memory"
)

// BenchmarkReloadOneKey measures the in-memory reload (merge, decode,
// validate, compare, swap, callbacks) when one key changes in a config of
// n keys: the cost that should follow the size of the change. By default
// the layer's snapshots share nothing but leaf strings, as a file read
// again does, so each reload compares every key; see snapshotMode.
// "keys=N" changes db.max_conns, a struct field; "keys=N/map" changes one
// entry of the n-entry map field; "onapply" also builds the change list.
func BenchmarkReloadOneKey(b *testing.B) {
	for _, n := range []int{100, 1000, 10000, 100000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) { benchReloadOneKey(b, n, false, Options{}, fresh) })
		b.Run(fmt.Sprintf("keys=%d/map", n), func(b *testing.B) { benchReloadOneKey(b, n, true, Options{}, fresh) })
	}
	// A provider that reuses its previous snapshot's unchanged subtrees
	// lets the comparison skip them by identity; one that also says where
	// the snapshot changed (provider.Delta) spares the walk of the map
	// that changed, so the cost follows the change alone.
	for _, n := range []int{10000, 100000} {
		for _, m := range []snapshotMode{shared, withDelta} {
			b.Run(fmt.Sprintf("keys=%d/%s", n, m), func(b *testing.B) { benchReloadOneKey(b, n, false, Options{}, m) })
			b.Run(fmt.Sprintf("keys=%d/map/%s", n, m), func(b *testing.B) { benchReloadOneKey(b, n, true, Options{}, m) })
		}
	}
	// With an OnApply hook (or a Logger) the change list is computed too.
	b.Run("keys=10000/onapply", func(b *testing.B) {
		calls := 0
		benchReloadOneKey(b, 10000, false, Options{OnApply: func(ch Change) {
			if calls++; calls > 1 && len(ch.Keys) != 1 { // the first call adds the 10,000 keys
				b.Errorf("%d keys changed, want 1", len(ch.Keys))
			}
		}}, fresh)
	})
}

// snapshotMode is how the two snapshots a benchmark alternates between
// relate to each other.
type snapshotMode int

const (
	fresh     snapshotMode = iota // nothing shared but equal leaf text: a re-read file
	shared                        // the maps off the changed key's path shared, as the Consul watcher delivers them
	withDelta                     // shared, and a provider.Delta naming the changed key
)

func (m snapshotMode) String() string { return [...]string{"fresh", "shared", "delta"}[m] }

func benchReloadOneKey(b *testing.B, n int, inMap bool, opts Options, mode snapshotMode) {
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
		if mode != fresh && v == 1 {
			prev := snaps[0][1].Data["keys"].(map[string]any)
			if inMap { // a copy of the map whose entry changed, sharing its other strings
				changed := keys[fmt.Sprintf("k%05d", n/2)]
				keys = maps.Clone(prev)
				keys[fmt.Sprintf("k%05d", n/2)] = changed
			} else {
				keys = prev
			}
		}
		snaps[v] = []provider.Snapshot{defaults, {Data: map[string]any{"keys": keys, "db": map[string]any{"max_conns": conns}}}}
	}
	if mode == withDelta {
		path := []string{"db", "max_conns"}
		if inMap {
			path = []string{"keys", fmt.Sprintf("k%05d", n/2)}
		}
		for v := range snaps { // each is the other's Base: the reloads alternate between them
			snaps[v][1].Delta = &provider.Delta{Base: snaps[1-v][1].Data, Paths: [][]string{path}}
		}
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

// BenchmarkReloadOneKeyMemory is the same change made the way an
// application's test makes it: Set on a provider/memory layer, which copies
// only the maps on the key's path and names the key in a provider.Delta,
// then the watcher's hop to the reload goroutine, until OnChange has run.
func BenchmarkReloadOneKeyMemory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, inMap := range []bool{false, true} {
			name := fmt.Sprintf("keys=%d", n)
			if inMap {
				name += "/map"
			}
			b.Run(name, func(b *testing.B) {
				keys := make(map[string]any, n)
				for i := range n {
					keys[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("value-%d", i)
				}
				layer := memory.New("memory", map[string]any{"keys": keys, "db": map[string]any{"max_conns": "20"}})
				c, err := Load[benchConfig](context.Background(), layer)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = c.Close() })
				changed := make(chan struct{}, 1)
				c.OnChange(func(_, _ *benchConfig) { changed <- struct{}{} })
				key := "db.max_conns"
				if inMap {
					key = fmt.Sprintf("keys.k%05d", n/2)
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					layer.Set(key, fmt.Sprint(21+i%2))
					<-changed
					i++
				}
			})
		}
	}
}
