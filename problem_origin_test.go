package strata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// originCfg has a default tag its own validate tag refuses, and a list
// whose items are checked one by one.
type originCfg struct {
	Port  int      `config:"port" default:"70000" validate:"max=65535"`
	Hosts []string `config:"hosts" validate:"dive,hostname"`
}

// TestProblemsNameTheLayerThatSetTheValue: a problem names the highest
// layer that set its key, the defaults layer (index 0) included, and a
// problem inside a list names the layer that set the list.
func TestProblemsNameTheLayerThatSetTheValue(t *testing.T) {
	l := memlayer.New("file", map[string]any{"hosts": []any{"ok.example", "not a host!"}})
	_, err := strata.Load[originCfg](context.Background(), l)
	var serr *strata.Error
	require.ErrorAs(t, err, &serr)
	byKey := map[string]strata.Problem{}
	for _, p := range serr.Problems {
		byKey[p.Key] = p
	}
	require.Contains(t, byKey, "port")
	require.Contains(t, byKey, "hosts[1]")

	assert.Equal(t, "defaults", byKey["port"].Layer, "a bad default is the defaults layer's doing")
	assert.Equal(t, provider.Origin{Kind: "default tag", Ref: "originCfg.Port"}, byKey["port"].Origin)
	assert.Equal(t, "memory file", byKey["hosts[1]"].Layer, "a bad list item is the layer that set the list")
	assert.Equal(t, provider.Origin{Kind: "memory", Ref: "hosts"}, byKey["hosts[1]"].Origin)
}

// TestProblemsInMapKeysWithDotsOrBrackets: a map key may hold a '.' (a
// Consul key "limits/a.b") or a bracket, and a problem with its value
// still names the layer and the origin that set it.
func TestProblemsInMapKeysWithDotsOrBrackets(t *testing.T) {
	type limitsCfg struct {
		Limits map[string]int   `config:"limits"`
		Lists  map[string][]int `config:"lists"`
	}
	tests := []struct {
		name, mapKey string
		data         map[string]any
		key, origin  string
	}{
		{"plain", "limits", map[string]any{"q": "ten"}, "limits.q", "limits.q"},
		{"dot", "limits", map[string]any{"a.b": "ten"}, "limits.a.b", "limits.a.b"},
		{"bracket inside", "limits", map[string]any{"a[b": "ten"}, "limits.a[b", "limits.a[b"},
		{"bracket first", "limits", map[string]any{"[x": "ten"}, "limits.[x", "limits.[x"},
		{"list item under a dotted key", "lists", map[string]any{"a.b": []any{"1", "ten"}}, "lists.a.b[1]", "lists.a.b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := memlayer.New("file", map[string]any{tt.mapKey: tt.data})
			_, err := strata.Load[limitsCfg](context.Background(), l)
			var serr *strata.Error
			require.ErrorAs(t, err, &serr)
			require.Len(t, serr.Problems, 1)
			p := serr.Problems[0]
			assert.Equal(t, tt.key, p.Key)
			assert.Equal(t, "memory file", p.Layer)
			assert.Equal(t, provider.Origin{Kind: "memory", Ref: tt.origin}, p.Origin)
		})
	}
}
