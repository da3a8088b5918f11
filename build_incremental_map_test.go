package strata

import (
	"context"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestIncrementalMapEdits walks one layer through every kind of edit of a
// map field, each from the state the previous step published, and checks
// that the incremental reload takes it (or refuses it when a rebuild
// fails), gives what a rebuild gives, and leaves the maps of the value it
// replaces untouched: readers may still hold that value.
func TestIncrementalMapEdits(t *testing.T) {
	c, err := LoadWith[propConfig](context.Background(), Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	defaults, err := c.layers[0].Load(context.Background())
	require.NoError(t, err)
	c.names = append(c.names, "file", "consul")
	c.status.s.Layers = append(c.status.s.Layers, LayerStatus{Name: "file"}, LayerStatus{Name: "consul"})
	file := provider.Snapshot{Data: map[string]any{"limits": map[string]any{"z": "26"}}}
	first, err := c.build("load", []provider.Snapshot{defaults, file, {Data: map[string]any{
		"flags":   map[string]any{"a": "1", "b": "2"},
		"limits":  map[string]any{"a": "1", "b": "2"},
		"tenants": map[string]any{"t1": map[string]any{"port": "1", "host": "h1"}},
	}}})
	require.NoError(t, err)
	c.publish(first)

	for _, tc := range []struct {
		name   string
		consul map[string]any
		err    string // a rebuild fails with this; the incremental reload must refuse
		check  func(t *testing.T, v *propConfig)
	}{
		{name: "entry changed", consul: map[string]any{
			"flags":   map[string]any{"a": "9", "b": "2"},
			"limits":  map[string]any{"a": "1", "b": "2"},
			"tenants": map[string]any{"t1": map[string]any{"port": "1", "host": "h1"}},
		}, check: func(t *testing.T, v *propConfig) {
			assert.Equal(t, map[string]string{"a": "9", "b": "2"}, v.Flags)
		}},
		{name: "entry added", consul: map[string]any{
			"flags":   map[string]any{"a": "9", "b": "2", "c": "3"},
			"limits":  map[string]any{"a": "1", "b": "2"},
			"tenants": map[string]any{"t1": map[string]any{"port": "1", "host": "h1"}, "t2": map[string]any{"port": "2"}},
		}, check: func(t *testing.T, v *propConfig) {
			assert.Equal(t, map[string]string{"a": "9", "b": "2", "c": "3"}, v.Flags)
			assert.Equal(t, propInner{Port: 2}, v.Tenants["t2"])
		}},
		{name: "entry of a struct map changed", consul: map[string]any{
			"flags":   map[string]any{"a": "9", "b": "2", "c": "3"},
			"limits":  map[string]any{"a": "1", "b": "2"},
			"tenants": map[string]any{"t1": map[string]any{"port": "5"}, "t2": map[string]any{"port": "2"}},
		}, check: func(t *testing.T, v *propConfig) {
			assert.Equal(t, propInner{Port: 5}, v.Tenants["t1"], "host deleted: the entry is decoded whole")
		}},
		{name: "entry removed", consul: map[string]any{
			"flags":   map[string]any{"a": "9", "c": "3"},
			"limits":  map[string]any{"b": "2"},
			"tenants": map[string]any{"t1": map[string]any{"port": "5"}, "t2": map[string]any{"port": "2"}},
		}, check: func(t *testing.T, v *propConfig) {
			assert.Equal(t, map[string]string{"a": "9", "c": "3"}, v.Flags)
			assert.Equal(t, map[string]int{"b": 2, "z": 26}, v.Limits, "entries from the lower layer stay")
		}},
		{name: "value of one entry does not decode", consul: map[string]any{
			"flags":   map[string]any{"a": "9", "c": "3"},
			"limits":  map[string]any{"b": "ten"},
			"tenants": map[string]any{"t1": map[string]any{"port": "5"}, "t2": map[string]any{"port": "2"}},
		}, err: "limits.b"},
		{name: "map emptied", consul: map[string]any{
			"flags":   map[string]any{},
			"limits":  map[string]any{},
			"tenants": map[string]any{},
		}, check: func(t *testing.T, v *propConfig) {
			assert.NotNil(t, v.Flags)
			assert.Empty(t, v.Flags)
			assert.Equal(t, map[string]int{"z": 26}, v.Limits)
			assert.Empty(t, v.Tenants)
		}},
		{name: "entries again", consul: map[string]any{
			"flags":   map[string]any{"a": "1"},
			"limits":  map[string]any{"z": "1"},
			"tenants": map[string]any{"t1": map[string]any{"port": "1"}},
		}, check: func(t *testing.T, v *propConfig) {
			assert.Equal(t, map[string]int{"z": 1}, v.Limits, "the higher layer wins the entry")
		}},
		{name: "map removed", consul: map[string]any{}, check: func(t *testing.T, v *propConfig) {
			assert.Nil(t, v.Flags)
			assert.Nil(t, v.Tenants)
			assert.Equal(t, map[string]int{"z": 26}, v.Limits, "the lower layer shows through")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev := c.applied.Load()
			old := prev.value
			oldFlags, oldLimits, oldTenants := maps.Clone(old.Flags), maps.Clone(old.Limits), maps.Clone(old.Tenants)
			next := []provider.Snapshot{defaults, file, {Data: tc.consul}}

			full, fullErr := c.build("reload", next)
			inc, ok := c.buildIncremental(next)
			if tc.err != "" {
				require.Error(t, fullErr)
				assert.ErrorContains(t, fullErr, tc.err, "the rebuild names the key")
				assert.False(t, ok, "the incremental reload must leave a failing change to the rebuild")
				assert.ErrorContains(t, handler[propConfig]{c}.Apply(next), tc.err)
				assert.Same(t, old, c.Get(), "a rejected change publishes nothing")
				return
			}
			require.NoError(t, fullErr)
			require.True(t, ok, "a map edit must be patched, not rebuilt")
			assert.True(t, sameValue(full.value, inc.value), "value differs from a rebuild\n got %+v\nwant %+v", *inc.value, *full.value)
			assert.Equal(t, full.unknown, inc.unknown)
			assert.Equal(t, sameValue(old, full.value), inc.same)
			tc.check(t, inc.value)

			require.NoError(t, handler[propConfig]{c}.Apply(next))
			assert.Equal(t, oldFlags, old.Flags, "the replaced value's map was written")
			assert.Equal(t, oldLimits, old.Limits, "the replaced value's map was written")
			assert.Equal(t, oldTenants, old.Tenants, "the replaced value's map was written")
			assert.True(t, sameValue(full.value, c.Get()))
		})
	}
}

type ratiosConfig struct {
	Ratios map[string]float64 `config:"ratios" nonfinite:"true"`
}

// TestIncrementalMapNaNEntry checks that an entry whose text changes but
// whose value stays NaN is no change: NaN differs from itself, so a
// comparison of the entry like reflect.DeepEqual would fire every callback.
func TestIncrementalMapNaNEntry(t *testing.T) {
	c, apply, defaults := loadWithLayer[ratiosConfig](t, map[string]any{"ratios": map[string]any{"a": "NaN", "b": "1"}})
	changes := 0
	c.OnChange(func(_, _ *ratiosConfig) { changes++ })
	old := c.Get()

	next := []provider.Snapshot{defaults, {Data: map[string]any{"ratios": map[string]any{"a": "nan", "b": "1"}}}}
	inc, ok := c.buildIncremental(next)
	require.True(t, ok, "a changed entry must be patched")
	assert.True(t, inc.same, "NaN to NaN is no change")
	require.NoError(t, apply(next[1]))
	assert.Zero(t, changes)
	assert.Same(t, old, c.Get())

	next = []provider.Snapshot{defaults, {Data: map[string]any{"ratios": map[string]any{"a": "nan", "b": "2"}}}}
	require.NoError(t, apply(next[1]))
	assert.Equal(t, 1, changes, "a real change next to the NaN is one")
}
