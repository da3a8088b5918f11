package strata_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
)

type DB struct {
	DSN      string `config:"dsn" validate:"required" secret:"true"`
	MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
}

type Service struct {
	Listen   string          `config:"listen" default:":8080" validate:"required,hostname_port"`
	Timeout  time.Duration   `config:"timeout" default:"5s" validate:"gt=0"`
	DB       DB              `config:"db"`
	Features map[string]bool `config:"features"`
	Hosts    []string        `config:"hosts"`
}

func base() map[string]any {
	return map[string]any{"db": map[string]any{"dsn": "postgres://app:hunter2@db/orders"}}
}

func TestLoadLayersInOrder(t *testing.T) {
	file := memlayer.New("file", map[string]any{
		"timeout":  "2s",
		"db":       map[string]any{"dsn": "postgres://file", "max_conns": 20},
		"features": map[string]any{"a": true, "b": true},
		"hosts":    []any{"x", "y"},
	})
	consul := memlayer.New("consul", map[string]any{
		"db":       map[string]any{"max_conns": "30"},
		"features": map[string]any{"b": "false"},
		"hosts":    "z",
	})
	cfg := load[Service](t, strata.Options{}, file, consul)

	got := cfg.Get()
	assert.Equal(t, ":8080", got.Listen, "default tag is the lowest layer")
	assert.Equal(t, 2*time.Second, got.Timeout, "a file value beats the default")
	assert.Equal(t, 30, got.DB.MaxConns, "a later layer wins key by key")
	assert.Equal(t, "postgres://file", got.DB.DSN, "keys the later layer lacks keep the lower value")
	assert.Equal(t, map[string]bool{"a": true, "b": false}, got.Features, "maps merge deeply")
	assert.Equal(t, []string{"z"}, got.Hosts, "slices are replaced whole")
}

func TestLoadErrorListsEveryProblemWithOrigins(t *testing.T) {
	bad := memlayer.New("consul", map[string]any{
		"db":      map[string]any{"max_conns": "ten", "dsn": "postgres://app:hunter2@db"},
		"timeout": "soon",
	})
	_, err := strata.Load[Service](context.Background(), bad)
	require.Error(t, err)
	var serr *strata.Error
	require.ErrorAs(t, err, &serr)
	assert.Equal(t, "load", serr.Op)
	keys := map[string]strata.Problem{}
	for _, p := range serr.Problems {
		keys[p.Key] = p
	}
	require.Contains(t, keys, "db.max_conns")
	require.Contains(t, keys, "timeout")
	assert.Equal(t, "memory consul", keys["db.max_conns"].Layer)
	assert.Contains(t, err.Error(), `db.max_conns: "ten" is not an int (from memory db.max_conns)`)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestLoadReportsEveryFailingLayer(t *testing.T) {
	a := memlayer.New("a", nil)
	a.Fail(provider.ErrNotFound)
	b := memlayer.New("b", nil)
	b.Fail(errors.New("connection refused"))
	_, err := strata.Load[Service](context.Background(), a, b)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "memory a: not found")
	assert.Contains(t, err.Error(), "memory b: connection refused")
	assert.ErrorIs(t, err, provider.ErrNotFound)
}

// TestLoadReportsLayerFailuresAndValueProblemsTogether: one run of the
// program shows every problem, so a failing layer must not hide what is
// wrong in the layers that did load. A problem that the failed layer may be
// the cause of (a required key no loaded layer sets) is not reported.
func TestLoadReportsLayerFailuresAndValueProblemsTogether(t *testing.T) {
	file := memlayer.New("file", map[string]any{"db": map[string]any{"max_conns": "ten"}})
	consul := memlayer.New("consul", nil)
	consul.Fail(errors.New("permission denied"))
	env := memlayer.New("env", map[string]any{"timeout": "0s"})
	_, err := strata.Load[Service](context.Background(), file, consul, env)
	require.Error(t, err)
	var serr *strata.Error
	require.ErrorAs(t, err, &serr)
	var got []string
	for _, p := range serr.Problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		"memory consul: permission denied",
		`db.max_conns: "ten" is not an int (from memory db.max_conns)`,
		"timeout: must be greater than 0s, got 0s (from memory timeout)",
	}, got, "db.dsn is required but may come from the failed layer: not reported")
	assert.Contains(t, err.Error(), "strata: load: 3 problems:")
}

