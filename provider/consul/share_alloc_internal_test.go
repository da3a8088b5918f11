package consul

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShareTreeAllocatesNothing checks that making a new tree share the
// delivered one's strings costs no allocation: a changed document of n
// keys is shared on every answer, so one allocation a key would make the
// sharing cost as much garbage as the tree it saves.
func TestShareTreeAllocatesNothing(t *testing.T) {
	prev, next := map[string]any{}, map[string]any{}
	for i := range 100 {
		k := fmt.Sprintf("k%03d", i)
		prev[k], next[k] = "v"+k, "v"+k
	}
	next["k000"] = "changed"
	// The string values of next are equal to prev's but separate strings:
	// each is replaced by prev's, on every run, since next stays changed.
	allocs := testing.AllocsPerRun(10, func() {
		same, shape := shareTree(prev, next)
		require.False(t, same)
		require.True(t, shape)
	})
	assert.Zero(t, allocs)
}
