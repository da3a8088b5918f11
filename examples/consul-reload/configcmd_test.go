package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/cli"
	"github.com/strata-go/strata/internal/consultest"
)

// TestConfigCommand runs `consul-reload config …` against a real agent:
// the service's own type and layers judge what is published.
func TestConfigCommand(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	client := a.Client(t)
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		code := configCommand(ctx, append([]string{"-prefix", "services/orders/"}, args...), &out, &out, client, func() []string { return nil })
		return code, out.String()
	}

	code, out := run("check")
	assert.Equal(t, cli.ExitOK, code, out)

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("db:\n  max_conns: 0\n"), 0o600))
	code, out = run("publish", bad)
	assert.Equal(t, cli.ExitInvalid, code, out)
	assert.Contains(t, out, "nothing was written")

	good := filepath.Join(t.TempDir(), "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("db:\n  max_conns: 50\n"), 0o600))
	code, out = run("publish", good)
	assert.Equal(t, cli.ExitOK, code, out)
	code, out = run("explain", "db.max_conns")
	assert.Equal(t, cli.ExitOK, code, out)
	assert.Contains(t, out, "db.max_conns = 50 from consul key services/orders/db/max_conns")
}
