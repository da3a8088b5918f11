package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/bench"
)

const viperPollEvery = time.Second

// w3ChangeLatency: a value changes in Consul; how long until the
// application sees it? t0 is taken just before the PUT is sent, t1 when the
// application can read the new value (see the section text per library).
func w3ChangeLatency(e *env) (section, []panel) {
	const title = "3. Consul change → the application sees the new value"
	if e.agent == nil {
		return notRun(title), nil
	}
	changes := 200
	if e.quick {
		changes = 30
	}
	sec := section{title: title, intro: fmt.Sprintf(`One key (db.max_conns) changes in a prefix of 10 or 1,000 keys on the dev agent; %d changes per library
and size. **t0** is taken just before the PUT is sent (so the PUT's own round trip and commit are included);
**t1** is when the application can read the new value:

- **raw floor**: a bare consul/api loop, KV().List(prefix) with WaitIndex, returns and the new value is in the answer;
- **strata**: the OnChange callback runs (after merge, decode, validation and the atomic swap); consul layer with default options;
- **koanf**: koanf's consul provider Watch fires (a consul/api keyprefix watch plan: blocking queries on the prefix),
  the callback loads a fresh koanf instance from the provider (a second List, as koanf's consul example does) and publishes it;
- **viper**: viper's remote support reads one key holding a JSON document (it has no prefix mode; the document has the same
  10 or 1,000 keys). Its README's watch is a goroutine that sleeps, calls WatchRemoteConfig (a plain GET, no blocking query)
  and reads; the README sleeps 5 s, here %s, so latency is the poll phase plus the GET: about half the interval on average.

raw, strata and koanf take turns (one change each, in rotation, 60 ms apart, so that strata's 100 ms minimum gap between
fetches never delays a change); viper's poller runs alongside on its own key, with changes at random phases, as many as
fit in the same time (at most %d).`, changes, viperPollEvery, changes)}

	var panels []panel
	t := table{head: []string{"keys", "library", "changes seen", "p50", "p90", "p99", "max", "× strata (p50)", "best (p50)"}}
	for _, n := range []int{10, 1000} {
		if e.ctx.Err() != nil {
			break
		}
		rows, p, err := w3Size(e, n, changes)
		if err != nil {
			sec.notes = append(sec.notes, fmt.Sprintf("%d keys: failed: %v", n, err))
			continue
		}
		t.rows = append(t.rows, rows...)
		if n == 1000 {
			panels = append(panels, p)
		}
	}
	sec.tables = []table{t}
	sec.notes = append(sec.notes,
		"viper's other watch, WatchRemoteConfigOnChannel (crypt's blocking query on the key), is not measured here: "+
			"it decodes each answer into the live config from its own goroutine with no lock and no notification, "+
			"so an application cannot observe the change without a data race (see workload 5 for its request counts).",
		"koanf and viper keep goroutines running after the measurement: koanf's Watch cannot be stopped, and viper's "+
			"channel watch has no quit path (see PEERS.md).")
	return sec, panels
}

type w3contender struct {
	name string
	key  string
	obs  *observer
	put  func(seq int) []byte
}

