package consul

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithLogger(t *testing.T) {
	var own, cfg bytes.Buffer
	ownLog := slog.New(slog.NewTextHandler(&own, nil))
	cfgLog := slog.New(slog.NewTextHandler(&cfg, nil))

	tests := []struct {
		name    string
		opts    Options
		want    *slog.Logger
		wantBuf *bytes.Buffer
	}{
		{"the Config's logger when the layer has none", Options{Prefix: "app/"}, cfgLog, &cfg},
		{"the layer's own logger wins", Options{Prefix: "app/", Logger: ownLog}, ownLog, &own},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			own.Reset()
			cfg.Reset()
			p := New(tt.opts)
			got := p.WithLogger(cfgLog)
			// The same value: a token handed to SetToken on p must reach
			// the layer strata runs.
			assert.Same(t, p, got)
			assert.Same(t, tt.want, p.logger())
			p.logger().Info("consul: probe")
			assert.Contains(t, tt.wantBuf.String(), "consul: probe")
		})
	}
	assert.NotNil(t, New(Options{Prefix: "app/"}).logger(), "a layer without a logger must still log somewhere")
}
