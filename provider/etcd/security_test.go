package etcd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"

	"github.com/strata-go/strata/provider"
)

const (
	rootPassword = "root-pw-Zq81"
	// plantedPassword must never appear in any error, name or log line.
	plantedPassword = "planted-SECRET-pw-7c1e"
)

// enableAuth creates root and a user "reader" (password plantedPassword)
// whose only role reads keys under prefix, then turns auth on. It returns
// a root client for the test's writes.
func enableAuth(t *testing.T, m *member, prefix string) *clientv3.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := m.admin("", "")
	_, err := c.RoleAdd(ctx, "root")
	require.NoError(t, err)
	_, err = c.UserAdd(ctx, "root", rootPassword)
	require.NoError(t, err)
	_, err = c.UserGrantRole(ctx, "root", "root")
	require.NoError(t, err)
	_, err = c.RoleAdd(ctx, "reader")
	require.NoError(t, err)
	_, err = c.RoleGrantPermission(ctx, "reader", prefix, clientv3.GetPrefixRangeEnd(prefix), clientv3.PermissionType(clientv3.PermRead))
	require.NoError(t, err)
	_, err = c.UserAdd(ctx, "reader", plantedPassword)
	require.NoError(t, err)
	_, err = c.UserGrantRole(ctx, "reader", "reader")
	require.NoError(t, err)
	_, err = c.AuthEnable(ctx)
	require.NoError(t, err)
	return m.admin("root", rootPassword)
}

func TestTLS(t *testing.T) {
	m := startEtcd(t, serverOptions{TLS: true, ClientCert: true})
	put(t, m.admin("", ""), "app/a", "1")
	other := newTLSSet(t)
	tests := []struct {
		name  string
		tls   func() *Options
		class Class
		want  string
	}{
		{name: "mTLS", tls: func() *Options { return &Options{TLS: m.clientTLS(true)} }},
		{name: "no client certificate", tls: func() *Options { return &Options{TLS: m.clientTLS(false)} }, class: ClassTLS, want: "certificate required"},
		{name: "unknown CA", tls: func() *Options { return &Options{TLS: other.clientConfig(t, true)} }, class: ClassTLS, want: "unknown authority"},
		{name: "plain text to a TLS server", tls: func() *Options { return &Options{} }, class: ClassUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.tls()
			o.Prefix, o.Endpoints, o.RequestTimeout = "app/", []string{m.clientURL}, 2*time.Second
			if o.TLS == nil {
				o.Endpoints = []string{"http://" + m.cfg.AdvertiseClientUrls[0].Host}
			}
			snap, err := New(*o).Load(context.Background())
			if tt.class == 0 {
				require.NoError(t, err)
				assert.Equal(t, map[string]any{"a": "1"}, snap.Data)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.class, errClass(err), "%v", err)
			assert.Contains(t, err.Error(), `reading prefix "app/"`)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	t.Run("watch over mTLS", func(t *testing.T) {
		p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}, TLS: m.clientTLS(true)})
		events := watching(t, p, loaded(t, p))
		put(t, m.admin("", ""), "app/a", "2")
		assert.Equal(t, map[string]any{"a": "2"}, nextSnapshot(t, events).Data)
	})
}

