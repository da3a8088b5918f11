package strata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider"
)

// cachedLayer serves a snapshot the way provider/consul does when Consul is
// unreachable at start and its last-known-good cache is used.
type cachedLayer struct{}

func (cachedLayer) Name() string { return "consul app/" }

func (cachedLayer) Load(context.Context) (provider.Snapshot, error) {
	return provider.Snapshot{
		Data:    map[string]any{"db": map[string]any{"dsn": "x"}},
		Version: "42",
		Stale:   true,
		Info:    map[string]string{"source": "cache", "datacenter": "dc2"},
	}, nil
}

func TestStatusReportsStaleLayersAndBackendFacts(t *testing.T) {
	cfg := load[Service](t, strata.Options{}, cachedLayer{})
	st := cfg.Status()
	require.Len(t, st.Layers, 2)
	l := st.Layers[1]
	assert.Equal(t, "consul app/", l.Name)
	assert.True(t, l.Stale, "serving from a cache is reported as stale")
	assert.Equal(t, "42", l.Version)
	assert.Equal(t, map[string]string{"source": "cache", "datacenter": "dc2"}, l.Info)
	assert.False(t, l.Watching)
	assert.NoError(t, cfg.Ready(), "a stale but valid config is still served")

	// Status is a copy: changing it changes nothing inside.
	l.Info["datacenter"] = "mutated"
	assert.Equal(t, "dc2", cfg.Status().Layers[1].Info["datacenter"])
}
