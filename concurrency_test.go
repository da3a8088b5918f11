package strata_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/reliability"
)

// Pair is only valid when Double == 2*N and Label matches N, so a reader
// that ever saw a mix of two values, or a half-decoded one, would notice.
type Pair struct {
	N      int               `config:"n"`
	Double int               `config:"double"`
	Label  string            `config:"label"`
	Tags   map[string]string `config:"tags"`
}

func (p Pair) Validate() error {
	if p.Double != 2*p.N || p.Label != fmt.Sprintf("n=%d", p.N) || p.Tags["n"] != p.Label {
		return errors.New("inconsistent pair")
	}
	return nil
}

func pair(n int) map[string]any {
	label := fmt.Sprintf("n=%d", n)
	return map[string]any{"n": n, "double": 2 * n, "label": label, "tags": map[string]any{"n": label}}
}

// TestReadersNeverSeeAMixedValue runs readers against thousands of reloads,
// some of them invalid, and checks every value a reader sees.
func TestReadersNeverSeeAMixedValue(t *testing.T) {
	reloads := 3000
	if testing.Short() {
		reloads = 300
	}
	l := memlayer.New("source", pair(0))
	// The writer waits for each outcome so that every reload is really
	// applied (or rejected) while the readers run, instead of coalescing.
	outcomes := make(chan bool, 1)
	outcome := sendTo(t, outcomes)
	opts := strata.Options{
		OnApply: func(strata.Change) { outcome(true) },
		OnError: func(error) { outcome(false) },
	}
	cfg := load[Pair](t, opts, l)

	var inCallback, overlaps atomic.Int32
	var lastSeen atomic.Int64
	cfg.OnChange(func(old, new *Pair) {
		if inCallback.Add(1) > 1 {
			overlaps.Add(1)
		}
		if new.N <= old.N {
			overlaps.Add(1) // values must only move forward
		}
		lastSeen.Store(int64(new.N))
		inCallback.Add(-1)
	})

	stop := make(chan struct{})
	bad := make(chan string, 1)
	var readers sync.WaitGroup
	stopReaders := sync.OnceFunc(func() { close(stop); readers.Wait() })
	t.Cleanup(stopReaders) // also when the test fails before the end
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			prev := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				v := cfg.Get()
				if err := v.Validate(); err != nil || v.N < prev {
					select {
					case bad <- fmt.Sprintf("reader saw %+v after n=%d", *v, prev):
					default:
					}
					return
				}
				prev = v.N
			}
		}()
	}

	applied, rejected := 0, 0
	count := func() {
		if receive(t, outcomes) {
			applied++
		} else {
			rejected++
		}
	}
	for n := 1; n <= reloads; n++ {
		if n%10 == 0 {
			broken := pair(n)
			broken["double"] = -1 // rejected: the last good value stays
			l.Set(broken)
			count()
		}
		l.Set(pair(n))
		count()
	}
	stopReaders()

	select {
	case msg := <-bad:
		t.Fatal(msg)
	default:
	}
	assert.Zero(t, overlaps.Load(), "callbacks overlapped or went backwards")
	assert.EqualValues(t, reloads, lastSeen.Load(), "the final value reached the callbacks")
	assert.Equal(t, reloads, cfg.Get().N)
	assert.Equal(t, reloads, applied, "every valid reload was applied")
	assert.Equal(t, reloads/10, rejected, "every invalid reload was rejected")
	assert.EqualValues(t, reloads, cfg.Status().Applied)
	reliability.Record(t, "strata/torn-reads", reliability.Count("reloads", reloads+reloads/10), reliability.Count("torn or invalid reads", 0))
}
