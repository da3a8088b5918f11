// Package providertest checks that a configuration layer keeps the
// provider.Provider and provider.Watcher contract, as testing/slogtest does
// for slog handlers. Every layer of strata runs it (memory, env, file,
// Consul, koanflayer), and a third party's layer can too.
//
// A layer's test calls Run with a Harness: a constructor for a fresh
// backend holding given keys, and handles to change that backend (set a
// key, delete a key, make it fail, make it recover). Run then checks, each
// in a subtest with its own backend:
//
//   - Load returns the whole content, with a Version and an origin for each
//     value; after a change, the whole new content; a deleted key is gone;
//     a failure is an error naming the layer, and Load works again after
//     the backend recovers; Load returns once its context is cancelled;
//   - Watch, when the layer implements provider.Watcher, delivers the
//     content when started from a zero Snapshot, delivers each
//     change as a whole snapshot, delivers nothing for a write that changes
//     nothing (nor the snapshot it was started from), carries deletions,
//     reports an outage once however often it retries and its end once,
//     retries by itself (a server that comes back sends no event), returns
//     promptly when its context ends, never emits after returning, never
//     emits concurrently, and leaves no goroutine behind; and, for each
//     snapshot it emits with a provider.Delta relative to one the suite
//     has seen, that every value that changed lies under the Delta's paths.
//
// A handle left nil declares that the backend cannot do it (the process
// environment cannot fail, say), and the subtests that need it are skipped
// with a message saying so. A read-only layer without Watch runs the Load
// subtests only.
//
// The goroutine check counts every goroutine in the process, so Run must
// not be called from a parallel test, and the backend's own helpers should
// not start goroutines that outlive a change (a server started once, before
// Run, is fine).
//
// A layer's test looks like this:
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, providertest.Harness{
//			New: func(t *testing.T, seed map[string]string) providertest.Backend {
//				l := memory.New("test", nil)
//				for k, v := range seed {
//					l.Set(k, v)
//				}
//				return providertest.Backend{
//					Provider: l,
//					Set:      func(k, v string) { l.Set(k, v) },
//					Delete:   l.Delete,
//					Fail:     func() { l.Fail(nil) },
//					Recover:  l.Recover,
//					Attempts: l.Reads,
//				}
//			},
//		})
//	}
package providertest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-go/strata/provider"
)

// Harness tells Run how to make and change the backend of the layer under
// test.
type Harness struct {
	// New returns a fresh backend holding seed and the layer to test on it.
	// Run calls it once per subtest, from that subtest's goroutine, so it
	// may call t.Fatal and register t.Cleanup. seed maps dotted keys
	// ("db.host") to string values; the layer must read it back as nested
	// maps of strings ({"db": {"host": …}}).
	New func(t *testing.T, seed map[string]string) Backend

	// Timeout bounds each wait for something that must happen (an event,
	// Watch returning). It is a deadline for a failure message, not a
	// measurement. Zero means 30 seconds.
	Timeout time.Duration

	// Settle is how long Run lets a watcher work, when Backend.Attempts is
	// nil, before its next step: how long an outage lasts before Recover,
	// and the quiet spell after a write that changes nothing. It must let
	// the watcher retry several times with the backoff the harness
	// configured. Zero means 500 ms. With Attempts, Run waits for the
	// watcher's reads instead.
	Settle time.Duration

	// Skip names subtests to skip ("Watch/retries by itself"), each with
	// the reason to print, for a known violation being fixed. The names are
	// the subtest names below Run's test, as go test -v prints them with
	// spaces for underscores.
	Skip map[string]string
}

// Backend is one layer under test and the handles that change what it
// reads. Run calls the handles from the subtest's goroutine, so they may
// call t.Fatal on the t given to New. A nil handle means the backend cannot
// do that, and the subtests needing it are skipped.
type Backend struct {
	// Provider is the layer under test. Its Watch, if any, is found by type
	// assertion to provider.Watcher.
	Provider provider.Provider

	// Set writes value at the dotted key, creating it if needed. It
	// returns once the write is done (a watcher may see it later).
	Set func(key, value string)

	// Delete removes the dotted key. Run never deletes the last key below
	// a parent, so a backend need not decide whether an empty parent
	// remains.
	Delete func(key string)

	// Fail starts an outage: every read fails until Recover. Content is
	// kept.
	Fail func()

	// Recover ends the outage with the content it had. It should end it
	// the way real outages end, without notifying a watcher (a restarted
	// server sends no event), so that Run sees the watcher retry by
	// itself.
	Recover func()

	// Attempts, optional, counts the reads the backend has answered, failed
	// ones included; Run then waits for the watcher's reads instead of for
	// Harness.Settle.
	Attempts func() int
}

