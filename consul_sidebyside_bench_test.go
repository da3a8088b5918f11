package strata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider/consul"
)

// putSpacing separates two PUTs of the side-by-side benchmarks. It is
// above the watcher's default MinInterval (100 ms) plus its jitter (up to
// 50 ms), so every change finds strata's blocking query already waiting
// and the figures are latency, not the rate limit: back to back, a change
// at 10 keys lands inside the gap and waits for it by design (rule 8).
const putSpacing = 200 * time.Millisecond

// rawLate is when, after a PUT, the raw loop of the side-by-side
// benchmark's raw-second runs parks its next query: after strata's, well
// before the next PUT.
const rawLate = 170 * time.Millisecond

// BenchmarkConsulSideBySide measures PUT → OnChange with the default
// options (MinInterval 100 ms), side by side with a bare consul/api
// blocking loop that sees the very same PUT, PUTs spaced by putSpacing:
// tree mode at 10, 1,000 and 10,000 keys (a raw KV().List loop), and
// document mode at 1,000 keys (a raw KV().Get loop on the document key,
// its own floor). Reported: the two p50s and their ratio.
func BenchmarkConsulSideBySide(b *testing.B) {
	agent := consultest.Start(b, consultest.Options{})
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("tree/keys=%d", n), func(b *testing.B) { benchSideBySide(b, agent, n, false, rawFirst) })
	}
	b.Run("document/keys=1000", func(b *testing.B) { benchSideBySide(b, agent, 1000, true, rawFirst) })
	// The same with the raw loop's query parked after strata's, and with
	// each observer answered alone (see answerOrder): the difference the
	// order of answers makes.
	for _, o := range []answerOrder{rawSecond, apart} {
		b.Run("tree/keys=10/"+o.String(), func(b *testing.B) { benchSideBySide(b, agent, 10, false, o) })
		b.Run("document/keys=1000/"+o.String(), func(b *testing.B) { benchSideBySide(b, agent, 1000, true, o) })
	}
}

// answerOrder says how the side-by-side benchmark lets Consul answer its
// two observers. Consul wakes the queries parked on a change in the order
// they were parked (a closed channel readies its waiters first come, first
// served) and answers them one after the other, so the first parked is
// answered first, earlier by the time the server takes to answer one.
type answerOrder int

const (
	// rawFirst leaves both alone on the same prefix: the raw loop parks
	// again the moment it has its answer, before strata (which decodes,
	// emits and only then parks), so it is always answered first, which
	// favours the floor.
	rawFirst answerOrder = iota
	// rawSecond parks the raw loop's query only rawLate after each PUT,
	// after strata's, on the same prefix: strata is answered first.
	rawSecond
	// apart gives each observer a prefix (or document key) of its own, of
	// the same shape, and alternates the PUTs between them, putSpacing
	// apart: every change has one observer to answer, so neither waits
	// for the other's answer.
	apart
)

func (o answerOrder) String() string {
	return [...]string{"raw-first", "raw-second", "apart"}[o]
}

// Doc is a config read from one JSON document.
type Doc struct {
	Keys map[string]string `config:"keys"`
}

func docValue(n, i int) []byte {
	keys := make(map[string]string, n)
	for k := range n {
		keys[fmt.Sprintf("k%05d", k)] = "v"
	}
	keys["k00000"] = strconv.Itoa(i)
	out, _ := json.Marshal(map[string]any{"keys": keys})
	return out
}