func TestValidationFailureNamesKeyAndOrigin(t *testing.T) {
	l := memlayer.New("env", map[string]any{"db": map[string]any{"dsn": "x", "max_conns": "0"}})
	_, err := strata.Load[Service](context.Background(), l)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "db.max_conns: must be at least 1, got 0 (from memory db.max_conns)")
}

func TestStrictModeRejectsUnknownKeys(t *testing.T) {
	data := base()
	data["db"].(map[string]any)["max_con"] = "5"
	_, err := strata.LoadWith[Service](context.Background(), strata.Options{Strict: true}, memlayer.New("consul", data))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "db.max_con: unknown key")

	cfg := load[Service](t, strata.Options{}, memlayer.New("consul", data))
	assert.Equal(t, []string{"db.max_con"}, cfg.Status().Unknown, "lenient mode reports the typo in Status")
}

func TestChangeIsAppliedAndCallbacksRunInOrder(t *testing.T) {
	l := memlayer.New("consul", base())
	cfg := load[Service](t, strata.Options{}, l)

	calls := make(chan string, 10)
	cfg.OnChange(func(old, new *Service) {
		calls <- "first " + old.Listen + " -> " + new.Listen
	})
	cfg.OnChange(func(old, new *Service) { calls <- "second" })

	next := base()
	next["listen"] = ":9090"
	l.Set(next)
	assert.Equal(t, "first :8080 -> :9090", receive(t, calls))
	assert.Equal(t, "second", receive(t, calls))
	assert.Equal(t, ":9090", cfg.Get().Listen)
	assert.EqualValues(t, 2, cfg.Status().Generation)
}

func TestInvalidChangeIsRejectedAndLaterFixApplied(t *testing.T) {
	l := memlayer.New("consul", base())
	opts := strata.Options{}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts, l)
	before := cfg.Get()
	changes := make(chan *Service, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new })

	bad := base()
	bad["db"].(map[string]any)["max_conns"] = "9000"
	l.Set(bad)
	err := receive(t, errs)
	assert.Contains(t, err.Error(), "db.max_conns: must be at most 500")
	assert.Same(t, before, cfg.Get(), "the last good value stays in force")
	st := cfg.Status()
	require.NotNil(t, st.LastRejected)
	assert.Contains(t, st.LastRejected.Error, "db.max_conns")
	assert.EqualValues(t, 1, st.Rejected)

	fixed := base()
	fixed["db"].(map[string]any)["max_conns"] = "50"
	l.Set(fixed)
	assert.Equal(t, 50, receive(t, changes).DB.MaxConns)
	settle(t, cfg)
	assert.Empty(t, changes, "the fix fired exactly one callback")
}

func TestEqualResultFiresNoCallback(t *testing.T) {
	l := memlayer.New("consul", map[string]any{"db": map[string]any{"dsn": "x", "max_conns": "10"}})
	cfg := load[Service](t, strata.Options{}, l)
	changes := make(chan *Service, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new })
	// max_conns moves from "10" in Consul to the default 10: same value.
	l.Set(map[string]any{"db": map[string]any{"dsn": "x"}})
	require.Eventually(t, func() bool {
		e, ok := cfg.Explain("db.max_conns")
		return ok && e.Layer == "defaults"
	}, wait, time.Millisecond, "provenance follows the new source even without a change")
	settle(t, cfg)
	assert.Empty(t, changes, "an equal value fires no callback")
}

func TestDeletedKeyFallsBackToLowerLayer(t *testing.T) {
	file := memlayer.New("file", map[string]any{"listen": ":7000", "db": map[string]any{"dsn": "x"}})
	consul := memlayer.New("consul", map[string]any{"listen": ":9000", "timeout": "1s"})
	cfg := load[Service](t, strata.Options{}, file, consul)
	require.Equal(t, ":9000", cfg.Get().Listen)
	changes := make(chan *Service, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new })

	consul.Set(map[string]any{"timeout": "1s"})
	got := receive(t, changes)
	assert.Equal(t, ":7000", got.Listen, "falls back to the file")

	consul.Set(map[string]any{})
	got = receive(t, changes)
	assert.Equal(t, 5*time.Second, got.Timeout, "falls back to the default")
}

