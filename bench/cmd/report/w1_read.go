package main

import (
	"fmt"
	"math"
	"testing"

	"github.com/strata-go/strata/bench"
)

// w1Read: read one nested typed field in a hot loop, from one goroutine
// and from RunParallel, with testing.Benchmark (the -benchmem figures).
func w1Read(e *env) (section, []panel) {
	type lib struct {
		name, call string
		single     func(*testing.B)
		parallel   func(*testing.B)
	}
	libs := []lib{
		{"strata", "`cfg.Get().DB.MaxConns`", bench.ReadStrata, bench.ReadStrataParallel},
		{"koanf", "`k.Int(\"db.max_conns\")`", bench.ReadKoanf, bench.ReadKoanfParallel},
		{"viper", "`v.GetInt(\"db.max_conns\")`", bench.ReadViper, bench.ReadViperParallel},
	}
	type res struct {
		ns            []float64
		allocs, bytes int64
	}
	single := make([]res, len(libs))
	par := make([]res, len(libs))
	for range e.rounds() {
		for i, l := range libs {
			r := testing.Benchmark(l.single)
			single[i].ns = append(single[i].ns, nsPerOp(r))
			single[i].allocs, single[i].bytes = r.AllocsPerOp(), r.AllocedBytesPerOp()
		}
		for i, l := range libs {
			r := testing.Benchmark(l.parallel)
			par[i].ns = append(par[i].ns, nsPerOp(r))
			par[i].allocs, par[i].bytes = r.AllocsPerOp(), r.AllocedBytesPerOp()
		}
	}

	t := table{head: []string{"library", "call", "ns/op, 1 goroutine", "× strata", "allocs/op", "B/op", "ns/op, RunParallel", "× strata", "allocs/op"}}
	names := make([]string, len(libs))
	var s1, sp []float64
	p := panel{title: "1. Read db.max_conns, 1 goroutine (ns/op)"}
	for i, l := range libs {
		names[i] = l.name
		m1, mp := median(single[i].ns), median(par[i].ns)
		s1, sp = append(s1, m1), append(sp, mp)
		t.rows = append(t.rows, []string{l.name, l.call,
			fmt.Sprintf("%.2f", m1), ratio(m1, median(single[0].ns)), fmt.Sprint(single[i].allocs), fmt.Sprint(single[i].bytes),
			fmt.Sprintf("%.2f", mp), ratio(mp, median(par[0].ns)), fmt.Sprint(par[i].allocs)})
		p.bars = append(p.bars, bar{l.name, m1, fmt.Sprintf("%.2f ns, %d allocs", m1, single[i].allocs)})
	}
	t.rows = append(t.rows, []string{"**best**", "", best(names, s1), "", "", "", best(names, sp), "", ""})

	return section{
		title: "1. Reading one nested typed field in a hot loop",
		intro: fmt.Sprintf(`Each library holds the same small config (db.max_conns = 20, loaded from an in-memory map)
and the loop reads db.max_conns as an int. Figures are testing.Benchmark results run from the report
(the same bodies as `+"`go test -bench Read -benchmem`"+` in bench/), median of %d interleaved rounds of 0.5 s each;
RunParallel uses GOMAXPROCS goroutines. strata's Get is one atomic pointer load and the field access is
plain Go; koanf and viper look the key up by its dotted path and convert the value on every call.`, e.rounds()),
		tables: []table{t},
	}, []panel{p}
}

// nsPerOp is the fractional ns/op (BenchmarkResult.NsPerOp truncates to
// whole nanoseconds, which hides everything below 1 ns).
func nsPerOp(r testing.BenchmarkResult) float64 {
	if r.N == 0 {
		return math.NaN()
	}
	return float64(r.T.Nanoseconds()) / float64(r.N)
}
