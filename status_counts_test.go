package strata

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// TestLayerStatusCountsFailures: Failures counts the failures since the
// layer was last healthy, Errors every failure since Load; a recovery
// resets the first only. Events are fed as the reload goroutine feeds them.
func TestLayerStatusCountsFailures(t *testing.T) {
	type cfg struct {
		Name string `config:"name"`
	}
	c, err := LoadWith[cfg](context.Background(), Options{}, memlayer.New("m", map[string]any{"name": "x"}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	h := handler[cfg]{c}
	boom := errors.New("boom")
	layer := func() LayerStatus { return c.Status().Layers[1] }

	h.LayerEvent(1, provider.Event{Err: boom})
	h.LayerEvent(1, provider.Event{Err: boom})
	assert.Equal(t, 2, layer().Failures)
	assert.EqualValues(t, 2, layer().Errors)
	assert.False(t, layer().Healthy)

	s := provider.Snapshot{Data: map[string]any{"name": "x"}, Version: "v2"}
	h.LayerEvent(1, provider.Event{Snapshot: &s})
	assert.Zero(t, layer().Failures)
	assert.EqualValues(t, 2, layer().Errors, "kept after recovery")
	assert.True(t, layer().Healthy)
	assert.Equal(t, "v2", layer().Version)

	h.LayerEvent(1, provider.Event{Err: boom})
	assert.Equal(t, 1, layer().Failures)
	assert.EqualValues(t, 3, layer().Errors)
}