func TestCallbackPanicIsRecoveredAndOthersStillRun(t *testing.T) {
	l := memlayer.New("consul", base())
	opts := strata.Options{}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts, l)
	ran := make(chan bool, 10)
	cfg.OnChange(func(_, _ *Service) { panic("subscriber bug") })
	cfg.OnChange(func(_, _ *Service) { ran <- true })

	next := base()
	next["listen"] = ":1"
	l.Set(next)
	assert.True(t, receive(t, ran))
	assert.Contains(t, receive(t, errs).Error(), "subscriber bug")
	assert.EqualValues(t, 1, cfg.Status().CallbackPanics)
}

func TestUnsubscribe(t *testing.T) {
	l := memlayer.New("consul", base())
	cfg := load[Service](t, strata.Options{}, l)
	calls := make(chan int, 10)
	var stop func()
	stop = cfg.OnChange(func(_, new *Service) {
		calls <- new.DB.MaxConns
		stop() // unsubscribing from inside the callback is allowed
	})
	for _, n := range []string{"11", "12"} {
		next := base()
		next["db"].(map[string]any)["max_conns"] = n
		l.Set(next)
		if n == "11" {
			assert.Equal(t, 11, receive(t, calls))
		}
	}
	require.Eventually(t, func() bool { return cfg.Get().DB.MaxConns == 12 }, wait, time.Millisecond)
	settle(t, cfg)
	assert.Empty(t, calls, "the unsubscribed callback did not run for 12")
}

func TestOnChangeOfFiresOnlyForTheSelectedPart(t *testing.T) {
	l := memlayer.New("consul", base())
	cfg := load[Service](t, strata.Options{}, l)
	dbChanges := make(chan [2]int, 10)
	all := make(chan struct{}, 10)
	strata.OnChangeOf(cfg, func(c *Service) DB { return c.DB }, func(old, new DB) {
		dbChanges <- [2]int{old.MaxConns, new.MaxConns}
	})
	cfg.OnChange(func(_, _ *Service) { all <- struct{}{} })

	next := base()
	next["listen"] = ":1"
	l.Set(next)
	receive(t, all) // registered after the OnChangeOf callback: that one has run
	assert.Empty(t, dbChanges)

	next = base()
	next["listen"] = ":1"
	next["db"].(map[string]any)["max_conns"] = "42"
	l.Set(next)
	assert.Equal(t, [2]int{10, 42}, receive(t, dbChanges))
}

func TestLayerOutageReportedOnceAndRecovery(t *testing.T) {
	l := memlayer.New("consul", base())
	opts := strata.Options{}
	errs := errorsOf(&opts)
	cfg := load[Service](t, opts, l)

	l.Fail(errors.New("connection refused"))
	assert.Contains(t, receive(t, errs).Error(), "memory consul failing: memory consul: connection refused")
	// Further failures in the same outage are counted (the engine may
	// coalesce some) but not reported again.
	l.Fail(errors.New("still refused"))
	require.Eventually(t, func() bool { return cfg.Status().Layers[1].LastError != "" && cfg.Status().Layers[1].Errors >= 2 }, wait, time.Millisecond)
	l.Fail(errors.New("still refused"))
	settle(t, cfg)
	assert.Empty(t, errs, "one report per outage")
	st := cfg.Status().Layers[1]
	assert.False(t, st.Healthy)
	assert.GreaterOrEqual(t, st.Failures, 2)
	assert.Contains(t, st.LastError, "still refused")

	l.Fail(nil)
	require.Eventually(t, func() bool { return cfg.Status().Layers[1].Healthy }, wait, time.Millisecond)
	assert.Zero(t, cfg.Status().Layers[1].Failures)
	assert.NotNil(t, cfg.Get(), "the last good value was served throughout")
}

