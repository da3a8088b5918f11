package strata_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
)

// TestUnknownKeysWarnOnlyWhenThereAreSome: in lenient mode a key the type
// does not declare is logged as a warning naming it, and a config without
// one logs no such warning.
func TestUnknownKeysWarnOnlyWhenThereAreSome(t *testing.T) {
	const warning = "config has keys the type does not declare"
	tests := []struct {
		name     string
		data     map[string]any
		wantWarn bool
	}{
		{"unknown key", map[string]any{"db": map[string]any{"dsn": "x", "max_con": 5}}, true},
		{"every key declared", map[string]any{"db": map[string]any{"dsn": "x", "max_conns": 5}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			load[Service](t, strata.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))}, memlayer.New("file", tt.data))
			var lines []string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, warning) {
					lines = append(lines, l)
				}
			}
			if !tt.wantWarn {
				assert.Empty(t, lines)
				return
			}
			if assert.Len(t, lines, 1) {
				assert.Contains(t, lines[0], "db.max_con")
			}
		})
	}
}
