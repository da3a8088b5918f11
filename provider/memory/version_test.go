package memory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider/memory"
)

// TestVersionCountsChanges: the Version is the number of changes made so
// far, so a test can tell which content a snapshot holds.
func TestVersionCountsChanges(t *testing.T) {
	l := memory.New("m", map[string]any{"a": "1"})
	assert.Equal(t, "0", load(t, l).Version)
	l.Set("a", "2")
	l.Delete("b")
	assert.Equal(t, "2", load(t, l).Version)
	l.SetAll(nil)
	assert.Equal(t, "3", load(t, l).Version)
}
