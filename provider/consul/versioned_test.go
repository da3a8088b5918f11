package consul_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

func content(n int, value string) map[string]any {
	m := map[string]any{}
	for i := range n {
		m[fmt.Sprintf("k%04d", i)] = value
	}
	return m
}

func publishVersion(t *testing.T, v *consul.Versioned, desired map[string]any, note string) *consul.VersionPlan {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pl, err := v.Plan(ctx, desired, consul.PlanOptions{Note: note})
	require.NoError(t, err)
	require.NoError(t, pl.Apply(ctx))
	return pl
}

// TestVersionedPublishAndFollow: a publish far beyond one transaction's
// limit is seen by a watching layer as exactly one snapshot, whole.
func TestVersionedPublishAndFollow(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	v := consul.NewVersioned(fast(consul.Options{Prefix: "svc/", Config: a.Config()}))
	const n = 3 * consul.MaxTxnOps

	first := publishVersion(t, v, content(n, "one"), "first")
	assert.Empty(t, first.From)
	assert.Len(t, first.Changes, n)
	snap, err := v.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, content(n, "one"), snap.Data)
	assert.Equal(t, first.Version, snap.Info["config_version"])
	assert.Equal(t, provider.Origin{Kind: "consul key", Ref: "svc/versions/" + first.Version + "/k0000"}, snap.OriginOf("k0000"))

	ev := watchVersioned(t, v, snap)
	next := content(n, "one")
	for i := range 200 {
		next[fmt.Sprintf("k%04d", i)] = "two"
	}
	second := publishVersion(t, v, next, "second")
	assert.Equal(t, first.Version, second.From)
	assert.Len(t, second.Changes, 200)
	assert.Equal(t, n-200, second.Unchanged)

	got := ev.next(t, "the second version", hasValue("k0000", "two"))
	assert.Equal(t, next, got.Snapshot.Data, "the new version arrives whole")
	snaps := 0
	for _, e := range ev.all() {
		if e.Snapshot != nil {
			snaps++
		}
	}
	assert.Equal(t, 1, snaps, "one snapshot for the whole change: no partial version is ever seen")

	planned, err := second.Layer().Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, got.Snapshot.Data, planned.Data)
	assert.Equal(t, got.Snapshot.Origins, planned.Origins)
	assert.Equal(t, got.Snapshot.OriginRule, planned.OriginRule)
}

// TestVersionedHistoryRollbackGC: history lists versions, rollback is
// validated and flips the pointer back, GC keeps the newest and the live.
func TestVersionedHistoryRollbackGC(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	v := consul.NewVersioned(fast(consul.Options{Prefix: "svc/", Config: a.Config()}))
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		ids = append(ids, publishVersion(t, v, map[string]any{"n": i}, fmt.Sprint("v", i)).Version)
	}
	hist, err := v.History(ctx)
	require.NoError(t, err)
	require.Len(t, hist, 5)
	assert.Equal(t, ids[4], hist[0].ID)
	assert.True(t, hist[0].Live)
	assert.Equal(t, "v0", hist[4].Note)

	refused := errors.New("n must be at least 2")
	err = v.Rollback(ctx, ids[0], consul.RollbackOptions{Validate: func(_ context.Context, l provider.Provider) error {
		s, err := l.Load(ctx)
		if err != nil {
			return err
		}
		if s.Data["n"] == "0" {
			return refused
		}
		return nil
	}})
	assert.ErrorIs(t, err, consul.ErrInvalid)
	assert.ErrorIs(t, err, refused)
	snap, err := v.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "4", snap.Data["n"], "a refused rollback moves nothing")

	require.NoError(t, v.Rollback(ctx, ids[1], consul.RollbackOptions{}))
	snap, err = v.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1", snap.Data["n"])
	assert.ErrorIs(t, v.Rollback(ctx, "0000000099", consul.RollbackOptions{}), consul.ErrNoVersion)

	removed, err := v.GC(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{ids[0], ids[2]}, removed, "the two newest and the live one stay")
	hist, err = v.History(ctx)
	require.NoError(t, err)
	var left []string
	for _, h := range hist {
		left = append(left, h.ID)
	}
	assert.Equal(t, []string{ids[4], ids[3], ids[1]}, left)
	snap, err = v.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "1", snap.Data["n"])
}

// TestVersionedConflict: of two publishes planned from one state, the
// second fails with ErrConflict and the live version holds exactly the
// first one's keys.
func TestVersionedConflict(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{})
	v := consul.NewVersioned(fast(consul.Options{Prefix: "svc/", Config: a.Config()}))
	publishVersion(t, v, map[string]any{"x": "0"}, "base")
	ctx := context.Background()
	p1, err := v.Plan(ctx, map[string]any{"a": "1"}, consul.PlanOptions{})
	require.NoError(t, err)
	p2, err := v.Plan(ctx, map[string]any{"b": "2"}, consul.PlanOptions{})
	require.NoError(t, err)
	require.Equal(t, p1.Version, p2.Version, "both plans picked the same next version")

	require.NoError(t, p1.Apply(ctx))
	assert.ErrorIs(t, p2.Apply(ctx), consul.ErrConflict)
	snap, err := v.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": "1"}, snap.Data)
}

// watchVersioned runs v.Watch until the test ends and checks it returned
// because its context ended.
func watchVersioned(t *testing.T, v *consul.Versioned, last provider.Snapshot) *events {
	t.Helper()
	ev := newEvents()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.Watch(ctx, last, ev.emit) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(eventWait):
			t.Errorf("Watch did not return within %s of its context ending", eventWait)
		}
	})
	return ev
}
