package etcd

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

func TestLoadTreeAndDocument(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	rev := put(t, c,
		"app/db/max_conns", "20",
		"app/db/dsn", "postgres://x",
		"app/listen", ":8080",
		"app/folder/", "ignored",
		"apple/not/mine", "x",
		"docs/app.yaml", "db:\n  max_conns: 30\nfeatures: [a, b]\n",
		"docs/app.json", `{"db": {"max_conns": 31}}`,
		"docs/app.toml", "[db]\nmax_conns = 32\n",
		"docs/bad.yaml", "db: [unclosed\n",
		"docs/noext", "x: 1",
	)
	tests := []struct {
		name    string
		opts    Options
		want    map[string]any
		origin  string // of db.max_conns
		wantErr string
		class   Class
	}{
		{name: "tree", opts: Options{Prefix: "app"},
			want:   map[string]any{"db": map[string]any{"max_conns": "20", "dsn": "postgres://x"}, "listen": ":8080"},
			origin: "etcd key app/db/max_conns"},
		{name: "yaml document", opts: Options{Key: "docs/app.yaml"},
			want:   map[string]any{"db": map[string]any{"max_conns": 30}, "features": []any{"a", "b"}},
			origin: "etcd key docs/app.yaml"},
		{name: "json document", opts: Options{Key: "docs/app.json"},
			want: map[string]any{"db": map[string]any{"max_conns": float64(31)}}, origin: "etcd key docs/app.json"},
		{name: "toml document", opts: Options{Key: "docs/app.toml"},
			want: map[string]any{"db": map[string]any{"max_conns": int64(32)}}, origin: "etcd key docs/app.toml"},
		{name: "empty prefix is an empty layer", opts: Options{Prefix: "none/"}, want: map[string]any{}, origin: "etcd key none/"},
		{name: "missing optional document", opts: Options{Key: "docs/none.yaml", Optional: true}, want: map[string]any{}, origin: "etcd key docs/none.yaml"},
		{name: "missing document", opts: Options{Key: "docs/none.yaml"}, wantErr: `etcd docs/none.yaml: etcd: not found reading key "docs/none.yaml"`, class: ClassNotFound},
		{name: "malformed document", opts: Options{Key: "docs/bad.yaml"}, wantErr: "malformed yaml document", class: ClassInvalidData},
		{name: "no extension", opts: Options{Key: "docs/noext"}, wantErr: "set Format", class: ClassInvalidOptions},
		{name: "format given", opts: Options{Key: "docs/noext", Format: "yaml"}, want: map[string]any{"x": 1}, origin: "etcd key docs/noext"},
		{name: "neither prefix nor key", opts: Options{}, wantErr: "one of Prefix and Key must be set", class: ClassInvalidOptions},
		{name: "both", opts: Options{Prefix: "a", Key: "b.yaml"}, wantErr: "only one of Prefix and Key", class: ClassInvalidOptions},
		{name: "root prefix", opts: Options{Prefix: "/"}, wantErr: "whole keyspace", class: ClassInvalidOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Endpoints = []string{m.clientURL}
			p := New(tt.opts)
			snap, err := p.Load(context.Background())
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, tt.class, errClass(err))
				var pe *provider.Error
				assert.ErrorAs(t, err, &pe)
				if tt.class == ClassNotFound {
					assert.ErrorIs(t, err, provider.ErrNotFound)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, snap.Data)
			assert.Equal(t, tt.origin, snap.OriginOf("db.max_conns").String())
			assert.NotEmpty(t, snap.Version)
			assert.NotEmpty(t, snap.Info["member"])
			assert.False(t, snap.Stale)
		})
	}
	t.Run("version is the read revision", func(t *testing.T) {
		snap, err := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}}).Load(context.Background())
		require.NoError(t, err)
		assert.Equal(t, snap.Version, snap.Info["revision"])
		assert.Equal(t, rev, mustInt(t, snap.Version))
	})
}

func TestLoadTreeConflicts(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "a/x", "1", "a/x/y", "2", "b/p//q", "3")
	tests := []struct{ prefix, want string }{
		{"a/", `key "a/x" holds a value but key "a/x/y" makes it a folder`},
		{"b/", `key "b/p//q" has an empty path segment`},
	}
	for _, tt := range tests {
		_, err := New(Options{Prefix: tt.prefix, Endpoints: []string{m.clientURL}}).Load(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), tt.want)
		assert.Equal(t, ClassInvalidData, errClass(err))
	}
}

func TestLoadUnreachableUsesCache(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	put(t, m.admin("", ""), "app/a", "1", "app/b/c", "2")
	cache := filepath.Join(t.TempDir(), "etcd-cache.json")
	opts := Options{Prefix: "app/", Endpoints: []string{m.clientURL}, CacheFile: cache, RequestTimeout: time.Second}
	fresh, err := New(opts).Load(context.Background())
	require.NoError(t, err)
	m.stop()

	snap, err := New(opts).Load(context.Background())
	require.NoError(t, err)
	assert.True(t, snap.Stale)
	assert.Equal(t, "cache", snap.Info["source"])
	assert.Equal(t, fresh.Data, snap.Data)
	assert.Equal(t, fresh.Version, snap.Version)
	assert.Equal(t, "etcd key app/b/c", snap.OriginOf("b.c").String())

	opts.CacheFile = ""
	_, err = New(opts).Load(context.Background())
	require.Error(t, err)
	assert.Equal(t, ClassUnavailable, errClass(err))
	assert.Contains(t, err.Error(), `etcd app/: etcd: unavailable reading prefix "app/" at `+m.clientURL)

	opts.CacheFile, opts.Prefix = cache, "other/"
	_, err = New(opts).Load(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "written for another layer")
}
