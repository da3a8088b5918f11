package consul_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

func TestCacheServesLoadWhileConsulIsDown(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{Persistent: true})
	a.Put(t, "app/db/max_conns", "7")
	dir := t.TempDir()
	cache := filepath.Join(dir, "orders.json")
	opts := fast(consul.Options{Prefix: "app/", Config: a.Config(), CacheFile: cache})

	fresh, err := load(t, consul.New(opts))
	require.NoError(t, err)

	fi, err := os.Stat(cache)
	require.NoError(t, err, "a good read writes the cache")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the cache holds values: owner only")
	var onDisk map[string]any
	b, err := os.ReadFile(cache)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &onDisk))
	assert.Equal(t, map[string]any{"app/db/max_conns": "7"}, onDisk["data"])
	assert.Equal(t, fresh.Version, onDisk["version"])
	assert.NotEmpty(t, onDisk["written_at"])
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	a.Stop(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cached, err := consul.New(opts).Load(ctx)
	require.NoError(t, err, "Consul down and a cache: the cache answers")
	reliability.Record(t, "consul/cache")
	assert.True(t, cached.Stale)
	assert.Equal(t, "cache", cached.Info["source"])
	assert.Equal(t, fresh.Data, cached.Data)
	assert.Equal(t, fresh.Origins, cached.Origins)

	// Without a cache the same failure is an error, within the deadline.
	noCache := opts
	noCache.CacheFile = ""
	_, err = consul.New(noCache).Load(ctx)
	var ce *consul.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, consul.ClassUnavailable, ce.Class)

	// Back up: the watcher replaces the stale snapshot even though the
	// content is equal, because staleness is part of what matters.
	a.Restart(t)
	ev, _ := watch(t, consul.New(opts), cached)
	got := ev.next(t, "a fresh snapshot", isSnapshot)
	assert.False(t, got.Snapshot.Stale)
	assert.Empty(t, got.Snapshot.Info["source"])
	assert.Equal(t, cached.Data, got.Snapshot.Data)

	// Every delivered change is cached too.
	a.Put(t, "app/db/max_conns", "8")
	ev.next(t, "the change", hasValue("db.max_conns", "8"))
	b, err = os.ReadFile(cache)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &onDisk))
	assert.Equal(t, map[string]any{"app/db/max_conns": "8"}, onDisk["data"])
}

func TestCacheNeverMasksAPermissionError(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	cache := filepath.Join(t.TempDir(), "cache.json")
	_, err := load(t, consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config(), CacheFile: cache})))
	require.NoError(t, err)
	require.FileExists(t, cache)

	token, _ := a.CreateToken(t, `key_prefix "other/" { policy = "read" }`)
	cfg := a.Config()
	cfg.Token = token
	_, err = load(t, consul.New(fast(consul.Options{Prefix: "app/", Config: cfg, CacheFile: cache})))
	var ce *consul.Error
	require.ErrorAs(t, err, &ce, "a permission error fails loudly, cache or not")
	assert.Equal(t, consul.ClassPermission, ce.Class)
}

func TestCacheForAnotherLayerIsNotUsed(t *testing.T) {
	t.Parallel()
	cache := filepath.Join(t.TempDir(), "cache.json")
	require.NoError(t, os.WriteFile(cache, []byte(`{"prefix":"other/","version":"5","data":{"other/x":"1"}}`), 0o600))
	_, err := consul.New(consul.Options{Prefix: "app/", Config: unreachableConfig(), CacheFile: cache}).Load(context.Background())
	require.Error(t, err)
	assert.ErrorContains(t, err, "written for another layer")
	var ce *consul.Error
	require.ErrorAs(t, err, &ce, "the Consul error is kept")
	assert.Equal(t, consul.ClassUnavailable, ce.Class)
}

func TestCacheDocumentMode(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "cfg/app.yaml", "db:\n  max_conns: 7\n")
	cache := filepath.Join(t.TempDir(), "cache.json")
	opts := fast(consul.Options{Key: "cfg/app.yaml", Config: a.Config(), CacheFile: cache})
	fresh, err := load(t, consul.New(opts))
	require.NoError(t, err)
	a.Kill(t)
	cached, err := load(t, consul.New(opts))
	require.NoError(t, err)
	assert.Equal(t, fresh.Data, cached.Data)
	assert.Equal(t, provider.Origin{Kind: "consul key", Ref: "cfg/app.yaml"}, cached.Source)
	assert.True(t, cached.Stale)
}
