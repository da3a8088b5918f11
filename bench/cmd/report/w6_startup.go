package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/consul/api"
	kconsul "github.com/knadh/koanf/providers/consul/v2"
	"github.com/knadh/koanf/v2"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/bench"
	"github.com/strata-go/strata/provider/consul"
)

// w6Startup: time until a 1,000-key prefix is loaded into the typed
// struct, and the requests made to Consul by then plus 300 ms (the watch
// having started where the library watches).
func w6Startup(e *env) (section, []panel) {
	const title = "6. Start-up: loading a 1,000-key prefix"
	if e.agent == nil {
		return notRun(title), nil
	}
	const n = 1000
	runs := 5
	if e.quick {
		runs = 2
	}
	writer, err := e.agent.Client(nil)
	if err != nil {
		return section{title: title, intro: "failed: " + err.Error()}, nil
	}
	prefix, doc := "bench/w6/tree/", "bench/w6/doc.json"
	seed := bench.Pairs(prefix, n, 20)
	seed[doc] = string(bench.Document(n, 20))
	if err := bench.Seed(writer, seed); err != nil {
		return section{title: title, intro: "failed: " + err.Error()}, nil
	}

	type res struct {
		times []time.Duration
		reqs  []int64
		err   string
	}
	names := []string{"strata (prefix)", "strata (document)", "koanf (prefix)", "viper (document)"}
	out := make([]res, len(names))
	var closers []func()
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	settle := 300 * time.Millisecond
	for range runs {
		// strata: Load returns with the config decoded, validated and
		// watched; once on the prefix, once on the same content as a document.
		for slot, o := range []consul.Options{{Prefix: prefix}, {Key: doc}} {
			ct := bench.NewCountingTransport()
			o.Config = e.agent.Config(ct)
			t0 := time.Now()
			cfg, err := strata.Load[bench.Config](e.ctx, consul.New(o))
			d := time.Since(t0)
			if err != nil || len(cfg.Get().Keys) != n {
				out[slot].err = fmt.Sprint("failed: ", err)
				ct.Close()
				continue
			}
			time.Sleep(settle)
			out[slot].times, out[slot].reqs = append(out[slot].times, d), append(out[slot].reqs, ct.Count())
			_ = cfg.Close()
			ct.Close()
		}
		// koanf: Load + Unmarshal, then Watch with the reload callback.
		func() {
			px, err := bench.NewProxy(e.agent.Addr)
			if err != nil {
				out[2].err = err.Error()
				return
			}
			// The watch cannot be stopped, so the proxy stays up to the end.
			closers = append(closers, px.Close)
			t0 := time.Now()
			prov, err := kconsul.Provider(kconsul.Config{Key: prefix, Recurse: true, Cfg: &api.Config{Address: px.Addr}})
			if err != nil {
				out[2].err = err.Error()
				return
			}
			c, err := koanfTyped(prov, prefix)
			if err != nil || len(c.Keys) != n {
				out[2].err = fmt.Sprint("failed: ", err)
				return
			}
			d := time.Since(t0)
			_ = prov.Watch(func(_ any, err error) {
				if err == nil {
					fresh := koanf.New("/")
					_ = fresh.Load(prov, nil)
				}
			})
			time.Sleep(settle)
			out[2].times, out[2].reqs = append(out[2].times, d), append(out[2].reqs, px.Count())
		}()
		// viper: ReadRemoteConfig + Unmarshal; its watch is a poll that
		// sends nothing before its first interval.
		func() {
			px, err := bench.NewProxy(e.agent.Addr)
			if err != nil {
				out[3].err = err.Error()
				return
			}
			defer px.Close()
			t0 := time.Now()
			v, err := viperRemote(px.Addr, doc)
			if err != nil {
				out[3].err = err.Error()
				return
			}
			var c bench.Config
			if err := v.Unmarshal(&c); err != nil || len(c.Keys) != n {
				out[3].err = fmt.Sprint("failed: ", err)
				return
			}
			d := time.Since(t0)
			time.Sleep(settle)
			out[3].times, out[3].reqs = append(out[3].times, d), append(out[3].reqs, px.Count())
		}()
	}

	t := table{head: []string{"library", "time to typed config (median)", "× strata (same mode)", "requests by then + 300 ms", "what they are"}}
	what := []string{
		"1 List of the prefix + the watch's first blocking query (in flight)",
		"1 GET of the key + the watch's first blocking query (in flight)",
		"1 List (Read) + the watch plan's first List (no index) + 1 List from the reload in the first callback + the blocking query in flight",
		"1 GET of the document key; polling starts after its first interval",
	}
	meds := make([]float64, len(names))
	p := panel{title: "6. Start-up, 1,000 keys: time to typed config"}
	for i, name := range names {
		if out[i].err != "" || len(out[i].times) == 0 {
			meds[i] = nanf()
			t.rows = append(t.rows, []string{name, out[i].err, "", "", what[i]})
			continue
		}
		ts := slices.Clone(out[i].times)
		slices.Sort(ts)
		meds[i] = float64(percentile(ts, 50))
		rs := slices.Clone(out[i].reqs)
		slices.Sort(rs)
		t.rows = append(t.rows, []string{name, fmtDur(percentile(ts, 50)), ratio(meds[i], meds[[]int{0, 1, 0, 1}[i]]), fmt.Sprint(rs[len(rs)/2]), what[i]})
		p.bars = append(p.bars, bar{name, meds[i], fmtDur(percentile(ts, 50))})
	}
	t.rows = append(t.rows, []string{"**best**", best(names, meds), "", "", ""})
	return section{
		title: title,
		intro: fmt.Sprintf(`From nothing to a typed, usable config read from a 1,000-key prefix (viper, which has no prefix mode: a key holding the
same content as a JSON document; strata is run both ways, and each peer is compared with strata in the same mode), median of %d interleaved runs; each library gets a fresh client. Requests are counted with a counting
http.RoundTripper in the http.Client of strata's api.Config and with a counting loopback HTTP proxy in front of the agent for koanf and viper,
whose watches build their own clients from an address.`, runs),
		tables: []table{t},
		notes:  []string{"strata's time includes validation and starting the watcher; koanf's and viper's include Unmarshal into the same struct (no validation)."},
	}, []panel{p}
}
