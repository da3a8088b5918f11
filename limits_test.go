package strata

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/internal/limits"
	"github.com/strata-go/strata/provider"
)

// The parsers' bound (provider) and the walks' bound (internal/limits) are
// two constants because provider may import no other strata package; if
// they drift, a layer accepts content a walk then refuses, or the reverse.
func TestDepthLimitsAgree(t *testing.T) {
	assert.Equal(t, provider.MaxDepth, limits.MaxDepth)
}
