package consul_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// eventWait bounds how long a test waits for an expected event; generous,
// since CI machines are slow and nothing here measures time.
const eventWait = 60 * time.Second

// fast are options that make a watcher react within a test's patience:
// short blocking waits and retries. Tests override what they exercise.
func fast(o consul.Options) consul.Options {
	if o.Wait == 0 {
		o.Wait = 2 * time.Second
	}
	if o.MinInterval == 0 {
		o.MinInterval = 20 * time.Millisecond
	}
	if o.Backoff.Min == 0 && o.Backoff.Max == 0 {
		o.Backoff = provider.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond}
	}
	return o
}

// events records what a watcher emits. emit never blocks.
type events struct {
	mu     sync.Mutex
	list   []provider.Event
	notify chan struct{}
	seen   int // events before seen were consumed by next
}

func newEvents() *events { return &events{notify: make(chan struct{}, 1)} }

func (e *events) emit(ev provider.Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
	select {
	case e.notify <- struct{}{}:
	default:
	}
}

func (e *events) all() []provider.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]provider.Event(nil), e.list...)
}

// next returns the first unconsumed event matching match, consuming it and
// every event before it, or fails the test after eventWait.
func (e *events) next(t *testing.T, what string, match func(provider.Event) bool) provider.Event {
	t.Helper()
	deadline := time.NewTimer(eventWait)
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
			t.Fatalf("no %s within %s; events so far:\n%s", what, eventWait, describe(e.all()))
		}
	}
}

func describe(evs []provider.Event) string {
	var b strings.Builder
	for i, ev := range evs {
		switch {
		case ev.Snapshot != nil:
			fmt.Fprintf(&b, "%d: snapshot v%s stale=%v %v info=%v\n", i, ev.Snapshot.Version, ev.Snapshot.Stale, ev.Snapshot.Data, ev.Snapshot.Info)
		case ev.Err != nil:
			fmt.Fprintf(&b, "%d: error %v\n", i, ev.Err)
		default:
			fmt.Fprintf(&b, "%d: recovered\n", i)
		}
	}
	return b.String()
}

func isSnapshot(ev provider.Event) bool { return ev.Snapshot != nil }
func isError(ev provider.Event) bool    { return ev.Err != nil }

// hasValue matches a snapshot whose tree holds want at the dotted key.
func hasValue(key, want string) func(provider.Event) bool {
	return func(ev provider.Event) bool {
		if ev.Snapshot == nil {
			return false
		}
		v, ok := lookup(ev.Snapshot.Data, key)
		return ok && v == want
	}
}

func lookup(data map[string]any, dotted string) (any, bool) {
	var cur any = data
	for _, k := range strings.Split(dotted, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// watch runs p.Watch in a goroutine until the test ends (or stop is
// called) and checks that it returned because its context ended.
func watch(t *testing.T, p *consul.Provider, last provider.Snapshot) (*events, func()) {
	t.Helper()
	ev := newEvents()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx, last, ev.emit) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				require.ErrorIs(t, err, context.Canceled, "Watch must return once its context ends")
			case <-time.After(eventWait):
				t.Errorf("Watch did not return within %s of its context ending", eventWait)
			}
		})
	}
	t.Cleanup(stop)
	return ev, stop
}

// load calls Load with a bounded context.
func load(t *testing.T, p *consul.Provider) (provider.Snapshot, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.Load(ctx)
}

// logBuffer is a slog.Logger writing everything, debug included, to a
// buffer safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// counting counts the requests a client sends.
type counting struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// countingConfig returns a config for a plain-HTTP agent whose requests
// are counted; its idle connections are closed at cleanup.
func countingConfig(t *testing.T, a *consultest.Agent) (*api.Config, *counting) {
	t.Helper()
	cfg := a.Config()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	c := &counting{base: tr}
	cfg.HttpClient = &http.Client{Transport: c}
	t.Cleanup(tr.CloseIdleConnections)
	return cfg, c
}

// unreachableAddr is an address nothing listens on.
const unreachableAddr = "127.0.0.1:1"

func unreachableConfig() *api.Config {
	return &api.Config{Address: unreachableAddr, Scheme: "http"}
}

func kvPair(key string, i int) *api.KVPair {
	return &api.KVPair{Key: key, Value: []byte(strconv.Itoa(i))}
}
