package strata_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider/consul"
)

// Prefixed is a config whose whole content is one Consul prefix.
type Prefixed struct {
	Keys map[string]string `config:"keys"`
}

// BenchmarkConsulChangeToCallback measures PUT → OnChange against a real
// Consul agent, side by side with the floor: a bare consul/api blocking
// query on the same prefix, which sees the very same PUT. Each iteration
// makes one PUT and waits for both observers, so both latencies are of the
// same change under the same load.
//
// The watcher's rate limit (MinInterval, 100 ms by default) is set to 1 ms
// here: it exists to turn a churning prefix into polling, and with it a
// change arriving within 100-150 ms of the previous fetch waits for the gap
// by design. Config changes are normally far apart.
//
// Reported: raw-p50-µs, strata-p50-µs, and their difference (the cost of
// strata's diff, decode, validate, swap and callback dispatch).
func BenchmarkConsulChangeToCallback(b *testing.B) {
	agent := consultest.Start(b, consultest.Options{})
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) { benchChangeToCallback(b, agent, n) })
	}
}

func benchChangeToCallback(b *testing.B, agent *consultest.Agent, n int) {
	prefix := fmt.Sprintf("bench%d/keys/", n)
	seed := map[string]string{}
	for i := range n {
		seed[fmt.Sprintf("%sk%05d", prefix, i)] = "v"
		if len(seed) == 64 {
			agent.Txn(b, seed)
			seed = map[string]string{}
		}
	}
	if len(seed) > 0 {
		agent.Txn(b, seed)
	}
	client := agent.Client(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	rawSeen := make(chan time.Time, 16)
	rawDone := make(chan struct{})
	go rawWatch(ctx, client, prefix, rawSeen, rawDone)
	defer func() { cancel(); <-rawDone }()

	strataSeen := make(chan time.Time, 16)
	cfg, err := strata.Load[Prefixed](ctx, consul.New(consul.Options{
		Prefix: fmt.Sprintf("bench%d/", n), Client: client, MinInterval: time.Millisecond,
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer cfg.Close()
	cfg.OnChange(func(_, _ *Prefixed) { strataSeen <- time.Now() })
	<-rawSeen // the raw loop's first, non-blocking read

	var raw, lib []time.Duration
	kv := client.KV()
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := kv.Put(&api.KVPair{Key: prefix + "k00000", Value: []byte(strconv.Itoa(i))}, nil); err != nil {
			b.Fatal(err)
		}
		raw = append(raw, waitFor(b, rawSeen).Sub(start))
		lib = append(lib, waitFor(b, strataSeen).Sub(start))
	}
	rawP50, libP50 := median(raw), median(lib)
	b.ReportMetric(float64(rawP50.Microseconds()), "raw-p50-µs")
	b.ReportMetric(float64(libP50.Microseconds()), "strata-p50-µs")
	b.ReportMetric(float64((libP50 - rawP50).Microseconds()), "overhead-p50-µs")
}

// rawWatch is the floor: the plainest correct blocking-query loop.
func rawWatch(ctx context.Context, c *api.Client, prefix string, seen chan<- time.Time, done chan<- struct{}) {
	rawWatchParked(ctx, c, prefix, nil, seen, done)
}

// rawWatchParked is rawWatch that, when park is not nil, sends each
// blocking query only once park yields (see benchSideBySide).
func rawWatchParked(ctx context.Context, c *api.Client, prefix string, park <-chan struct{}, seen chan<- time.Time, done chan<- struct{}) {
	defer close(done)
	var index uint64
	for ctx.Err() == nil {
		if !waitPark(ctx, park, index) {
			return
		}
		_, meta, err := c.KV().List(prefix, (&api.QueryOptions{WaitIndex: index, WaitTime: time.Minute}).WithContext(ctx))
		if err != nil {
			continue
		}
		if meta.LastIndex != index {
			index = meta.LastIndex
			select {
			case seen <- time.Now():
			case <-ctx.Done():
			}
		}
	}
}

// waitPark waits for park before a blocking query (index > 0), unless
// park is nil; it reports false when ctx ended first.
func waitPark(ctx context.Context, park <-chan struct{}, index uint64) bool {
	if park == nil || index == 0 {
		return true
	}
	select {
	case <-park:
		return true
	case <-ctx.Done():
		return false
	}
}

func waitFor(b *testing.B, ch <-chan time.Time) time.Time {
	select {
	case t := <-ch:
		return t
	case <-time.After(10 * time.Second):
		b.Fatal("no change observed within 10s")
		return time.Time{}
	}
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
