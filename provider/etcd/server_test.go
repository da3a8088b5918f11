package etcd

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// member is one real etcd server, embedded in the test process and
// listening on loopback ports chosen free.
type member struct {
	t         *testing.T
	cfg       *embed.Config
	e         *embed.Etcd
	clientURL string
	tls       *tlsSet // nil without TLS
	stopped   bool
}

// serverOptions selects what a test server enables.
type serverOptions struct {
	TLS          bool   // serve clients over TLS with a fresh CA
	ClientCert   bool   // and require a client certificate (mTLS)
	AuthTokenTTL uint   // seconds a simple auth token lives (0: etcd's default)
	Name         string // member name (default "m0")
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

func mustURL(t *testing.T, s string) url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return *u
}

// newMemberConfig prepares a member's configuration on fresh ports.
func newMemberConfig(t *testing.T, o serverOptions) (*embed.Config, *tlsSet) {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name = o.Name
	if cfg.Name == "" {
		cfg.Name = "m0"
	}
	cfg.Dir = t.TempDir()
	// etcd's own logs would drown the test output; errors surface through
	// the client.
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.UnsafeNoFsync = true
	// bcrypt at its default cost takes seconds per login under -race.
	cfg.BcryptCost = 4
	var ts *tlsSet
	scheme := "http"
	if o.TLS {
		ts = newTLSSet(t)
		scheme = "https"
		cfg.ClientTLSInfo.CertFile, cfg.ClientTLSInfo.KeyFile = ts.serverCert, ts.serverKey
		cfg.ClientTLSInfo.TrustedCAFile = ts.caFile
		cfg.ClientTLSInfo.ClientCertAuth = o.ClientCert
	}
	cu := mustURL(t, fmt.Sprintf("%s://127.0.0.1:%d", scheme, freePort(t)))
	pu := mustURL(t, fmt.Sprintf("http://127.0.0.1:%d", freePort(t)))
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	if o.AuthTokenTTL > 0 {
		cfg.AuthToken = "simple"
		cfg.AuthTokenTTL = o.AuthTokenTTL
	}
	return cfg, ts
}

// startEtcd starts one member and stops it when the test ends.
func startEtcd(t *testing.T, o serverOptions) *member {
	t.Helper()
	cfg, ts := newMemberConfig(t, o)
	m := &member{t: t, cfg: cfg, tls: ts, clientURL: cfg.AdvertiseClientUrls[0].String()}
	m.start()
	m.waitReady()
	return m
}

func (m *member) start() {
	m.t.Helper()
	e, err := embed.StartEtcd(m.cfg)
	require.NoError(m.t, err)
	m.e, m.stopped = e, false
	m.t.Cleanup(m.stop)
}

func (m *member) waitReady() {
	m.t.Helper()
	select {
	case <-m.e.Server.ReadyNotify():
	case err := <-m.e.Err():
		require.NoError(m.t, err, "etcd failed to start")
	case <-time.After(30 * time.Second):
		require.FailNow(m.t, "etcd did not become ready")
	}
}

// stop closes the member; it may be called more than once.
func (m *member) stop() {
	if m.stopped || m.e == nil {
		return
	}
	m.stopped = true
	m.e.Close()
}

// clientTLS is the TLS configuration of a client trusting the test CA,
// with the client certificate when withCert.
func (m *member) clientTLS(withCert bool) *tls.Config {
	if m.tls == nil {
		return nil
	}
	return m.tls.clientConfig(m.t, withCert)
}

// admin returns a client for the test's own writes, closed at cleanup.
func (m *member) admin(user, password string) *clientv3.Client {
	m.t.Helper()
	return newAdmin(m.t, []string{m.clientURL}, m.clientTLS(true), user, password)
}

func newAdmin(t *testing.T, endpoints []string, tc *tls.Config, user, password string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{
		Endpoints: endpoints, TLS: tc, Username: user, Password: password,
		DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func put(t *testing.T, c *clientv3.Client, kv ...string) int64 {
	t.Helper()
	require.Zero(t, len(kv)%2)
	ops := make([]clientv3.Op, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		ops = append(ops, clientv3.OpPut(kv[i], kv[i+1]))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Txn(ctx).Then(ops...).Commit()
	require.NoError(t, err)
	return resp.Header.Revision
}

func del(t *testing.T, c *clientv3.Client, key string, prefix bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var opts []clientv3.OpOption
	if prefix {
		opts = append(opts, clientv3.WithPrefix())
	}
	_, err := c.Delete(ctx, key, opts...)
	require.NoError(t, err)
}

func endpointsOf(ms []*member) []string {
	var eps []string
	for _, m := range ms {
		eps = append(eps, m.clientURL)
	}
	return eps
}

// startCluster starts n members that form one cluster on loopback.
func startCluster(t *testing.T, n int) []*member {
	t.Helper()
	ms := make([]*member, n)
	var initial []string
	for i := range ms {
		cfg, _ := newMemberConfig(t, serverOptions{Name: fmt.Sprintf("m%d", i)})
		ms[i] = &member{t: t, cfg: cfg, clientURL: cfg.AdvertiseClientUrls[0].String()}
		initial = append(initial, cfg.Name+"="+cfg.AdvertisePeerUrls[0].String())
	}
	for _, m := range ms {
		m.cfg.InitialCluster = strings.Join(initial, ",")
		m.cfg.InitialClusterToken = "strata-test"
		m.start()
	}
	for _, m := range ms {
		m.waitReady()
	}
	return ms
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}