func benchSideBySide(b *testing.B, agent *consultest.Agent, n int, document bool, order answerOrder) {
	client := agent.Client(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	root := fmt.Sprintf("side%d/", n)
	prefix := root + "keys/"
	docKey := fmt.Sprintf("sidedoc%d.json", n)
	// The raw loop's prefix and key: strata's own, or their twins.
	rawPrefix, rawDocKey := prefix, docKey
	if order == apart {
		rawPrefix, rawDocKey = fmt.Sprintf("sideapart%d/keys/", n), fmt.Sprintf("sidedocapart%d.json", n)
	}
	// pairAt builds change i's PUT, before t0: encoding a 1,000-key
	// document is no part of either observer's latency.
	pairAt := func(prefix, docKey string, i int) *api.KVPair {
		if document {
			return &api.KVPair{Key: docKey, Value: docValue(n, i)}
		}
		return &api.KVPair{Key: prefix + "k00000", Value: []byte(strconv.Itoa(i))}
	}
	pair := func(i int) *api.KVPair { return pairAt(prefix, docKey, i) }
	put := func(kv *api.KVPair) {
		if _, err := client.KV().Put(kv, nil); err != nil {
			b.Fatal(err)
		}
	}
	if document {
		put(pair(0))
		if order == apart {
			put(pairAt(rawPrefix, rawDocKey, 0))
		}
	} else {
		seedPrefix(b, agent, prefix, n)
		if order == apart {
			seedPrefix(b, agent, rawPrefix, n)
		}
	}

	var park chan struct{}
	if order == rawSecond {
		park = make(chan struct{}, 1)
	}
	rawSeen, rawDec, rawDone := make(chan time.Time, 16), make(chan time.Time, 16), make(chan struct{})
	if document {
		go rawWatchKey(ctx, client, rawDocKey, park, rawSeen, rawDec, rawDone)
	} else {
		go rawWatchParked(ctx, client, rawPrefix, park, rawSeen, rawDone)
	}
	defer func() { cancel(); <-rawDone }()

	// strata's layer builds its own client from the agent's Config, as
	// consul.New does by default (its List answers are then streamed into
	// the tree); the raw loop keeps consul/api's decoding.
	opts := consul.Options{Prefix: root, Config: agent.Config()}
	if document {
		opts = consul.Options{Key: docKey, Config: agent.Config()}
	}
	strataSeen := make(chan time.Time, 16)
	var cfgClose func()
	if document {
		cfg, err := strata.Load[Doc](ctx, consul.New(opts))
		if err != nil {
			b.Fatal(err)
		}
		cfg.OnChange(func(_, _ *Doc) { strataSeen <- time.Now() })
		cfgClose = func() { _ = cfg.Close() }
	} else {
		cfg, err := strata.Load[Prefixed](ctx, consul.New(opts))
		if err != nil {
			b.Fatal(err)
		}
		cfg.OnChange(func(_, _ *Prefixed) { strataSeen <- time.Now() })
		cfgClose = func() { _ = cfg.Close() }
	}
	defer cfgClose()
	<-rawSeen // the raw loop's first, non-blocking read
	if document {
		<-rawDec
	}
	if order == rawSecond {
		park <- struct{}{}
	}

	// raw holds the raw loop's latencies; in document mode, rawDecoded
	// those of the same loop once it has also unmarshalled the document
	// into Doc, as a hand-written loop must before it can use it.
	var raw, rawDecoded, lib []time.Duration
	rawSaw := func(start time.Time) {
		raw = append(raw, waitFor(b, rawSeen).Sub(start))
		if document {
			rawDecoded = append(rawDecoded, waitFor(b, rawDec).Sub(start))
		}
	}
	i := 0
	for b.Loop() {
		i++
		if order == apart {
			kv, pause := pairAt(rawPrefix, rawDocKey, i), time.NewTimer(putSpacing)
			start := time.Now()
			put(kv)
			rawSaw(start)
			<-pause.C
			kv, pause = pair(i), time.NewTimer(putSpacing)
			start = time.Now()
			put(kv)
			lib = append(lib, waitFor(b, strataSeen).Sub(start))
			<-pause.C
			continue
		}
		kv := pair(i)
		pause, late := time.NewTimer(putSpacing), time.NewTimer(rawLate)
		start := time.Now()
		put(kv)
		rawSaw(start)
		lib = append(lib, waitFor(b, strataSeen).Sub(start))
		if order == rawSecond {
			<-late.C // strata's query is parked by now
			park <- struct{}{}
		}
		<-pause.C
		late.Stop()
	}
	rawP50, libP50 := median(raw), median(lib)
	b.ReportMetric(float64(rawP50.Microseconds()), "raw-p50-µs")
	b.ReportMetric(float64(libP50.Microseconds()), "strata-p50-µs")
	b.ReportMetric(float64(libP50)/float64(rawP50), "strata/raw")
	if document {
		decP50 := median(rawDecoded)
		b.ReportMetric(float64(decP50.Microseconds()), "raw+unmarshal-p50-µs")
		b.ReportMetric(float64(libP50)/float64(decP50), "strata/raw+unmarshal")
	}
}

// BenchmarkConsulBytesPerChange measures the bytes allocated by the whole
// process per change at 10,000 keys, for the raw consul/api loop alone and
// for strata alone (default options, PUTs spaced by putSpacing), so each
// figure holds one observer plus the same PUT traffic.
func BenchmarkConsulBytesPerChange(b *testing.B) {
	agent := consultest.Start(b, consultest.Options{})
	const n = 10000
	prefix := "bytes/keys/"
	seedPrefix(b, agent, prefix, n)
	client := agent.Client(b)
	// put numbers the writes across runs: with -count, a run that wrote the
	// value the previous run last wrote would change nothing, and wait.
	put := 0
	for _, who := range []string{"raw", "strata"} {
		b.Run(who+"/keys=10000", func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			seen := make(chan time.Time, 16)
			if who == "raw" {
				done := make(chan struct{})
				go rawWatch(ctx, client, prefix, seen, done)
				defer func() { cancel(); <-done }()
			} else {
				cfg, err := strata.Load[Prefixed](ctx, consul.New(consul.Options{Prefix: "bytes/", Config: agent.Config()}))
				if err != nil {
					b.Fatal(err)
				}
				defer func() { _ = cfg.Close() }()
				cfg.OnChange(func(_, _ *Prefixed) { seen <- time.Now() })
				seen <- time.Now() // OnChange does not fire for the load itself
			}
			<-seen
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			i := 0
			for b.Loop() {
				i++
				put++
				pause := time.NewTimer(putSpacing)
				if _, err := client.KV().Put(&api.KVPair{Key: prefix + "k00000", Value: []byte(strconv.Itoa(put))}, nil); err != nil {
					b.Fatal(err)
				}
				waitFor(b, seen)
				<-pause.C
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(i), "B/change")
		})
	}
}

