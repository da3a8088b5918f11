package strata

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestChangeKeyNamesForTheLog: the log line names at most loggedKeys keys
// and says how many more there are, and nothing more when there are none.
func TestChangeKeyNamesForTheLog(t *testing.T) {
	change := func(n int) Change {
		var ch Change
		for i := range n {
			ch.Keys = append(ch.Keys, KeyChange{Key: fmt.Sprintf("k%02d", i)})
		}
		return ch
	}
	assert.Equal(t, []string{"k00", "k01"}, change(2).keyNames())
	assert.Len(t, change(loggedKeys).keyNames(), loggedKeys, "exactly loggedKeys: no \"and 0 more\"")
	got := change(loggedKeys + 2).keyNames()
	assert.Len(t, got, loggedKeys+1)
	assert.Equal(t, "and 2 more", got[loggedKeys])
}
