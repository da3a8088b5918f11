package consultest

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/consul/api"
)

// maxTxnOps is the most KV operations Txn sends in one transaction.
const maxTxnOps = 64

// Put writes key=value through the agent (with its token), failing the test
// on error.
func (a *Agent) Put(t testing.TB, key, value string) {
	t.Helper()
	a.withClient(t, "put "+key, func(c *api.Client) error {
		_, err := c.KV().Put(&api.KVPair{Key: key, Value: []byte(value)}, nil)
		return err
	})
}

// Delete removes key, or every key under the prefix key when recurse is
// set, failing the test on error. Deleting a missing key is not an error.
func (a *Agent) Delete(t testing.TB, key string, recurse bool) {
	t.Helper()
	a.withClient(t, "delete "+key, func(c *api.Client) error {
		var err error
		if recurse {
			_, err = c.KV().DeleteTree(key, nil)
		} else {
			_, err = c.KV().Delete(key, nil)
		}
		return err
	})
}

// Txn writes every key=value of kv in one /v1/txn, so a recursive read sees
// all of them or none. At most 64 keys; keys are written in sorted order.
func (a *Agent) Txn(t testing.TB, kv map[string]string) {
	t.Helper()
	if len(kv) > maxTxnOps {
		t.Fatalf("consultest: txn with %d keys; at most %d fit in one transaction", len(kv), maxTxnOps)
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ops := make(api.TxnOps, 0, len(keys))
	for _, k := range keys {
		ops = append(ops, &api.TxnOp{KV: &api.KVTxnOp{Verb: api.KVSet, Key: k, Value: []byte(kv[k])}})
	}
	a.withClient(t, "txn", func(c *api.Client) error {
		ok, resp, _, err := c.Txn().Txn(ops, nil)
		if err != nil {
			return err
		}
		if !ok {
			var msgs []string
			if resp != nil {
				for _, e := range resp.Errors {
					msgs = append(msgs, fmt.Sprintf("op %d: %s", e.OpIndex, e.What))
				}
			}
			return fmt.Errorf("transaction rolled back: %s", strings.Join(msgs, "; "))
		}
		return nil
	})
}

// Snapshot saves a snapshot of the agent's state (/v1/snapshot).
func (a *Agent) Snapshot(t testing.TB) []byte {
	t.Helper()
	var snap []byte
	a.withClient(t, "snapshot save", func(c *api.Client) error {
		rc, _, err := c.Snapshot().Save(nil)
		if err != nil {
			return err
		}
		defer rc.Close()
		snap, err = io.ReadAll(rc)
		return err
	})
	return snap
}

// Restore replaces the agent's state with a snapshot from Snapshot. KV
// indexes go back to the snapshot's.
func (a *Agent) Restore(t testing.TB, snap []byte) {
	t.Helper()
	a.withClient(t, "snapshot restore", func(c *api.Client) error {
		return c.Snapshot().Restore(nil, bytes.NewReader(snap))
	})
}

// CreateToken creates a policy with rules (HCL or JSON) and a token linked
// to it, and returns the token's secret and accessor IDs. ACL agents only.
func (a *Agent) CreateToken(t testing.TB, rules string) (secretID, accessorID string) {
	t.Helper()
	a.requireACL(t)
	name := "consultest-" + newUUID()
	a.withClient(t, "create token", func(c *api.Client) error {
		p, _, err := c.ACL().PolicyCreate(&api.ACLPolicy{Name: name, Rules: rules}, nil)
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		tok, _, err := c.ACL().TokenCreate(&api.ACLToken{
			Description: name,
			Policies:    []*api.ACLTokenPolicyLink{{ID: p.ID}},
		}, nil)
		if err != nil {
			return fmt.Errorf("token: %w", err)
		}
		secretID, accessorID = tok.SecretID, tok.AccessorID
		return nil
	})
	return secretID, accessorID
}

// RevokeToken deletes the token with accessorID; requests with its secret
// fail with 403 "ACL not found" from then on. ACL agents only.
func (a *Agent) RevokeToken(t testing.TB, accessorID string) {
	t.Helper()
	a.requireACL(t)
	a.withClient(t, "revoke token", func(c *api.Client) error {
		_, err := c.ACL().TokenDelete(accessorID, nil)
		return err
	})
}

func (a *Agent) requireACL(t testing.TB) {
	t.Helper()
	if a.Token == "" {
		t.Fatalf("consultest: %s was started without Options.ACL", a.NodeName)
	}
}
