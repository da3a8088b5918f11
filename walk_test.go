package strata

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/limits"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
)

// deepTree returns {"n": {"n": … {"n": leaf}}} nested depth levels.
func deepTree(depth int, leaf any) map[string]any {
	var v any = leaf
	for range depth {
		v = map[string]any{"n": v}
	}
	return v.(map[string]any)
}

type deepCfg struct {
	Deep map[string]any `config:"deep"`
	DSN  string         `config:"dsn" secret:"true"`
}

// TestWalksStopAtDepthLimit runs every walk over a configuration tree on a
// tree 10,000 levels deep: each completes, stops at limits.MaxDepth, and
// shows the rest as tooDeep instead of a 10,000-segment key built level by
// level (the quadratic cost of issue 13.5).
func TestWalksStopAtDepthLimit(t *testing.T) {
	const depth = 10_000
	c, err := newConfig[deepCfg](Options{Secrets: []string{"deep.*.*.secret"}}, nil)
	require.NoError(t, err)
	a := map[string]any{"deep": deepTree(depth, "old"), "dsn": "PLANTED-dsn"}
	b := map[string]any{"deep": deepTree(depth, "new"), "dsn": "PLANTED-dsn"}
	wantKey := "deep" + strings.Repeat(".n", limits.MaxDepth-1)

	t.Run("redact", func(t *testing.T) {
		v := redactValue(c.rootCursor(), a, 0)
		levels := 0
		for m, ok := v.(map[string]any); ok; m, ok = v.(map[string]any) {
			if m["dsn"] != nil {
				assert.Equal(t, redacted, m["dsn"])
				v = m["deep"]
			} else {
				v = m["n"]
			}
			levels++
		}
		assert.Equal(t, limits.MaxDepth, levels)
		assert.Equal(t, tooDeep, v)
	})
	t.Run("secret values", func(t *testing.T) {
		got := c.secretValues([]provider.Snapshot{{Data: a}})
		assert.Equal(t, []string{"PLANTED-dsn"}, got)
	})
	t.Run("explain all", func(t *testing.T) {
		c.applied.Store(&candidate[deepCfg]{layers: []string{"file"}, snaps: []provider.Snapshot{{Data: a}}, merged: a})
		var deep []Explanation
		for _, e := range c.ExplainAll() {
			if strings.HasPrefix(e.Key, "deep") {
				deep = append(deep, e)
			}
		}
		require.Len(t, deep, 1)
		assert.Equal(t, wantKey, deep[0].Key)
		assert.Equal(t, tooDeep, deep[0].Value)
		e, ok := c.Explain(wantKey + ".n.n")
		assert.False(t, ok, "Explain refuses a key deeper than the limit: %v", e)
	})
	t.Run("diff", func(t *testing.T) {
		ch := c.diff(2, &candidate[deepCfg]{merged: a}, &candidate[deepCfg]{merged: b})
		require.Len(t, ch.Keys, 1)
		assert.Equal(t, wantKey, ch.Keys[0].Key)
		assert.Equal(t, tooDeep, ch.Keys[0].New)
		assert.Empty(t, c.diff(2, &candidate[deepCfg]{merged: a}, &candidate[deepCfg]{merged: a}).Keys)
	})
}

// TestDeepInputIsRejected loads and reloads a tree 10,000 levels deep: both
// are refused with an error naming the key, and the reload keeps the last
// good value.
func TestDeepInputIsRejected(t *testing.T) {
	deep := map[string]any{"deep": deepTree(10_000, "x"), "dsn": "PLANTED-dsn"}
	_, err := LoadWith[deepCfg](context.Background(), Options{}, memlayer.New("file", deep))
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("nested more than %d levels deep", limits.MaxDepth))
	assert.Contains(t, err.Error(), "deep.n.n")

	l := memlayer.New("file", map[string]any{"deep": map[string]any{"a": "1"}})
	errs := make(chan error, 1)
	cfg, err := LoadWith[deepCfg](context.Background(), Options{OnError: func(err error) {
		select { // never block the reload goroutine past the test (Close waits for it)
		case errs <- err:
		case <-t.Context().Done():
		}
	}}, l)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cfg.Close() })
	l.Set(deep)
	select {
	case err := <-errs:
		assert.Contains(t, err.Error(), fmt.Sprintf("nested more than %d levels deep", limits.MaxDepth))
	case <-time.After(10 * time.Second):
		t.Fatal("the deep reload was neither applied nor rejected")
	}
	assert.Equal(t, map[string]any{"a": "1"}, cfg.Get().Deep)
	assert.Len(t, cfg.ExplainAll(), 1)
	reliability.Record(t, "strata/deep")
}
