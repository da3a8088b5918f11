package strata

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/memlayer"
)

// TestMergedCopyKeptOnlyForItsReaders: the merged copy of all layers is
// as large as the configuration, and only the change list (Logger,
// OnApply) reads it on every publish, so a Config without either keeps
// none after Load (Explain and Debug build it on demand); with either it
// is kept from the build.
func TestMergedCopyKeptOnlyForItsReaders(t *testing.T) {
	type cfg struct {
		Name string `config:"name"`
	}
	tests := []struct {
		name     string
		opts     Options
		wantKept bool
	}{
		{"no logger, no OnApply", Options{}, false},
		{"logger", Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, true},
		{"OnApply", Options{OnApply: func(Change) {}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadWith[cfg](context.Background(), tt.opts, memlayer.New("m", map[string]any{"name": "x"}))
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			cand := c.applied.Load()
			require.NotNil(t, cand)
			assert.Equal(t, tt.wantKept, cand.merged != nil)
		})
	}
}
