package strata

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type node struct {
	Next *node
	F    float64
}

// TestSameValueIsDeepEqualExceptNaN: sameValue agrees with
// reflect.DeepEqual on every kind a config holds, except that NaN equals
// NaN wherever it sits.
func TestSameValueIsDeepEqualExceptNaN(t *testing.T) {
	nan := math.NaN()
	one, two := 1, 2
	cyc1, cyc2 := &node{F: 1}, &node{F: 1}
	cyc1.Next, cyc2.Next = cyc1, cyc2
	fn := func() {}
	tests := []struct {
		name string
		a, b any
	}{
		{"ints", 1, 1}, {"ints differ", 1, 2}, {"types differ", 1, int64(1)},
		{"strings", "a", "a"}, {"bools", true, false},
		{"nil and value", nil, 1}, {"nils", nil, nil},
		{"slices", []int{1, 2}, []int{1, 2}}, {"slices differ", []int{1}, []int{1, 2}},
		{"nil slice vs empty", []int(nil), []int{}},
		{"maps", map[string]int{"a": 1}, map[string]int{"a": 1}},
		{"maps differ", map[string]int{"a": 1}, map[string]int{"b": 1}},
		{"pointers", &one, &one}, {"pointers to equal", &one, new(int)}, {"pointers differ", &one, &two},
		{"structs", struct{ A, b int }{1, 2}, struct{ A, b int }{1, 2}},
		{"unexported differ", struct{ A, b int }{1, 2}, struct{ A, b int }{1, 3}},
		{"arrays", [2]string{"a"}, [2]string{"a"}},
		{"times", time.Unix(1, 0), time.Unix(1, 0)},
		{"any in map", map[string]any{"x": []any{1.5}}, map[string]any{"x": []any{1.5}}},
		{"cycles", cyc1, cyc2},
		{"nil funcs", (func())(nil), (func())(nil)}, {"funcs", fn, fn},
		{"complex", complex(1, 2), complex(1, 2)},
	}
	for _, tt := range tests {
		assert.Equal(t, reflect.DeepEqual(tt.a, tt.b), sameValue(tt.a, tt.b), tt.name)
	}
	for _, tt := range []struct {
		name string
		a, b any
	}{
		{"NaN", nan, nan},
		{"NaN field", struct{ F float64 }{nan}, struct{ F float64 }{nan}},
		{"NaN in slice", []float64{1, nan}, []float64{1, nan}},
		{"NaN in map of any", map[string]any{"x": nan}, map[string]any{"x": nan}},
		{"NaN behind pointer", &node{F: nan}, &node{F: nan}},
		{"float32 NaN", float32(nan), float32(nan)},
		{"complex NaN", complex(nan, 1), complex(nan, 1)},
	} {
		assert.True(t, sameValue(tt.a, tt.b), tt.name)
	}
	assert.False(t, sameValue(nan, 1.0), "NaN differs from a number")
	assert.False(t, sameValue(math.Inf(1), math.Inf(-1)))
}
