package decode

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type patchInner struct {
	Port int `config:"port"`
}

type patchEmbedded struct {
	Zone string `config:"zone"`
}

type patchConfig struct {
	patchEmbedded `config:",squash"`
	Name          string                `config:"name"`
	Inner         patchInner            `config:"inner"`
	Ptr           *patchInner           `config:"ptr"`
	Flags         map[string]string     `config:"flags"`
	Tenants       map[string]patchInner `config:"tenants"`
	Hosts         []string              `config:"hosts"`
}

type remainConfig struct {
	Name  string         `config:"name"`
	Extra map[string]any `config:",remain"`
}

func TestUnitLen(t *testing.T) {
	d, err := New(reflect.TypeFor[patchConfig](), Options{})
	require.NoError(t, err)
	for _, tc := range []struct {
		path  []string
		n     int
		finer bool
	}{
		{[]string{"name"}, 1, false},
		{[]string{"zone"}, 1, false}, // squashed: the key lives at the parent
		{[]string{"inner"}, 1, true},
		{[]string{"inner", "port"}, 2, false},
		{[]string{"inner", "port", "x"}, 2, false},
		{[]string{"ptr", "port"}, 1, false}, // behind a pointer: the whole field
		{[]string{"flags"}, 1, true},
		{[]string{"flags", "a"}, 2, false},
		{[]string{"tenants", "t1", "port"}, 2, false}, // one entry, whole
		{[]string{"hosts"}, 1, false},
		{[]string{"nope", "deeper"}, 1, false}, // an unknown key
		{[]string{"inner", "nope"}, 2, false},
	} {
		n, finer, ok := d.UnitLen(tc.path)
		assert.True(t, ok, "%v", tc.path)
		assert.Equal(t, tc.n, n, "%v", tc.path)
		assert.Equal(t, tc.finer, finer, "%v", tc.path)
	}

	r, err := New(reflect.TypeFor[remainConfig](), Options{})
	require.NoError(t, err)
	_, _, ok := r.UnitLen([]string{"name"})
	assert.False(t, ok, "a ,remain field collects unknown keys: only a whole decode is right")
}

func TestPatchWritesOnlyTheCopy(t *testing.T) {
	d, err := New(reflect.TypeFor[patchConfig](), Options{})
	require.NoError(t, err)
	old := &patchConfig{Name: "a", Inner: patchInner{Port: 1}, Ptr: &patchInner{Port: 2},
		Flags: map[string]string{"a": "1", "b": "2"}, Hosts: []string{"h"}}
	old.Zone = "z"
	same := func(a, b any) bool { return reflect.DeepEqual(a, b) }

	for _, tc := range []struct {
		name    string
		units   [][]string
		data    map[string]any
		changed bool
		check   func(t *testing.T, out *patchConfig)
	}{
		{"struct field", [][]string{{"inner", "port"}}, map[string]any{"inner": map[string]any{"port": "5"}}, true,
			func(t *testing.T, out *patchConfig) { assert.Equal(t, 5, out.Inner.Port) }},
		{"squashed field", [][]string{{"zone"}}, map[string]any{"zone": "y"}, true,
			func(t *testing.T, out *patchConfig) { assert.Equal(t, "y", out.Zone) }},
		{"map entry set", [][]string{{"flags", "a"}}, map[string]any{"flags": map[string]any{"a": "9"}}, true,
			func(t *testing.T, out *patchConfig) {
				assert.Equal(t, map[string]string{"a": "9", "b": "2"}, out.Flags)
			}},
		{"map entry deleted", [][]string{{"flags", "b"}}, map[string]any{}, true,
			func(t *testing.T, out *patchConfig) { assert.Equal(t, map[string]string{"a": "1"}, out.Flags) }},
		{"pointer replaced whole", [][]string{{"ptr"}}, map[string]any{"ptr": map[string]any{"port": "7"}}, true,
			func(t *testing.T, out *patchConfig) { assert.Equal(t, 7, out.Ptr.Port) }},
		{"field deleted", [][]string{{"name"}}, map[string]any{}, true,
			func(t *testing.T, out *patchConfig) { assert.Empty(t, out.Name) }},
		{"same value", [][]string{{"flags", "a"}}, map[string]any{"flags": map[string]any{"a": "1"}}, false,
			func(t *testing.T, out *patchConfig) { assert.Equal(t, old.Flags, out.Flags) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := *old
			before.Flags = map[string]string{"a": "1", "b": "2"}
			before.Ptr = &patchInner{Port: 2}
			out := new(patchConfig)
			unused, changed, err := d.Patch(old, out, tc.units, tc.data, same)
			require.NoError(t, err)
			assert.Empty(t, unused)
			assert.Equal(t, tc.changed, changed)
			tc.check(t, out)
			assert.Equal(t, &before, old, "old must not change")
			assert.Equal(t, old.Hosts, out.Hosts, "untouched fields carry over")
		})
	}
}

func TestPatchReportsErrorsAndUnknownKeys(t *testing.T) {
	d, err := New(reflect.TypeFor[patchConfig](), Options{})
	require.NoError(t, err)
	old := &patchConfig{}
	same := func(a, b any) bool { return reflect.DeepEqual(a, b) }

	_, _, err = d.Patch(old, new(patchConfig), [][]string{{"inner", "port"}}, map[string]any{"inner": map[string]any{"port": "ten"}}, same)
	assert.ErrorContains(t, err, "inner.port")

	unused, _, err := d.Patch(old, new(patchConfig), [][]string{{"inner", "nope"}}, map[string]any{"inner": map[string]any{"nope": "1"}}, same)
	require.NoError(t, err)
	assert.Equal(t, []string{"inner.nope"}, unused)
}
