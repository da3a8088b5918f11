package bench

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/knadh/koanf/providers/confmap"
)

// TestRaceProbe backs the "safe to read while reloading?" claims of
// BENCHMARKS.md. Run it under the race detector, one library at a time:
//
//	STRATA_BENCH_RACE_PROBE=strata go test -race -run TestRaceProbe .
//	STRATA_BENCH_RACE_PROBE=koanf  go test -race -run TestRaceProbe .
//	STRATA_BENCH_RACE_PROBE=viper  go test -race -run TestRaceProbe .
//
// strata and koanf pass; viper fails with "race detected". It is skipped
// unless the variable names a library, so a plain `go test` stays green.
func TestRaceProbe(t *testing.T) {
	trees := [2]map[string]any{TypedTree(10, 20), TypedTree(10, 21)}
	var read func() int
	var reload func(i int)
	switch lib := os.Getenv("STRATA_BENCH_RACE_PROBE"); lib {
	case "strata":
		s, err := NewStrata(trees[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		read = func() int { return s.Cfg.Get().DB.MaxConns }
		reload = func(i int) { s.Mem.Set(trees[i%2]) }
	case "koanf":
		k, err := NewKoanf(trees[0])
		if err != nil {
			t.Fatal(err)
		}
		read = func() int { return k.Int("db.max_conns") }
		reload = func(i int) { _ = k.Load(confmap.Provider(trees[i%2], "."), nil) }
	case "viper":
		v, err := NewViper(trees[0])
		if err != nil {
			t.Fatal(err)
		}
		read = func() int { return v.GetInt("db.max_conns") }
		reload = func(i int) { _ = v.MergeConfigMap(trees[i%2]) }
	default:
		t.Skip("set STRATA_BENCH_RACE_PROBE to strata, koanf or viper and run with -race")
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				reload(i)
				time.Sleep(100 * time.Microsecond)
			}
		}
	})
	seen := map[int]bool{}
	for deadline := time.Now().Add(300 * time.Millisecond); time.Now().Before(deadline); {
		seen[read()] = true
	}
	close(stop)
	wg.Wait()
	if !seen[20] && !seen[21] {
		t.Fatalf("read neither value: %v", seen)
	}
}
