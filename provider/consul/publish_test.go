package consul_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// kvState is every non-folder key under prefix with its value.
func kvState(t *testing.T, c *api.Client, prefix string) map[string]string {
	t.Helper()
	pairs, _, err := c.KV().List(prefix, nil)
	require.NoError(t, err)
	out := map[string]string{}
	for _, kv := range pairs {
		if !strings.HasSuffix(kv.Key, "/") {
			out[kv.Key] = string(kv.Value)
		}
	}
	return out
}

func plan(t *testing.T, p *consul.Provider, desired map[string]any, opts consul.PlanOptions) *consul.Plan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pl, err := p.Plan(ctx, desired, opts)
	require.NoError(t, err)
	return pl
}

func apply(pl *consul.Plan) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return pl.Apply(ctx)
}

// TestPlanTree: the plan lists each added, changed and deleted key with
// secrets redacted, Apply writes exactly that, and the plan's Layer is
// what the provider reads afterwards.
func TestPlanTree(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/db/max_conns", "10")
	a.Put(t, "app/db/dsn", "postgres://old-secret")
	a.Put(t, "app/timeout", "5s")
	a.Put(t, "app/old", "gone soon")
	a.Put(t, "other/keep", "1")
	p := consul.New(consul.Options{Prefix: "app/", Config: a.Config()})

	desired := map[string]any{
		"db":       map[string]any{"max_conns": 20, "dsn": "postgres://new-secret"},
		"timeout":  "5s",
		"hosts":    []any{"a", "b"},
		"features": map[string]any{"beta": true},
	}
	secret := func(key string) bool { return key == "db.dsn" }
	pl := plan(t, p, desired, consul.PlanOptions{Secret: secret, Note: "test"})

	assert.Equal(t, []consul.Change{
		{Key: "db.dsn", ConsulKey: "app/db/dsn", Kind: consul.Changed, Old: "[redacted]", New: "[redacted]", Secret: true},
		{Key: "db.max_conns", ConsulKey: "app/db/max_conns", Kind: consul.Changed, Old: "10", New: "20"},
		{Key: "features.beta", ConsulKey: "app/features/beta", Kind: consul.Added, New: "true"},
		{Key: "hosts", ConsulKey: "app/hosts", Kind: consul.Added, New: "a,b"},
		{Key: "old", ConsulKey: "app/old", Kind: consul.Deleted, Old: "gone soon"},
	}, pl.Changes)
	assert.Equal(t, 1, pl.Unchanged)
	assert.False(t, pl.Empty())
	// 5 writes, 1 check on the unchanged key, 1 guard.
	assert.Equal(t, 7, pl.Operations())

	planned, err := pl.Layer().Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, p.Name(), pl.Layer().Name())

	require.NoError(t, apply(pl))
	c := a.Client(t)
	assert.Equal(t, map[string]string{
		"app/db/max_conns": "20", "app/db/dsn": "postgres://new-secret", "app/timeout": "5s",
		"app/hosts": "a,b", "app/features/beta": "true",
	}, kvState(t, c, "app/"))
	assert.Equal(t, map[string]string{"other/keep": "1"}, kvState(t, c, "other/"))

	got, err := load(t, p)
	require.NoError(t, err)
	assert.Equal(t, got.Data, planned.Data, "the plan's layer is what Load reads after Apply")
	assert.Equal(t, got.Origins, planned.Origins)
	assert.Equal(t, got.OriginRule, planned.OriginRule)

	again := plan(t, p, desired, consul.PlanOptions{})
	assert.True(t, again.Empty(), "publishing the same content again changes nothing: %v", again.Changes)
	assert.Zero(t, again.Operations())
	require.NoError(t, apply(again))
	assert.ErrorIs(t, apply(pl), consul.ErrApplied)
}

