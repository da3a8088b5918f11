package strata_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/limits"
	"github.com/strata-go/strata/internal/memlayer"
)

// TestExplainTheDeepestKey: a key as deep as the decoder accepts
// (limits.MaxDepth segments) is explained like any other.
func TestExplainTheDeepestKey(t *testing.T) {
	type cfg struct {
		Deep map[string]any `config:"deep"`
	}
	segs := []string{"deep"}
	var leaf any = "bottom"
	for len(segs) < limits.MaxDepth {
		segs = append(segs, "n")
	}
	for range len(segs) - 1 {
		leaf = map[string]any{"n": leaf}
	}
	c := load[cfg](t, strata.Options{}, memlayer.New("m", map[string]any{"deep": leaf}))
	key := strings.Join(segs, ".")
	e, ok := c.Explain(key)
	require.True(t, ok, "Explain(%d segments)", len(segs))
	assert.Equal(t, "bottom", e.Value)
	assert.Equal(t, "memory m", e.Layer)
}
