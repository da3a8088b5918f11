package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/bench"
)

// w5Requests: requests each watcher sends to Consul while idle, during a
// burst of 100 writes, and while the agent is down; then how long each
// takes to see a value written after the agent is back.
func w5Requests(e *env) (section, []panel) {
	const title = "5. Requests to Consul per watcher"
	if e.agent == nil {
		return notRun(title), nil
	}
	fail := func(err error) (section, []panel) {
		return section{title: title, intro: "failed: " + err.Error()}, nil
	}
	idle, recoverMax := 10*time.Second, 40*time.Second
	if e.quick {
		idle, recoverMax = 3*time.Second, 10*time.Second
	}
	const strataWait = 10 * time.Second
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	writer, err := e.agent.Client(nil)
	if err != nil {
		return fail(err)
	}
	base := "bench/w5/"
	seedAll := func(maxConns int) error {
		seed := map[string]string{}
		for _, name := range []string{"strata", "koanf"} {
			for k, v := range bench.Pairs(base+name+"/", 10, maxConns) {
				seed[k] = v
			}
		}
		seed[base+"viper-poll.json"] = string(bench.Document(10, maxConns))
		seed[base+"viper-chan.json"] = string(bench.Document(10, maxConns))
		return bench.Seed(writer, seed)
	}
	if err := seedAll(1); err != nil {
		return fail(err)
	}

	type contender struct {
		name, setting string
		count         func() int64
		obs           *observer // nil: cannot be read safely
		put           func(seq int) (string, []byte)
	}
	tree := func(name string) func(int) (string, []byte) {
		return func(seq int) (string, []byte) { return base + name + "/db/max_conns", []byte(strconv.Itoa(seq)) }
	}
	doc := func(name string) func(int) (string, []byte) {
		return func(seq int) (string, []byte) { return base + name + ".json", bench.Document(10, seq) }
	}

	ct := bench.NewCountingTransport()
	defer ct.Close()
	so, cfg, err := strataWatch(ctx, e.agent.Config(ct), base+"strata/", strataWait)
	if err != nil {
		return fail(err)
	}
	defer cfg.Close()
	var proxies []*bench.Proxy
	defer func() {
		for _, p := range proxies {
			p.Close()
		}
	}()
	proxy := func() *bench.Proxy {
		p, err := bench.NewProxy(e.agent.Addr)
		if err != nil {
			panic(err)
		}
		proxies = append(proxies, p)
		return p
	}
	kp, vp, vc := proxy(), proxy(), proxy()
	ko, _, err := koanfWatch(kp.Addr, base+"koanf/")
	if err != nil {
		return fail(err)
	}
	vo, err := viperPoll(ctx, vp.Addr, base+"viper-poll.json", viperPollEvery)
	if err != nil {
		return fail(err)
	}
	if err := viperChannel(vc.Addr, base+"viper-chan.json"); err != nil {
		return fail(err)
	}
	cs := []contender{
		{"strata", fmt.Sprintf("blocking query on the prefix, Wait %s (default 5 min), counting RoundTripper", strataWait), ct.Count, so, tree("strata")},
		{"koanf", "consul/api keyprefix watch plan, server's default wait (5 min; koanf has no option), counting proxy", kp.Count, ko, tree("koanf")},
		{"viper (poll)", fmt.Sprintf("README loop: sleep %s, WatchRemoteConfig (plain GET), counting proxy", viperPollEvery), vp.Count, vo, doc("viper-poll")},
		{"viper (channel)", "WatchRemoteConfigOnChannel: crypt's blocking query on the key, default wait, counting proxy", vc.Count, nil, doc("viper-chan")},
	}
	snap := func() []int64 {
		out := make([]int64, len(cs))
		for i, c := range cs {
			out[i] = c.count()
		}
		return out
	}
	time.Sleep(time.Second) // start-up requests done; every watcher parked

	e.logf("  idle %s", idle)
	c0 := snap()
	time.Sleep(idle)
	c1 := snap()

	e.logf("  burst of 100 writes per watcher")
	burstStart := time.Now()
	for j := 1; j <= 100; j++ {
		for _, c := range cs {
			k, v := c.put(1 + j)
			if _, err := writer.KV().Put(&api.KVPair{Key: k, Value: v}, nil); err != nil {
				return fail(err)
			}
		}
	}
	burstTook := time.Since(burstStart)
	time.Sleep(2*viperPollEvery + 500*time.Millisecond)
	c2 := snap()
	final := make([]string, len(cs))
	for i, c := range cs {
		switch {
		case c.obs == nil:
			final[i] = "not readable safely"
		case c.obs.value() == "101":
			final[i] = "yes"
		default:
			final[i] = "no (has " + c.obs.value() + ")"
		}
	}

	e.logf("  outage %s", e.outage)
	if err := e.agent.Kill(); err != nil {
		return fail(err)
	}
	time.Sleep(e.outage)
	c3 := snap()

	e.logf("  restart and recovery (up to %s)", recoverMax)
	if err := e.agent.Start(); err != nil {
		return fail(err)
	}
	restarted := time.Now()
	if err := seedAll(500); err != nil {
		return fail(err)
	}
	recovered := make([]string, len(cs))
	done := make([]bool, len(cs))
	for i, c := range cs {
		recovered[i] = fmt.Sprintf("not within %s", recoverMax)
		if c.obs == nil {
			recovered[i], done[i] = "not readable safely", true
		}
	}
	for deadline := restarted.Add(recoverMax); time.Now().Before(deadline) && e.ctx.Err() == nil && slices.Contains(done, false); {
		for i, c := range cs {
			if !done[i] && c.obs.value() == "500" {
				recovered[i], done[i] = fmtDur(time.Since(restarted).Round(time.Millisecond)), true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	c4 := snap()

	t := table{head: []string{"watcher", "how it watches", fmt.Sprintf("idle %s", idle), "100-write burst", "final value applied", fmt.Sprintf("outage %s", e.outage), "sees a write after restart", "after restart"}}
	names := make([]string, len(cs))
	var burstReqs, outageReqs, recovery []float64
	p := panel{title: "5. Requests to Consul for a burst of 100 writes"}
	for i, c := range cs {
		names[i] = c.name
		d := func(a, b []int64) int64 { return b[i] - a[i] }
		t.rows = append(t.rows, []string{c.name, c.setting, fmt.Sprint(d(c0, c1)), fmt.Sprint(d(c1, c2)), final[i],
			fmt.Sprint(d(c2, c3)), recovered[i], fmt.Sprint(d(c3, c4))})
		burstReqs = append(burstReqs, float64(d(c1, c2)))
		outageReqs = append(outageReqs, float64(d(c2, c3)))
		rec := nanf()
		if r, err := time.ParseDuration(strings.ReplaceAll(strings.ReplaceAll(recovered[i], " ", ""), "µ", "u")); err == nil {
			rec = float64(r)
		}
		recovery = append(recovery, rec)
		p.bars = append(p.bars, bar{c.name, float64(d(c1, c2)), fmt.Sprintf("%d requests", d(c1, c2))})
	}
	t.rows = append(t.rows, []string{"**best**", "", "see note", "fewest: " + best(names, burstReqs), "",
		"fewest: " + best(names, outageReqs), "fastest: " + best(names, recovery), ""})
	return section{
		title: title,
		intro: fmt.Sprintf(`Each watcher follows its own 10-key prefix (viper: its own key holding a JSON document) on the one agent, all at the
same time. Counted: every HTTP request sent, including failed ones — with a counting http.RoundTripper in the http.Client of
strata's api.Config, and with a counting loopback HTTP proxy for koanf and viper, whose watches build their own Consul clients from
an address (so while the agent is down, their requests fail at once with 502 from the proxy instead of a refused connection).
Phases, in order: **idle** for %s; a **burst** of 100 PUTs to each watched key (took %s for all watchers together) and %s to
settle, then whether the last value written is the one the application holds; an **outage**: the agent is killed (SIGKILL) for
%s; then it is restarted on the same ports (a dev agent comes back empty, its index reset), the content is written again with
a new value, and the table shows how long each watcher took to see it and the requests it sent meanwhile.`,
			idle, burstTook.Round(time.Millisecond), 2*viperPollEvery+500*time.Millisecond, e.outage),
		tables: []table{t},
		notes: []string{
			fmt.Sprintf("Idle cost is one request per wait period for every blocking watcher, plus for strata one read without an index after each "+
				"(CONSUL.md rule 12: that is how a snapshot restore or a server silently behind is seen within one wait): strata is set to Wait %s here so that the idle window holds one period "+
				"(its default is 5 min, like the server's); koanf's watch plan and crypt's watch send no wait, so theirs is the server's 5 minutes and the %s window "+
				"shows none. viper's poll costs one GET per interval whatever happens.", strataWait, idle),
			"Fewer requests during an outage is not better by itself: it comes with a later recovery (next column). " +
				"strata retries 1 to 2 s apart (jittered) until the agent answers, so it sees the first change within about 2 s of Consul answering (workload 7 measures it for several outage lengths); after a failure its first read does not block on the old index, " +
				"which a restarted dev agent (its index starting again near zero) would hold for the whole Wait. koanf's plan recovers only at its next retry, 5 s × failures² later.",
			"strata rate-limits its loop (at least 100 ms between fetches, plus jitter), so a burst costs a few requests and the final value is still applied; " +
				"koanf's watch plan fetches once per index change it sees and then its callback fetches the whole prefix again.",
			"Outage: strata retries at jittered intervals of 1 to 2 s (at most one request a second); the consul/api watch plan (koanf) waits 5 s × failures² (capped at 180 s); " +
				"crypt (viper channel) sleeps 5 s after each error; viper's poll keeps its interval.",
			"viper (channel) keeps its last index across the restart; a dev agent's index starts again near zero, so its blocking query waits for an index it will not reach soon (CONSUL.md rule 2). " +
				"It cannot be read safely to check, so the table shows its requests only.",
		},
	}, []panel{p}
}
