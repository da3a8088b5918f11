package consul_test

import (
	"context"
	"errors"
	"strconv"
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

func TestLoadTree(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "services/orders/db/max_conns", "7")
	a.Put(t, "services/orders/db/host", "db.internal")
	a.Put(t, "services/orders/name", "orders")
	a.Put(t, "services/orders/folder/", "") // a folder key: ignored
	a.Put(t, "services/orders-old/name", "not me")

	for _, tc := range []struct {
		name        string
		prefix      string
		consistency consul.Consistency
	}{
		{"default", "services/orders/", consul.ConsistencyDefault},
		{"no trailing slash", "services/orders", consul.ConsistencyDefault},
		{"consistent", "services/orders/", consul.ConsistencyStrong},
		{"stale", "services/orders/", consul.ConsistencyStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := consul.New(fast(consul.Options{Prefix: tc.prefix, Config: a.Config(), Consistency: tc.consistency}))
			snap, err := load(t, p)
			require.NoError(t, err)

			assert.Equal(t, map[string]any{
				"db":   map[string]any{"max_conns": "7", "host": "db.internal"},
				"name": "orders",
			}, snap.Data)
			assert.Equal(t, provider.Origin{Kind: "consul key", Ref: "services/orders/db/max_conns"}, snap.OriginOf("db.max_conns"))
			assert.Equal(t, provider.Origin{Kind: "consul key", Ref: "services/orders/"}, snap.Source)
			assert.False(t, snap.Stale)
			index, err := strconv.ParseUint(snap.Version, 10, 64)
			require.NoError(t, err, "Version is the X-Consul-Index")
			assert.Positive(t, index)
			assert.Equal(t, snap.Version, snap.Info["index"])
			assert.Equal(t, tc.consistency.String(), snap.Info["consistency"])
			assert.Equal(t, "consul services/orders/", p.Name())
		})
	}
}

func TestLoadEmptyPrefixIsEmptyLayer(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	snap, err := load(t, consul.New(fast(consul.Options{Prefix: "nothing/here/", Config: a.Config()})))
	require.NoError(t, err, "rule 3: a missing prefix is a state, not an error")
	assert.Empty(t, snap.Data)
	assert.NotEmpty(t, snap.Version)
}

func TestLoadLeafAndFolderConflict(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/a", "leaf")
	a.Put(t, "app/a/b", "below")

	_, err := load(t, consul.New(fast(consul.Options{Prefix: "app/", Config: a.Config()})))
	require.Error(t, err)
	assert.ErrorContains(t, err, `"app/a"`)
	assert.ErrorContains(t, err, `"app/a/b"`)
	var ce *consul.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, consul.ClassInvalidData, ce.Class)
}

func TestLoadDocument(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "cfg/app.yaml", "db:\n  max_conns: 7\n  hosts: [a, b]\nname: orders\n")
	a.Put(t, "cfg/app.json", `{"db": {"max_conns": 7}, "name": "orders"}`)
	a.Put(t, "cfg/app.toml", "name = \"orders\"\n[db]\nmax_conns = 7\n")
	a.Put(t, "cfg/app", "name: orders\n")
	a.Put(t, "cfg/empty.yaml", "")
	a.Put(t, "cfg/blank.yaml", " \n\t\n")
	a.Put(t, "cfg/comments.yaml", "# nothing set here\n")
	a.Put(t, "cfg/bad.yaml", "db: [unclosed\n")

	for _, tc := range []struct {
		name     string
		opts     consul.Options
		want     map[string]any
		class    consul.Class
		notFound bool
	}{
		{name: "yaml", opts: consul.Options{Key: "cfg/app.yaml"},
			want: map[string]any{"db": map[string]any{"max_conns": 7, "hosts": []any{"a", "b"}}, "name": "orders"}},
		{name: "json", opts: consul.Options{Key: "cfg/app.json"},
			want: map[string]any{"db": map[string]any{"max_conns": float64(7)}, "name": "orders"}},
		{name: "toml", opts: consul.Options{Key: "cfg/app.toml"},
			want: map[string]any{"db": map[string]any{"max_conns": int64(7)}, "name": "orders"}},
		{name: "format option", opts: consul.Options{Key: "cfg/app", Format: "yaml"},
			want: map[string]any{"name": "orders"}},
		// An empty document is far more often a truncated write than an
		// intent: an error, as for an empty file, unless Optional.
		{name: "empty document", opts: consul.Options{Key: "cfg/empty.yaml"}, class: consul.ClassInvalidData},
		{name: "blank document", opts: consul.Options{Key: "cfg/blank.yaml"}, class: consul.ClassInvalidData},
		{name: "empty optional document", opts: consul.Options{Key: "cfg/empty.yaml", Optional: true}, want: map[string]any{}},
		{name: "comments only", opts: consul.Options{Key: "cfg/comments.yaml"}, want: map[string]any{}},
		{name: "missing key", opts: consul.Options{Key: "cfg/missing.yaml"}, class: consul.ClassNotFound, notFound: true},
		{name: "missing optional key", opts: consul.Options{Key: "cfg/missing.yaml", Optional: true}, want: map[string]any{}},
		{name: "malformed", opts: consul.Options{Key: "cfg/bad.yaml"}, class: consul.ClassInvalidData},
		{name: "no format", opts: consul.Options{Key: "cfg/app"}, class: consul.ClassInvalidOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Config = a.Config()
			p := consul.New(fast(tc.opts))
			snap, err := load(t, p)
			if tc.class != 0 {
				require.Error(t, err)
				var ce *consul.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tc.class, ce.Class)
				assert.Equal(t, tc.notFound, errors.Is(err, provider.ErrNotFound))
				assert.ErrorContains(t, err, p.Name())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, snap.Data)
			assert.Equal(t, provider.Origin{Kind: "consul key", Ref: tc.opts.Key}, snap.OriginOf("name"))
		})
	}
}

func TestLoadOptionsErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts consul.Options
	}{
		{"neither prefix nor key", consul.Options{}},
		{"both prefix and key", consul.Options{Prefix: "a/", Key: "b.yaml"}},
		{"root prefix", consul.Options{Prefix: "/"}},
		{"unknown format", consul.Options{Key: "a.ini"}},
		{"folder as key", consul.Options{Key: "a/"}},
		{"empty datacenter", consul.Options{Prefix: "a/", Datacenters: []string{"dc1", ""}}},
		{"unknown consistency", consul.Options{Prefix: "a/", Consistency: 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An address nothing listens on: nothing may be sent anyway.
			tc.opts.Config = unreachableConfig()
			p := consul.New(tc.opts)
			_, err := p.Load(context.Background())
			var ce *consul.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassInvalidOptions, ce.Class)

			err = p.Watch(context.Background(), provider.Snapshot{}, func(provider.Event) {
				t.Error("Watch with bad options emitted an event")
			})
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassInvalidOptions, ce.Class)
		})
	}
}

func TestLoadUnreachableFailsWithinDeadline(t *testing.T) {
	t.Parallel()
	p := consul.New(consul.Options{Prefix: "services/orders/", Config: unreachableConfig()})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := p.Load(ctx)
	require.Error(t, err)
	var ce *consul.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, consul.ClassUnavailable, ce.Class)
	assert.ErrorContains(t, err, "consul services/orders/", "the error names the layer")
	assert.ErrorContains(t, err, unreachableAddr, "the error names the address")
	reliability.Record(t, "consul/unreachable-load")
}

func TestLoadPausedAgentRespectsDeadline(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Pause(t)
	defer a.Resume(t)
	// SIGSTOP is asynchronous: wait until the agent no longer answers.
	c := a.Client(t)
	waitFor(t, "the paused agent to stop answering", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, _, err := c.KV().Get("app/probe", (&api.QueryOptions{}).WithContext(ctx))
		return errors.Is(err, context.DeadlineExceeded)
	})
	p := consul.New(consul.Options{Prefix: "app/", Config: a.Config()})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := p.Load(ctx)
	var ce *consul.Error
	require.ErrorAs(t, err, &ce, "a hung agent must not hang Load beyond its context")
	assert.Equal(t, consul.ClassUnavailable, ce.Class)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	reliability.Record(t, "consul/paused-load")
}

func TestName(t *testing.T) {
	t.Parallel()
	cfg := unreachableConfig()
	cfg.Token = "4b1c0b6e-planted-token"
	for _, tc := range []struct {
		opts consul.Options
		want string
	}{
		{consul.Options{Prefix: "services/orders/"}, "consul services/orders/"},
		{consul.Options{Prefix: "/services/orders"}, "consul services/orders/"},
		{consul.Options{Key: "cfg/app.yaml"}, "consul cfg/app.yaml"},
		{consul.Options{Prefix: "a/", Datacenters: []string{"dc2"}}, "consul a/@dc2"},
		{consul.Options{Prefix: "a/", Datacenters: []string{"dc1", "dc2"}}, "consul a/@dc1,dc2"},
	} {
		tc.opts.Config = cfg
		assert.Equal(t, tc.want, consul.New(tc.opts).Name())
	}
}
