package strata_test

import (
	"context"
	"runtime"
	"testing"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
)

type retained struct {
	Keys map[string]string `config:"keys"`
}

// TestPreviousValueIsNotRetained: once a change is published and its
// callbacks have run, strata holds no reference to the value it replaced
// (an incremental reload patches from it, and used to keep it alive as long
// as the new value was current: twice the heap of a large config).
func TestPreviousValueIsNotRetained(t *testing.T) {
	layer := memlayer.New("m", map[string]any{"keys": map[string]any{"a": "1", "b": "2"}})
	cfg, err := strata.Load[retained](context.Background(), layer)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cfg.Close() })

	olds := make(chan weak.Pointer[retained], 1)
	cfg.OnChange(func(old, _ *retained) { olds <- weak.Make(old) })
	layer.Set(map[string]any{"keys": map[string]any{"a": "1", "b": "3"}})
	wp := <-olds
	require.Equal(t, "3", cfg.Get().Keys["b"])

	// The callback has run, and the publish that called it ends right
	// after: wait for the old value to be collected, for a bounded number
	// of collections (no change follows that could release it instead).
	for range 200 {
		runtime.GC()
		if wp.Value() == nil {
			break
		}
		runtime.Gosched()
	}
	assert.Nil(t, wp.Value(), "the value the change replaced is still reachable")
}
