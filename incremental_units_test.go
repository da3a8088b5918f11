package strata

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// TestIncrementalReloadTakesAtMostMaxUnits: a change touching up to
// maxUnits decode units is patched into the current value; one touching
// more is left to a full build, which then costs about as much.
func TestIncrementalReloadTakesAtMostMaxUnits(t *testing.T) {
	type cfg struct {
		Flags map[string]string `config:"flags"`
	}
	flags := func(n int, value string) map[string]any {
		m := map[string]any{}
		for i := range n {
			m[fmt.Sprintf("f%03d", i)] = value
		}
		return map[string]any{"flags": m}
	}
	tests := []struct {
		changed int
		wantOK  bool
	}{
		{1, true},
		{maxUnits, true},
		{maxUnits + 1, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.changed), func(t *testing.T) {
			c, err := LoadWith[cfg](context.Background(), Options{}, memlayer.New("m", flags(maxUnits+1, "old")))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })

			next := flags(maxUnits+1, "old")
			for i := range tt.changed {
				next["flags"].(map[string]any)[fmt.Sprintf("f%03d", i)] = "new"
			}
			snaps := append([]provider.Snapshot(nil), c.applied.Load().snaps...)
			snaps[1] = provider.Snapshot{Data: next}
			cand, ok := c.buildIncremental(snaps)
			require.Equal(t, tt.wantOK, ok)
			if ok {
				assert.Len(t, cand.units, tt.changed)
				assert.Equal(t, "new", cand.value.Flags["f000"])
			}
		})
	}
}

// TestIncrementalReloadUnits: an incremental reload cuts each difference
// to its decode unit (a leaf field, one entry of a map field, a list), so
// that its cost follows the size of the change; a re-read that changed
// nothing (new maps, equal numbers and lists) has no unit at all.
func TestIncrementalReloadUnits(t *testing.T) {
	type inner struct {
		Port int    `config:"port"`
		Host string `config:"host"`
	}
	type cfg struct {
		Inner  inner          `config:"inner"`
		Limits map[string]int `config:"limits"`
		Tags   []string       `config:"tags"`
	}
	data := func() map[string]any {
		return map[string]any{
			"inner":  map[string]any{"port": 1, "host": "h"},
			"limits": map[string]any{"a": 1, "b": 2},
			"tags":   []any{"x", "y"},
		}
	}
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   [][]string
	}{
		{"nothing changed", func(map[string]any) {}, nil},
		{"one struct field", func(m map[string]any) { m["inner"].(map[string]any)["port"] = 2 }, [][]string{{"inner", "port"}}},
		{"one map entry", func(m map[string]any) { m["limits"].(map[string]any)["b"] = 3 }, [][]string{{"limits", "b"}}},
		{"a deleted map entry", func(m map[string]any) { delete(m["limits"].(map[string]any), "a") }, [][]string{{"limits", "a"}}},
		{"a list", func(m map[string]any) { m["tags"] = []any{"x"} }, [][]string{{"tags"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadWith[cfg](context.Background(), Options{}, memlayer.New("m", data()))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })

			next := data() // new maps, as a layer's re-read delivers
			tt.change(next)
			snaps := append([]provider.Snapshot(nil), c.applied.Load().snaps...)
			snaps[1] = provider.Snapshot{Data: next}
			cand, ok := c.buildIncremental(snaps)
			require.True(t, ok)
			assert.Equal(t, tt.want, cand.units)
			assert.Equal(t, tt.want == nil, cand.same)
		})
	}
}

// TestPatchUnknownKeepsKeysOutsideTheUnits: after a patch, an unknown key
// at or below a patched unit ("limits.a.x", "limits.a[0]") is replaced by
// what the patch found there; one outside every unit stays, even when it
// merely starts with a unit's text ("limits.ab" is not below "limits.a").
func TestPatchUnknownKeepsKeysOutsideTheUnits(t *testing.T) {
	prev := []string{"limits.a", "limits.a.x", "limits.a[0]", "limits.ab", "other"}
	got := patchUnknown(prev, [][]string{{"limits", "a"}}, []string{"limits.a.y"})
	assert.Equal(t, []string{"limits.a.y", "limits.ab", "other"}, got)
	assert.Equal(t, []string{"other"}, patchUnknown([]string{"limits.a.x", "other"}, [][]string{{"limits", "a"}}, nil))
	assert.Equal(t, []string{"limits.a.y"}, patchUnknown(nil, [][]string{{"limits", "a"}}, []string{"limits.a.y"}))
	assert.Nil(t, patchUnknown(nil, [][]string{{"limits", "a"}}, nil))
}

// TestIncrementalChangeListSkipsTheMergedTrees: the change list of an
// incremental reload compares only the patched units, computed from the
// layers, so it never builds the merged copy of every layer; that copy
// would grow the live heap by the size of the configuration.
func TestIncrementalChangeListSkipsTheMergedTrees(t *testing.T) {
	type cfg struct {
		Limits map[string]int `config:"limits"`
	}
	var keys []string
	c, err := LoadWith[cfg](context.Background(), Options{OnApply: func(ch Change) {
		for _, k := range ch.Keys {
			keys = append(keys, k.Key)
		}
	}}, memlayer.New("m", map[string]any{"limits": map[string]any{"a": 1, "b": 2}}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	snaps := append([]provider.Snapshot(nil), c.applied.Load().snaps...)
	snaps[1] = provider.Snapshot{Data: map[string]any{"limits": map[string]any{"a": 1, "b": 3}}}
	require.NoError(t, handler[cfg]{c}.Apply(snaps)) // as the reload goroutine would
	assert.Equal(t, []string{"limits.b"}, keys)
	cand := c.applied.Load()
	require.NotNil(t, cand.units, "applied incrementally")
	assert.Nil(t, cand.merged, "no merged copy was built for the change list")
}
