package strata_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/reliability"
)

type Ratios struct {
	Score float64 `config:"score"`
	// A NaN here means "not measured yet": opted in.
	Ratio float64 `config:"ratio" nonfinite:"true"`
	Other string  `config:"other"`
}

// TestNonFiniteRejectedByDefault: NaN and ±Inf in a float that did not opt
// in fail Load and are rejected at reload, with an error naming the key.
func TestNonFiniteRejectedByDefault(t *testing.T) {
	for _, v := range []any{"NaN", "+Inf", math.NaN(), math.Inf(-1)} {
		_, err := strata.Load[Ratios](context.Background(), memlayer.New("file", map[string]any{"score": v}))
		require.Error(t, err, "%v", v)
		assert.Contains(t, err.Error(), "score: ")
		assert.Contains(t, err.Error(), "is not a finite number")
	}

	opts := strata.Options{}
	errs := errorsOf(&opts)
	l := memlayer.New("file", map[string]any{"score": "1.5"})
	cfg := load[Ratios](t, opts, l)
	l.Set(map[string]any{"score": "NaN"})
	assert.Contains(t, receive(t, errs).Error(), "score: NaN is not a finite number")
	assert.Equal(t, 1.5, cfg.Get().Score, "the last good value stays")
	reliability.Record(t, "strata/nonfinite")
}

// TestUnchangedNaNIsNoChange: while an opted-in field holds NaN, a reload
// that leaves the value the same fires no OnChange, no OnChangeOf on that
// part, and lists nothing in OnApply (reflect.DeepEqual(NaN, NaN) is false).
func TestUnchangedNaNIsNoChange(t *testing.T) {
	applied := make(chan strata.Change, 10)
	file := memlayer.New("file", map[string]any{"ratio": math.NaN(), "other": "a"})
	consul := memlayer.New("consul", nil)
	cfg := load[Ratios](t, strata.Options{OnApply: func(ch strata.Change) { applied <- ch }}, file, consul)
	require.True(t, math.IsNaN(cfg.Get().Ratio))

	ratioChanged := make(chan float64, 10)
	strata.OnChangeOf(cfg, func(c *Ratios) float64 { return c.Ratio }, func(_, n float64) { ratioChanged <- n })
	changed := make(chan string, 10)
	cfg.OnChange(func(_, n *Ratios) { changed <- n.Other })

	// Consul now sets the same value: provenance moves, the value does not.
	consul.Set(map[string]any{"other": "a"})
	require.Eventually(t, func() bool {
		e, _ := cfg.Explain("other")
		return e.Layer == "memory consul"
	}, wait, 5*time.Millisecond)
	// Then a real change. Callbacks run in order on one goroutine, so a
	// spurious call for the first reload would arrive before this one.
	consul.Set(map[string]any{"other": "b"})
	assert.Equal(t, "b", receive(t, changed), "the unchanged NaN fired OnChange")
	assert.Equal(t, []strata.KeyChange{{Key: "other", Old: "a", New: "b"}}, receive(t, applied).Keys)
	assert.Empty(t, ratioChanged, "OnChangeOf on the NaN part fired")
	reliability.Record(t, "strata/nan-unchanged", reliability.Count("spurious callbacks", 0))
}
