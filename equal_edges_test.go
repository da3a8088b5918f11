package strata

import (
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
