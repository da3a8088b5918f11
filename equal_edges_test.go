package strata

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSameValueEmptySliceDoesNotVouchForItsArray: an empty slice is equal
// to any other empty slice, but that must not mark its backing arrays as
// already compared: a longer slice of the same arrays, met later, still
// has its elements compared.
func TestSameValueEmptySliceDoesNotVouchForItsArray(t *testing.T) {
	type pair struct{ A, B []int }
	x, y := []int{1}, []int{2}
	assert.False(t, sameValue(pair{x[:0], x[:1]}, pair{y[:0], y[:1]}), "B differs: [1] and [2]")
	assert.True(t, sameValue(pair{x[:0], x[:1]}, pair{y[:0], []int{1}}))
}

// TestSameValueNilInterfaces: a nil interface equals only a nil interface.
func TestSameValueNilInterfaces(t *testing.T) {
	type holder struct{ V any }
	assert.True(t, sameValue(holder{}, holder{}))
	assert.False(t, sameValue(holder{}, holder{V: 1}))
	assert.False(t, sameValue(holder{V: 1}, holder{}))
}

// TestSameValueSharedMemory: the same map or pointer holds the same value,
// even one DeepEqual calls different (a func); a slice is compared by its
// elements, since two slices of one array may differ in length; and a
// cyclic slice ends the comparison as in reflect.DeepEqual.
func TestSameValueSharedMemory(t *testing.T) {
	p := &struct{ F func() }{F: func() {}}
	assert.True(t, sameValue(p, p))
	x := []int{1, 2}
	assert.False(t, sameValue(x[:1], x[:2]))

	a, b := []any{nil}, []any{nil}
	a[0], b[0] = a, b
	assert.True(t, sameValue(a, b))
}

// TestSameValueComplex: complex numbers are equal when both parts are,
// NaN parts included.
func TestSameValueComplex(t *testing.T) {
	nan := math.NaN()
	assert.True(t, sameValue(complex(1, 2), complex(1, 2)))
	assert.False(t, sameValue(complex(1, 2), complex(1, 3)))
	assert.True(t, sameValue(complex(nan, 2), complex(nan, 2)))
	assert.False(t, sameValue(complex(nan, 2), complex(nan, 3)))
}

// TestSameValueChannels: channels are equal when they are the same channel.
func TestSameValueChannels(t *testing.T) {
	type holder struct{ C chan int }
	a, b := make(chan int), make(chan int)
	assert.True(t, sameValue(holder{a}, holder{a}))
	assert.False(t, sameValue(holder{a}, holder{b}))
}
