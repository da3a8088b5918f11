package env_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/env"
)

// TestSchemaShapesFromMutation covers schema shapes the main table does not,
// found by mutation testing (MUTATION.md): a schema of keys only (no map
// field) or of maps only must still match single underscores, and a map
// nested in a map keeps the inner map's own spelling of its path.
func TestSchemaShapesFromMutation(t *testing.T) {
	tests := []struct {
		name   string
		schema provider.Schema
		vars   []string
		want   map[string]any
	}{
		{
			name:   "keys only, no map field",
			schema: provider.Schema{Keys: []string{"db.max_conns"}},
			vars:   []string{"APP_DB_MAX_CONNS=5"},
			want:   map[string]any{"db": map[string]any{"max_conns": "5"}},
		},
		{
			name:   "maps only, not repeated in Keys",
			schema: provider.Schema{Maps: []string{"features"}},
			vars:   []string{"APP_FEATURES_NEW_UI=true"},
			want:   map[string]any{"features": map[string]any{"new_ui": "true"}},
		},
		{
			name:   "map inside a map keeps the inner map's spelling",
			schema: provider.Schema{Keys: []string{"limits", "limits.perUser"}, Maps: []string{"limits", "limits.perUser"}},
			vars:   []string{"APP_LIMITS__PERUSER__ALICE=5"},
			want:   map[string]any{"limits": map[string]any{"perUser": map[string]any{"alice": "5"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := env.New("APP_", env.Options{Environ: func() []string { return tt.vars }}).WithSchema(tt.schema)
			snap, err := p.Load(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, snap.Data)
		})
	}
}
