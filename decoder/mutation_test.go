package decoder

import (
	"math"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNonFiniteMessageExact: the refused value is written as Go parses it
// back ("NaN", "+Inf", "-Inf"), once. The older tests checked with Contains
// and so missed a doubled sign (found by mutation testing, MUTATION.md).
func TestNonFiniteMessageExact(t *testing.T) {
	d, err := New(reflect.TypeFor[floats](), Options{})
	require.NoError(t, err)
	tests := []struct {
		in   any
		want string
	}{
		{math.NaN(), "NaN " + nonFiniteHint},
		{math.Inf(1), "+Inf " + nonFiniteHint},
		{math.Inf(-1), "-Inf " + nonFiniteHint},
		{"inf", "+Inf " + nonFiniteHint},
	}
	for _, tt := range tests {
		var out floats
		_, err := d.Decode(map[string]any{"ratio": tt.in}, &out)
		var errs Errors
		require.ErrorAs(t, err, &errs)
		require.Len(t, errs, 1)
		assert.Equal(t, tt.want, errs[0].Message, "%v", tt.in)
	}
}
