package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/knadh/koanf/providers/confmap"

	"github.com/strata-go/strata/bench"
)

// w2ReadsDuringReloads: one goroutine reads db.max_conns as fast as it can
// and times every read, while another reloads the whole config every
// millisecond. Reported: reader latency percentiles over all reads.
func w2ReadsDuringReloads(e *env) (section, []panel) {
	const keys = 100
	trees := [2]map[string]any{bench.TypedTree(keys, 20), bench.TypedTree(keys, 21)}
	dur := 1500 * time.Millisecond
	if e.quick {
		dur = 500 * time.Millisecond
	}

	type lib struct {
		name string
		// setup returns the read, the reload of trees[i%2], a count of
		// reloads that took effect, and a cleanup.
		setup func() (read func() int, reload func(i int), applied func() int64, done func())
	}
	libs := []lib{
		{"timer only", func() (func() int, func(int), func() int64, func()) {
			return func() int { return 20 }, nil, nil, func() {}
		}},
		{"strata", func() (func() int, func(int), func() int64, func()) {
			s, err := bench.NewStrata(trees[0])
			if err != nil {
				panic(err)
			}
			var n atomic.Int64
			s.Cfg.OnChange(func(_, _ *bench.Config) { n.Add(1) })
			return func() int { return s.Cfg.Get().DB.MaxConns },
				func(i int) { s.Mem.Set(trees[i%2]) },
				n.Load, func() { _ = s.Close() }
		}},
		{"koanf", func() (func() int, func(int), func() int64, func()) {
			k, err := bench.NewKoanf(trees[0])
			if err != nil {
				panic(err)
			}
			var n atomic.Int64
			return func() int { return k.Int("db.max_conns") },
				func(i int) {
					// koanf's documented reload of a watched provider:
					// Load again into the same instance.
					if k.Load(confmap.Provider(trees[i%2], "."), nil) == nil {
						n.Add(1)
					}
				},
				n.Load, func() {}
		}},
	}

	type acc struct {
		h              *histogram
		reads, changed int64
		reloads        int64
		applied        int64
	}
	accs := make([]acc, len(libs))
	for i := range accs {
		accs[i].h = newHistogram()
	}
	for range max(1, e.rounds()-1) {
		for i, l := range libs {
			read, reload, applied, done := l.setup()
			a := &accs[i]
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var reloads atomic.Int64
			if reload != nil {
				wg.Go(func() {
					t := time.NewTicker(time.Millisecond)
					defer t.Stop()
					for n := 1; ; n++ {
						select {
						case <-stop:
							return
						case <-t.C:
							reload(n)
							reloads.Add(1)
						}
					}
				})
			}
			start := time.Now()
			for {
				t0 := time.Now()
				v := read()
				a.h.add(time.Since(t0))
				a.reads++
				if v == 21 {
					a.changed++
				}
				if t0.Sub(start) > dur {
					break
				}
			}
			close(stop)
			wg.Wait()
			a.reloads += reloads.Load()
			if applied != nil {
				a.applied += applied()
			}
			done()
		}
	}

	t := table{head: []string{"library", "reads", "p50", "p99", "p99.9", "max", "× strata (p99.9)", "reloads sent / applied"}}
	var names []string
	var p999 []float64
	p := panel{title: "2. Read latency while reloading every 1 ms, p99.9"}
	for i, l := range libs {
		a := accs[i]
		row := []string{l.name, fmt.Sprintf("%.1f M", float64(a.reads)/1e6),
			fmtDur(a.h.percentile(50)), fmtDur(a.h.percentile(99)), fmtDur(a.h.percentile(99.9)), fmtDur(a.h.max)}
		if i == 0 {
			row = append(row, "", "no reloads")
		} else {
			row = append(row, ratio(float64(a.h.percentile(99.9)), float64(accs[1].h.percentile(99.9))),
				fmt.Sprintf("%d / %d", a.reloads, a.applied))
			names = append(names, l.name)
			p999 = append(p999, float64(a.h.percentile(99.9)))
			p.bars = append(p.bars, bar{l.name, float64(a.h.percentile(99.9)), fmtDur(a.h.percentile(99.9)) + " (max " + fmtDur(a.h.max) + ")"})
		}
		t.rows = append(t.rows, row)
	}
	t.rows = append(t.rows, []string{"viper", "unsafe (data race): not run", "", "", "", "", "", ""})
	t.rows = append(t.rows, []string{"**best** (p99.9)", best(names, p999), "", "", "", "", "", ""})
	p.bars = append(p.bars, bar{"viper", nanf(), "unsafe: data race, not run"})

	return section{
		title: "2. Reads while the config reloads every millisecond",
		intro: fmt.Sprintf(`A config of %d keys; one goroutine reloads it every 1 ms, alternating db.max_conns between 20 and 21,
while the reader times each single read with time.Now (the "timer only" row is the cost of the timing itself,
reading a constant). %d interleaved runs of %s per library; percentiles over every read.
strata: the reloader calls Set on an in-memory watching layer (the full merge/decode/validate/swap runs on
strata's reload goroutine; readers never wait for it). koanf: the reloader calls k.Load(confmap.Provider(...))
on the instance being read, which is what koanf's watch examples do.`, keys, max(1, e.rounds()-1), dur),
		tables: []table{t},
		notes: []string{
			"**viper is documented as not safe for concurrent reads and writes** (README FAQ \"Is it safe to concurrently read and write to a viper?\": " +
				"\"No, you will need to synchronize access… Concurrent reads and writes can cause a panic.\"): " +
				"Set, MergeConfigMap and ReadConfig write the maps that GetInt reads, with no lock. `go test -race` reports a data race " +
				"(reproduce: `cd bench && STRATA_BENCH_RACE_PROBE=viper go test -race -run TestRaceProbe .`), and without -race " +
				"the Go runtime may abort the process with \"concurrent map read and map write\". The report therefore does not run it.",
			"koanf's README says a Load concurrent with Get \"is not goroutine safe\", but koanf v2.4 guards its maps with a sync.RWMutex: " +
				"the same probe finds no race (`STRATA_BENCH_RACE_PROBE=koanf`). Readers wait for the lock while a Load merges, which is what its tail latency shows. " +
				"Loading into the same instance also means a key removed from the source stays (koanf merges); the alternative, a fresh instance per reload, needs the application's own atomic pointer.",
			"Reloads \"applied\" counts strata's OnChange calls: strata coalesces updates that arrive while a reload runs (latest wins), so it may apply fewer than were sent.",
		},
	}, []panel{p}
}

func nanf() float64 { var z float64; return z / z }
