package consul_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// slowRetryBackoff makes a permission error wait the full slow retry
// (30 s) before the next attempt, so a recovery seen well before that can
// only come from a token change waking the watcher.
var slowRetryBackoff = provider.Backoff{Min: 50 * time.Millisecond, Max: time.Hour}

// beforeSlowRetry bounds the wait for a recovery that must not wait for
// the 30 s slow retry of a permission error: generous for one request on a
// loaded machine, and still below the retry it must beat.
const beforeSlowRetry = 20 * time.Second

// TestTokenFileRotation: the watch runs with token A read from a token
// file, as when Vault's agent issues it. Token A is deleted and token B is
// written to the file: the watch picks B up without a restart, with exactly
// one error and one recovery reported, and B is used from then on.
func TestTokenFileRotation(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	const rules = `key_prefix "app/" { policy = "read" }`
	tokenA, accessorA := a.CreateToken(t, rules)
	tokenB, _ := a.CreateToken(t, rules)
	file := filepath.Join(t.TempDir(), "consul-token")
	writeToken(t, file, tokenA)

	cfg := a.Config()
	cfg.Token, cfg.TokenFile = "", file
	var logs logBuffer
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: cfg, Logger: logs.logger(), Backoff: slowRetryBackoff}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	a.RevokeToken(t, accessorA)
	got := ev.next(t, "the permission error", isError)
	var ce *consul.Error
	require.ErrorAs(t, got.Err, &ce)
	require.Equal(t, consul.ClassPermission, ce.Class, "%v", got.Err)

	start := time.Now()
	writeToken(t, file, tokenB)
	nextWithin(t, ev, beforeSlowRetry, "the recovery after the token file changed", isRecovery)
	t.Logf("recovered %s after the token file changed", time.Since(start).Round(time.Millisecond))
	reliability.Record(t, "consul/token-file", reliability.Took("recover", time.Since(start)))
	a.Put(t, "app/x", "2")
	ev.next(t, "a change read with token B", hasValue("x", "2"))
	stop()

	errs, recoveries := countEvents(ev.all())
	assert.Equal(t, 1, errs, describe(ev.all()))
	assert.Equal(t, 1, recoveries, describe(ev.all()))
	assertNoToken(t, ev.all(), logs.String(), tokenA, tokenB)
}

// TestTokenFileRotationNewFirst: the careful order, new token written
// before the old one is deleted. The watch keeps going with B, with at
// most one error.
func TestTokenFileRotationNewFirst(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	const rules = `key_prefix "app/" { policy = "read" }`
	tokenA, accessorA := a.CreateToken(t, rules)
	tokenB, _ := a.CreateToken(t, rules)
	file := filepath.Join(t.TempDir(), "consul-token")
	writeToken(t, file, tokenA)

	cfg := a.Config()
	cfg.Token, cfg.TokenFile = "", file
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: cfg, Backoff: slowRetryBackoff}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	writeToken(t, file, tokenB)
	a.RevokeToken(t, accessorA)
	// A query parked with A before the deletion still answers the next
	// change with A's rights; the one after needs a request with B.
	for _, v := range []string{"2", "3"} {
		a.Put(t, "app/x", v)
		nextWithin(t, ev, beforeSlowRetry, "a change to "+v, hasValue("x", v))
	}
	stop()

	// A request already sent with A may fail: one error, after which a
	// recovery or the next change shows the watch healthy again.
	all := ev.all()
	errs, _ := countEvents(all)
	assert.LessOrEqual(t, errs, 1, describe(all))
	reliability.Record(t, "consul/token-file-new-first", reliability.Count("errors reported", errs))
	assert.NoError(t, all[len(all)-1].Err, describe(all))
}

// TestSetToken: a token handed in at run time replaces a deleted one and
// wakes a watcher waiting out the slow retry of a permission error.
// SetToken is called from several goroutines at once (for -race).
func TestSetToken(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{ACL: true})
	a.Put(t, "app/x", "1")
	const rules = `key_prefix "app/" { policy = "read" }`
	tokenA, accessorA := a.CreateToken(t, rules)
	tokenB, _ := a.CreateToken(t, rules)

	cfg := a.Config()
	cfg.Token = tokenA
	var logs logBuffer
	p := consul.New(fast(consul.Options{Prefix: "app/", Config: cfg, Logger: logs.logger(), Backoff: slowRetryBackoff}))
	first, err := load(t, p)
	require.NoError(t, err)
	ev, stop := watch(t, p, first)

	a.RevokeToken(t, accessorA)
	ev.next(t, "the permission error", isError)

	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { p.SetToken(tokenB) })
	}
	wg.Wait()
	nextWithin(t, ev, beforeSlowRetry, "the recovery after SetToken", isRecovery)
	t.Logf("recovered %s after SetToken", time.Since(start).Round(time.Millisecond))
	reliability.Record(t, "consul/settoken", reliability.Took("recover", time.Since(start)))
	a.Put(t, "app/x", "2")
	ev.next(t, "a change read with token B", hasValue("x", "2"))

	// Load uses the new token too.
	snap, err := load(t, p)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"x": "2"}, snap.Data)

	// An empty token is ignored: B stays in use.
	p.SetToken("")
	a.Put(t, "app/x", "3")
	ev.next(t, "a change after SetToken(\"\")", hasValue("x", "3"))
	stop()

	errs, recoveries := countEvents(ev.all())
	assert.Equal(t, 1, errs, describe(ev.all()))
	assert.Equal(t, 1, recoveries, describe(ev.all()))
	assertNoToken(t, ev.all(), logs.String(), tokenA, tokenB)
}

func isRecovery(e provider.Event) bool { return e.Err == nil && e.Snapshot == nil }

// nextWithin is events.next with its own deadline, for an event that must
// come before something slower would have produced it.
func nextWithin(t *testing.T, e *events, d time.Duration, what string, match func(provider.Event) bool) provider.Event {
	t.Helper()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		for i := e.seen; i < len(e.list); i++ {
			if match(e.list[i]) {
				e.seen = i + 1
				ev := e.list[i]
				e.mu.Unlock()
				return ev
			}
		}
		e.mu.Unlock()
		select {
		case <-e.notify:
		case <-deadline.C:
			t.Fatalf("no %s within %s; events so far:\n%s", what, d, describe(e.all()))
		}
	}
}

func countEvents(evs []provider.Event) (errs, recoveries int) {
	for _, e := range evs {
		switch {
		case e.Err != nil:
			errs++
		case e.Snapshot == nil:
			recoveries++
		}
	}
	return errs, recoveries
}

func assertNoToken(t *testing.T, evs []provider.Event, logs string, tokens ...string) {
	t.Helper()
	for _, e := range evs {
		if e.Err == nil {
			continue
		}
		for _, tok := range tokens {
			assert.NotContains(t, e.Err.Error(), tok)
		}
	}
	for _, tok := range tokens {
		assert.NotContains(t, logs, tok)
	}
}

// writeToken replaces file atomically (write then rename), the way Vault's
// agent and Kubernetes' projected volumes do it.
func writeToken(t *testing.T, file, token string) {
	t.Helper()
	tmp := file + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(token+"\n"), 0o600))
	require.NoError(t, os.Rename(tmp, file))
}

func randomName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return strings.ToLower(hex.EncodeToString(b))
}
