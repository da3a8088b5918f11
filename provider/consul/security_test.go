package consul_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

const permissionText = "permission denied (check the token's key_prefix read policy)"

func TestACLWithoutReadIsAPermissionError(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	a.Put(t, "cfg/app.yaml", "x: 1\n")
	token, _ := a.CreateToken(t, `key_prefix "other/" { policy = "read" }`)

	for _, tc := range []struct {
		name string
		opts consul.Options
	}{
		// A recursive read without permission is a 404 with the
		// filtered-by-ACLs header (rule 7), a Get a 403.
		{"tree", consul.Options{Prefix: "app/"}},
		{"document", consul.Options{Key: "cfg/app.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := a.Config()
			cfg.Token = token
			tc.opts.Config = cfg
			snap, err := load(t, consul.New(fast(tc.opts)))
			require.Error(t, err, "a token that cannot read must not look like an empty layer: %v", snap.Data)
			var ce *consul.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassPermission, ce.Class)
			assert.Contains(t, err.Error(), permissionText)
			assert.NotContains(t, err.Error(), token)
			reliability.Record(t, "consul/acl-no-read")
		})
	}
}

func TestACLRevokedWhileWatching(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	token, accessor := a.CreateToken(t, `key_prefix "app/" { policy = "read" }`)
	cfg, requests := countingConfig(t, a)
	cfg.Token = token
	var logs logBuffer
	p := consul.New(fast(consul.Options{
		Prefix: "app/", Config: cfg, Wait: time.Second, Logger: logs.logger(),
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	revoked := time.Now()
	a.RevokeToken(t, accessor)
	got := ev.next(t, "the permission error", isError)
	reliability.Record(t, "consul/token-revoked", reliability.Took("notice", time.Since(revoked)))
	var ce *consul.Error
	require.ErrorAs(t, got.Err, &ce)
	assert.Equal(t, consul.ClassPermission, ce.Class)
	assert.Contains(t, got.Err.Error(), permissionText)

	// Let a few slow retries happen (counted as requests sent): none may
	// turn into an empty layer.
	sent := requests.n.Load()
	require.Eventually(t, func() bool { return requests.n.Load() >= sent+3 }, eventWait, 10*time.Millisecond,
		"the watcher retries after a permission error")
	stop()
	for _, e := range ev.all() {
		assert.Nil(t, e.Snapshot, "a revoked token never yields a snapshot")
		if e.Err != nil {
			assert.NotContains(t, e.Err.Error(), token)
		}
	}
	assert.NotContains(t, logs.String(), token)
}

func TestTLS(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{TLS: true})
	a.Put(t, "app/x", "1")

	t.Run("mutual TLS", func(t *testing.T) {
		p := consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()}))
		snap, err := load(t, p)
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"x": "1"}, snap.Data)

		ev, _ := watch(t, p, snap)
		a.Put(t, "app/x", "2")
		ev.next(t, "a change over TLS", hasValue("x", "2"))
	})

	for _, tc := range []struct {
		name   string
		modify func(*consultest.Agent, *tlsFiles)
	}{
		// A leaf certificate as the only root: the server's chain does
		// not verify.
		{"wrong CA", func(a *consultest.Agent, f *tlsFiles) { f.ca = a.CertFile }},
		{"no client certificate", func(_ *consultest.Agent, f *tlsFiles) { f.cert, f.key = "", "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tlsFiles{ca: a.CAFile, cert: a.CertFile, key: a.KeyFile}
			tc.modify(a, &f)
			cfg := a.Config()
			cfg.TLSConfig.CAFile, cfg.TLSConfig.CertFile, cfg.TLSConfig.KeyFile = f.ca, f.cert, f.key
			p := consul.New(fast(consul.Options{Prefix: "app/", Config: cfg}))
			_, err := load(t, p)
			require.Error(t, err)
			var ce *consul.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassTLS, ce.Class, "%v", err)
			assert.Contains(t, err.Error(), "tls handshake failed")
			assert.Contains(t, err.Error(), a.HTTPSAddr)
			reliability.Record(t, "consul/tls")
		})
	}
}

type tlsFiles struct{ ca, cert, key string }

// TestNoSecretsInErrorsOrLogs plants a token and a secret value and drives
// the provider through every kind of failure, collecting each error text
// and log line.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-planted-secret-value"
	a := consultest.Start(t, consultest.Options{ACL: true, Persistent: true})
	a.Put(t, "app/password", secret)
	a.Put(t, "app/nested/password", secret)
	a.Put(t, "doc/app.yaml", secret)                           // a scalar, not a map: YAML quotes it in its error
	a.Put(t, "doc/bad.yaml", "password: "+secret+"\n\tbad: [") // malformed around the secret
	a.Put(t, "doc/app.json", `{"password": "`+secret+`", }`)
	a.Put(t, "clash/a", secret)
	a.Put(t, "clash/a/b", secret)
	readAll, _ := a.CreateToken(t, `key_prefix "" { policy = "read" }`)
	readNone, _ := a.CreateToken(t, `key_prefix "other/" { policy = "read" }`)

	var logs logBuffer
	var texts []string
	cfgWith := func(token string) *consul.Options {
		cfg := a.Config()
		cfg.Token = token
		o := fast(consul.Options{Config: cfg, Logger: logs.logger(), CacheFile: t.TempDir() + "/cache.json"})
		return &o
	}
	for _, tc := range []struct {
		token string
		set   func(*consul.Options)
	}{
		{readNone, func(o *consul.Options) { o.Prefix = "app/" }},
		{readNone, func(o *consul.Options) { o.Key = "doc/app.yaml" }},
		{readAll, func(o *consul.Options) { o.Key = "doc/app.yaml" }},
		{readAll, func(o *consul.Options) { o.Key = "doc/bad.yaml" }},
		{readAll, func(o *consul.Options) { o.Key = "doc/app.json" }},
		{readAll, func(o *consul.Options) { o.Prefix = "clash/" }},
		{"00000000-0000-4000-8000-00000000dead", func(o *consul.Options) { o.Prefix = "app/" }},
	} {
		o := cfgWith(tc.token)
		tc.set(o)
		_, err := load(t, consul.New(*o))
		require.Error(t, err)
		texts = append(texts, err.Error())
	}

	// A watcher through an outage, with the planted token in use.
	o := cfgWith(readAll)
	o.Prefix = "app/"
	p := consul.New(*o)
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)
	a.Stop(t)
	ev.next(t, "the outage", isError)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err = consul.New(*o).Load(ctx) // served from the cache
	cancel()
	require.NoError(t, err)
	stop()
	for _, e := range ev.all() {
		if e.Err != nil {
			texts = append(texts, e.Err.Error())
		}
	}

	all := strings.Join(texts, "\n") + "\n" + logs.String()
	t.Logf("error texts and logs checked:\n%s", all)
	for _, planted := range []string{secret, readAll, readNone, "00000000-0000-4000-8000-00000000dead"} {
		assert.NotContains(t, all, planted)
	}
	reliability.Record(t, "consul/secrets", reliability.Count("texts searched", len(texts)))
}
