package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/cli"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/schematest"
	"github.com/strata-go/strata/provider"
)

// Config is the application type the tests run the command line with.
type Config struct {
	Listen  string        `config:"listen" default:":8080" validate:"required,hostname_port"`
	Timeout time.Duration `config:"timeout" default:"5s" validate:"gt=0"`
	DB      struct {
		DSN      string `config:"dsn" validate:"required" secret:"true"`
		MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
	} `config:"db"`
}

// run runs the command line and returns its exit code and output.
func run(t *testing.T, args []string, layers ...provider.Provider) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = cli.Run[Config](ctx, args, &out, &errOut, layers...)
	return code, out.String(), errOut.String()
}

func TestCheck(t *testing.T) {
	valid := memlayer.New("m", map[string]any{"db": map[string]any{"dsn": "postgres://hunter2@db"}})
	invalid := memlayer.New("m", map[string]any{"db": map[string]any{"dsn": "postgres://hunter2@db", "max_conns": "0"}})
	down := memlayer.New("m", nil)
	down.Fail(provider.ErrNotFound)

	tests := []struct {
		name   string
		args   []string
		layer  provider.Provider
		code   int
		stdout string
		stderr string
	}{
		{"valid", []string{"check"}, valid, cli.ExitOK, "ok: the configuration is valid (2 layers)\n", ""},
		{"invalid", []string{"check"}, invalid, cli.ExitInvalid, "", "strata: check: db.max_conns: must be at least 1, got 0 (from memory db.max_conns)\n"},
		{"layer down", []string{"check"}, down, cli.ExitFailure, "", "strata: check: memory m: not found\n"},
		{"extra argument", []string{"check", "x"}, valid, cli.ExitUsage, "", "check takes no arguments\n"},
		{"unknown command", []string{"chekc"}, valid, cli.ExitUsage, "", ""},
		{"no command", nil, valid, cli.ExitUsage, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args, tt.layer)
			assert.Equal(t, tt.code, code)
			assert.Equal(t, tt.stdout, stdout)
			if tt.stderr != "" {
				assert.Equal(t, tt.stderr, stderr)
			}
			assert.NotContains(t, stdout+stderr, "hunter2")
		})
	}
}

func TestCheckJSON(t *testing.T) {
	invalid := memlayer.New("m", map[string]any{"db": map[string]any{"dsn": "hunter2-dsn", "max_conns": "0"}})
	code, stdout, _ := run(t, []string{"check", "-json"}, invalid)
	assert.Equal(t, cli.ExitInvalid, code)
	var res struct {
		Valid    bool
		Problems []struct{ Key, Layer, Origin, Message string }
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
	assert.False(t, res.Valid)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, "db.max_conns", res.Problems[0].Key)
	assert.Equal(t, "memory m", res.Problems[0].Layer)
	assert.NotContains(t, stdout, "hunter2")
}

func TestSchema(t *testing.T) {
	code, stdout, _ := run(t, []string{"schema", "-partial"})
	require.Equal(t, cli.ExitOK, code)
	assert.NoError(t, schematest.Validate([]byte(stdout), []byte("db: {max_conns: 3}\n")))
	assert.Error(t, schematest.Validate([]byte(stdout), []byte("db: {max_conns: 0}\n")))
}

func TestExplain(t *testing.T) {
	layer := memlayer.New("m", map[string]any{"db": map[string]any{"dsn": "hunter2-dsn", "max_conns": "20"}})
	code, stdout, _ := run(t, []string{"explain", "db.max_conns", "db.dsn"}, layer)
	require.Equal(t, cli.ExitOK, code)
	assert.Contains(t, stdout, "db.max_conns = 20 from memory db.max_conns")
	assert.Contains(t, stdout, "db.dsn = [redacted]")
	assert.NotContains(t, stdout, "hunter2")

	code, _, stderr := run(t, []string{"explain", "nope"}, layer)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "nope: no such key")

	code, stdout, _ = run(t, []string{"explain", "-json"}, layer)
	require.Equal(t, cli.ExitOK, code)
	var list []map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &list))
	assert.NotEmpty(t, list)
}
