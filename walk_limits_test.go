package strata

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/limits"
)

// TestWalksStopExactlyAtTheLimit: every walk handles a container that
// starts at depth limits.MaxDepth-1 and stops at one that starts at
// limits.MaxDepth, typed containers (map[string]string, []string) as well
// as the map[string]any and []any of parsed input.
func TestWalksStopExactlyAtTheLimit(t *testing.T) {
	c, err := newConfig[deepCfg](Options{Secrets: []string{"token"}}, nil)
	require.NoError(t, err)
	root := c.rootCursor()

	t.Run("redact", func(t *testing.T) {
		for _, v := range []any{map[string]string{"a": "b"}, []string{"x"}} {
			assert.Equal(t, tooDeep, redactValue(root, v, limits.MaxDepth), "%T", v)
			assert.NotEqual(t, tooDeep, redactValue(root, v, limits.MaxDepth-1), "%T", v)
		}
	})
	t.Run("scalars", func(t *testing.T) {
		var got []any
		eachScalar("at", limits.MaxDepth, func(v any) { got = append(got, v) })
		eachScalar("below", limits.MaxDepth+1, func(v any) { got = append(got, v) })
		assert.Equal(t, []any{"at"}, got)
	})
	t.Run("secrets", func(t *testing.T) {
		var got []any
		eachSecret(root, map[string]any{"token": "above"}, limits.MaxDepth-1, func(v any) { got = append(got, v) })
		eachSecret(root, map[string]any{"token": "at"}, limits.MaxDepth, func(v any) { got = append(got, v) })
		assert.Equal(t, []any{"above"}, got)
	})
}
