package consul_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider/consul"
)

// TestVersionedRetriesVersionRead: when the pointer moves but the new
// version cannot be read (here: the token may not read it yet), the layer
// reports the error and keeps retrying, and delivers the version once it
// can, without waiting for another pointer change.
func TestVersionedRetriesVersionRead(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	admin := consul.NewVersioned(consul.Options{Prefix: "svc/", Config: a.Config()})
	publishVersion(t, admin, map[string]any{"n": "1"}, "one")

	token, accessor := a.CreateToken(t, `key "svc/current" { policy = "read" }
key_prefix "svc/versions/0000000001/" { policy = "read" }`)
	cfg := a.Config()
	cfg.Token = token
	v := consul.NewVersioned(fast(consul.Options{Prefix: "svc/", Config: cfg}))
	snap, err := v.Load(context.Background())
	require.NoError(t, err)
	ev := watchVersioned(t, v, snap)

	publishVersion(t, admin, map[string]any{"n": "2"}, "two")
	ev.next(t, "an error reading version 2", isError)

	// Let the token read every version: no pointer change follows.
	mgmt := a.Client(t)
	tok, _, err := mgmt.ACL().TokenRead(accessor, nil)
	require.NoError(t, err)
	require.Len(t, tok.Policies, 1)
	pol, _, err := mgmt.ACL().PolicyRead(tok.Policies[0].ID, nil)
	require.NoError(t, err)
	pol.Rules = `key_prefix "svc/" { policy = "read" }`
	_, _, err = mgmt.ACL().PolicyUpdate(pol, nil)
	require.NoError(t, err)

	got := ev.next(t, "version 2 once readable", hasValue("n", "2"))
	assert.Equal(t, "0000000002", got.Snapshot.Info["config_version"])
}

// TestVersionedPublishPermission: a token that may read but not write gets
// ErrPermission, without the token in the text, and the live version stays.
func TestVersionedPublishPermission(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	admin := consul.NewVersioned(consul.Options{Prefix: "svc/", Config: a.Config()})
	publishVersion(t, admin, map[string]any{"n": "1"}, "one")
	token, _ := a.CreateToken(t, `key_prefix "svc/" { policy = "read" }`)
	cfg := a.Config()
	cfg.Token = token
	v := consul.NewVersioned(consul.Options{Prefix: "svc/", Config: cfg})

	pl, err := v.Plan(context.Background(), map[string]any{"n": "2"}, consul.PlanOptions{})
	require.NoError(t, err, "reading is allowed")
	err = pl.Apply(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, consul.ErrPermission)
	assert.NotContains(t, err.Error(), token)
	assert.NoError(t, v.Rollback(context.Background(), "0000000001", consul.RollbackOptions{}), "rolling back to the live version writes nothing")

	snap, err := admin.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "1", snap.Data["n"])
}
