package strata_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/provider"
)

// readOnly hides Watch: a layer, like the environment, that changes only
// when someone reads it again.
type readOnly struct{ l *memlayer.Layer }

func (r readOnly) Name() string                                        { return r.l.Name() }
func (r readOnly) Load(ctx context.Context) (provider.Snapshot, error) { return r.l.Load(ctx) }

func TestReloadAppliesLikeAWatchedChange(t *testing.T) {
	file := memlayer.New("file", base())
	env := memlayer.New("env", nil)
	opts := strata.Options{}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts, file, readOnly{env})
	changes := make(chan [2]string, 10)
	cfg.OnChange(func(old, new *Service) { changes <- [2]string{old.Listen, new.Listen} })

	tests := []struct {
		name    string
		env     map[string]any
		fail    error
		wantErr string
		want    string // Listen after the Reload
	}{
		{"changed", map[string]any{"listen": ":7000"}, nil, "", ":7000"},
		{"unchanged", map[string]any{"listen": ":7000"}, nil, "", ":7000"},
		{"layer fails", nil, errors.New("unreadable"), "strata: reload: memory env: unreadable", ":7000"},
		{"invalid", map[string]any{"listen": ":7000", "db": map[string]any{"max_conns": "0"}}, nil, "strata: reload: db.max_conns: must be at least 1", ":7000"},
		{"fixed", map[string]any{"listen": ":7001"}, nil, "", ":7001"},
	}
	gen := cfg.Status().Generation
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Set(tt.env)
			env.Fail(tt.fail)
			err := cfg.Reload(context.Background())
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
				var serr *strata.Error
				assert.ErrorAs(t, err, &serr)
				assert.Contains(t, receive(t, errs).Error(), tt.wantErr[len("strata: reload: "):], "OnError hears it as for a watched change")
			}
			assert.Equal(t, tt.want, cfg.Get().Listen)
			st := cfg.Status()
			if tt.name == "changed" || tt.name == "fixed" {
				gen++
				assert.Equal(t, tt.want, receive(t, changes)[1], "OnChange ran before Reload returned")
			}
			assert.Equal(t, gen, st.Generation)
			assert.Empty(t, changes, "no callback for an unchanged or rejected result")
		})
	}
	assert.EqualValues(t, 1, cfg.Status().Rejected)
}

func TestReloadAfterCloseIsErrClosed(t *testing.T) {
	cfg, err := strata.Load[Service](context.Background(), memlayer.New("file", base()))
	require.NoError(t, err)
	require.NoError(t, cfg.Close())
	assert.ErrorIs(t, cfg.Reload(context.Background()), strata.ErrClosed)
}

// TestReloadKeepsLayersReadSinceInForce: a watched change after a Reload
// must re-merge with what the Reload read, not with the Load-time content
// of a layer that cannot watch.
func TestReloadKeepsLayersReadSinceInForce(t *testing.T) {
	consul := memlayer.New("consul", base())
	env := memlayer.New("env", nil)
	cfg := load[Service](t, strata.Options{}, consul, readOnly{env})
	changes := make(chan *Service, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new })

	env.Set(map[string]any{"listen": ":7000"})
	require.NoError(t, cfg.Reload(context.Background()))
	receive(t, changes)
	next := base()
	next["timeout"] = "1s"
	consul.Set(next)
	got := receive(t, changes)
	assert.Equal(t, ":7000", got.Listen, "the re-read env layer stays in force")
	assert.Equal(t, "1s", got.Timeout.String())
}

// TestReloadRacingWatchedChangesNeverOverlaps: Reloads from many goroutines
// while a watched layer changes run on the one apply goroutine (the
// callbacks never overlap, -race checks the rest), and once everything has
// settled the value is the latest of every layer.
func TestReloadRacingWatchedChangesNeverOverlaps(t *testing.T) {
	consul := memlayer.New("consul", pair(0))
	env := memlayer.New("env", nil)
	cfg := load[Pair](t, strata.Options{}, consul, readOnly{env})
	var running, overlaps atomic.Int32
	cfg.OnChange(func(_, _ *Pair) {
		if running.Add(1) > 1 {
			overlaps.Add(1)
		}
		running.Add(-1)
	})

	const n = 200
	errs := make(chan error, 4*n)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range n / 4 {
				errs <- cfg.Reload(context.Background())
			}
		})
	}
	for i := 1; i <= n; i++ {
		consul.Set(pair(i))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return cfg.Get().N == n }, wait, time.Millisecond)
	env.Set(map[string]any{"label": "x"}) // invalid on purpose: the env layer now conflicts
	assert.Error(t, cfg.Reload(context.Background()))
	assert.Equal(t, n, cfg.Get().N)
	assert.Zero(t, overlaps.Load())
}

// blocked is a layer whose Load waits for its context: a source that
// does not answer.
type blocked struct{}

func (blocked) Name() string { return "blocked" }
func (blocked) Load(ctx context.Context) (provider.Snapshot, error) {
	<-ctx.Done()
	return provider.Snapshot{}, ctx.Err()
}

func TestReloadIsBoundedByItsContext(t *testing.T) {
	var gate atomic.Bool // Load succeeds until the gate closes
	l := gated{&gate}
	cfg := load[Service](t, strata.Options{}, memlayer.New("file", base()), l)
	gate.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := cfg.Reload(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "blocked")
}

// gated answers at once while its gate is open, then behaves as blocked.
type gated struct{ closed *atomic.Bool }

func (gated) Name() string { return "blocked" }
func (g gated) Load(ctx context.Context) (provider.Snapshot, error) {
	if !g.closed.Load() {
		return provider.Snapshot{}, nil
	}
	return blocked{}.Load(ctx)
}

// settle returns once every change the Config's layers hold now has been
// applied and its callbacks have run: Reload re-reads every layer and goes
// through the same goroutine as watched changes, after whatever they queued.
// A test then asserts that nothing (more) happened without waiting for a
// while and hoping. Its error (a failing or invalid layer) is not the point.
func settle[T any](t *testing.T, cfg *strata.Config[T]) {
	t.Helper()
	err := cfg.Reload(context.Background())
	var serr *strata.Error
	if err != nil && !errors.As(err, &serr) {
		t.Fatalf("settle: %v", err)
	}
}
