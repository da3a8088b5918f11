package consul_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/providertest"
)

// TestConformance runs providertest against a real, persistent Consul
// server: each subtest reads its own prefix, an outage is the server killed,
// and its end the server restarted with its data, which sends the watcher
// no event, so only its own retries notice. The restarted server replays
// its log after it starts answering; rule 13 (a read without an index is
// consistent) keeps that partial store from being delivered.
func TestConformance(t *testing.T) {
	a := consultest.Start(t, consultest.Options{Persistent: true})
	n := 0
	providertest.Run(t, providertest.Harness{
		Timeout: eventWait,
		Settle:  1500 * time.Millisecond, // several retries of fast()'s 50 ms to 500 ms backoff
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			n++
			prefix := "conformance/" + strconv.Itoa(n) + "/"
			key := func(k string) string { return prefix + strings.ReplaceAll(k, ".", "/") }
			kv := map[string]string{}
			for k, v := range seed {
				kv[key(k)] = v
			}
			a.Txn(t, kv)
			down := false
			return providertest.Backend{
				Provider: consul.New(fast(consul.Options{Prefix: prefix, Config: a.Config()})),
				Set:      func(k, v string) { a.Put(t, key(k), v) },
				Delete:   func(k string) { a.Delete(t, key(k), false) },
				Fail: func() {
					a.Kill(t)
					down = true
					t.Cleanup(func() { // the next subtest needs the server
						if down {
							a.Restart(t)
						}
					})
				},
				Recover: func() {
					a.Restart(t)
					down = false
				},
			}
		},
	})
}

// TestConformanceTokenRevoked runs providertest with an outage that needs
// no restart: the layer's ACL token is revoked, then created again with the
// same secret. The watcher gets 403s meanwhile and is told nothing when the
// token returns, so only its own retries notice.
func TestConformanceTokenRevoked(t *testing.T) {
	a := consultest.Start(t, consultest.Options{ACL: true})
	n := 0
	providertest.Run(t, providertest.Harness{
		Timeout: eventWait,
		Settle:  1500 * time.Millisecond, // several retries at fast()'s Backoff.Max
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			n++
			prefix := "conformance/" + strconv.Itoa(n) + "/"
			key := func(k string) string { return prefix + strings.ReplaceAll(k, ".", "/") }
			kv := map[string]string{}
			for k, v := range seed {
				kv[key(k)] = v
			}
			a.Txn(t, kv)
			secret, accessor := a.CreateToken(t, `key_prefix "`+prefix+`" { policy = "read" }`)
			var revoked *api.ACLToken
			cfg := a.Config()
			cfg.Token = secret
			return providertest.Backend{
				Provider: consul.New(fast(consul.Options{Prefix: prefix, Config: cfg})),
				Set:      func(k, v string) { a.Put(t, key(k), v) },
				Delete:   func(k string) { a.Delete(t, key(k), false) },
				Fail: func() {
					admin(t, a, func(c *api.Client) error {
						tok, _, err := c.ACL().TokenRead(accessor, nil)
						revoked = tok
						return err
					})
					a.RevokeToken(t, accessor)
				},
				Recover: func() {
					admin(t, a, func(c *api.Client) error {
						_, _, err := c.ACL().TokenCreate(&api.ACLToken{
							AccessorID: revoked.AccessorID, SecretID: revoked.SecretID, Policies: revoked.Policies,
						}, nil)
						return err
					})
				},
			}
		},
	})
}

// admin runs f with a management client whose connections are closed
// afterwards, so none outlives the call (providertest counts goroutines).
func admin(t *testing.T, a *consultest.Agent, f func(*api.Client) error) {
	t.Helper()
	cfg := a.Config()
	c, err := api.NewClient(cfg)
	require.NoError(t, err)
	defer cfg.Transport.CloseIdleConnections()
	require.NoError(t, f(c))
}
