package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/cli"
	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "desired.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func kv(t *testing.T, c *api.Client, prefix string) map[string]string {
	t.Helper()
	pairs, _, err := c.KV().List(prefix, nil)
	require.NoError(t, err)
	out := map[string]string{}
	for _, p := range pairs {
		if p.Key != prefix {
			out[p.Key] = string(p.Value)
		}
	}
	return out
}

// TestDiffAndPublish drives diff and publish against a real agent, with a
// lower layer (the service's own file) and an env-like layer above Consul,
// so validation sees the exact stack the service loads.
func TestDiffAndPublish(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	c := a.Client(t)
	a.Put(t, "svc/db/max_conns", "10")
	a.Put(t, "svc/timeout", "5s")
	lower := memlayer.New("file", map[string]any{"db": map[string]any{"dsn": "postgres://hunter2@db"}})
	layer := consul.New(consul.Options{Prefix: "svc/", Config: a.Config()})
	upper := memlayer.New("env", nil)

	// Invalid: refused before anything is written, naming the Consul key.
	bad := writeFile(t, "db:\n  max_conns: 0\ntimeout: 5s\n")
	code, stdout, stderr := run(t, []string{"publish", bad}, lower, layer, upper)
	assert.Equal(t, cli.ExitInvalid, code)
	assert.Contains(t, stdout, "~ db.max_conns: 10 -> 0")
	assert.Contains(t, stderr, "refused: the result would be invalid; nothing was written")
	assert.Contains(t, stderr, "db.max_conns: must be at least 1, got 0 (from consul key svc/db/max_conns)")
	assert.Equal(t, map[string]string{"svc/db/max_conns": "10", "svc/timeout": "5s"}, kv(t, c, "svc/"))

	// A higher layer the service also reads makes the same file valid:
	// validation runs the whole stack, not the file alone.
	upper.Set(map[string]any{"db": map[string]any{"max_conns": "7"}})
	code, _, _ = run(t, []string{"diff", bad}, lower, layer, upper)
	assert.Equal(t, cli.ExitOK, code)
	upper.Set(nil)

	// Diff of a valid file: readable, secrets redacted, nothing written.
	good := writeFile(t, "db:\n  max_conns: 20\n  dsn: postgres://s3cret@db\nfeatures:\n  beta: true\n")
	code, stdout, _ = run(t, []string{"diff", "-exit-code", good}, lower, layer, upper)
	assert.Equal(t, cli.ExitChanges, code)
	assert.Equal(t, "changes to consul svc/ (0 keys unchanged):\n"+
		"  + db.dsn = [redacted]\n"+
		"  ~ db.max_conns: 10 -> 20\n"+
		"  + features.beta = true\n"+
		"  - timeout (was 5s)\n", stdout)
	assert.NotContains(t, stdout, "s3cret")
	assert.Equal(t, map[string]string{"svc/db/max_conns": "10", "svc/timeout": "5s"}, kv(t, c, "svc/"))

	// Publish with -json.
	code, stdout, _ = run(t, []string{"publish", "-json", good}, lower, layer, upper)
	require.Equal(t, cli.ExitOK, code, stdout)
	var res struct {
		Valid, Published bool
		Changes          []consul.Change
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.True(t, res.Valid)
	assert.True(t, res.Published)
	assert.Len(t, res.Changes, 4)
	assert.NotContains(t, stdout, "s3cret")
	assert.Equal(t, map[string]string{"svc/db/max_conns": "20", "svc/db/dsn": "postgres://s3cret@db", "svc/features/beta": "true"}, kv(t, c, "svc/"))

	// Publishing the same file again changes nothing.
	code, stdout, _ = run(t, []string{"publish", good}, lower, layer, upper)
	assert.Equal(t, cli.ExitOK, code)
	assert.Contains(t, stdout, "nothing to publish")

	// Usage errors.
	code, _, _ = run(t, []string{"publish"}, lower, layer, upper)
	assert.Equal(t, cli.ExitUsage, code)
	code, _, stderr = run(t, []string{"publish", good}, lower)
	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, stderr, "no Consul layer")
	code, _, _ = run(t, []string{"publish", filepath.Join(t.TempDir(), "missing.yaml")}, lower, layer)
	assert.Equal(t, cli.ExitFailure, code)
}

// TestPublishDocumentKeepsComments: publishing to a document-mode layer
// writes the file as written.
func TestPublishDocumentKeepsComments(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	lower := memlayer.New("file", map[string]any{"db": map[string]any{"dsn": "postgres://db"}})
	layer := consul.New(consul.Options{Key: "cfg/orders.yaml", Config: a.Config()})
	text := "# reviewed by ops\ndb:\n  max_conns: 25\n"
	code, stdout, stderr := run(t, []string{"publish", writeFile(t, text)}, lower, layer)
	require.Equal(t, cli.ExitOK, code, stdout+stderr)
	got, _, err := a.Client(t).KV().Get("cfg/orders.yaml", nil)
	require.NoError(t, err)
	assert.Equal(t, text, string(got.Value))
}

// meddler is a layer whose Load, which publish calls while validating,
// edits Consul: a concurrent edit between plan and apply, on demand.
type meddler struct {
	a   *consultest.Agent
	t   *testing.T
	key string
}

func (m *meddler) Name() string { return "meddler" }

func (m *meddler) Load(context.Context) (provider.Snapshot, error) {
	m.a.Put(m.t, m.key, "theirs")
	return provider.Snapshot{Data: map[string]any{}}, nil
}

// TestPublishConflict: an edit between the plan and the write fails the
// publish with exit code 3 and leaves the other writer's value.
func TestPublishConflict(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "svc/db/max_conns", "10")
	lower := memlayer.New("file", map[string]any{"db": map[string]any{"dsn": "postgres://db"}})
	layer := consul.New(consul.Options{Prefix: "svc/", Config: a.Config()})
	m := &meddler{a: a, t: t, key: "svc/db/max_conns"}

	code, stdout, stderr := run(t, []string{"publish", writeFile(t, "db:\n  max_conns: 20\n")}, lower, layer, m)
	assert.Equal(t, cli.ExitConflict, code, stdout+stderr)
	assert.Contains(t, stderr, "conflict")
	assert.Equal(t, map[string]string{"svc/db/max_conns": "theirs"}, kv(t, a.Client(t), "svc/"))
}