func seedPrefix(b *testing.B, agent *consultest.Agent, prefix string, n int) {
	seed := map[string]string{}
	for i := range n {
		seed[fmt.Sprintf("%sk%05d", prefix, i)] = "v"
		if len(seed) == 64 || i == n-1 {
			agent.Txn(b, seed)
			seed = map[string]string{}
		}
	}
}

// rawWatchKey is document mode's floor: the plainest blocking-query loop
// on one key. It reports each change twice: on seen once Get has returned,
// and on decoded once the value is also unmarshalled into a Doc (what
// strata delivers), after seen has been sent.
func rawWatchKey(ctx context.Context, c *api.Client, key string, park <-chan struct{}, seen, decoded chan<- time.Time, done chan<- struct{}) {
	defer close(done)
	var index uint64
	for ctx.Err() == nil {
		if !waitPark(ctx, park, index) {
			return
		}
		kv, meta, err := c.KV().Get(key, (&api.QueryOptions{WaitIndex: index, WaitTime: time.Minute}).WithContext(ctx))
		if err != nil || kv == nil {
			continue
		}
		if meta.LastIndex != index {
			index = meta.LastIndex
			got := time.Now()
			var doc Doc
			if json.Unmarshal(kv.Value, &doc) != nil {
				continue // never: the benchmark writes valid JSON
			}
			dec := time.Now()
			for _, t := range []struct {
				ch chan<- time.Time
				at time.Time
			}{{seen, got}, {decoded, dec}} {
				select {
				case t.ch <- t.at:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// BenchmarkLiveHeapConsul reports the live heap a process holds for a
// 10,000-key config read from Consul with default options (the layer's
// state, the engine's snapshot, the typed value, the client), after a few
// changes have been applied, as a multiple of a plain map[string]string of
// the same keys and values. It is a measurement, not a timing: the figure
// is the "×plain" metric.
func BenchmarkLiveHeapConsul(b *testing.B) {
	agent := consultest.Start(b, consultest.Options{})
	const n = 10000
	prefix := "heap/keys/"
	seedPrefix(b, agent, prefix, n)
	client := agent.Client(b)
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	var plainB, strataB int64
	for b.Loop() {
		h0 := heap()
		plain := make(map[string]string, n)
		for i := range n {
			plain[fmt.Sprintf("k%05d", i)] = "v"
		}
		plainB = heap() - h0
		runtime.KeepAlive(plain)
		plain = nil

		h0 = heap()
		ctx, cancel := context.WithCancel(context.Background())
		cfg, err := strata.Load[Prefixed](ctx, consul.New(consul.Options{Prefix: "heap/", Config: agent.Config()}))
		if err != nil {
			b.Fatal(err)
		}
		seen := make(chan struct{}, 1)
		cfg.OnChange(func(_, _ *Prefixed) { seen <- struct{}{} })
		for i := range 3 {
			if _, err := client.KV().Put(&api.KVPair{Key: prefix + "k00000", Value: []byte(strconv.Itoa(i))}, nil); err != nil {
				b.Fatal(err)
			}
			select {
			case <-seen:
			case <-time.After(time.Minute):
				b.Fatal("no change seen")
			}
		}
		strataB = heap() - h0
		runtime.KeepAlive(cfg)
		_ = cfg.Close()
		cancel()
	}
	b.ReportMetric(float64(plainB), "plain-B")
	b.ReportMetric(float64(strataB), "strata-B")
	b.ReportMetric(float64(strataB)/float64(plainB), "×plain")
}
