package koanflayer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider/koanflayer"
)

// TestSeveralKeysGivenTwiceNameTheFirst: when several keys are given both
// nested and dotted, the error names the first in key order, so the same
// bad source always gives the same message (found by mutation testing,
// MUTATION.md).
func TestSeveralKeysGivenTwiceNameTheFirst(t *testing.T) {
	data := map[string]any{
		"a": map[string]any{"x": 1}, "a.x": 2,
		"b": map[string]any{"x": 1}, "b.x": 2,
		"c": map[string]any{"x": 1}, "c.x": 2,
	}
	l := koanflayer.New("vault", &fake{data: data}, koanflayer.Options{})
	for range 5 { // map order varies between reads; the answer must not
		_, err := l.Load(context.Background())
		assert.ErrorContains(t, err, "vault: a.x: given twice")
	}
}