// tracked wraps a watching layer and reports when each Watch returns, so a
// test can tell that a watcher stopped rather than hope it did.
type tracked struct {
	*memlayer.Layer
	returned chan error
	goexit   chan struct{} // closed: the next Watch calls runtime.Goexit
}

func track(l *memlayer.Layer) *tracked {
	return &tracked{Layer: l, returned: make(chan error, 10), goexit: make(chan struct{})}
}

func (l *tracked) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) (err error) {
	defer func() { l.returned <- err }()
	select {
	case <-l.goexit:
		runtime.Goexit()
	default:
	}
	return l.Layer.Watch(ctx, last, emit)
}

func TestCloseIsIdempotentAndStopsWatching(t *testing.T) {
	l := track(memlayer.New("consul", base()))
	cfg, err := strata.Load[Service](context.Background(), l)
	require.NoError(t, err)
	changes := make(chan string, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new.Listen })
	next := base()
	next["listen"] = ":1"
	l.Set(next)
	require.Equal(t, ":1", receive(t, changes), "precondition: changes are applied before Close")

	require.NoError(t, cfg.Close())
	require.NoError(t, cfg.Close())
	select {
	case err := <-l.returned:
		assert.ErrorIs(t, err, context.Canceled, "the watcher was stopped")
	default:
		t.Fatal("Close returned while the watcher was still running")
	}
	next = base()
	next["listen"] = ":2"
	l.Set(next) // no goroutine is left that could apply this (goleak checks)
	assert.Equal(t, ":1", cfg.Get().Listen, "Get keeps the last value")
	st := cfg.Status()
	assert.False(t, st.Ready)
	assert.Equal(t, "strata: config is closed", st.Error)
	assert.False(t, st.Layers[1].Watching, "nothing watches after Close")
	assert.ErrorIs(t, cfg.Ready(), strata.ErrClosed)
	reliability.Record(t, "strata/close")
}

// TestLoadContextBoundsOnlyTheFirstRead is the lifetime contract, as in
// net/http: cancelling Load's context after Load returned (the usual
// deferred cancel of a WithTimeout) must not stop watching.
func TestLoadContextBoundsOnlyTheFirstRead(t *testing.T) {
	l := memlayer.New("consul", base())
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	cfg, err := strata.Load[Service](ctx, l)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cfg.Close() })
	changes := make(chan string, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new.Listen })
	cancel()

	next := base()
	next["listen"] = ":3"
	l.Set(next)
	assert.Equal(t, ":3", receive(t, changes), "a change after cancel is still applied")
	assert.NoError(t, cfg.Ready())
	st := cfg.Status()
	assert.True(t, st.Ready)
	assert.True(t, st.Layers[1].Watching)
}

// TestShutdownIsBoundedByItsContext: a callback that never returns makes
// Close wait for it, but Shutdown gives up when its context ends.
func TestShutdownIsBoundedByItsContext(t *testing.T) {
	l := memlayer.New("consul", base())
	cfg, err := strata.Load[Service](context.Background(), l)
	require.NoError(t, err)
	entered, release := make(chan struct{}), make(chan struct{})
	cfg.OnChange(func(_, _ *Service) {
		close(entered)
		<-release
	})
	next := base()
	next["listen"] = ":4"
	l.Set(next)
	receive(t, entered) // the callback is now stuck

	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() { result <- cfg.Shutdown(ctx) }()
	require.Eventually(t, func() bool { return errors.Is(cfg.Ready(), strata.ErrClosed) }, wait, time.Millisecond)
	cancel()
	err = receive(t, result)
	assert.ErrorIs(t, err, context.Canceled, "Shutdown returned when its context ended")
	assert.ErrorContains(t, err, "strata: reload: shutdown")
	assert.False(t, cfg.Status().Ready)

	next = base()
	next["listen"] = ":5"
	l.Set(next) // after Shutdown was called: never applied
	close(release)
	assert.NoError(t, cfg.Shutdown(context.Background()), "once the callback returns, everything exits")
	assert.Equal(t, ":4", cfg.Get().Listen, "the change being applied completed; none after it")
}

