// Package memlayer is an in-memory, watchable layer for tests and examples:
// Set replaces its content and the running Watch delivers it at once. It is
// internal because a real application's layers come from real sources.
package memlayer

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/strata-go/strata/provider"
)

// Layer holds a nested map. Its methods are safe for concurrent use; at most
// one Watch may run at a time.
type Layer struct {
	name string

	mu      sync.Mutex
	data    map[string]any
	version int
	fail    error
	changed chan struct{} // closed and replaced on every Set or Fail
}

// New returns a layer named "memory <name>" holding data (nil is empty).
func New(name string, data map[string]any) *Layer {
	return &Layer{name: "memory " + name, data: data, changed: make(chan struct{})}
}

// Name implements provider.Provider.
func (l *Layer) Name() string { return l.name }

// Load implements provider.Provider: the current content, or the error set
// by Fail.
func (l *Layer) Load(context.Context) (provider.Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return provider.Snapshot{}, provider.WrapError(l.name, "", l.fail)
	}
	return l.snapshotLocked(), nil
}

// Set replaces the whole content; the caller must not modify data afterwards.
func (l *Layer) Set(data map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.data, l.fail = data, nil
	l.version++
	l.notifyLocked()
}

// Fail makes Load and Watch report err until the next Set; Fail(nil) ends
// the outage without changing the content.
func (l *Layer) Fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = err
	l.notifyLocked()
}

func (l *Layer) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *Layer) snapshotLocked() provider.Snapshot {
	origins := map[string]provider.Origin{}
	provider.Leaves(l.data, func(key string, _ any) {
		origins[key] = provider.Origin{Kind: "memory", Ref: key}
	})
	return provider.Snapshot{
		Data:    l.data,
		Version: strconv.Itoa(l.version),
		Origins: origins,
		Source:  provider.Origin{Kind: "memory", Ref: l.name},
		ReadAt:  time.Now(),
	}
}

// Watch implements provider.Watcher: it delivers every Set and reports
// every Fail, until ctx ends.
func (l *Layer) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	delivered := last.Version
	failing := false
	for {
		l.mu.Lock()
		changed, fail := l.changed, l.fail
		var snap provider.Snapshot
		if fail == nil {
			snap = l.snapshotLocked()
		}
		l.mu.Unlock()

		switch {
		case fail != nil:
			failing = true
			emit(provider.Event{Err: provider.WrapError(l.name, "", fail)})
		case snap.Version != delivered:
			delivered, failing = snap.Version, false
			emit(provider.Event{Snapshot: &snap})
		case failing:
			failing = false
			emit(provider.Event{})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// String implements fmt.Stringer for test failure messages.
func (l *Layer) String() string { return fmt.Sprintf("memlayer(%s)", l.name) }
