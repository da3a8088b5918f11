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
