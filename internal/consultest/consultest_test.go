package consultest

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// get reads key through c; "" with ok=false when it is missing.
func get(t *testing.T, c *api.Client, key string, q *api.QueryOptions) (string, bool) {
	t.Helper()
	p, _, err := c.KV().Get(key, q)
	require.NoError(t, err)
	if p == nil {
		return "", false
	}
	return string(p.Value), true
}

// started runs start and logs how long it took, for reference only.
func started[T any](t *testing.T, what string, start func() T) T {
	t.Helper()
	begin := time.Now()
	v := start()
	t.Logf("%s started in %s", what, time.Since(begin).Round(time.Millisecond))
	return v
}

func statusCode(err error) int {
	var se api.StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestFindBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noPath := func(string) (string, error) { return "", exec.ErrNotFound }
	onPath := func(string) (string, error) { return "/usr/bin/consul", nil }
	tests := []struct {
		name     string
		env      map[string]string
		lookPath func(string) (string, error)
		want     string
		tried    string
	}{
		{"explicit binary", map[string]string{"STRATA_CONSUL_BIN": "/bin/sh"}, onPath, "/bin/sh", ""},
		{"explicit but missing does not fall back", map[string]string{"STRATA_CONSUL_BIN": dir + "/nope"}, onPath, "", "STRATA_CONSUL_BIN=" + dir + "/nope"},
		{"cache dir missing, PATH", map[string]string{"STRATA_CACHE_DIR": dir}, onPath, "/usr/bin/consul", ""},
		{"nothing", map[string]string{"XDG_CACHE_HOME": dir}, noPath, "", dir + "/strata/consul/" + Version + "/consul, consul on PATH"},
		{"home cache", map[string]string{"HOME": dir}, noPath, "", dir + "/.cache/strata/consul/" + Version + "/consul, consul on PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tried := findBinary(func(k string) string { return tt.env[k] }, tt.lookPath)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.tried, tried)
		})
	}
}

func TestRingLogKeepsLastLines(t *testing.T) {
	t.Parallel()
	var r ringLog
	for i := range 3 * logLines {
		_, _ = r.Write([]byte("line " + strings.Repeat("x", i%3) + "\n"))
	}
	_, _ = r.Write([]byte("partial"))
	lines := strings.Split(r.String(), "\n")
	assert.Len(t, lines, logLines+1)
	assert.Equal(t, "partial", lines[len(lines)-1])
}

func TestDevPutGet(t *testing.T) {
	t.Parallel()
	a := started(t, "dev agent", func() *Agent { return Start(t, Options{}) })
	require.NotEmpty(t, a.Addr)
	assert.Empty(t, a.HTTPSAddr)
	assert.Equal(t, "dc1", a.Datacenter)
	c := a.Client(t)

	a.Put(t, "app/name", "strata")
	v, ok := get(t, c, "app/name", nil)
	assert.True(t, ok)
	assert.Equal(t, "strata", v)

	a.Txn(t, map[string]string{"app/a": "1", "app/b": "2"})
	pairs, _, err := c.KV().List("app/", nil)
	require.NoError(t, err)
	assert.Len(t, pairs, 3)

	a.Delete(t, "app/", true)
	pairs, _, err = c.KV().List("", nil)
	require.NoError(t, err)
	assert.Empty(t, pairs, "the readiness probe key must not be left behind")
}

func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		stop func(a *Agent, t *testing.T)
	}{
		{"stop", func(a *Agent, t *testing.T) { a.Stop(t) }},
		{"kill", func(a *Agent, t *testing.T) { a.Kill(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := started(t, "persistent agent", func() *Agent { return Start(t, Options{Persistent: true}) })
			require.NotEmpty(t, a.DataDir)
			addr := a.Addr
			a.Put(t, "k", "v")
			tt.stop(a, t)

			_, _, err := a.Client(t).KV().Get("k", nil)
			require.Error(t, err, "a stopped agent must not answer")

			begin := time.Now()
			a.Restart(t)
			t.Logf("restarted in %s", time.Since(begin).Round(time.Millisecond))
			assert.Equal(t, addr, a.Addr, "restart keeps the ports")
			v, ok := get(t, a.Client(t), "k", nil)
			assert.True(t, ok)
			assert.Equal(t, "v", v)
		})
	}
}

func TestDevRestartIsEmpty(t *testing.T) {
	t.Parallel()
	a := Start(t, Options{})
	a.Put(t, "k", "v")
	a.Kill(t)
	a.Restart(t)
	_, ok := get(t, a.Client(t), "k", nil)
	assert.False(t, ok)
}

