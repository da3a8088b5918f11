package consul_test

import (
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// anonymousAccessor is the accessor ID of Consul's built-in anonymous
// token, the identity of every request that carries no token.
const anonymousAccessor = "00000000-0000-0000-0000-000000000002"

// noTokenConfig is a client config for a with no token at all: the most
// common ACL mistake, a forgotten CONSUL_HTTP_TOKEN.
func noTokenConfig(a *consultest.Agent) *api.Config {
	cfg := a.Config()
	cfg.Token = ""
	return cfg
}

// TestNoTokenIsALoadError: on a default-deny agent Consul 1.14 answers a
// recursive read without a token with a plain 404 and no
// X-Consul-Results-Filtered-By-ACLs header (rule 7), exactly what an empty
// prefix looks like. Load must fail, saying that no token was sent.
func TestNoTokenIsALoadError(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/db/max_conns", "20")
	a.Put(t, "cfg/app.yaml", "x: 1\n")

	for _, tc := range []struct {
		name string
		opts consul.Options
	}{
		{"tree with keys", consul.Options{Prefix: "app/"}},
		{"tree without keys", consul.Options{Prefix: "nothing/"}},
		{"document", consul.Options{Key: "cfg/app.yaml"}},
		{"optional document", consul.Options{Key: "cfg/app.yaml", Optional: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Config = noTokenConfig(a)
			snap, err := load(t, consul.New(fast(tc.opts)))
			require.Error(t, err, "a read without a token must not look like an empty layer: %v", snap.Data)
			var ce *consul.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassPermission, ce.Class)
			assert.ErrorIs(t, err, consul.ErrNoToken)
			assert.Contains(t, err.Error(), "no ACL token was sent")
			assert.Contains(t, err.Error(), permissionText)
			reliability.Record(t, "consul/no-token-load")
		})
	}
}

// TestNoTokenAllowed: where requests without a token may read (ACLs off,
// or an anonymous token granted read), an empty prefix is just empty and
// keys load; the check for a missing token must not misfire.
func TestNoTokenAllowed(t *testing.T) {
	t.Parallel()
	plain := consultest.Start(t, consultest.Options{})
	acl := consultest.Start(t, consultest.Options{ACL: true})
	grantAnonymous(t, acl, `key_prefix "app/" { policy = "read" }`)
	for _, a := range []*consultest.Agent{plain, acl} {
		a.Put(t, "app/x", "1")
	}

	for _, tc := range []struct {
		name   string
		agent  *consultest.Agent
		prefix string
		want   map[string]any
	}{
		{"no ACLs, keys", plain, "app/", map[string]any{"x": "1"}},
		{"no ACLs, empty prefix", plain, "empty/", map[string]any{}},
		{"anonymous may read, keys", acl, "app/", map[string]any{"x": "1"}},
		{"anonymous may read, empty prefix", acl, "app/empty/", map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := load(t, consul.New(fast(consul.Options{Prefix: tc.prefix, Config: noTokenConfig(tc.agent)})))
			require.NoError(t, err)
			assert.Equal(t, tc.want, snap.Data)
		})
	}
}

// TestNoTokenLosingReadWhileWatching: a watch without a token whose
// anonymous read is taken away sees the prefix turn into a plain 404. That
// is one error naming the missing token, never an empty layer; when read is
// granted again the watch recovers.
func TestNoTokenLosingReadWhileWatching(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	grantAnonymous(t, a, `key_prefix "app/" { policy = "read" }`)
	var logs logBuffer
	p := consul.New(fast(consul.Options{
		Prefix: "app/", Config: noTokenConfig(a), Logger: logs.logger(), Wait: time.Second,
		Backoff: provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond},
	}))
	first, err := load(t, p)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"x": "1"}, first.Data)
	ev, stop := watch(t, p, first)

	denied := time.Now()
	grantAnonymous(t, a) // no policy: default deny
	got := ev.next(t, "the permission error", func(e provider.Event) bool { return e.Err != nil || e.Snapshot != nil })
	reliability.Record(t, "consul/no-token-watch", reliability.Took("notice", time.Since(denied)))
	require.Error(t, got.Err, "losing read without a token must not look like deleted keys: %s", describe(ev.all()))
	assert.ErrorIs(t, got.Err, consul.ErrNoToken)

	grantAnonymous(t, a, `key_prefix "app/" { policy = "read" }`)
	ev.next(t, "the recovery", func(e provider.Event) bool { return e.Err == nil && e.Snapshot == nil })
	stop()

	errs, recoveries := 0, 0
	for _, e := range ev.all() {
		switch {
		case e.Snapshot != nil:
			t.Errorf("no snapshot expected, got %v", e.Snapshot.Data)
		case e.Err != nil:
			errs++
		default:
			recoveries++
		}
	}
	assert.Equal(t, 1, errs, "one error for the outage: %s", describe(ev.all()))
	assert.Equal(t, 1, recoveries, "one recovery: %s", describe(ev.all()))
	assert.Contains(t, logs.String(), "no ACL token was sent")
}

// grantAnonymous replaces the policies of the anonymous token with one
// holding rules; no rules leaves it without any (default deny).
func grantAnonymous(t *testing.T, a *consultest.Agent, rules ...string) {
	t.Helper()
	c := a.Client(t)
	tok, _, err := c.ACL().TokenRead(anonymousAccessor, nil)
	require.NoError(t, err)
	tok.Policies = nil
	for _, r := range rules {
		pol, _, err := c.ACL().PolicyCreate(&api.ACLPolicy{Name: "anon-" + randomName(t), Rules: r}, nil)
		require.NoError(t, err)
		tok.Policies = append(tok.Policies, &api.ACLTokenPolicyLink{ID: pol.ID})
	}
	_, _, err = c.ACL().TokenUpdate(tok, nil)
	require.NoError(t, err)
}
