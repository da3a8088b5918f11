package consul_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// meter counts the requests a client sends and the bytes of their bodies.
type meter struct {
	base     http.RoundTripper
	requests atomic.Int64
	bytes    atomic.Int64
}

func (m *meter) RoundTrip(r *http.Request) (*http.Response, error) {
	m.requests.Add(1)
	if r.ContentLength > 0 {
		m.bytes.Add(r.ContentLength)
	}
	return m.base.RoundTrip(r)
}

// BenchmarkVersionedPublish measures a versioned publish of a whole new
// version (every value changed) at several sizes, against a real agent:
// time per publish, requests and request bytes sent per publish.
func BenchmarkVersionedPublish(b *testing.B) {
	a := consultest.Start(b, consultest.Options{})
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			cfg := a.Config()
			tr := http.DefaultTransport.(*http.Transport).Clone()
			m := &meter{base: tr}
			cfg.HttpClient = &http.Client{Transport: m}
			b.Cleanup(tr.CloseIdleConnections)
			v := consul.NewVersioned(consul.Options{Prefix: fmt.Sprintf("pub%d/", n), Config: cfg})
			ctx := context.Background()
			i := 0
			m.requests.Store(0)
			m.bytes.Store(0)
			for b.Loop() {
				i++
				pl, err := v.Plan(ctx, content(n, strconv.Itoa(i)), consul.PlanOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if err := pl.Apply(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(m.requests.Load())/float64(i), "requests/op")
			b.ReportMetric(float64(m.bytes.Load())/float64(i), "bytes/op")
			if _, err := v.GC(ctx, 1); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkChangeToSnapshot measures, for a layer of n keys, how long
// after a one-key change is committed (the write returned) the watching
// layer delivers the new snapshot: tree mode (a plain KV write, the whole
// prefix re-read) against versioned mode (a new version published, the
// pointer followed and the version read once). Reported as p50 in µs;
// "publish-ms" is the versioned publish itself (a whole new version).
func BenchmarkChangeToSnapshot(b *testing.B) {
	a := consultest.Start(b, consultest.Options{})
	for _, n := range []int{100, 1000, 10000} {
		for _, mode := range []string{"tree", "versioned"} {
			b.Run(fmt.Sprintf("mode=%s/keys=%d", mode, n), func(b *testing.B) {
				benchChangeToSnapshot(b, a, mode, n)
			})
		}
	}
}

func benchChangeToSnapshot(b *testing.B, a *consultest.Agent, mode string, n int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := a.Client(b)
	base := fmt.Sprintf("%s%d/", mode, n)
	opts := consul.Options{Prefix: base, Client: client, MinInterval: time.Millisecond}
	var (
		layer interface {
			provider.Provider
			provider.Watcher
		}
		change func(i int)
		v      *consul.Versioned
		desire = content(n, "v")
	)
	var publish []time.Duration
	if mode == "tree" {
		for chunk := range slices.Chunk(slices.Sorted(maps.Keys(desire)), 64) {
			kv := map[string]string{}
			for _, k := range chunk {
				kv[base+k] = "v"
			}
			a.Txn(b, kv)
		}
		layer = consul.New(opts)
		change = func(i int) { a.Put(b, base+"k0000", strconv.Itoa(i)) }
	} else {
		v = consul.NewVersioned(opts)
		layer = v
		pub := func() {
			start := time.Now()
			pl, err := v.Plan(ctx, desire, consul.PlanOptions{})
			if err == nil {
				err = pl.Apply(ctx)
			}
			if err != nil {
				b.Fatal(err)
			}
			publish = append(publish, time.Since(start))
		}
		pub()
		change = func(i int) { desire["k0000"] = strconv.Itoa(i); pub() }
	}
	last, err := layer.Load(ctx)
	if err != nil {
		b.Fatal(err)
	}
	seen := make(chan time.Time, 16)
	done := make(chan error, 1)
	go func() {
		done <- layer.Watch(ctx, last, func(ev provider.Event) {
			if ev.Snapshot != nil {
				seen <- time.Now()
			}
		})
	}()
	defer func() { cancel(); <-done }()

	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		change(i)
		committed := time.Now()
		select {
		case at := <-seen:
			lat = append(lat, max(at.Sub(committed), 0))
		case <-time.After(time.Minute):
			b.Fatal("no snapshot within a minute")
		}
	}
	b.ReportMetric(float64(p50(lat).Microseconds()), "p50-µs")
	if len(publish) > 1 {
		b.ReportMetric(float64(p50(publish[1:]).Milliseconds()), "publish-ms")
	}
	if v != nil {
		if _, err := v.GC(context.Background(), 1); err != nil {
			b.Fatal(err)
		}
	}
}

func p50(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
