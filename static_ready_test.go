package strata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata"
)

// TestStaticConfigIsReadyUntilClosed: a Config from Static has no layer
// and no goroutine, so it is ready, and reports Watching for no layer,
// until it is closed.
func TestStaticConfigIsReadyUntilClosed(t *testing.T) {
	c := strata.Static(&Service{Listen: ":1"})
	assert.NoError(t, c.Ready())
	assert.True(t, c.Status().Ready)
	assert.NoError(t, c.Reload(context.Background()), "nothing to re-read")
	assert.NoError(t, c.Close())
	assert.ErrorIs(t, c.Ready(), strata.ErrClosed)
}
