package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/cli"
	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider/consul"
)

// TestVersionedCommands: publish, history, rollback (re-validated with
// today's layers) and gc on a versioned layer, against a real agent.
func TestVersionedCommands(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	lower := memlayer.New("file", map[string]any{"db": map[string]any{"dsn": "postgres://hunter2@db"}})
	layer := consul.NewVersioned(consul.Options{Prefix: "svc/", Config: a.Config()})
	upper := memlayer.New("env", nil)

	for _, text := range []string{"db:\n  max_conns: 1\nlegacy: x\n", "db:\n  max_conns: 20\n", "db:\n  max_conns: 30\n"} {
		code, stdout, stderr := run(t, []string{"publish", writeFile(t, text)}, lower, layer, upper)
		require.Equal(t, cli.ExitOK, code, stdout+stderr)
		assert.Contains(t, stdout, "is live")
	}
	code, stdout, _ := run(t, []string{"history"}, lower, layer, upper)
	require.Equal(t, cli.ExitOK, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 3, stdout)
	assert.True(t, strings.HasPrefix(lines[0], "* 0000000003"), lines[0])
	assert.Contains(t, lines[2], "0000000001")

	// The rules changed since version 1 was published (unknown keys are
	// errors now): rolling back to it is refused.
	var out, errOut bytes.Buffer
	code = cli.RunWith[Config](context.Background(), cli.Options{Strata: strata.Options{Strict: true}},
		[]string{"rollback", "0000000001"}, &out, &errOut, lower, layer, upper)
	assert.Equal(t, cli.ExitInvalid, code, errOut.String())
	assert.Contains(t, errOut.String(), "nothing was changed")
	assert.Contains(t, errOut.String(), "legacy: unknown key")

	code, stdout, _ = run(t, []string{"rollback", "0000000002"}, lower, layer, upper)
	require.Equal(t, cli.ExitOK, code, stdout)
	snap, err := layer.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "20", snap.Data["db"].(map[string]any)["max_conns"])

	code, _, _ = run(t, []string{"rollback", "0000000042"}, lower, layer, upper)
	assert.Equal(t, cli.ExitUsage, code)

	code, stdout, _ = run(t, []string{"gc", "-keep", "1"}, lower, layer, upper)
	require.Equal(t, cli.ExitOK, code)
	assert.Contains(t, stdout, "removed 1 version(s)")

	code, _, stderr := run(t, []string{"history"}, lower, consul.New(consul.Options{Prefix: "x/", Config: a.Config()}))
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "not in versioned mode")
}
