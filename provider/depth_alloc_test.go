package provider_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestCheckDepthAllocationsDoNotGrowWithKeys checks that CheckDepth, run on
// every document a layer parses, allocates per map and list, not per key:
// a key path is rendered only for an error.
func TestCheckDepthAllocationsDoNotGrowWithKeys(t *testing.T) {
	allocs := func(n int) float64 {
		keys := map[string]any{}
		for i := range n {
			keys[fmt.Sprintf("k%05d", i)] = "v"
		}
		data := map[string]any{"keys": keys, "list": []any{"a", "b"}}
		return testing.AllocsPerRun(10, func() { require.NoError(t, provider.CheckDepth(data)) })
	}
	assert.Equal(t, allocs(10), allocs(1000))
}
