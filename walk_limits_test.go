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
		for _, v := range []any{map[string]string{"a": "b"}, []string{"x"}, []any{"x"}} {
			assert.Equal(t, tooDeep, redactValue(root, v, limits.MaxDepth), "%T", v)
			assert.NotEqual(t, tooDeep, redactValue(root, v, limits.MaxDepth-1), "%T", v)
		}
		// A container one level above the limit holds its children as tooDeep.
		above := limits.MaxDepth - 1
		assert.Equal(t, []any{tooDeep}, redactValue(root, []any{[]any{"x"}}, above))
		assert.Equal(t, map[string]any{"a": tooDeep}, redactValue(root, map[string][]string{"a": {"x"}}, above))
		assert.Equal(t, []any{tooDeep}, redactValue(root, [][]string{{"x"}}, above))
		assert.Equal(t, []byte("ab"), redactValue(root, []byte("ab"), limits.MaxDepth+1), "bytes are one value")
	})
	t.Run("scalars", func(t *testing.T) {
		var got []any
		collect := func(v any) { got = append(got, v) }
		eachScalar("at", limits.MaxDepth, collect)
		eachScalar("below", limits.MaxDepth+1, collect)
		assert.Equal(t, []any{"at"}, got)

		for _, v := range []any{map[string]any{"a": "x"}, []any{"x"}, map[string]string{"a": "x"}, []string{"x"}} {
			got = nil
			eachScalar(v, limits.MaxDepth-1, collect)
			assert.Equal(t, []any{"x"}, got, "%T above the limit", v)
			got = nil
			eachScalar(v, limits.MaxDepth, collect)
			assert.Empty(t, got, "%T at the limit: its items are below it", v)
		}
		got = nil
		eachScalar([]byte("ab"), 0, collect)
		assert.Equal(t, []any{[]byte("ab")}, got, "bytes are one value")
	})
	t.Run("secrets", func(t *testing.T) {
		var got []any
		eachSecret(root, map[string]any{"token": "above"}, limits.MaxDepth-1, func(v any) { got = append(got, v) })
		eachSecret(root, map[string]any{"token": "at"}, limits.MaxDepth, func(v any) { got = append(got, v) })
		assert.Equal(t, []any{"above"}, got)
	})
}

// TestEachSecretStopsAtTheLimitInEveryContainer: eachSecret finds a secret
// whose container starts above the depth limit and none whose container
// starts at it, through maps, lists and typed containers alike; a []byte
// is one value, never a list of secret bytes.
func TestEachSecretStopsAtTheLimitInEveryContainer(t *testing.T) {
	c, err := newConfig[deepCfg](Options{Secrets: []string{"*.token", "b.0"}}, nil)
	require.NoError(t, err)
	root := c.rootCursor()
	for _, v := range []any{
		map[string]any{"x": map[string]any{"token": "s"}},
		[]any{map[string]any{"token": "s"}},
		map[string]map[string]string{"x": {"token": "s"}},
		[]map[string]string{{"token": "s"}},
	} {
		var got []any
		eachSecret(root, v, limits.MaxDepth-2, func(s any) { got = append(got, s) })
		assert.Equal(t, []any{"s"}, got, "%T above the limit", v)
		got = nil
		eachSecret(root, v, limits.MaxDepth-1, func(s any) { got = append(got, s) })
		assert.Empty(t, got, "%T: the secret lies below the limit", v)
	}
	var got []any
	eachSecret(root, map[string]any{"b": []byte("xyz")}, 0, func(s any) { got = append(got, s) })
	assert.Empty(t, got)
}
