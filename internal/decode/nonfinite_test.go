package decode

import (
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type floats struct {
	Ratio   float64            `config:"ratio"`
	Small   float32            `config:"small"`
	Ptr     *float64           `config:"ptr"`
	Weights []float64          `config:"weights"`
	Limits  map[string]float64 `config:"limits"`
	Servers []struct {
		Weight float64 `config:"weight"`
	} `config:"servers"`
	Extra  map[string]any `config:"extra"`
	Secret float64        `config:"secret" secret:"true"`
	// Opted in: a sentinel NaN or an unbounded +Inf means something here.
	Sentinel float64 `config:"sentinel" nonfinite:"true"`
	Curve    struct {
		Points []float64 `config:"points"`
	} `config:"curve" nonfinite:"true"`
}

// TestNonFiniteRejected: NaN and ±Inf, from strings and from YAML numbers,
// are refused with an error naming the key, wherever the float sits.
func TestNonFiniteRejected(t *testing.T) {
	d, err := New(reflect.TypeFor[floats](), Options{})
	require.NoError(t, err)
	tests := []struct {
		name    string
		data    map[string]any
		key     string
		message string
	}{
		{"string NaN", map[string]any{"ratio": "NaN"}, "ratio", "NaN is not a finite number"},
		{"string nan", map[string]any{"ratio": " nan"}, "ratio", "NaN is not a finite number"},
		{"string Inf", map[string]any{"ratio": "Inf"}, "ratio", "+Inf is not a finite number"},
		{"string -infinity", map[string]any{"ratio": "-infinity"}, "ratio", "-Inf is not a finite number"},
		{"yaml .nan", map[string]any{"ratio": math.NaN()}, "ratio", "NaN is not a finite number"},
		{"yaml .inf", map[string]any{"ratio": math.Inf(1)}, "ratio", "+Inf is not a finite number"},
		{"float32", map[string]any{"small": "-Inf"}, "small", "-Inf is not a finite number"},
		{"float32 yaml .inf", map[string]any{"small": math.Inf(1)}, "small", "+Inf is not a finite number"},
		{"pointer", map[string]any{"ptr": "NaN"}, "ptr", "NaN is not a finite number"},
		{"list item", map[string]any{"weights": "1,NaN"}, "weights[1]", "NaN is not a finite number"},
		{"map entry", map[string]any{"limits": map[string]any{"eu": "Inf"}}, "limits.eu", "+Inf is not a finite number"},
		{"struct in list", map[string]any{"servers": []any{map[string]any{"weight": "1"}, map[string]any{"weight": "NaN"}}}, "servers[1].weight", "NaN is not a finite number"},
		{"any", map[string]any{"extra": map[string]any{"x": []any{math.NaN()}}}, "extra.x[0]", "NaN is not a finite number"},
		{"secret", map[string]any{"secret": "NaN"}, "secret", "(secret value redacted)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out floats
			_, err := d.Decode(tt.data, &out)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			require.Len(t, errs, 1, "%v", err)
			assert.Equal(t, tt.key, errs[0].Key)
			assert.Contains(t, errs[0].Message, tt.message)
			assert.Contains(t, errs[0].Message, `nonfinite:"true"`, "the message says how to opt in")
			assert.False(t, hasNonFinite(reflect.ValueOf(out).FieldByName("Ratio")), "a rejected value is not left in place")
		})
	}
}

func hasNonFinite(v reflect.Value) bool {
	f := v.Float()
	return math.IsNaN(f) || math.IsInf(f, 0)
}

// TestNonFiniteOptIn: a field tagged nonfinite:"true", and every float
// below it, accepts NaN and ±Inf; finite values are accepted everywhere.
func TestNonFiniteOptIn(t *testing.T) {
	d, err := New(reflect.TypeFor[floats](), Options{})
	require.NoError(t, err)
	var out floats
	_, err = d.Decode(map[string]any{
		"sentinel": "NaN",
		"curve":    map[string]any{"points": "-Inf,0,+Inf"},
		"ratio":    "0.5",
		"weights":  []any{1.5, "2"},
		"extra":    map[string]any{"x": 1.25},
	}, &out)
	require.NoError(t, err)
	assert.True(t, math.IsNaN(out.Sentinel))
	assert.Equal(t, []float64{math.Inf(-1), 0, math.Inf(1)}, out.Curve.Points)
	assert.Equal(t, 0.5, out.Ratio)
}

// TestNonFiniteTagMustBeBool: a malformed opt-in fails at New, not silently.
func TestNonFiniteTagMustBeBool(t *testing.T) {
	type bad struct {
		F float64 `nonfinite:"yes please"`
	}
	_, err := New(reflect.TypeFor[bad](), Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nonfinite tag")
}