// TestReadyReportsWhatStoppedForGood: a goroutine that ends without a panic
// (runtime.Goexit, which t.FailNow calls) cannot be restarted; readiness
// must stop saying yes instead of the Config silently freezing.
func TestReadyReportsWhatStoppedForGood(t *testing.T) {
	t.Run("callback", func(t *testing.T) {
		l := memlayer.New("consul", base())
		cfg := load[Service](t, strata.Options{}, l)
		cfg.OnChange(func(_, _ *Service) { runtime.Goexit() })
		next := base()
		next["listen"] = ":5"
		l.Set(next)
		require.Eventually(t, func() bool { return cfg.Ready() != nil }, wait, time.Millisecond)
		assert.ErrorContains(t, cfg.Ready(), "strata: reload: apply goroutine stopped")
		assert.NotErrorIs(t, cfg.Ready(), strata.ErrClosed)
		st := cfg.Status()
		assert.False(t, st.Ready)
		assert.Contains(t, st.Error, "apply goroutine stopped")
	})
	t.Run("watcher", func(t *testing.T) {
		l := track(memlayer.New("consul", base()))
		close(l.goexit)
		cfg := load[Service](t, strata.Options{}, l)
		receive(t, l.returned)
		require.Eventually(t, func() bool { return cfg.Ready() != nil }, wait, time.Millisecond)
		assert.ErrorContains(t, cfg.Ready(), "layer memory consul: watcher stopped")
		assert.False(t, cfg.Status().Layers[1].Watching)
	})
}

func TestNonStructTypeIsAnError(t *testing.T) {
	_, err := strata.Load[int](context.Background())
	assert.ErrorContains(t, err, "must be a struct")
}

func TestNilLayerIsAnError(t *testing.T) {
	_, err := strata.Load[Service](context.Background(), nil)
	assert.ErrorContains(t, err, "layer 1 is nil")
}

func TestOnApplyListsChangedKeysAndRedactsSecrets(t *testing.T) {
	l := memlayer.New("consul", map[string]any{
		"db":       map[string]any{"dsn": "postgres://old-secret", "max_conns": "10"},
		"features": map[string]any{"a": true},
	})
	changes := make(chan strata.Change, 10)
	cfg := load[Service](t, strata.Options{OnApply: func(ch strata.Change) { changes <- ch }}, l)
	l.Set(map[string]any{
		"db":      map[string]any{"dsn": "postgres://new-secret", "max_conns": "20"},
		"timeout": "1s",
	})
	ch := receive(t, changes)
	assert.EqualValues(t, 2, ch.Generation)
	assert.Equal(t, []strata.KeyChange{
		{Key: "db.dsn", Old: "[redacted]", New: "[redacted]", Secret: true},
		{Key: "db.max_conns", Old: "10", New: "20"},
		{Key: "features.a", Old: "true", New: ""},
		{Key: "timeout", Old: "5s", New: "1s"},
	}, ch.Keys)
	assert.Equal(t, 20, cfg.Get().DB.MaxConns)
}

func TestPanickingHooksNeverStopReloads(t *testing.T) {
	l := memlayer.New("consul", base())
	cfg := load[Service](t, strata.Options{
		OnError: func(error) { panic("error hook bug") },
		OnApply: func(strata.Change) { panic("apply hook bug") },
	}, l)
	changes := make(chan int, 10)
	cfg.OnChange(func(_, new *Service) { changes <- new.DB.MaxConns })

	l.Fail(errors.New("outage")) // OnError panics on the outage report
	bad := base()
	bad["db"].(map[string]any)["max_conns"] = "x"
	l.Set(bad) // and on the rejected change
	require.Eventually(t, func() bool { return cfg.Status().Rejected == 1 }, wait, time.Millisecond)
	good := base()
	good["db"].(map[string]any)["max_conns"] = "33"
	l.Set(good) // OnApply panics, OnChange still runs
	assert.Equal(t, 33, receive(t, changes))
	require.Eventually(t, func() bool { return cfg.Status().CallbackPanics >= 3 }, wait, time.Millisecond)
}
