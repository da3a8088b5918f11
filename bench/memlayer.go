package bench

import (
	"context"
	"strconv"
	"sync"

	"github.com/strata-go/strata/provider"
)

// Mem is a minimal push-based strata layer: Set replaces its content and a
// running Watch delivers it at once. It stands in for a watched source so
// that reload costs can be measured without I/O. Safe for concurrent use.
type Mem struct {
	mu      sync.Mutex
	data    map[string]any
	version int
	changed chan struct{} // closed and replaced by every Set
}

// NewMem returns a layer holding data (which the caller must not modify).
func NewMem(data map[string]any) *Mem {
	return &Mem{data: data, changed: make(chan struct{})}
}

// Name implements provider.Provider.
func (m *Mem) Name() string { return "memory" }

// Load implements provider.Provider.
func (m *Mem) Load(context.Context) (provider.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snapshotLocked(), nil
}

// Set replaces the whole content; the caller must not modify data later.
func (m *Mem) Set(data map[string]any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = data
	m.version++
	close(m.changed)
	m.changed = make(chan struct{})
}

func (m *Mem) snapshotLocked() provider.Snapshot {
	return provider.Snapshot{
		Data:    m.data,
		Version: strconv.Itoa(m.version),
		Source:  provider.Origin{Kind: "memory"},
	}
}

// Watch implements provider.Watcher: it delivers every Set until ctx ends.
func (m *Mem) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	delivered := last.Version
	for {
		m.mu.Lock()
		snap, changed := m.snapshotLocked(), m.changed
		m.mu.Unlock()
		if snap.Version != delivered {
			delivered = snap.Version
			emit(provider.Event{Snapshot: &snap})
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}
