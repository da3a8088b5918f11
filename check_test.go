package strata_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// watchCounter is a layer that counts Watch calls, to show Check starts
// no watcher.
type watchCounter struct {
	*memlayer.Layer
	watches *atomic.Int32
}

func (w watchCounter) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	w.watches.Add(1)
	return w.Layer.Watch(ctx, last, emit)
}

// TestCheckMatchesLoad holds Check to Load's result on the same layers:
// the same problems in the same order, and no watcher started.
func TestCheckMatchesLoad(t *testing.T) {
	tests := []struct {
		name string
		opts strata.Options
		data map[string]any
	}{
		{"valid", strata.Options{}, map[string]any{"db": map[string]any{"dsn": "postgres://x"}}},
		{"invalid value", strata.Options{}, map[string]any{"db": map[string]any{"dsn": "postgres://x", "max_conns": "0"}}},
		{"bad type and missing", strata.Options{}, map[string]any{"timeout": "soon"}},
		{"unknown key in strict mode", strata.Options{Strict: true}, map[string]any{"db": map[string]any{"dsn": "x", "mx_conns": "3"}}},
		{"secret redacted", strata.Options{}, map[string]any{"db": map[string]any{"dsn": "hunter2-secret", "max_conns": "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var watches atomic.Int32
			layer := watchCounter{memlayer.New("m", tt.data), &watches}
			checkErr := strata.CheckWith[ExampleConfig](context.Background(), tt.opts, layer)

			cfg, loadErr := strata.LoadWith[ExampleConfig](context.Background(), tt.opts, memlayer.New("m", tt.data))
			if loadErr == nil {
				require.NoError(t, cfg.Close())
				assert.NoError(t, checkErr)
				assert.Zero(t, watches.Load(), "Check must not watch")
				return
			}
			var ce, le *strata.Error
			require.True(t, errors.As(checkErr, &ce), "Check returns *strata.Error, got %v", checkErr)
			require.True(t, errors.As(loadErr, &le))
			assert.Equal(t, "check", ce.Op)
			assert.Equal(t, le.Problems, ce.Problems)
			assert.NotContains(t, checkErr.Error(), "hunter2")
			assert.Zero(t, watches.Load(), "Check must not watch")
		})
	}
}

// TestCheckLayerFailure: a layer that cannot be read is a problem naming
// it, and errors.Is reaches the cause, as with Load.
func TestCheckLayerFailure(t *testing.T) {
	l := memlayer.New("down", nil)
	l.Fail(provider.ErrNotFound)
	err := strata.Check[ExampleConfig](context.Background(), l)
	require.Error(t, err)
	assert.ErrorIs(t, err, provider.ErrNotFound)
	assert.True(t, strings.HasPrefix(err.Error(), "strata: check: "), err.Error())
}

func TestSecretKeys(t *testing.T) {
	isSecret, err := strata.SecretKeys[ExampleConfig](strata.Options{Secrets: []string{"listen"}})
	require.NoError(t, err)
	for key, want := range map[string]bool{"db.dsn": true, "listen": true, "db.max_conns": false, "timeout": false} {
		assert.Equalf(t, want, isSecret(key), "%s", key)
	}
	_, err = strata.SecretKeys[int](strata.Options{})
	assert.Error(t, err)
}
