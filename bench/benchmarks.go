package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/memory"
)

// The benchmark bodies below are shared by the go test benchmarks
// (bench_test.go) and the report generator, which runs them with
// testing.Benchmark. Each reads or rebuilds the same Config.
//
// The read benchmarks repeat their loop per library on purpose: passing the
// read as a func value would add an indirect call to every iteration, about
// as much as strata's whole read costs, and hide the difference measured.

// sink keeps the compiler from dropping the reads.
var sink atomic.Int64

// ReadStrata reads cfg.Get().DB.MaxConns in a loop.
func ReadStrata(b *testing.B) {
	s, err := NewStrata(TypedTree(10, 20))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	sum := 0
	for b.Loop() {
		sum += s.Cfg.Get().DB.MaxConns
	}
	sink.Add(int64(sum))
}

// ReadStrataParallel is ReadStrata from GOMAXPROCS goroutines.
func ReadStrataParallel(b *testing.B) {
	s, err := NewStrata(TypedTree(10, 20))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		sum := 0
		for pb.Next() {
			sum += s.Cfg.Get().DB.MaxConns
		}
		sink.Add(int64(sum))
	})
}

// ReadKoanf reads k.Int("db.max_conns") in a loop.
func ReadKoanf(b *testing.B) {
	k, err := NewKoanf(TypedTree(10, 20))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	sum := 0
	for b.Loop() {
		sum += k.Int("db.max_conns")
	}
	sink.Add(int64(sum))
}

// ReadKoanfParallel is ReadKoanf from GOMAXPROCS goroutines.
func ReadKoanfParallel(b *testing.B) {
	k, err := NewKoanf(TypedTree(10, 20))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		sum := 0
		for pb.Next() {
			sum += k.Int("db.max_conns")
		}
		sink.Add(int64(sum))
	})
}

// ReadViper reads v.GetInt("db.max_conns") in a loop.
func ReadViper(b *testing.B) {
	v, err := NewViper(TypedTree(10, 20))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	sum := 0
	for b.Loop() {
		sum += v.GetInt("db.max_conns")
	}
	sink.Add(int64(sum))
}

// ReadViperParallel is ReadViper from GOMAXPROCS goroutines (reads only:
// viper is safe for concurrent reads while nothing writes).
func ReadViperParallel(b *testing.B) {
	v, err := NewViper(TypedTree(10, 20))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		sum := 0
		for pb.Next() {
			sum += v.GetInt("db.max_conns")
		}
		sink.Add(int64(sum))
	})
}

// twoTrees returns two contents of n keys that differ in every value, so
// that alternating between them makes every reload a real change.
func twoTrees(n int) [2]map[string]any {
	return [2]map[string]any{Tree(n, 20), Tree(n, 21)}
}

// ReloadStrata measures one strata reload of an n-key snapshot already in
// memory: merge, decode, validate, compare, swap and the OnChange call,
// measured from Set until the callback has run.
func ReloadStrata(n int) func(*testing.B) {
	return func(b *testing.B) {
		trees := twoTrees(n)
		s, err := NewStrata(trees[1])
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Reload(trees[i%2])
			i++
		}
	}
}

// ReloadKoanf measures building a fresh koanf instance from an n-key map
// (koanf's documented reload: throw the old instance away and load a new
// one); typed adds Unmarshal into Config.
func ReloadKoanf(n int, typed bool) func(*testing.B) {
	return func(b *testing.B) {
		trees := twoTrees(n)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var err error
			if typed {
				_, err = KoanfTyped(trees[i%2])
			} else {
				_, err = NewKoanf(trees[i%2])
			}
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
}

// ReloadViper measures building a fresh viper instance from an n-key map
// with MergeConfigMap; typed adds Unmarshal into Config.
func ReloadViper(n int, typed bool) func(*testing.B) {
	return func(b *testing.B) {
		trees := twoTrees(n)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			var err error
			if typed {
				_, err = ViperTyped(trees[i%2])
			} else {
				_, err = NewViper(trees[i%2])
			}
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
}

// ReloadStrataOneKey measures one strata reload when one key changes in an
// n-key config, through the watching in-memory layer: db.max_conns (a
// struct field), or with inMap one entry of the n-entry "keys" map. The
// layer delivers whole snapshots that share nothing but equal leaf text, as
// a file read again does, so each reload compares every key.
func ReloadStrataOneKey(n int, inMap bool) func(*testing.B) {
	return func(b *testing.B) {
		trees := [2]map[string]any{Tree(n, 20), Tree(n, 20)}
		for v, t := range trees {
			if inMap {
				t["keys"].(map[string]any)[KeyName(n/2)] = fmt.Sprintf("changed-%d", v)
			} else {
				t["db"].(map[string]any)["max_conns"] = fmt.Sprint(20 + v)
			}
		}
		s, err := NewStrata(trees[1])
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Reload(trees[i%2])
			i++
		}
	}
}

// ReloadStrataOneKeyNamed is ReloadStrataOneKey through provider/memory,
// a layer that says where it changed: Set copies only the maps on the
// key's path and names the key in a provider.Delta, so the reload compares
// that path alone. Set's own copies are inside the measured time.
func ReloadStrataOneKeyNamed(n int, inMap bool) func(*testing.B) {
	return func(b *testing.B) {
		layer := memory.New("memory", Tree(n, 20))
		cfg, err := strata.Load[Config](context.Background(), layer)
		if err != nil {
			b.Fatal(err)
		}
		defer cfg.Close()
		applied := make(chan struct{}, 1)
		cfg.OnChange(func(_, _ *Config) { applied <- struct{}{} })
		key := "db.max_conns"
		if inMap {
			key = "keys." + KeyName(n/2)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			layer.Set(key, fmt.Sprint(21+i%2))
			<-applied
			i++
		}
	}
}