// Run checks the Provider (and, if implemented, Watcher) contract of the
// layers h makes, in subtests of t named "Load/…" and "Watch/…". It must not
// be called from a parallel test (see the package documentation).
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("providertest: Harness.New is nil")
	}
	if h.Timeout <= 0 {
		h.Timeout = 30 * time.Second
	}
	if h.Settle <= 0 {
		h.Settle = 500 * time.Millisecond
	}
	s := &suite{h: h}
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			if reason, ok := h.Skip[c.name]; ok {
				t.Skip(reason)
			}
			b := h.New(t, seed())
			if b.Provider == nil {
				t.Fatal("providertest: Harness.New returned no Provider")
			}
			if c.needs&needWatch != 0 {
				if _, ok := b.Provider.(provider.Watcher); !ok {
					t.Skipf("%s is not a provider.Watcher: it is read once", b.Provider.Name())
				}
			}
			if missing := c.needs.missing(b); missing != "" {
				t.Skipf("the harness has no %s, which this subtest needs", missing)
			}
			c.run(t, s, b)
		})
	}
}

// needs says which handles a subtest uses.
type needs int

const (
	needSet needs = 1 << iota
	needDelete
	needFail
	needRecover
	needWatch
)

func (n needs) missing(b Backend) string {
	var m []string
	if n&needSet != 0 && b.Set == nil {
		m = append(m, "Set")
	}
	if n&needDelete != 0 && b.Delete == nil {
		m = append(m, "Delete")
	}
	if n&needFail != 0 && b.Fail == nil {
		m = append(m, "Fail")
	}
	if n&needRecover != 0 && b.Recover == nil {
		m = append(m, "Recover")
	}
	return strings.Join(m, ", ")
}

type testCase struct {
	name  string
	needs needs
	run   func(*testing.T, *suite, Backend)
}

// suite carries the harness's settings into each subtest.
type suite struct{ h Harness }

// seed is the content every subtest's backend starts with. No key is the
// last one below its parent once Delete removes db.port.
func seed() map[string]string {
	return map[string]string{"app.name": "strata", "db.host": "alpha", "db.port": "first"}
}

// nested turns dotted keys into the nested map a layer must return.
func nested(flat map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range flat {
		parts := strings.Split(k, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

// with returns a copy of flat changed by key=value pairs; an empty value
// deletes.
func with(flat map[string]string, kv ...string) map[string]string {
	out := maps.Clone(flat)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// load calls Load with a deadline and fails the test on error.
func (s *suite) load(t *testing.T, p provider.Provider) provider.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), s.h.Timeout)
	defer cancel()
	snap, err := p.Load(ctx)
	if err != nil {
		t.Fatalf("Load of %s failed: %v", p.Name(), err)
	}
	return snap
}

// checkSnapshot reports how snap differs from the whole content want: the
// data, a version, and an origin for every value.
func checkSnapshot(t *testing.T, what string, snap provider.Snapshot, want map[string]string) {
	t.Helper()
	if !provider.SameContent(provider.Snapshot{Data: snap.Data}, provider.Snapshot{Data: nested(want)}) {
		t.Errorf("%s: the snapshot must hold the whole content\n got: %v\nwant: %v", what, snap.Data, nested(want))
	}
	if snap.Version == "" {
		t.Errorf("%s: the snapshot has no Version; each snapshot carries one (an index, a hash)", what)
	}
	var noOrigin []string
	provider.Leaves(snap.Data, func(key string, _ any) {
		if snap.OriginOf(key) == (provider.Origin{}) {
			noOrigin = append(noOrigin, key)
		}
	})
	if len(noOrigin) > 0 {
		slices.Sort(noOrigin)
		t.Errorf("%s: no origin for %v; set Snapshot.Origins, OriginRule or Source", what, noOrigin)
	}
}

// checkLayerError reports whether err names layer as the contract asks.
func checkLayerError(t *testing.T, what string, err error, layer string) {
	t.Helper()
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Layer != layer {
		t.Errorf("%s: the error must be (or wrap) a *provider.Error with Layer %q, got %T: %v", what, layer, err, err)
	}
}
