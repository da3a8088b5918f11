package fielderr

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSortedKeepsTheOrderOfOneKey: several problems with one key stay in
// the order they were found, so one bad input always gives the same
// message (a comparator `<=` lived in this package's own tests,
// MUTATION.md; it makes the stable sort reorder equal keys).
func TestSortedKeepsTheOrderOfOneKey(t *testing.T) {
	errs := Sorted(Errors{
		{Key: "b", Message: "first"}, {Key: "a", Message: "x"}, {Key: "b", Message: "second"},
		{Key: "b", Message: "third"}, {Key: "", Message: "whole 1"}, {Key: "", Message: "whole 2"},
	})
	assert.Equal(t, "whole 1; whole 2; a: x; b: first; b: second; b: third", errs.Error())
}
