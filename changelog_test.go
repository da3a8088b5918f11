package strata_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
)

// A change of many keys (a 200-flag publish) must log one readable line:
// the count and the first keys, not every key.
func TestAppliedChangeLogNamesAFewKeys(t *testing.T) {
	type Config struct {
		Features map[string]bool `config:"features"`
	}
	flags := func(v bool) map[string]any {
		m := map[string]any{}
		for i := range 50 {
			m[fmt.Sprintf("flag_%03d", i)] = v
		}
		return map[string]any{"features": m}
	}
	var logs syncBuffer
	layer := memlayer.New("memory", flags(false))
	opts := strata.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	changed := make(chan struct{}, 1)
	cfg := load[Config](t, opts, layer)
	send := sendTo(t, changed)
	cfg.OnChange(func(_, _ *Config) { send(struct{}{}) })

	layer.Set(flags(true))
	receive(t, changed)

	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "applied config change") {
			line = l
		}
	}
	assert.Contains(t, line, "keys=50")
	assert.Contains(t, line, "features.flag_000")
	assert.Contains(t, line, "and 40 more")
	assert.NotContains(t, line, "features.flag_049")
}
