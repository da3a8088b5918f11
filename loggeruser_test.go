package strata_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/memory"
)

// loggingLayer is a layer that logs; own is the logger it was created with.
type loggingLayer struct {
	*memory.Provider
	log *slog.Logger
}

func (l loggingLayer) WithLogger(log *slog.Logger) provider.Provider {
	if l.log != nil {
		return l
	}
	return loggingLayer{Provider: l.Provider, log: log}
}

func (l loggingLayer) Load(ctx context.Context) (provider.Snapshot, error) {
	if l.log != nil {
		l.log.Info("layer read", "layer", l.Name())
	}
	return l.Provider.Load(ctx)
}

func TestLayersLogThroughTheConfigLogger(t *testing.T) {
	type cfg struct {
		Port int `config:"port"`
	}
	var shared, own bytes.Buffer
	opts := strata.Options{Logger: slog.New(slog.NewTextHandler(&shared, nil))}

	load[cfg](t, opts, loggingLayer{Provider: memory.New("a", nil)})
	assert.Contains(t, shared.String(), "layer read", "a layer without a logger logs through Options.Logger")

	shared.Reset()
	load[cfg](t, opts, loggingLayer{Provider: memory.New("b", nil), log: slog.New(slog.NewTextHandler(&own, nil))})
	assert.NotContains(t, shared.String(), "layer read", "a layer's own logger wins")
	assert.Contains(t, own.String(), "layer read")

	own.Reset()
	c := load[cfg](t, strata.Options{}, loggingLayer{Provider: memory.New("c", nil)})
	require.NotNil(t, c.Get(), "no Options.Logger: the layer stays silent and still loads")
}
