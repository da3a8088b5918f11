package etcd_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/etcd"
)

// prefixed is a config whose whole content is one etcd prefix.
type prefixed struct {
	Keys map[string]string `config:"keys"`
}

func benchClient(b *testing.B, endpoint string) *clientv3.Client {
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, Logger: zap.NewNop()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

// seed writes n keys below prefix, 100 per transaction (etcd's default
// limit is 128 operations).
func seed(b *testing.B, c *clientv3.Client, prefix string, n int) {
	var ops []clientv3.Op
	flush := func() {
		if _, err := c.Txn(context.Background()).Then(ops...).Commit(); err != nil {
			b.Fatal(err)
		}
		ops = ops[:0]
	}
	for i := range n {
		ops = append(ops, clientv3.OpPut(fmt.Sprintf("%sk%05d", prefix, i), "v"))
		if len(ops) == 100 {
			flush()
		}
	}
	if len(ops) > 0 {
		flush()
	}
}

// BenchmarkChangeToCallback measures PUT → OnChange through strata.Load
// against a real embedded etcd, side by side with the floor: a bare
// clientv3 watch on the same prefix, which sees the very same PUT. Each
// iteration makes one PUT and waits for both observers. Reported: the
// p50 and p99 of each, and the p50 difference (the cost of applying the
// event, rebuilding and hashing the layer, then strata's merge, decode,
// validate, swap and callback).
func BenchmarkChangeToCallback(b *testing.B) {
	endpoint := startServer(b)
	c := benchClient(b, endpoint)
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			prefix := fmt.Sprintf("bench%d/keys/", n)
			seed(b, c, prefix, n)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()

			rawSeen := make(chan time.Time, 16)
			wch := c.Watch(ctx, prefix, clientv3.WithPrefix())
			rawDone := make(chan struct{})
			go func() {
				defer close(rawDone)
				for resp := range wch {
					if len(resp.Events) > 0 {
						rawSeen <- time.Now()
					}
				}
			}()
			defer func() { cancel(); <-rawDone }()

			cfg, err := strata.Load[prefixed](ctx, etcd.New(etcd.Options{Prefix: fmt.Sprintf("bench%d/", n), Client: c}))
			if err != nil {
				b.Fatal(err)
			}
			defer cfg.Close()
			strataSeen := make(chan time.Time, 16)
			cfg.OnChange(func(_, _ *prefixed) { strataSeen <- time.Now() })

			var raw, lib []time.Duration
			i := 0
			for b.Loop() {
				i++
				start := time.Now()
				if _, err := c.Put(ctx, prefix+"k00000", strconv.Itoa(i)); err != nil {
					b.Fatal(err)
				}
				raw = append(raw, waitFor(b, rawSeen).Sub(start))
				lib = append(lib, waitFor(b, strataSeen).Sub(start))
			}
			b.ReportMetric(float64(pct(raw, 50).Microseconds()), "raw-p50-µs")
			b.ReportMetric(float64(pct(raw, 99).Microseconds()), "raw-p99-µs")
			b.ReportMetric(float64(pct(lib, 50).Microseconds()), "strata-p50-µs")
			b.ReportMetric(float64(pct(lib, 99).Microseconds()), "strata-p99-µs")
			b.ReportMetric(float64((pct(lib, 50) - pct(raw, 50)).Microseconds()), "overhead-p50-µs")
		})
	}
}

// BenchmarkFirstRead measures Load of a whole prefix: one Get at one
// revision, then the nested map and the origins.
func BenchmarkFirstRead(b *testing.B) {
	endpoint := startServer(b)
	c := benchClient(b, endpoint)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			prefix := fmt.Sprintf("first%d/", n)
			seed(b, c, prefix+"keys/", n)
			p := etcd.New(etcd.Options{Prefix: prefix, Client: c})
			b.ReportAllocs()
			for b.Loop() {
				snap, err := p.Load(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if got := len(snap.Data["keys"].(map[string]any)); got != n {
					b.Fatalf("read %d keys, want %d", got, n)
				}
			}
		})
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

// pct returns the q-th percentile of ds.
func pct(ds []time.Duration, q int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*q/100)]
}
