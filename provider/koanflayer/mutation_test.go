package koanflayer_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/koanflayer"
)

// TestSeveralKeysGivenTwiceNameTheFirst: when several keys are given both
// nested and dotted, the error names the first in key order, so the same
// bad source always gives the same message (found by mutation testing,
// MUTATION.md).
func TestSeveralKeysGivenTwiceNameTheFirst(t *testing.T) {
	data := map[string]any{
		"a": map[string]any{"x": 1}, "a.x": 2,
		"b": map[string]any{"x": 1}, "b.x": 2,
		"c": map[string]any{"x": 1}, "c.x": 2,
	}
	l := koanflayer.New("vault", &fake{data: data}, koanflayer.Options{})
	for range 5 { // map order varies between reads; the answer must not
		_, err := l.Load(context.Background())
		assert.ErrorContains(t, err, "vault: a.x: given twice")
	}
}

// downSource is a koanf provider that always fails and reports, on reads,
// the (fake) time of each read.
type downSource struct{ reads chan time.Time }

func (d downSource) Read() (map[string]any, error) {
	d.reads <- time.Now()
	return nil, errors.New("down")
}

func (downSource) ReadBytes() ([]byte, error) { return nil, errors.New("down") }

// TestPollingBacksOffDuringAnOutage: while the source fails, polls move
// from the interval to a doubling backoff capped at 30 s. It runs in a
// synctest bubble, so the delays are exact on the fake clock (found by
// mutation testing, MUTATION.md: a cap equal to the interval lived).
func TestPollingBacksOffDuringAnOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := downSource{reads: make(chan time.Time)}
		var p provider.Watcher = koanflayer.NewPolling("poll", src, time.Second, koanflayer.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Watch(ctx, provider.Snapshot{}, func(provider.Event) {}) }()

		const polls = 9
		var at [polls]time.Time
		for i := range at {
			at[i] = <-src.reads
		}
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
		for k := 1; k < polls; k++ {
			// The delay after the k-th failure is the backoff's k-th step:
			// Min is the interval, each step doubles, Max is 30 s.
			hi := min(time.Second<<(k-1), 30*time.Second)
			gap := at[k].Sub(at[k-1])
			assert.True(t, gap >= hi/2 && gap <= hi, "poll %d came %v after the previous one, want within [%v, %v]", k, gap, hi/2, hi)
		}
	})
}
