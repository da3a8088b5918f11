package strata

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/strata-go/strata/provider"
)

// readLayer builds a fresh snapshot on each Load and keeps nothing, as a
// remote source does; it records no origins.
type readLayer func() map[string]any

func (l readLayer) Name() string { return "read" }
func (l readLayer) Load(context.Context) (provider.Snapshot, error) {
	return provider.Snapshot{Data: l()}, nil
}

// BenchmarkLiveHeap reports the live heap a Config of 10,000 keys holds
// (the snapshot the engine keeps, the typed value, and no merged copy), as a multiple of a plain
// map[string]string holding the same strings. It is a measurement, not a
// timing: the figure is the "×plain" metric.
func BenchmarkLiveHeap(b *testing.B) {
	const n = 10000
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	fresh := func() map[string]any {
		keys := make(map[string]any, n)
		for i := range n {
			keys[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("value-%d", i)
		}
		return map[string]any{"keys": keys, "db": map[string]any{"max_conns": "20"}}
	}
	var plainB, strataB int64
	for b.Loop() {
		h0 := heap()
		plain := make(map[string]string, n)
		for i := range n {
			plain[fmt.Sprintf("k%05d", i)] = fmt.Sprintf("value-%d", i)
		}
		plainB = heap() - h0
		runtime.KeepAlive(plain)
		plain = nil

		h0 = heap()
		c, err := LoadWith[benchConfig](context.Background(), Options{}, readLayer(fresh))
		if err != nil {
			b.Fatal(err)
		}
		strataB = heap() - h0
		runtime.KeepAlive(c)
		_ = c.Close()
	}
	b.ReportMetric(float64(plainB), "plain-B")
	b.ReportMetric(float64(strataB), "strata-B")
	b.ReportMetric(float64(strataB)/float64(plainB), "×plain")
}
