package etcd

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/providertest"
)

// conformanceLayer makes a layer that probes and retries often, and counts
// its watchers' attempts (reads, probes and failures) for
// providertest.Backend.Attempts. RequestTimeout leaves room for a loaded
// machine: a read of a stopped member lasts that long.
func conformanceLayer(o Options, m *member) (*Provider, func() int) {
	o.Endpoints = []string{m.clientURL}
	o.ProbeInterval, o.RequestTimeout, o.DialTimeout = 100*time.Millisecond, 2*time.Second, 2*time.Second
	o.Backoff = provider.Backoff{Min: 50 * time.Millisecond, Max: 200 * time.Millisecond}
	p := New(o)
	var n atomic.Int64
	p.hooks.afterRead = func(int64) { n.Add(1) }
	p.hooks.failed = func(error) { n.Add(1) }
	p.hooks.probed = func(err error) {
		if err == nil { // a failed probe ends the attempt: failed counts it
			n.Add(1)
		}
	}
	return p, func() int { return int(n.Load()) }
}

// conformanceKeys writes seed below prefix in one transaction with write
// and returns how a dotted key maps to an etcd key.
func conformanceKeys(t *testing.T, write func(func(*clientv3.Client)), prefix string, seed map[string]string) func(string) string {
	t.Helper()
	key := func(k string) string { return prefix + strings.ReplaceAll(k, ".", "/") }
	var kv []string
	for k, v := range seed {
		kv = append(kv, key(k), v)
	}
	write(func(c *clientv3.Client) { put(t, c, kv...) })
	return key
}

// briefly runs f with a client of its own, closed when f returns: a client
// kept open across a stopped member would start reconnecting goroutines
// that providertest counts as the watcher's.
func briefly(t *testing.T, m *member) func(func(*clientv3.Client)) {
	return func(f func(*clientv3.Client)) {
		t.Helper()
		c, err := clientv3.New(clientv3.Config{Endpoints: []string{m.clientURL}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		require.NoError(t, err)
		defer func() { _ = c.Close() }()
		f(c)
	}
}

// TestConformance runs providertest against one real embedded etcd member
// whose data outlives a restart: each subtest reads its own prefix, an
// outage is the member stopped, and its end the member started again on
// the same ports and data directory. A restarted member sends the watcher
// no event, so only its own retries notice.
func TestConformance(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	n := 0
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			n++
			prefix := "conformance/" + strconv.Itoa(n) + "/"
			write := briefly(t, m)
			key := conformanceKeys(t, write, prefix, seed)
			restart := func() {
				m.start()
				m.waitReady()
			}
			p, attempts := conformanceLayer(Options{Prefix: prefix}, m)
			return providertest.Backend{
				Provider: p,
				Set:      func(k, v string) { write(func(c *clientv3.Client) { put(t, c, key(k), v) }) },
				Delete:   func(k string) { write(func(c *clientv3.Client) { del(t, c, key(k), false) }) },
				Fail: func() {
					m.stop()
					t.Cleanup(func() { // the next subtest needs the member
						if m.stopped {
							restart()
						}
					})
				},
				Recover:  restart,
				Attempts: attempts,
			}
		},
	})
}

// TestConformanceGrantRevoked runs providertest with an outage that keeps
// the member up: the layer's user loses its role's read grant on the
// prefix, then gets it back. The watcher meets permission errors meanwhile
// and is told nothing when the grant returns, so only its own retries
// notice.
func TestConformanceGrantRevoked(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	root := enableAuth(t, m, "conformance/")
	n := 0
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			n++
			prefix := "conformance/" + strconv.Itoa(n) + "/"
			key := conformanceKeys(t, func(f func(*clientv3.Client)) { f(root) }, prefix, seed)
			grant := func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, err := root.RoleGrantPermission(ctx, "reader", "conformance/",
					clientv3.GetPrefixRangeEnd("conformance/"), clientv3.PermissionType(clientv3.PermRead))
				require.NoError(t, err)
			}
			p, attempts := conformanceLayer(Options{Prefix: prefix, Username: "reader", Password: plantedPassword}, m)
			return providertest.Backend{
				Provider: p,
				Set:      func(k, v string) { put(t, root, key(k), v) },
				Delete:   func(k string) { del(t, root, key(k), false) },
				Fail: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					_, err := root.RoleRevokePermission(ctx, "reader", "conformance/",
						clientv3.GetPrefixRangeEnd("conformance/"))
					require.NoError(t, err)
					t.Cleanup(grant) // granting twice is harmless
				},
				Recover:  grant,
				Attempts: attempts,
			}
		},
	})
}
