package strata

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/strata-go/strata/provider"
)

type benchDB struct {
	DSN      string `config:"dsn" secret:"true"`
	MaxConns int    `config:"max_conns" default:"10" validate:"min=1"`
}

type benchConfig struct {
	Listen string            `config:"listen" default:":8080"`
	DB     benchDB           `config:"db"`
	Keys   map[string]string `config:"keys"`
}

func loadBench(b *testing.B, opts Options) *Config[benchConfig] {
	b.Helper()
	c, err := LoadWith[benchConfig](context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

// BenchmarkGet shows that reading the config is one atomic load with no
// allocation, and that reading fields is plain field access.
func BenchmarkGet(b *testing.B) {
	c := loadBench(b, Options{})
	b.ReportAllocs()
	sum := 0
	for b.Loop() {
		sum += c.Get().DB.MaxConns
	}
	if sum == 0 {
		b.Fatal("read nothing")
	}
}

func BenchmarkGetParallel(b *testing.B) {
	c := loadBench(b, Options{})
	b.ReportAllocs()
	var total atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		sum := 0
		for pb.Next() {
			sum += c.Get().DB.MaxConns
		}
		total.Add(int64(sum))
	})
	if total.Load() != int64(b.N)*10 {
		b.Fatalf("read %d, want %d", total.Load(), b.N*10)
	}
}

// BenchmarkReload measures one full reload (merge, decode, validate,
// compare, swap, callbacks) of a prefix with n keys, alternating between two
// contents so every iteration really changes the value. The diff variant
// also computes the list of changed keys, as it is when a Logger or OnApply
// hook is set: here every key changes, the worst case.
func BenchmarkReload(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) { benchReload(b, n, Options{}) })
		b.Run(fmt.Sprintf("keys=%d/diff", n), func(b *testing.B) {
			benchReload(b, n, Options{OnApply: func(ch Change) {
				if len(ch.Keys) < n {
					b.Errorf("%d keys changed, want at least %d", len(ch.Keys), n)
				}
			}})
		})
	}
}

func benchReload(b *testing.B, n int, opts Options) {
	c := loadBench(b, opts)
	snaps := [2][]provider.Snapshot{}
	for v := range snaps {
		keys := make(map[string]any, n)
		for i := range n {
			keys[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("value-%d-%d", i, v)
		}
		defaults, _ := c.layers[0].Load(context.Background())
		snaps[v] = []provider.Snapshot{defaults, {Data: map[string]any{"keys": keys, "db": map[string]any{"max_conns": "20"}}}}
	}
	c.names = append(c.names, "bench")
	c.status.s.Layers = append(c.status.s.Layers, LayerStatus{Name: "bench"})
	changes := 0
	c.OnChange(func(_, _ *benchConfig) { changes++ })
	h := handler[benchConfig]{c}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.Apply(snaps[i%2])
		i++
	}
	if changes != i {
		b.Fatalf("%d reloads applied %d changes", i, changes)
	}
}
