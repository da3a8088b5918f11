package strata_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/file"
)

// TestConsulOverFileEndToEnd runs the whole stack against a real Consul
// agent: file < consul < env, changes, a rejected value, a three-key
// transaction seen as one change, and deletions falling back.
func TestConsulOverFileEndToEnd(t *testing.T) {
	agent := consultest.Start(t, consultest.Options{})
	const prefix = "services/orders/"
	agent.Put(t, prefix+"db/max_conns", "20")
	agent.Put(t, prefix+"features/a", "true")

	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("listen: 127.0.0.1:7000\ndb:\n  dsn: postgres://file\n  max_conns: 15\n"), 0o600))

	changes := make(chan strata.Change, 10)
	opts := strata.Options{OnApply: func(ch strata.Change) { changes <- ch }}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts,
		file.New(path, file.Options{}),
		consul.New(consul.Options{Prefix: prefix, Client: agent.Client(t), Wait: 5 * time.Second}),
		env.New("ORDERS_", env.Options{Environ: func() []string { return []string{"ORDERS_TIMEOUT=3s"} }}),
	)
	got := cfg.Get()
	assert.Equal(t, 20, got.DB.MaxConns, "consul beats the file")
	assert.Equal(t, "127.0.0.1:7000", got.Listen, "the file beats the default")
	assert.Equal(t, 3*time.Second, got.Timeout, "env beats everything")
	e, ok := cfg.Explain("db.max_conns")
	require.True(t, ok)
	assert.Equal(t, "consul key services/orders/db/max_conns", e.Origin.String())

	agent.Put(t, prefix+"db/max_conns", "ten")
	assert.Contains(t, receive(t, errs).Error(), `db.max_conns: "ten" is not an int (from consul key services/orders/db/max_conns)`)
	assert.Equal(t, 20, cfg.Get().DB.MaxConns, "the rejected value never went live")

	agent.Txn(t, map[string]string{prefix + "db/max_conns": "40", prefix + "features/a": "false", prefix + "features/b": "true"})
	ch := receive(t, changes)
	var keys []string
	for _, k := range ch.Keys {
		keys = append(keys, k.Key)
	}
	assert.Equal(t, []string{"db.max_conns", "features.a", "features.b"}, keys, "one change with all three keys")
	assert.Equal(t, map[string]bool{"a": false, "b": true}, cfg.Get().Features)

	agent.Delete(t, prefix+"db/max_conns", false)
	receive(t, changes)
	assert.Equal(t, 15, cfg.Get().DB.MaxConns, "a key deleted from Consul falls back to the file")

	agent.Delete(t, prefix, true)
	receive(t, changes)
	assert.Empty(t, cfg.Get().Features, "a deleted prefix empties the layer")

	st := cfg.Status().Layers[2]
	assert.Equal(t, "consul services/orders/", st.Name)
	assert.True(t, st.Healthy)
	assert.NotEmpty(t, st.Version)
	assert.Empty(t, errs, "only the rejected value was an error")
}

// TestConsulOutageKeepsLastGoodAndRecovers restarts Consul under a running
// config: the error hook fires once, Get keeps serving, and a change made
// after the restart is applied.
func TestConsulOutageKeepsLastGoodAndRecovers(t *testing.T) {
	agent := consultest.Start(t, consultest.Options{Persistent: true})
	const prefix = "app/"
	agent.Put(t, prefix+"db/max_conns", "20")
	agent.Put(t, prefix+"db/dsn", "postgres://consul")

	changes := make(chan *Service, 10)
	opts := strata.Options{}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts, consul.New(consul.Options{
		Prefix: prefix, Config: agent.Config(), Wait: 2 * time.Second,
		Backoff: providerBackoff(),
	}))
	cfg.OnChange(func(_, new *Service) { changes <- new })

	agent.Stop(t)
	assert.Contains(t, receive(t, errs).Error(), "consul app/ failing")
	assert.Equal(t, 20, cfg.Get().DB.MaxConns, "the last good value is served during the outage")
	assert.False(t, cfg.Status().Layers[1].Healthy)

	agent.Restart(t)
	back := time.Now()
	agent.Put(t, prefix+"db/max_conns", "30")
	assert.Equal(t, 30, receive(t, changes).DB.MaxConns)
	reliability.Record(t, "strata/consul-outage", reliability.Took("recover", time.Since(back)))
	assert.True(t, cfg.Status().Layers[1].Healthy)
	quiet(t, errs)
}

// TestConsulExplainNamesTheConsulKey: a tree-mode layer stores no origin
// per key (the rule derives it), yet Explain, ExplainAll and a rejected
// value name the exact Consul key, also for a map key holding a '.', whose
// dotted key cannot be split back into Consul key segments.
func TestConsulExplainNamesTheConsulKey(t *testing.T) {
	agent := consultest.Start(t, consultest.Options{})
	const prefix = "services/orders/"
	agent.Txn(t, map[string]string{
		prefix + "db/max_conns": "20", prefix + "db/dsn": "postgres://db", prefix + "features/a.b": "true", prefix + "features/c": "false",
	})
	opts := strata.Options{}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts, consul.New(consul.Options{Prefix: prefix, Client: agent.Client(t), Wait: 5 * time.Second}))
	require.Equal(t, map[string]bool{"a.b": true, "c": false}, cfg.Get().Features)

	e, ok := cfg.Explain("db.max_conns")
	require.True(t, ok)
	assert.Equal(t, "consul key services/orders/db/max_conns", e.Origin.String())

	all := map[string]string{}
	for _, e := range cfg.ExplainAll() {
		all[e.Key] = e.Origin.String()
	}
	assert.Equal(t, map[string]string{
		"db.dsn":       "consul key services/orders/db/dsn",
		"db.max_conns": "consul key services/orders/db/max_conns",
		"features.a.b": "consul key services/orders/features/a.b",
		"features.c":   "consul key services/orders/features/c",
		"listen":       "default tag Service.Listen",
		"timeout":      "default tag Service.Timeout",
	}, all)

	agent.Put(t, prefix+"features/a.b", "maybe")
	assert.Contains(t, receive(t, errs).Error(), "(from consul key services/orders/features/a.b)")
	agent.Put(t, prefix+"db/max_conns", "ten")
	assert.Contains(t, receive(t, errs).Error(), "(from consul key services/orders/db/max_conns)")
}
