package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/bench"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// w7OutageRecovery: how soon strata sees the first change after Consul
// comes back, and how many requests it sent while Consul was down, for
// outages of several lengths and three retry settings: the default (the
// one chosen from this table) and the two it was chosen against.
func w7OutageRecovery(e *env) (section, []panel) {
	const title = "7. Recovery after an outage"
	if e.agent == nil {
		return notRun(title), nil
	}
	fail := func(err error) (section, []panel) {
		return section{title: title, intro: "failed: " + err.Error()}, nil
	}
	outages, rounds := []time.Duration{2 * time.Second, 10 * time.Second, 30 * time.Second}, 2
	if e.quick {
		outages, rounds = []time.Duration{2 * time.Second, 5 * time.Second}, 1
	}
	const (
		perSetting = 8                // watchers per setting, on the same agent
		recoverMax = 40 * time.Second // then the sample counts as "not recovered"
	)
	settings := []struct {
		name    string
		backoff provider.Backoff
	}{
		{"default: retries 1–2 s apart while unreachable", provider.Backoff{}},
		{"Backoff{Max: 1s}: 100 ms doubling to 1 s", provider.Backoff{Max: time.Second}},
		{"Backoff{Max: 30s}: 100 ms doubling to 30 s (the old default)", provider.Backoff{Max: 30 * time.Second}},
	}

	// An agent of its own: this workload kills it again and again.
	agent, err := bench.StartAgent(e.agent.Bin)
	if err != nil {
		return fail(err)
	}
	defer func() { _ = agent.Kill() }()
	writer, err := agent.Client(nil)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()

	type watcher struct {
		setting int
		prefix  string
		ct      *bench.CountingTransport
		obs     *observer
	}
	var ws []*watcher
	defer func() {
		for _, w := range ws {
			w.ct.Close()
		}
	}()
	write := func(w *watcher, v int) error {
		ops := api.TxnOps{}
		for k, val := range bench.Pairs(w.prefix, 3, v) {
			ops = append(ops, &api.TxnOp{KV: &api.KVTxnOp{Verb: api.KVSet, Key: k, Value: []byte(val)}})
		}
		ok, _, _, err := writer.Txn().Txn(ops, nil)
		if err == nil && !ok {
			err = fmt.Errorf("txn on %s rolled back", w.prefix)
		}
		return err
	}
	for s, st := range settings {
		for i := range perSetting {
			w := &watcher{setting: s, prefix: fmt.Sprintf("bench/w7/%d-%d/", s, i), ct: bench.NewCountingTransport()}
			ws = append(ws, w)
			if err := write(w, 1); err != nil {
				return fail(err)
			}
			cfg, err := strata.Load[bench.Config](ctx, consul.New(consul.Options{Prefix: w.prefix, Config: agent.Config(w.ct), Backoff: st.backoff}))
			if err != nil {
				return fail(err)
			}
			defer cfg.Close()
			w.obs = newObserver(strconv.Itoa(cfg.Get().DB.MaxConns))
			cfg.OnChange(func(_, n *bench.Config) { w.obs.saw(strconv.Itoa(n.DB.MaxConns)) })
		}
	}

	type cell struct {
		recovery []time.Duration
		missed   int
		requests []int64
		down     float64 // seconds from the kill to Consul answering, summed over samples
	}
	cells := make([][]cell, len(settings)) // [setting][outage]
	for s := range cells {
		cells[s] = make([]cell, len(outages))
	}
	seq := 1
	for round := range rounds {
		for oi, outage := range outages {
			if e.ctx.Err() != nil {
				return fail(e.ctx.Err())
			}
			e.logf("  round %d/%d: outage %s", round+1, rounds, outage)
			before := make([]int64, len(ws))
			for i, w := range ws {
				before[i] = w.ct.Count()
			}
			killed := time.Now()
			if err := agent.Kill(); err != nil {
				return fail(err)
			}
			time.Sleep(outage)
			if err := agent.Start(); err != nil { // returns once a KV write succeeds
				return fail(err)
			}
			answering := time.Now()
			seq++
			for i, w := range ws {
				w.obs.drain()
				c := &cells[w.setting][oi]
				c.requests = append(c.requests, w.ct.Count()-before[i])
				c.down += answering.Sub(killed).Seconds()
				if err := write(w, seq); err != nil {
					return fail(err)
				}
			}
			want := strconv.Itoa(seq)
			for _, w := range ws {
				c := &cells[w.setting][oi]
				at, ok := w.obs.await(want, time.Until(answering.Add(recoverMax)))
				if !ok {
					c.missed++
					continue
				}
				c.recovery = append(c.recovery, at.Sub(answering))
			}
		}
	}

	t := table{head: []string{"retry setting", "outage", "samples", "recovery p50", "p90", "p99", "max", "requests while down, mean", "per second down"}}
	row := func(name, outage string, rec []time.Duration, missed int, reqs []int64, secs float64) {
		slices.Sort(rec)
		var sum int64
		for _, r := range reqs {
			sum += r
		}
		mean := float64(sum) / float64(len(reqs))
		at := func(p float64) string { return fmtDur(percentile(rec, p).Round(time.Millisecond)) }
		maxCell := at(100)
		if missed > 0 {
			maxCell = fmt.Sprintf("%d not within %s", missed, recoverMax)
		}
		t.rows = append(t.rows, []string{name, outage, strconv.Itoa(len(rec) + missed),
			at(50), at(90), at(99), maxCell, trim(mean), trim(mean / secs)})
	}
	for s, st := range settings {
		var allRec []time.Duration
		var allReqs []int64
		allMissed, allDown := 0, 0.0
		for oi, outage := range outages {
			c := cells[s][oi]
			row(st.name, outage.String(), slices.Clone(c.recovery), c.missed, c.requests, c.down/float64(len(c.requests)))
			allRec, allReqs, allMissed = append(allRec, c.recovery...), append(allReqs, c.requests...), allMissed+c.missed
			allDown += c.down
		}
		row(st.name, "**all**", allRec, allMissed, allReqs, allDown/float64(len(allReqs)))
	}
	return section{
		title: title,
		intro: fmt.Sprintf(`Measured %s (this section can be refreshed alone: `+"`cd bench && go run ./cmd/report -only 7`"+`).
%d strata configs per retry setting, each with its own Consul client and 6-key prefix, watch one dev agent
of their own. The agent is killed (SIGKILL) for each outage length in turn, %d round(s), then started again on the same ports
(a dev agent comes back empty, its index reset). **Recovery** runs from the moment Consul answers again (the harness's start-up
check, a KV write, has just succeeded) to the OnChange call that shows the value each prefix is then given (written one prefix
after the other, a few ms each, included); **requests** are every HTTP request a watcher's client sent from the kill to that moment,
failed ones included (a counting http.RoundTripper; the query parked at the kill was sent before it and is not counted),
and "per second down" divides them by that time (the outage plus the agent's start-up). With the default Wait (5 min). p99 is the nearest-rank percentile, which
for small sample counts is the maximum.`, time.Now().UTC().Format("2006-01-02 15:04 MST"), perSetting, rounds),
		tables: []table{t},
		notes: []string{
			"The default was chosen from this table (rule 6 in docs/consul.md): a backoff that keeps growing protects a server that is already down " +
				"and delays recovery by up to its cap after a long outage; a cap of 1 s retries up to twice a second. Retries drawn from [1 s, 2 s] " +
				"send at most one request a second and see the first change within about 2 s of Consul answering, after an outage of any length. " +
				"Permission and TLS errors are still retried at least 30 s apart, other errors back off to 30 s.",
		},
	}, nil
}
