package provider_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata/provider"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBackoffGrowsWithJitterAndCaps(t *testing.T) {
	b := provider.Backoff{Min: 10 * time.Millisecond, Max: 80 * time.Millisecond}
	bounds := []time.Duration{10, 20, 40, 80, 80, 80}
	for i, hi := range bounds {
		hi *= time.Millisecond
		d := b.Next()
		assert.GreaterOrEqualf(t, d, hi/2, "attempt %d", i)
		assert.LessOrEqualf(t, d, hi, "attempt %d", i)
	}
	assert.Equal(t, len(bounds), b.Attempts())
	b.Reset()
	assert.Zero(t, b.Attempts())
	assert.LessOrEqual(t, b.Next(), 10*time.Millisecond, "Reset starts again from Min")
}

func TestBackoffZeroValueHasDefaults(t *testing.T) {
	var b provider.Backoff
	d := b.Next()
	assert.GreaterOrEqual(t, d, 50*time.Millisecond)
	assert.LessOrEqual(t, d, 100*time.Millisecond)
	for range 100 {
		d = b.Next()
	}
	assert.LessOrEqual(t, d, 30*time.Second, "capped at the default Max")
}

func TestBackoffIsJittered(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 20 {
		b := provider.Backoff{Min: time.Second, Max: time.Second}
		seen[b.Next()] = true
	}
	assert.Greater(t, len(seen), 1, "watchers failing together must not retry together")
}

func TestBackoffNextAtLeast(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      provider.Backoff
		floor  time.Duration
		lo, hi time.Duration
	}{
		{name: "floor above the backoff", b: provider.Backoff{Min: time.Millisecond, Max: time.Hour},
			floor: 30 * time.Second, lo: 30 * time.Second, hi: 30*time.Second + 30*time.Second/4},
		{name: "floor capped by Max", b: provider.Backoff{Min: time.Millisecond, Max: 2 * time.Second},
			floor: 30 * time.Second, lo: 2 * time.Second, hi: 2*time.Second + 2*time.Second/4},
		{name: "zero Max leaves the floor", b: provider.Backoff{},
			floor: 30 * time.Second, lo: 30 * time.Second, hi: 30*time.Second + 30*time.Second/4},
		{name: "backoff above the floor", b: provider.Backoff{Min: time.Minute, Max: time.Minute},
			floor: time.Second, lo: 30 * time.Second, hi: time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 3 {
				d := tc.b.NextAtLeast(tc.floor)
				assert.GreaterOrEqualf(t, d, tc.lo, "attempt %d", i)
				assert.LessOrEqualf(t, d, tc.hi, "attempt %d", i)
			}
			assert.Equal(t, 3, tc.b.Attempts(), "NextAtLeast advances the sequence")
		})
	}
}

func TestSleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, provider.Sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, provider.Sleep(context.Background(), time.Millisecond))
}

func TestOriginString(t *testing.T) {
	tests := []struct {
		o    provider.Origin
		want string
	}{
		{provider.Origin{}, "unknown"},
		{provider.Origin{Kind: "default tag"}, "default tag"},
		{provider.Origin{Kind: "env", Ref: "ORDERS_DB__MAX_CONNS"}, "env ORDERS_DB__MAX_CONNS"},
		{provider.Origin{Kind: "file", Ref: "config.yaml", Line: 12}, "file config.yaml:12"},
		{provider.Origin{Ref: "somewhere"}, "somewhere"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.o.String())
	}
}

func TestSnapshotOriginOfFallsBackToSource(t *testing.T) {
	s := provider.Snapshot{
		Origins: map[string]provider.Origin{"a.b": {Kind: "consul key", Ref: "app/a/b"}},
		Source:  provider.Origin{Kind: "consul key", Ref: "app/"},
	}
	assert.Equal(t, "consul key app/a/b", s.OriginOf("a.b").String())
	assert.Equal(t, "consul key app/", s.OriginOf("c").String())
}

func TestErrorNamesLayerAndKeyAndUnwraps(t *testing.T) {
	err := provider.WrapError("consul app/", "db/max_conns", provider.ErrNotFound)
	assert.EqualError(t, err, "consul app/: db/max_conns: not found")
	assert.ErrorIs(t, err, provider.ErrNotFound)
	assert.EqualError(t, provider.WrapError("env APP_*", "", errors.New("bad")), "env APP_*: bad")
	assert.NoError(t, provider.WrapError("x", "y", nil))
}

func TestLeaves(t *testing.T) {
	var keys []string
	provider.Leaves(map[string]any{
		"a":     map[string]any{"b": 1, "c": map[string]any{"d": "x"}},
		"e":     []any{1, 2},
		"empty": map[string]any{},
	}, func(key string, _ any) { keys = append(keys, key) })
	sort.Strings(keys)
	require.Equal(t, []string{"a.b", "a.c.d", "e", "empty"}, keys)
}
