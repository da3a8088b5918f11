// Package memory is an in-memory configuration layer for tests: an
// application's tests hand it to strata in place of a file or Consul, then
// change it (Set, Delete, SetAll) or make it fail (Fail, Recover) and watch
// the application react, with no files, no environment and no servers.
//
// A Provider implements provider.Provider and provider.Watcher and passes
// provider/providertest, so it behaves as a real backend does: a change is
// delivered at once as a whole snapshot, an outage is reported once, and
// the end of an outage is noticed by the watcher's own retries, as when a
// real server comes back.
package memory

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-go/strata/provider"
)

// How a watcher retries during an outage: fast, since the layer lives in
// memory, and capped so that a long outage does not spin.
const (
	retryMin = time.Millisecond
	retryMax = 20 * time.Millisecond
)

// Provider is an in-memory configuration layer. Create it with New.
//
// Its methods are safe for concurrent use. Any number of Watch calls may run
// at once; each is told about every change.
type Provider struct {
	name string

	mu      sync.Mutex
	data    map[string]any  // never modified once stored: changes store a copy
	delta   *provider.Delta // where data differs from the content before it; nil after SetAll
	version int
	fail    error
	reads   int
	changed chan struct{} // closed and replaced on each change or failure
}

// Compile-time checks: strata finds watching by type assertion, so a
// drifting signature would silently turn it off.
var (
	_ provider.Provider = (*Provider)(nil)
	_ provider.Watcher  = (*Provider)(nil)
)

// New returns a layer called name (empty means "memory") holding a deep
// copy of data (nil is an empty layer). Nested maps must be
// map[string]any; keys must not contain ".".
func New(name string, data map[string]any) *Provider {
	if name == "" {
		name = "memory"
	}
	return &Provider{name: name, data: deepCopy(data), changed: make(chan struct{})}
}

// Name returns the name given to New.
func (l *Provider) Name() string { return l.name }

// Load returns the current content, or, during an outage (see Fail), an
// error for this layer. Each leaf's origin is {Kind: "memory", Ref: its
// dotted key}; the Version counts the changes made so far.
func (l *Provider) Load(ctx context.Context) (provider.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return provider.Snapshot{}, provider.WrapError(l.name, "", err)
	}
	snap, _, err := l.read()
	return snap, err
}

// read returns the current content or failure, and the channel closed at
// the next change, counting one read.
func (l *Provider) read() (provider.Snapshot, <-chan struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if l.fail != nil {
		return provider.Snapshot{}, l.changed, provider.WrapError(l.name, "", l.fail)
	}
	return provider.Snapshot{
		Data:       l.data,
		Version:    strconv.Itoa(l.version),
		OriginRule: provider.OriginRule{Kind: "memory", Sep: "."}, // keys hold no ".", so the rule names every leaf
		Source:     provider.Origin{Kind: "memory", Ref: l.name},
		ReadAt:     time.Now(),
		Delta:      l.delta,
	}, l.changed, nil
}

// Watch implements provider.Watcher. It delivers each change at once as a
// whole snapshot, reports an outage (Fail) once, and during an outage
// retries by itself every few milliseconds (at most 20 ms apart), so it
// notices Recover without being told, as a watcher notices a server coming
// back. It returns ctx.Err() when ctx is done, calls emit from its own
// goroutine only, and starts no goroutine.
func (l *Provider) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	e := provider.NewEmitter(last, emit)
	bo := provider.Backoff{Min: retryMin, Max: retryMax}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		snap, changed, err := l.read()
		e.Report(snap, err)
		var wait <-chan time.Time
		if e.Failing() {
			timer.Reset(bo.Next())
			wait = timer.C
		} else {
			bo.Reset()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			timer.Stop() // since Go 1.23 this also drains it
		case <-wait:
		}
	}
}

// Set sets the value at a dotted key ("db.max_conns"), creating the maps
// above it and replacing a value that stood where a map is needed. The
// change is delivered to running watchers at once. Only the maps on the
// way to the key are copied: the rest of the content is shared with the
// snapshots already handed out, so a reload compares only that path.
func (l *Provider) Set(key string, value any) {
	parts := strings.Split(key, ".")
	v := deepCopyValue(value)
	l.change(func(data map[string]any) (map[string]any, []string) {
		return withSet(data, parts, v), changedPath(data, parts)
	})
}

