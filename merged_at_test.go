package strata

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// TestMergedAtLeavesAboveThePath: mergedAt computes the value merge would
// hold at a path from the layers alone. A leaf above the path in a lower
// layer is hidden by a higher layer's map there; a leaf above the path in
// the highest layer that reaches it hides everything below, a shape only a
// full build can judge (blocked).
func TestMergedAtLeavesAboveThePath(t *testing.T) {
	snaps := func(layers ...map[string]any) []provider.Snapshot {
		out := make([]provider.Snapshot, len(layers))
		for i, l := range layers {
			out[i] = provider.Snapshot{Data: l}
		}
		return out
	}
	tests := []struct {
		name                  string
		layers                []map[string]any
		want                  any
		wantPresent, wantBlkd bool
	}{
		{"highest layer wins", []map[string]any{{"inner": map[string]any{"port": 1}}, {"inner": map[string]any{"port": 2}}}, 2, true, false},
		{"a deletion falls through", []map[string]any{{"inner": map[string]any{"port": 1}}, {"inner": map[string]any{"host": "h"}}}, 1, true, false},
		{"a lower leaf is hidden by a higher map", []map[string]any{{"inner": "scalar"}, {"inner": map[string]any{"host": "h"}}}, nil, false, false},
		{"the highest leaf blocks", []map[string]any{{"inner": map[string]any{"port": 1}}, {"inner": "scalar"}}, nil, false, true},
		{"maps merge deeply", []map[string]any{{"inner": map[string]any{"port": map[string]any{"a": 1}}}, {"inner": map[string]any{"port": map[string]any{"b": 2}}}},
			map[string]any{"a": 1, "b": 2}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, present, blocked := mergedAt(snaps(tt.layers...), []string{"inner", "port"})
			assert.Equal(t, tt.want, v)
			assert.Equal(t, tt.wantPresent, present, "present")
			assert.Equal(t, tt.wantBlkd, blocked, "blocked")
		})
	}
}

// TestIncrementalReloadKeepsTheOutermostUnit: when one layer changes an
// entry of a map field and another replaces the whole field, the field is
// decoded once, as one unit, and the change list names each key once.
func TestIncrementalReloadKeepsTheOutermostUnit(t *testing.T) {
	type cfg struct {
		Limits map[string]int `config:"limits"`
	}
	var changes []Change
	c, err := LoadWith[cfg](context.Background(), Options{OnApply: func(ch Change) { changes = append(changes, ch) }},
		memlayer.New("file", map[string]any{"limits": map[string]any{"a": 1}}),
		memlayer.New("consul", map[string]any{"limits": map[string]any{"b": 5}}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	snaps := append([]provider.Snapshot(nil), c.applied.Load().snaps...)
	snaps[1] = provider.Snapshot{Data: map[string]any{"limits": map[string]any{"a": 2}}} // one entry
	snaps[2] = provider.Snapshot{Data: map[string]any{}}                                 // the whole field
	cand, ok := c.buildIncremental(snaps)
	require.True(t, ok)
	assert.Equal(t, [][]string{{"limits"}}, cand.units)
	assert.Equal(t, map[string]int{"a": 2}, cand.value.Limits)

	ch := c.diff(2, c.applied.Load(), cand)
	var keys []string
	for _, k := range ch.Keys {
		keys = append(keys, k.Key)
	}
	assert.Equal(t, []string{"limits.a", "limits.b"}, keys)
}
