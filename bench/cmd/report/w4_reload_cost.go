package main

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/hashicorp/consul/api"
	kconsul "github.com/knadh/koanf/providers/consul/v2"

	"github.com/strata-go/strata/bench"
	"github.com/strata-go/strata/provider/consul"
)

var reloadSizes = []int{100, 1000, 10000}

type benchCell struct {
	name string
	fn   func(*testing.B)
	err  *error // set by fn before it fails, to say why
}

type benchOut struct {
	ns            []float64
	allocs, bytes int64
	err           string
}

// runInterleaved runs every cell once per round, in order, rounds times.
func runInterleaved(rounds int, cells []benchCell) []benchOut {
	out := make([]benchOut, len(cells))
	for range rounds {
		for i, c := range cells {
			r := testing.Benchmark(c.fn)
			if r.N == 0 {
				out[i].err = "failed"
				if c.err != nil && *c.err != nil {
					out[i].err = "failed: " + (*c.err).Error()
				}
				continue
			}
			out[i].ns = append(out[i].ns, nsPerOp(r))
			out[i].allocs, out[i].bytes = r.AllocsPerOp(), r.AllocedBytesPerOp()
		}
	}
	return out
}

// w4ReloadCost: building the typed config from a snapshot already in
// memory (fetch excluded) and from Consul (fetch included).
func w4ReloadCost(e *env) (section, []panel) {
	sec := section{title: "4. Reload cost", intro: fmt.Sprintf(`One reload of a config with 100, 1,000 and 10,000 keys (below "keys", plus db.* and listen), median of
%d interleaved testing.Benchmark runs; allocations and bytes per reload. Every value changes on every reload (two contents alternate).

- **strata**: push the snapshot into an in-memory watching layer and wait for the OnChange callback: merge, decode into the
  struct, validate (validator tags), compare, atomic swap, callback. The same body is `+"`go test -bench Reload`"+` in bench/.
- **koanf**: a fresh instance (`+"`koanf.New` + `Load(confmap.Provider)`"+`), as koanf's README reloads; "+ Unmarshal" adds
  `+"`k.Unmarshal`"+` into the same struct. No validation.
- **viper**: a fresh instance with `+"`MergeConfigMap`"+`; "+ Unmarshal" adds `+"`v.Unmarshal`"+`. No validation. viper's MergeConfigMap
  stores the map almost as is and does its work lazily, on each Get or in Unmarshal.

strata always produces a validated typed struct, so the like-for-like rows are strata vs "+ Unmarshal".`, e.rounds())}

	var panels []panel
	// Fetch excluded.
	t := table{caption: "**Fetch excluded** (snapshot already in memory):",
		head: []string{"keys", "strata", "koanf + Unmarshal", "× strata", "viper + Unmarshal", "× strata", "koanf (map only)", "viper (map only)", "best (typed)"}}
	for _, n := range reloadSizes {
		if e.ctx.Err() != nil {
			break
		}
		cells := []benchCell{
			{"strata", bench.ReloadStrata(n), nil},
			{"koanf+u", bench.ReloadKoanf(n, true), nil},
			{"viper+u", bench.ReloadViper(n, true), nil},
			{"koanf", bench.ReloadKoanf(n, false), nil},
			{"viper", bench.ReloadViper(n, false), nil},
		}
		o := runInterleaved(e.rounds(), cells)
		m := func(i int) float64 { return median(o[i].ns) }
		cell := func(i int) string {
			return fmt.Sprintf("%s, %d allocs, %s", fmtNs(m(i)), o[i].allocs, fmtBytes(o[i].bytes))
		}
		t.rows = append(t.rows, []string{fmt.Sprint(n), cell(0), cell(1), ratio(m(1), m(0)), cell(2), ratio(m(2), m(0)),
			cell(3), cell(4), best([]string{"strata", "koanf", "viper"}, []float64{m(0), m(1), m(2)})})
		if n == 1000 {
			panels = append(panels, panel{title: "4. Reload of 1,000 keys into the typed struct, fetch excluded", bars: []bar{
				{"strata", m(0), fmtNs(m(0))}, {"koanf + Unmarshal", m(1), fmtNs(m(1))}, {"viper + Unmarshal", m(2), fmtNs(m(2))},
			}})
		}
	}
	sec.tables = append(sec.tables, t)
	sec.tables = append(sec.tables, growth(t))

	if e.agent == nil {
		sec.notes = append(sec.notes, "Fetch included: not run (STRATA_CONSUL_BIN was not set).")
		return sec, panels
	}
	ft, err := w4Fetch(e)
	if err != nil {
		sec.notes = append(sec.notes, "Fetch included: failed: "+err.Error())
		return sec, panels
	}
	sec.tables = append(sec.tables, ft)
	sec.notes = append(sec.notes,
		"Fetch included: strata = the consul layer's own read (`Provider.Load`: one KV List of the prefix, or one GET of the document key "+
			"in document mode, `consul.Options{Key: …}`) then the reload above; "+
			"koanf = its consul provider's `Read` (one List) + a fresh instance + `Unmarshal` (the provider returns the full Consul keys unsplit, so they go "+
			"through `confmap.Provider(m, \"/\")` to nest them; see PEERS.md); viper = a new instance + `AddRemoteProvider` + "+
			"`ReadRemoteConfig` (one GET of a key holding the same content as a JSON document, which viper then parses) + `Unmarshal`. "+
			"viper's remote support builds a new Consul client, and so opens a new connection, on every read; "+
			"the connections stay idle for 90 s, so the agent's limit of 200 connections per client address is raised for this report "+
			"(a fast reload loop with viper would otherwise be refused with 429 \"too many concurrent connections\").",
		"A prefix costs more to fetch than one document of the same content: Consul's List answer carries every key's metadata and a "+
			"base64 value. Compare strata with koanf on prefixes and with viper on documents.")
	return sec, panels
}