// TestPlanDocument: document mode diffs the parsed documents key by key
// and writes the one key with check-and-set.
func TestPlanDocument(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "cfg/app.yaml", "db:\n  max_conns: 10\n  dsn: pw-old\nold: 1\n")
	p := consul.New(consul.Options{Key: "cfg/app.yaml", Config: a.Config()})

	pl := plan(t, p, map[string]any{"db": map[string]any{"max_conns": 20, "dsn": "pw-old"}, "new": "x"},
		consul.PlanOptions{Secret: func(k string) bool { return k == "db.dsn" }})
	assert.Equal(t, []consul.Change{
		{Key: "db.max_conns", ConsulKey: "cfg/app.yaml", Kind: consul.Changed, Old: "10", New: "20"},
		{Key: "new", ConsulKey: "cfg/app.yaml", Kind: consul.Added, New: "x"},
		{Key: "old", ConsulKey: "cfg/app.yaml", Kind: consul.Deleted, Old: "1"},
	}, pl.Changes)
	assert.Equal(t, 1, pl.Unchanged)
	planned, err := pl.Layer().Load(context.Background())
	require.NoError(t, err)
	require.NoError(t, apply(pl))
	got, err := load(t, p)
	require.NoError(t, err)
	assert.Equal(t, got.Data, planned.Data)

	// A missing document is created (CAS at index 0).
	p2 := consul.New(consul.Options{Key: "cfg/new.json", Config: a.Config()})
	pl2 := plan(t, p2, map[string]any{"a": 1}, consul.PlanOptions{})
	require.NoError(t, apply(pl2))
	got, err = load(t, p2)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": float64(1)}, got.Data)
}

// TestApplyConflict: any change under the prefix between Plan and Apply
// that touches what the plan validated fails the publish with ErrConflict
// and nothing written.
func TestApplyConflict(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	c := a.Client(t)
	desired := map[string]any{"a": "new", "b": "same", "n": "added"}
	tests := []struct {
		name     string
		meddle   func(t *testing.T, prefix string)
		conflict string // the key the error names
	}{
		{"changed key edited", func(t *testing.T, pre string) { a.Put(t, pre+"a", "theirs") }, "a"},
		{"unchanged key edited", func(t *testing.T, pre string) { a.Put(t, pre+"b", "theirs") }, "b"},
		{"deleted key edited", func(t *testing.T, pre string) { a.Put(t, pre+"d", "theirs") }, "d"},
		{"deleted key recreated", func(t *testing.T, pre string) { a.Delete(t, pre+"d", false); a.Put(t, pre+"d", "x") }, "d"},
		{"added key created", func(t *testing.T, pre string) { a.Put(t, pre+"n", "theirs") }, "n"},
		{"another publish", func(t *testing.T, pre string) {
			other := consul.New(consul.Options{Prefix: pre, Config: a.Config()})
			require.NoError(t, apply(plan(t, other, map[string]any{"a": "old", "b": "same", "d": "x", "z": "theirs"}, consul.PlanOptions{})))
		}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pre := fmt.Sprintf("conflict%d/", i)
			a.Put(t, pre+"a", "old")
			a.Put(t, pre+"b", "same")
			a.Put(t, pre+"d", "x")
			p := consul.New(consul.Options{Prefix: pre, Config: a.Config()})
			pl := plan(t, p, desired, consul.PlanOptions{})
			tt.meddle(t, pre)
			before := kvState(t, c, pre)

			err := apply(pl)
			require.Error(t, err)
			assert.ErrorIs(t, err, consul.ErrConflict)
			assert.Contains(t, err.Error(), pre+tt.conflict)
			assert.Equal(t, before, kvState(t, c, pre), "nothing written")
		})
	}
}

// TestApplyAlreadyDeleted: a key the plan deletes that someone else
// deleted meanwhile is no conflict: the result is the one planned.
func TestApplyAlreadyDeleted(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/a", "1")
	a.Put(t, "app/d", "x")
	p := consul.New(consul.Options{Prefix: "app/", Config: a.Config()})
	pl := plan(t, p, map[string]any{"a": "2"}, consul.PlanOptions{})
	a.Delete(t, "app/d", false)
	require.NoError(t, apply(pl))
	assert.Equal(t, map[string]string{"app/a": "2"}, kvState(t, a.Client(t), "app/"))
}

// TestTxnLimit measures the operation limit of the real server, which
// MaxTxnOps must equal, and checks a plan beyond it is refused unsent.
func TestTxnLimit(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	c := a.Client(t)
	ops := func(n int) api.TxnOps {
		var out api.TxnOps
		for i := range n {
			out = append(out, &api.TxnOp{KV: &api.KVTxnOp{Verb: api.KVSet, Key: fmt.Sprintf("limit/%d", i), Value: []byte("v")}})
		}
		return out
	}
	ok, _, _, err := c.Txn().Txn(ops(consul.MaxTxnOps), nil)
	require.NoError(t, err)
	assert.True(t, ok, "%d operations fit in one transaction", consul.MaxTxnOps)
	_, _, _, err = c.Txn().Txn(ops(consul.MaxTxnOps+1), nil)
	require.Error(t, err, "%d operations must not fit", consul.MaxTxnOps+1)
	assert.Contains(t, err.Error(), "too many operations")

	// 127 keys plus the guard fit; 128 plus the guard do not.
	p := consul.New(consul.Options{Prefix: "big/", Config: a.Config()})
	for _, n := range []int{consul.MaxTxnOps - 1, consul.MaxTxnOps} {
		desired := map[string]any{}
		for i := range n {
			desired[fmt.Sprintf("k%03d", i)] = "v"
		}
		pl := plan(t, p, desired, consul.PlanOptions{})
		err := apply(pl)
		if n < consul.MaxTxnOps {
			require.NoError(t, err)
			assert.Len(t, kvState(t, c, "big/"), n)
			a.Delete(t, "big/", true)
			continue
		}
		assert.ErrorIs(t, err, consul.ErrTooLarge)
		assert.Empty(t, kvState(t, c, "big/"), "nothing written")
	}
}