func TestAuthReadOnlyRole(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	root := enableAuth(t, m, "app/")
	put(t, root, "app/a", "1", "secret/b", "2")
	logs := &syncBuffer{}
	reader := func(o Options) *Provider {
		o.Endpoints, o.Username, o.Password = []string{m.clientURL}, "reader", plantedPassword
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.Backoff = provider.Backoff{Max: 200 * time.Millisecond}
		return New(o)
	}
	var errs []error

	t.Run("reads its prefix", func(t *testing.T) {
		snap, err := reader(Options{Prefix: "app/"}).Load(context.Background())
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"a": "1"}, snap.Data)
	})
	t.Run("another prefix is a permission error naming it, never an empty layer", func(t *testing.T) {
		p := reader(Options{Prefix: "secret/"})
		snap, err := p.Load(context.Background())
		require.Error(t, err)
		assert.Nil(t, snap.Data)
		assert.Equal(t, ClassPermission, errClass(err))
		assert.Contains(t, err.Error(), `etcd secret/: etcd: permission denied (check the user's role grants read on the prefix) reading prefix "secret/"`)
		errs = append(errs, err)
		assert.NotContains(t, p.Name(), plantedPassword)
	})
	t.Run("a wrong password is an auth error", func(t *testing.T) {
		p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}, Username: "reader", Password: plantedPassword + "x"})
		_, err := p.Load(context.Background())
		require.Error(t, err)
		assert.Equal(t, ClassAuth, errClass(err), "%v", err)
		errs = append(errs, err)
	})
	t.Run("a watch loses its grant", func(t *testing.T) {
		p := reader(Options{Prefix: "app/", ProbeInterval: 100 * time.Millisecond})
		events := watching(t, p, loaded(t, p))
		put(t, root, "app/a", "2")
		assert.Equal(t, map[string]any{"a": "2"}, nextSnapshot(t, events).Data)

		_, err := root.RoleRevokePermission(context.Background(), "reader", "app/", clientv3.GetPrefixRangeEnd("app/"))
		require.NoError(t, err)
		ev := next(t, events)
		require.Error(t, ev.Err)
		assert.Equal(t, ClassPermission, errClass(ev.Err), "%v", ev.Err)
		assert.Contains(t, ev.Err.Error(), `reading prefix "app/"`)
		errs = append(errs, ev.Err)

		_, err = root.RoleGrantPermission(context.Background(), "reader", "app/", clientv3.GetPrefixRangeEnd("app/"), clientv3.PermissionType(clientv3.PermRead))
		require.NoError(t, err)
		put(t, root, "app/a", "3")
		for {
			ev := next(t, events)
			require.NoError(t, ev.Err)
			if ev.Snapshot != nil && ev.Snapshot.Data["a"] == "3" {
				break
			}
		}
	})
	t.Run("the password is in no error and no log line", func(t *testing.T) {
		assert.Contains(t, logs.String(), "etcd: layer failing", "the logger was used")
		assert.NotContains(t, logs.String(), plantedPassword)
		require.Len(t, errs, 3)
		for _, err := range errs {
			for e := err; e != nil; e = errors.Unwrap(e) {
				assert.NotContains(t, e.Error(), plantedPassword)
			}
			assert.NotContains(t, err.Error(), "x"+plantedPassword[1:]) // nor a near miss
		}
	})
}

// TestAuthTokenExpiry lets the simple auth token (1 s TTL) expire between
// probes. An interceptor inside the client's retry loop counts the server's
// "invalid auth token" answers, which proves the token did expire; the
// watcher must still report no error and deliver changes, because the
// client renews the token and retries.
func TestAuthTokenExpiry(t *testing.T) {
	m := startEtcd(t, serverOptions{AuthTokenTTL: 1})
	root := enableAuth(t, m, "app/")
	put(t, root, "app/a", "1")
	var expired atomic.Int32
	count := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		if err != nil && strings.Contains(err.Error(), rpctypes.ErrInvalidAuthToken.Error()) {
			expired.Add(1)
		}
		return err
	}
	c, err := clientv3.New(clientv3.Config{
		Endpoints: []string{m.clientURL}, Username: "reader", Password: plantedPassword,
		DialTimeout: 5 * time.Second, Logger: zap.NewNop(),
		DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(count)},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	p := New(Options{Prefix: "app/", Client: c, ProbeInterval: 2500 * time.Millisecond})
	probes := make(chan error, 10)
	p.hooks.probed = func(err error) { probes <- err }
	events := watching(t, p, loaded(t, p))
	for expired.Load() == 0 {
		select {
		case err := <-probes:
			require.NoError(t, err, "a probe after the token expired")
		case <-time.After(30 * time.Second):
			require.FailNow(t, "no probe")
		}
	}
	put(t, root, "app/a", "2")
	assert.Equal(t, map[string]any{"a": "2"}, nextSnapshot(t, events).Data)
	assert.Empty(t, events, "no error reported for an expired token")
}

// syncBuffer is a strings.Builder safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTLSStalledListenerIsUnavailable points a TLS layer at a raw TCP
// listener that accepts and never answers — a stalled server, which a real
// etcd cannot be made into on demand. The handshake times out: that is an
// outage, not a TLS misconfiguration.
func TestTLSStalledListenerIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	ts := newTLSSet(t)
	p := New(Options{Prefix: "app/", Endpoints: []string{"https://" + l.Addr().String()},
		TLS: ts.clientConfig(t, true), RequestTimeout: time.Second})
	_, err = p.Load(context.Background())
	require.Error(t, err)
	assert.Equal(t, ClassUnavailable, errClass(err), "%v", err)
}