// Delete removes the value or subtree at a dotted key, and any map above it
// that is left empty, as a key deleted from Consul or the environment
// leaves no empty parent behind. Deleting a missing key changes nothing
// but the version.
func (l *Provider) Delete(key string) {
	parts := strings.Split(key, ".")
	l.change(func(data map[string]any) (map[string]any, []string) {
		out, _ := withDeleted(data, parts)
		return out, changedPath(data, parts)
	})
}

// SetAll replaces the whole content with a deep copy of data.
func (l *Provider) SetAll(data map[string]any) {
	l.change(func(map[string]any) (map[string]any, []string) { return deepCopy(data), nil })
}

// Fail starts an outage: Load and every watcher's next attempt fail with
// err (or a generic error if err is nil), wrapped as a *provider.Error for
// this layer, until Recover. Watchers are woken at once, as a failing
// connection wakes a real watcher. Changes made during the outage are kept
// and seen after it.
func (l *Provider) Fail(err error) {
	if err == nil {
		err = errors.New("memory: layer failing (Fail was called)")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = err
	l.notifyLocked()
}

// Recover ends an outage. Like a server that comes back, it does not wake
// watchers: each notices at its next retry, within about 20 ms.
func (l *Provider) Recover() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = nil
}

// Reads returns how many reads (Load calls and watcher attempts) the layer
// has answered, failed ones included, so a test can wait until a watcher
// has retried during an outage.
func (l *Provider) Reads() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads
}

// change stores the content fn makes from the current one (which fn must
// not modify: snapshots handed out share it) and wakes watchers. fn also
// returns the path below which the two differ, or nil for anywhere.
func (l *Provider) change(fn func(map[string]any) (map[string]any, []string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	prev := l.data
	data, path := fn(prev)
	l.data, l.delta = data, nil
	if path != nil {
		l.delta = &provider.Delta{Base: prev, Paths: [][]string{path}}
	}
	l.version++
	l.notifyLocked()
}

func (l *Provider) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// withSet returns a copy of m with v at path, copying only the maps on the
// way; a value that stands where a map is needed is replaced by one.
func withSet(m map[string]any, path []string, v any) map[string]any {
	out := maps.Clone(m) // copies the table's memory: cheaper than inserting each entry again
	if out == nil {
		out = map[string]any{}
	}
	if len(path) == 1 {
		out[path[0]] = v
		return out
	}
	sub, _ := m[path[0]].(map[string]any) // nil when missing or a leaf
	out[path[0]] = withSet(sub, path[1:], v)
	return out
}

// withDeleted returns m without path, and without any map the deletion
// leaves empty, copying only the maps on the way. When path is not in m it
// returns m itself and false.
func withDeleted(m map[string]any, path []string) (map[string]any, bool) {
	v, ok := m[path[0]]
	if !ok {
		return m, false
	}
	rest := map[string]any(nil) // what is left at path[0]; nil deletes it
	if len(path) > 1 {
		sub, isMap := v.(map[string]any)
		if !isMap {
			return m, false // the path runs through a leaf: there is nothing at it
		}
		var changed bool
		if rest, changed = withDeleted(sub, path[1:]); !changed {
			return m, false
		}
	}
	out := maps.Clone(m)
	if len(rest) == 0 {
		delete(out, path[0])
	} else {
		out[path[0]] = rest
	}
	return out, true
}

// changedPath is the part of path below which setting or deleting path
// changes m's leaves: path itself, unless a leaf of m stands on the way,
// which the change replaces or which hides what is below it.
func changedPath(m map[string]any, path []string) []string {
	for i, seg := range path[:len(path)-1] {
		sub, ok := m[seg].(map[string]any)
		if !ok {
			if _, leaf := m[seg]; leaf {
				return path[:i+1]
			}
			return path
		}
		m = sub
	}
	return path
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopy(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopyValue(e)
		}
		return out
	default:
		return v
	}
}

// String names the layer in test failure messages.
func (l *Provider) String() string { return "memory layer " + strconv.Quote(l.name) }