// TestPublishValidates: a refused validation writes nothing; an accepted
// one writes the plan.
func TestPublishValidates(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	a.Put(t, "app/max", "10")
	c := a.Client(t)
	p := consul.New(consul.Options{Prefix: "app/", Config: a.Config()})
	invalid := errors.New("max: must be at least 1, got 0")
	check := func(_ context.Context, l provider.Provider) error {
		s, err := l.Load(context.Background())
		if err != nil {
			return err
		}
		if s.Data["max"] == "0" {
			return invalid
		}
		return nil
	}
	pl, err := p.Publish(context.Background(), map[string]any{"max": 0}, consul.PublishOptions{Validate: check})
	assert.ErrorIs(t, err, consul.ErrInvalid)
	assert.ErrorIs(t, err, invalid)
	require.NotNil(t, pl)
	assert.Equal(t, map[string]string{"app/max": "10"}, kvState(t, c, "app/"))

	_, err = p.Publish(context.Background(), map[string]any{"max": 20}, consul.PublishOptions{Validate: check})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"app/max": "20"}, kvState(t, c, "app/"))
}

// TestPublishPermission: a token that may read but not write gets
// ErrPermission, without the token in the text, and nothing is written.
func TestPublishPermission(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	token, _ := a.CreateToken(t, `key_prefix "app/" { policy = "read" }`)
	cfg := a.Config()
	cfg.Token = token
	p := consul.New(consul.Options{Prefix: "app/", Config: cfg})
	pl := plan(t, p, map[string]any{"x": "2"}, consul.PlanOptions{})
	err := apply(pl)
	require.Error(t, err)
	assert.ErrorIs(t, err, consul.ErrPermission)
	assert.NotContains(t, err.Error(), token)
	assert.Equal(t, map[string]string{"app/x": "1"}, kvState(t, a.Client(t), "app/"))
}

// TestPlanRejectsUnstorable: content a tree cannot hold is an error at
// plan time, naming the key.
func TestPlanRejectsUnstorable(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	p := consul.New(consul.Options{Prefix: "app/", Config: a.Config()})
	for name, desired := range map[string]map[string]any{
		"list of maps":  {"servers": []any{map[string]any{"host": "a"}}},
		"comma in item": {"hosts": []any{"a,b"}},
		"null":          {"x": nil},
		"slash in key":  {"a/b": "1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.Plan(context.Background(), desired, consul.PlanOptions{})
			require.Error(t, err)
			var ce *consul.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassInvalidData, ce.Class)
		})
	}
}

// TestPlanDocumentVerbatim: a document in the key's format is written as
// written, comments kept; one in another format is converted.
func TestPlanDocumentVerbatim(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	p := consul.New(consul.Options{Key: "cfg/app.yaml", Config: a.Config()})
	doc := []byte("# owned by the payments team\ndb:\n  max_conns: 20 # peak\n")
	pl := plan(t, p, nil, consul.PlanOptions{Document: doc, DocumentFormat: "yml"})
	assert.Equal(t, []consul.Change{{Key: "db.max_conns", ConsulKey: "cfg/app.yaml", Kind: consul.Added, New: "20"}}, pl.Changes)
	require.NoError(t, apply(pl))
	kv, _, err := a.Client(t).KV().Get("cfg/app.yaml", nil)
	require.NoError(t, err)
	assert.Equal(t, string(doc), string(kv.Value))

	pl = plan(t, p, nil, consul.PlanOptions{Document: []byte(`{"db":{"max_conns":30}}`), DocumentFormat: "json"})
	assert.Equal(t, []consul.Change{{Key: "db.max_conns", ConsulKey: "cfg/app.yaml", Kind: consul.Changed, Old: "20", New: "30"}}, pl.Changes)
	require.NoError(t, apply(pl))
	got, err := load(t, p)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"db": map[string]any{"max_conns": 30}}, got.Data)
}
