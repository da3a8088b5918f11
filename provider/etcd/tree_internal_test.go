package etcd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestBuildTreeDepthLimit: a key with more segments than provider.MaxDepth
// would nest the tree deeper than any layer may; it is refused, as the
// Consul layer refuses it, naming a shortened key and no value.
func TestBuildTreeDepthLimit(t *testing.T) {
	deepest := "p/" + strings.Repeat("a/", provider.MaxDepth-1) + "b"
	data, _, err := buildTree("p/", map[string]string{deepest: "1"})
	require.NoError(t, err)
	assert.NoError(t, provider.CheckDepth(data), "buildTree and CheckDepth must agree on the limit")

	for _, segs := range []int{provider.MaxDepth + 1, 30000} {
		key := "p/" + strings.Repeat("a/", segs-1) + "b"
		_, _, err := buildTree("p/", map[string]string{key: "s3cret"})
		require.Error(t, err, "%d segments", segs)
		var de *provider.DepthError
		assert.ErrorAs(t, err, &de)
		assert.Less(t, len(err.Error()), 400, "the error quotes a shortened key")
		assert.NotContains(t, err.Error(), "s3cret")
	}
}