func TestPauseResume(t *testing.T) {
	t.Parallel()
	a := Start(t, Options{})
	a.Put(t, "k", "v")
	c := a.Client(t)

	a.Pause(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, _, err := c.KV().Get("k", (&api.QueryOptions{}).WithContext(ctx))
	require.ErrorIs(t, err, context.DeadlineExceeded, "a paused agent must hang")

	a.Resume(t)
	v, ok := get(t, c, "k", nil)
	assert.True(t, ok)
	assert.Equal(t, "v", v)
}

func TestSnapshotRestore(t *testing.T) {
	t.Parallel()
	a := Start(t, Options{})
	c := a.Client(t)
	a.Put(t, "a", "before")
	snap := a.Snapshot(t)
	require.NotEmpty(t, snap)

	a.Put(t, "a", "after")
	a.Put(t, "b", "new")
	a.Restore(t, snap)

	v, ok := get(t, c, "a", nil)
	assert.True(t, ok)
	assert.Equal(t, "before", v)
	_, ok = get(t, c, "b", nil)
	assert.False(t, ok)
}

func TestACL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts Options
	}{
		{"acl", Options{ACL: true}},
		{"acl+tls", Options{ACL: true, TLS: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := started(t, tt.name+" agent", func() *Agent { return Start(t, tt.opts) })
			require.NotEmpty(t, a.Token)
			a.Put(t, "cfg/k", "v")

			anon := a.Config()
			anon.Token = "anonymous"
			ac, err := api.NewClient(anon)
			require.NoError(t, err)
			t.Cleanup(anon.Transport.CloseIdleConnections)
			p, _, err := ac.KV().Get("cfg/k", nil)
			if err != nil {
				assert.Equal(t, http.StatusForbidden, statusCode(err), "%v", err)
			} else {
				assert.Nil(t, p, "anonymous read must not see the key")
			}

			secret, accessor := a.CreateToken(t, `key_prefix "cfg/" { policy = "read" }`)
			ro := a.Config()
			ro.Token = secret
			rc, err := api.NewClient(ro)
			require.NoError(t, err)
			t.Cleanup(ro.Transport.CloseIdleConnections)
			v, ok := get(t, rc, "cfg/k", nil)
			assert.True(t, ok)
			assert.Equal(t, "v", v)
			_, err = rc.KV().Put(&api.KVPair{Key: "cfg/k", Value: []byte("w")}, nil)
			assert.Equal(t, http.StatusForbidden, statusCode(err), "read-only token must not write: %v", err)

			a.RevokeToken(t, accessor)
			_, _, err = rc.KV().Get("cfg/k", nil)
			assert.Equal(t, http.StatusForbidden, statusCode(err), "revoked token must fail: %v", err)
		})
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	a := started(t, "tls agent", func() *Agent { return Start(t, Options{TLS: true}) })
	require.NotEmpty(t, a.HTTPSAddr)
	assert.Empty(t, a.Addr, "plain HTTP must be off")
	a.Put(t, "k", "v")

	v, ok := get(t, a.Client(t), "k", nil)
	assert.True(t, ok)
	assert.Equal(t, "v", v)

	noCert := a.Config()
	noCert.TLSConfig.CertFile, noCert.TLSConfig.KeyFile = "", ""
	c, err := api.NewClient(noCert)
	require.NoError(t, err)
	t.Cleanup(noCert.Transport.CloseIdleConnections)
	_, _, err = c.KV().Get("k", nil)
	assert.Error(t, err, "verify_incoming must reject a client without a certificate")

	wrongCA := a.Config()
	wrongCA.TLSConfig.CAFile = Start(t, Options{TLS: true}).CAFile
	c, err = api.NewClient(wrongCA)
	require.NoError(t, err)
	t.Cleanup(wrongCA.Transport.CloseIdleConnections)
	_, _, err = c.KV().Get("k", nil)
	assert.Error(t, err, "a client must not trust a server from another CA")
}

func TestCluster(t *testing.T) {
	t.Parallel()
	c := started(t, "cluster of 3", func() *Cluster { return StartCluster(t, 3) })
	require.Len(t, c.Agents, 3)
	leader := c.Leader(t)
	followers := c.Followers(t)
	require.Len(t, followers, 2)
	assert.NotContains(t, followers, leader)

	followers[0].Put(t, "k", "v")
	v, ok := get(t, followers[1].Client(t), "k", &api.QueryOptions{RequireConsistent: true})
	assert.True(t, ok)
	assert.Equal(t, "v", v)

	leader.Kill(t)
	begin := time.Now()
	next := c.WaitLeader(t)
	t.Logf("new leader after %s", time.Since(begin).Round(time.Millisecond))
	assert.NotSame(t, leader, next)
	next.Put(t, "k", "v2")

	leader.Restart(t)
	assert.Len(t, c.Followers(t), 2)
	v, ok = get(t, leader.Client(t), "k", &api.QueryOptions{RequireConsistent: true})
	assert.True(t, ok)
	assert.Equal(t, "v2", v)
}

func TestWAN(t *testing.T) {
	t.Parallel()
	type pair struct{ dc1, dc2 *Agent }
	p := started(t, "WAN pair", func() pair {
		dc1, dc2 := StartWAN(t)
		return pair{dc1, dc2}
	})
	assert.Equal(t, "dc1", p.dc1.Datacenter)
	assert.Equal(t, "dc2", p.dc2.Datacenter)

	c1 := p.dc1.Client(t)
	_, err := c1.KV().Put(&api.KVPair{Key: "k", Value: []byte("in dc2")}, &api.WriteOptions{Datacenter: "dc2"})
	require.NoError(t, err)

	v, ok := get(t, p.dc2.Client(t), "k", nil)
	assert.True(t, ok)
	assert.Equal(t, "in dc2", v)
	v, ok = get(t, c1, "k", &api.QueryOptions{Datacenter: "dc2"})
	assert.True(t, ok)
	assert.Equal(t, "in dc2", v)
	_, ok = get(t, c1, "k", nil)
	assert.False(t, ok, "the key must not exist in dc1")
}
