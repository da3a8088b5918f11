package etcd_test

import (
	"context"
	neturl "net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/etcd"
)

type service struct {
	Listen string `config:"listen" default:":8080"`
	DB     struct {
		MaxConns int `config:"max_conns" default:"10" validate:"min=1"`
	} `config:"db"`
	Features map[string]bool `config:"features"`
}

// startServer is the smallest real etcd for the end-to-end test: one
// member on loopback ports the kernel picks free.
func startServer(t testing.TB) string {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.UnsafeNoFsync = true
	cu, pu := cfg.ListenClientUrls[0], cfg.ListenPeerUrls[0]
	cu.Host, pu.Host = "127.0.0.1:0", "127.0.0.1:0"
	// Port 0 is resolved by the listeners; the advertised URLs are fixed
	// below from what was bound.
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []neturl.URL{cu}, []neturl.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []neturl.URL{pu}, []neturl.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	require.NoError(t, err)
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		require.FailNow(t, "etcd did not become ready")
	}
	return "http://" + e.Clients[0].Addr().String()
}

// TestStrataEndToEnd runs strata.Load over a real etcd: the values arrive
// typed, a transaction fires OnChange once, Explain names the etcd key, and
// Status reports the revision.
func TestStrataEndToEnd(t *testing.T) {
	endpoint := startServer(t)
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, Logger: zap.NewNop()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	_, err = c.Put(ctx, "services/orders/db/max_conns", "20")
	require.NoError(t, err)

	cfg, err := strata.Load[service](ctx, etcd.New(etcd.Options{Prefix: "services/orders/", Endpoints: []string{endpoint}}))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, cfg.Close()) })
	assert.Equal(t, 20, cfg.Get().DB.MaxConns)
	assert.Equal(t, ":8080", cfg.Get().Listen)
	e, ok := cfg.Explain("db.max_conns")
	require.True(t, ok)
	assert.Equal(t, "etcd key services/orders/db/max_conns", e.Origin.String())

	changes := make(chan [2]*service, 10)
	cfg.OnChange(func(old, new *service) { changes <- [2]*service{old, new} })
	_, err = c.Txn(ctx).Then(
		clientv3.OpPut("services/orders/db/max_conns", "40"),
		clientv3.OpPut("services/orders/features/a", "true"),
		clientv3.OpPut("services/orders/listen", ":9090"),
	).Commit()
	require.NoError(t, err)
	select {
	case ch := <-changes:
		assert.Equal(t, 20, ch[0].DB.MaxConns)
		assert.Equal(t, 40, ch[1].DB.MaxConns)
		assert.Equal(t, ":9090", ch[1].Listen, "the whole transaction in one change")
		assert.Equal(t, map[string]bool{"a": true}, ch[1].Features)
	case <-time.After(30 * time.Second):
		require.FailNow(t, "no OnChange after the transaction")
	}

	_, err = c.Delete(ctx, "services/orders/db/max_conns")
	require.NoError(t, err)
	select {
	case ch := <-changes:
		assert.Equal(t, 10, ch[1].DB.MaxConns, "a deleted key falls back to the default")
	case <-time.After(30 * time.Second):
		require.FailNow(t, "no OnChange after the delete")
	}
	assert.Empty(t, changes, "one callback per change")

	st := cfg.Status().Layers[1]
	assert.Equal(t, "etcd services/orders/", st.Name)
	assert.True(t, st.Healthy)
	assert.Equal(t, st.Version, st.Info["revision"])
}