// growth derives the 1,000→10,000 and 100→1,000 cost ratios from the
// fetch-excluded table's first three columns.
func growth(t table) table {
	g := table{caption: "Growth of the typed reload (time per reload at 10× the keys):", head: []string{"library", "100 → 1,000 keys", "1,000 → 10,000 keys"}}
	if len(t.rows) < 3 {
		return g
	}
	parse := func(s string) float64 {
		var v float64
		var unit string
		if _, err := fmt.Sscanf(s, "%f %s", &v, &unit); err != nil {
			return math.NaN()
		}
		return v * map[string]float64{"ns,": 1, "µs,": 1e3, "ms,": 1e6, "s,": 1e9}[unit]
	}
	for _, c := range []struct {
		col  int
		name string
	}{{1, "strata"}, {2, "koanf + Unmarshal"}, {4, "viper + Unmarshal"}} {
		a, b, d := parse(t.rows[0][c.col]), parse(t.rows[1][c.col]), parse(t.rows[2][c.col])
		g.rows = append(g.rows, []string{c.name, fmt.Sprintf("×%.1f", b/a), fmt.Sprintf("×%.1f", d/b)})
	}
	return g
}

func w4Fetch(e *env) (table, error) {
	writer, err := e.agent.Client(nil)
	if err != nil {
		return table{}, err
	}
	t := table{caption: "**Fetch included** (read from the Consul dev agent, then build the typed struct):",
		head: []string{"keys", "strata, prefix", "koanf, prefix, + Unmarshal", "× strata (prefix)", "strata, document", "viper, document, + Unmarshal", "× strata (document)", "best"}}
	ctx := context.WithoutCancel(e.ctx)
	for _, n := range reloadSizes {
		if e.ctx.Err() != nil {
			break
		}
		// Two contents (max_conns 20 and 21) in two prefixes and two
		// documents, so that every strata reload is a real change.
		var prefixes, docs [2]string
		seed := map[string]string{}
		for v := range 2 {
			prefixes[v] = fmt.Sprintf("bench/w4/n%d/%c/", n, 'a'+v)
			docs[v] = fmt.Sprintf("bench/w4/n%d/%c.json", n, 'a'+v)
			for k, val := range bench.Pairs(prefixes[v], n, 20+v) {
				seed[k] = val
			}
			seed[docs[v]] = string(bench.Document(n, 20+v))
		}
		if err := bench.Seed(writer, seed); err != nil {
			return t, err
		}
		var errs [4]error
		fatal := func(b *testing.B, i int, err error) {
			errs[i] = err
			b.FailNow()
		}
		strataCell := func(doc bool, slot int) func(b *testing.B) {
			return func(b *testing.B) {
				var ps [2]*consul.Provider
				for v := range 2 {
					o := consul.Options{Prefix: prefixes[v], Config: e.agent.Config(nil)}
					if doc {
						o = consul.Options{Key: docs[v], Config: e.agent.Config(nil)}
					}
					ps[v] = consul.New(o)
				}
				s, err := bench.NewStrata(bench.Tree(n, 19))
				if err != nil {
					fatal(b, slot, err)
				}
				defer s.Close()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					snap, err := ps[i%2].Load(ctx)
					if err != nil {
						fatal(b, slot, err)
					}
					s.Reload(snap.Data)
					i++
				}
				if got := s.Cfg.Get(); len(got.Keys) != n {
					fatal(b, slot, fmt.Errorf("strata read %d keys, want %d", len(got.Keys), n))
				}
			}
		}
		koanfCell := func(b *testing.B) {
			var ps [2]*kconsul.Consul
			for v := range 2 {
				p, err := kconsul.Provider(kconsul.Config{Key: prefixes[v], Recurse: true, Cfg: &api.Config{Address: e.agent.Addr}})
				if err != nil {
					fatal(b, 2, err)
				}
				ps[v] = p
			}
			b.ReportAllocs()
			i := 0
			var c *bench.Config
			for b.Loop() {
				var err error
				if c, err = koanfTyped(ps[i%2], prefixes[i%2]); err != nil {
					fatal(b, 2, err)
				}
				i++
			}
			if len(c.Keys) != n || c.DB.MaxConns < 20 {
				fatal(b, 2, fmt.Errorf("koanf read %d keys, max_conns %d", len(c.Keys), c.DB.MaxConns))
			}
		}
		viperCell := func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			var c bench.Config
			for b.Loop() {
				v, err := viperRemote(e.agent.Addr, docs[i%2])
				if err != nil {
					fatal(b, 3, err)
				}
				c = bench.Config{}
				if err := v.Unmarshal(&c); err != nil {
					fatal(b, 3, err)
				}
				i++
			}
			if len(c.Keys) != n || c.DB.MaxConns < 20 {
				fatal(b, 3, fmt.Errorf("viper read %d keys, max_conns %d", len(c.Keys), c.DB.MaxConns))
			}
		}
		o := runInterleaved(max(1, e.rounds()-1), []benchCell{
			{"strata", strataCell(false, 0), &errs[0]}, {"strata doc", strataCell(true, 1), &errs[1]},
			{"koanf", koanfCell, &errs[2]}, {"viper", viperCell, &errs[3]},
		})
		m := func(i int) float64 {
			if o[i].err != "" {
				return math.NaN()
			}
			return median(o[i].ns)
		}
		cell := func(i int) string {
			if o[i].err != "" {
				return o[i].err
			}
			return fmt.Sprintf("%s, %d allocs, %s", fmtNs(m(i)), o[i].allocs, fmtBytes(o[i].bytes))
		}
		t.rows = append(t.rows, []string{fmt.Sprint(n), cell(0), cell(2), ratio(m(2), m(0)), cell(1), cell(3), ratio(m(3), m(1)),
			best([]string{"strata (prefix)", "strata (document)", "koanf", "viper"}, []float64{m(0), m(1), m(2), m(3)})})
	}
	return t, nil
}
