package strata

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// TestIncrementalReloadTakesAtMostMaxUnits: a change touching up to
// maxUnits decode units is patched into the current value; one touching
// more is left to a full build, which then costs about as much.
func TestIncrementalReloadTakesAtMostMaxUnits(t *testing.T) {
	type cfg struct {
		Flags map[string]string `config:"flags"`
	}
	flags := func(n int, value string) map[string]any {
		m := map[string]any{}
		for i := range n {
			m[fmt.Sprintf("f%03d", i)] = value
		}
		return map[string]any{"flags": m}
	}
	tests := []struct {
		changed int
		wantOK  bool
	}{
		{1, true},
		{maxUnits, true},
		{maxUnits + 1, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.changed), func(t *testing.T) {
			c, err := LoadWith[cfg](context.Background(), Options{}, memlayer.New("m", flags(maxUnits+1, "old")))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })

			next := flags(maxUnits+1, "old")
			for i := range tt.changed {
				next["flags"].(map[string]any)[fmt.Sprintf("f%03d", i)] = "new"
			}
			snaps := append([]provider.Snapshot(nil), c.applied.Load().snaps...)
			snaps[1] = provider.Snapshot{Data: next}
			cand, ok := c.buildIncremental(snaps)
			require.Equal(t, tt.wantOK, ok)
			if ok {
				assert.Len(t, cand.units, tt.changed)
				assert.Equal(t, "new", cand.value.Flags["f000"])
			}
		})
	}
}