func w3Size(e *env, n, changes int) ([][]string, panel, error) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	writer, err := e.agent.Client(nil)
	if err != nil {
		return nil, panel{}, err
	}
	base := fmt.Sprintf("bench/w3/n%d/", n)
	seed := map[string]string{}
	for _, name := range []string{"raw", "strata", "koanf"} {
		for k, v := range bench.Pairs(base+name+"/", n, 1) {
			seed[k] = v
		}
	}
	viperKey := base + "viper.json"
	seed[viperKey] = string(bench.Document(n, 1))
	if err := bench.Seed(writer, seed); err != nil {
		return nil, panel{}, err
	}

	rawC, _ := e.agent.Client(nil)
	raw := rawWatch(ctx, rawC, base+"raw/", 0)
	so, cfg, err := strataWatch(ctx, e.agent.Config(nil), base+"strata/", 0)
	if err != nil {
		return nil, panel{}, fmt.Errorf("strata: %w", err)
	}
	defer cfg.Close()
	ko, _, err := koanfWatch(e.agent.Addr, base+"koanf/")
	if err != nil {
		return nil, panel{}, fmt.Errorf("koanf: %w", err)
	}
	vo, err := viperPoll(ctx, e.agent.Addr, viperKey, viperPollEvery)
	if err != nil {
		return nil, panel{}, fmt.Errorf("viper: %w", err)
	}
	str := func(seq int) []byte { return []byte(strconv.Itoa(seq)) }
	rot := []w3contender{
		{"raw floor", base + "raw/db/max_conns", raw, str},
		{"strata", base + "strata/db/max_conns", so, str},
		{"koanf", base + "koanf/db/max_conns", ko, str},
	}
	time.Sleep(300 * time.Millisecond) // every watcher is parked in its first blocking query
	for _, c := range rot {
		c.obs.drain()
	}

	put := func(key string, val []byte) (time.Time, error) {
		t0 := time.Now()
		_, err := writer.KV().Put(&api.KVPair{Key: key, Value: val}, nil)
		return t0, err
	}

	// viper alongside, on its own key.
	var viperLat []time.Duration
	viperMissed := 0
	stopViper := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for seq := 100000; len(viperLat)+viperMissed < changes; seq++ {
			doc := bench.Document(n, seq)
			select {
			case <-stopViper:
				return
			case <-time.After(time.Duration(rand.Int64N(int64(300 * time.Millisecond)))):
			}
			t0, err := put(viperKey, doc)
			if err != nil {
				viperMissed++
				continue
			}
			if at, ok := vo.await(strconv.Itoa(seq), 3*viperPollEvery); ok {
				viperLat = append(viperLat, at.Sub(t0))
			} else {
				viperMissed++
			}
		}
	})

	lat := make([][]time.Duration, len(rot))
	missed := make([]int, len(rot))
	for i := 0; i < changes*len(rot) && ctx.Err() == nil; i++ {
		c := rot[i%len(rot)]
		seq := 2 + i
		t0, err := put(c.key, c.put(seq))
		if err != nil {
			missed[i%len(rot)]++
			continue
		}
		if at, ok := c.obs.await(strconv.Itoa(seq), 3*time.Second); ok {
			lat[i%len(rot)] = append(lat[i%len(rot)], at.Sub(t0))
		} else {
			missed[i%len(rot)]++
		}
		time.Sleep(60 * time.Millisecond)
	}
	close(stopViper)
	wg.Wait()

	names := []string{"raw floor", "strata", "koanf", fmt.Sprintf("viper (poll %s)", viperPollEvery)}
	all := append(lat, viperLat)
	miss := append(missed, viperMissed)
	p50s := make([]float64, len(all))
	for i := range all {
		slices.Sort(all[i])
		p50s[i] = float64(percentile(all[i], 50))
	}
	var rows [][]string
	p := panel{title: fmt.Sprintf("3. Consul change → app sees it, p50, %d keys", n)}
	for i, name := range names {
		s := all[i]
		seen := fmt.Sprintf("%d", len(s))
		if miss[i] > 0 {
			seen += fmt.Sprintf(" (%d missed)", miss[i])
		}
		rows = append(rows, []string{fmt.Sprint(n), name, seen,
			fmtDur(percentile(s, 50)), fmtDur(percentile(s, 90)), fmtDur(percentile(s, 99)), fmtDur(percentile(s, 100)),
			ratio(p50s[i], p50s[1]), ""})
		p.bars = append(p.bars, bar{name, p50s[i], fmtDur(percentile(s, 50)) + " (p99 " + fmtDur(percentile(s, 99)) + ")"})
	}
	// The floor is not a library: it is excluded from "best".
	rows[0][8] = "(floor)"
	rows[1][8] = best(names[1:], p50s[1:])
	return rows, p, nil
}
