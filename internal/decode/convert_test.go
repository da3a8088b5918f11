package decode

import (
	"errors"
	"reflect"
	"testing"

	"github.com/go-viper/mapstructure/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/fielderr"
)

type grade int

func parseGrade(s string) (grade, error) {
	switch s {
	case "low":
		return 1, nil
	case "high":
		return 2, nil
	}
	return 0, errors.New("unknown grade")
}

// TestConverter pins the Converter in this package (its tests were in the
// public decoder package, so none of convert.go's mutants was covered,
// MUTATION.md): it decodes strings into its type only, leaves a value of
// the type's own kind alone, and a zero Converter is refused.
func TestConverter(t *testing.T) {
	type cfg struct {
		Level grade  `config:"level"`
		Name  string `config:"name"`
	}
	d, err := New(reflect.TypeFor[cfg](), Options{Converters: []Converter{Convert(parseGrade)}})
	require.NoError(t, err)

	tests := []struct {
		name    string
		in      map[string]any
		want    cfg
		wantErr string
	}{
		{name: "string converted", in: map[string]any{"level": "high", "name": "low"}, want: cfg{Level: 2, Name: "low"}},
		{name: "int decoded as usual", in: map[string]any{"level": 7}, want: cfg{Level: 7}},
		{name: "converter error", in: map[string]any{"level": "mid"}, wantErr: `level: "mid" is not a valid decode.grade: unknown grade`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got cfg
			_, err := d.Decode(tt.in, &got)
			if tt.wantErr != "" {
				var errs fielderr.Errors
				require.ErrorAs(t, err, &errs)
				assert.Equal(t, tt.wantErr, errs.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	for _, c := range []Converter{{}, {to: reflect.TypeFor[grade]()}, {fn: func(string) (any, error) { return nil, nil }}} {
		_, err := New(reflect.TypeFor[cfg](), Options{Converters: []Converter{c}})
		assert.ErrorContains(t, err, "zero Converter")
	}
}

// TestHooksRunInOrder: each hook receives the previous one's output, after
// the Converters (no test gave more than one hook, so sizing the hook list
// by subtraction, which panics on a negative capacity, lived: MUTATION.md).
func TestHooksRunInOrder(t *testing.T) {
	type cfg struct {
		Name string `config:"name"`
	}
	rename := func(from, to string) mapstructure.DecodeHookFunc {
		return mapstructure.DecodeHookFuncType(func(_, _ reflect.Type, data any) (any, error) {
			if data == from {
				return to, nil
			}
			return data, nil
		})
	}
	d, err := New(reflect.TypeFor[cfg](), Options{Hooks: []mapstructure.DecodeHookFunc{rename("a", "b"), rename("b", "c")}})
	require.NoError(t, err)
	var got cfg
	_, err = d.Decode(map[string]any{"name": "a"}, &got)
	require.NoError(t, err)
	assert.Equal(t, "c", got.Name)
}

// SquashedZone is exported: mapstructure cannot set an embedded pointer
// to an unexported type.
type SquashedZone struct {
	Zone string `config:"zone"`
}

// TestUnitLenSquashedBehindAPointer: a key of a squashed *struct cannot be
// decoded on its own (setting it in a shallow copy would write into memory
// the copy shares), so UnitLen says so; no test squashed a pointer, and
// fieldType's `i > 0` negated lived (MUTATION.md).
func TestUnitLenSquashedBehindAPointer(t *testing.T) {
	type cfg struct {
		*SquashedZone `config:",squash"`
		Name          string `config:"name"`
	}
	d, err := New(reflect.TypeFor[cfg](), Options{})
	require.NoError(t, err)
	_, _, ok := d.UnitLen([]string{"zone"})
	assert.False(t, ok, "behind a pointer: only a whole decode is right")
	n, _, ok := d.UnitLen([]string{"name"})
	assert.True(t, ok)
	assert.Equal(t, 1, n)
}

type withFlags struct {
	Flags map[string]int `config:"flags"`
}

// TestErrorKeyBehindPointers: an error below a pointer field, or in a map
// of pointers, names the map entry with a dot like any other
// ("ptr.flags.x", not mapstructure's "ptr.flags[x]"); no test went through
// a pointer, and configKey's deref guard negated lived (MUTATION.md).
func TestErrorKeyBehindPointers(t *testing.T) {
	type cfg struct {
		Ptr     *withFlags            `config:"ptr"`
		Tenants map[string]*withFlags `config:"tenants"`
	}
	d, err := New(reflect.TypeFor[cfg](), Options{})
	require.NoError(t, err)
	tests := []struct {
		in  map[string]any
		key string
	}{
		{map[string]any{"ptr": map[string]any{"flags": map[string]any{"x": "ten"}}}, "ptr.flags.x"},
		{map[string]any{"tenants": map[string]any{"t1": map[string]any{"flags": map[string]any{"x": "ten"}}}}, "tenants.t1.flags.x"},
	}
	for _, tt := range tests {
		var got cfg
		_, err := d.Decode(tt.in, &got)
		var errs fielderr.Errors
		require.ErrorAs(t, err, &errs)
		require.Len(t, errs, 1)
		assert.Equal(t, tt.key, errs[0].Key)
	}
}
