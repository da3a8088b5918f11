package koanflayer_test

import (
	"sync"
	"testing"
	"time"

	"github.com/strata-go/strata/provider/koanflayer"
	"github.com/strata-go/strata/provider/providertest"
)

// backend is a koanf.Provider over a flat map of dotted keys, with an
// outage switch and a count of reads; safe for concurrent use.
type backend struct {
	mu    sync.Mutex
	data  map[string]any
	down  bool
	reads int
}

func (b *backend) Read() (map[string]any, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reads++
	if b.down {
		return nil, errBackend
	}
	out := make(map[string]any, len(b.data))
	for k, v := range b.data {
		out[k] = v
	}
	return out, nil
}

func (b *backend) ReadBytes() ([]byte, error) { return nil, errBackend }

func (b *backend) do(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f()
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			b := &backend{data: map[string]any{}}
			for k, v := range seed {
				b.data[k] = v
			}
			return providertest.Backend{
				Provider: koanflayer.NewPolling("conformance", b, time.Millisecond, koanflayer.Options{}),
				Set:      func(k, v string) { b.do(func() { b.data[k] = v }) },
				Delete:   func(k string) { b.do(func() { delete(b.data, k) }) },
				Fail:     func() { b.do(func() { b.down = true }) },
				Recover:  func() { b.do(func() { b.down = false }) },
				Attempts: func() (n int) { b.do(func() { n = b.reads }); return n },
			}
		},
	})
}
