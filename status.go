package strata

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/strata-go/strata/provider"
)

// Status is a point-in-time report on a Config and each of its layers, for
// health checks, debug pages and metrics. It never contains secret values.
type Status struct {
	// Ready is true while a valid value is being served and kept current:
	// from a successful Load until Shutdown or Close, unless a watcher or
	// the reload goroutine stopped for good (see Config.Ready).
	Ready bool `json:"ready"`
	// Error says why Ready is false ("strata: config is closed", or what
	// stopped); empty while Ready.
	Error string `json:"error,omitempty"`
	// Generation counts applied values: 1 after Load, +1 per change.
	Generation uint64 `json:"generation"`
	// AppliedAt is when the current value was applied.
	AppliedAt time.Time `json:"applied_at"`
	// Applied counts changes applied since Load.
	Applied uint64 `json:"applied"`
	// Rejected counts changes refused as invalid since Load.
	Rejected uint64 `json:"rejected"`
	// LastRejected is the most recent refused change, or nil.
	LastRejected *Rejection `json:"last_rejected,omitempty"`
	// CallbackPanics counts recovered panics in callbacks and hooks.
	CallbackPanics uint64 `json:"callback_panics"`
	// WatchLag is how old the newest layer content was when the current
	// value was applied: the delay between reading a change and serving it.
	WatchLag time.Duration `json:"watch_lag_ns"`
	// Unknown lists keys set by some layer that the config type does not
	// declare (likely typos).
	Unknown []string `json:"unknown_keys"`
	// Layers reports each layer, lowest ("defaults") first.
	Layers []LayerStatus `json:"layers"`
}

// Rejection is a refused change.
type Rejection struct {
	At    time.Time `json:"at"`    // when the change was refused
	Error string    `json:"error"` // why, with every problem (secrets redacted)
}

// LayerStatus reports one layer.
type LayerStatus struct {
	// Name is the layer's name, e.g. "consul services/orders/".
	Name string `json:"name"`
	// Watching is true while the layer's watcher runs: false for a layer
	// that cannot watch, after Shutdown or Close, and after its watcher
	// stopped for good.
	Watching bool `json:"watching"`
	// Healthy is false while the layer's latest attempt failed.
	Healthy bool `json:"healthy"`
	// Version identifies the content in force (Consul index, file hash).
	Version string `json:"version"`
	// LastRead is when the content in force was read.
	LastRead time.Time `json:"last_read"`
	// LastError is the latest failure's text. It is kept after the layer
	// recovers, for the post-mortem; empty if the layer never failed.
	LastError string `json:"last_error,omitempty"`
	// LastErrorAt is when LastError happened.
	LastErrorAt time.Time `json:"last_error_at"`
	// Failures counts failures reported since the layer was last healthy.
	Failures int `json:"failures"`
	// Errors counts all failures reported since Load.
	Errors uint64 `json:"errors_total"`
	// Stale is true when the layer serves content not known to be
	// current, such as a last-known-good cache.
	Stale bool `json:"stale"`
	// Info carries backend facts, e.g. "datacenter".
	Info map[string]string `json:"info,omitempty"`
}

// Status returns a report on the Config and its layers. It is safe to call
// from any goroutine; the result is a copy the caller owns.
func (c *Config[T]) Status() Status {
	s := c.status.snapshot()
	// Liveness is asked of the engine at read time rather than recorded,
	// because a goroutine that stopped for good cannot report itself.
	if err := c.Ready(); err != nil {
		s.Ready, s.Error = false, err.Error()
	}
	for i := range s.Layers {
		s.Layers[i].Watching = c.engine != nil && c.engine.Watching(i)
	}
	return s
}

// statusBoard holds the mutable status. It is written by Load and the
// reload goroutine and read by Status from anywhere, hence the mutex; it is
// never touched by Get.
type statusBoard struct {
	mu sync.Mutex
	s  Status
}

type layerTransition int

const (
	layerSteady layerTransition = iota
	layerFailed
	layerRecovered
)

func (b *statusBoard) init(layers []provider.Provider) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range layers {
		b.s.Layers = append(b.s.Layers, LayerStatus{Name: l.Name(), Healthy: true})
	}
}

func (b *statusBoard) loaded(i int, s provider.Snapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := &b.s.Layers[i]
	l.Version, l.LastRead, l.Stale, l.Info = s.Version, s.ReadAt, s.Stale, s.Info
}

// layerEvent records a watcher event and says whether it starts or ends an
// outage, so that callers report each outage once.
func (b *statusBoard) layerEvent(i int, ev provider.Event) layerTransition {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := &b.s.Layers[i]
	if ev.Err != nil {
		l.Failures++
		l.Errors++
		l.LastError, l.LastErrorAt = ev.Err.Error(), time.Now()
		if l.Healthy {
			l.Healthy = false
			return layerFailed
		}
		return layerSteady
	}
	if ev.Snapshot != nil {
		l.Version, l.LastRead, l.Stale, l.Info = ev.Snapshot.Version, ev.Snapshot.ReadAt, ev.Snapshot.Stale, ev.Snapshot.Info
	}
	l.Failures = 0
	if !l.Healthy {
		l.Healthy = true
		return layerRecovered
	}
	return layerSteady
}

func (b *statusBoard) applied(unknown []string, lag time.Duration) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s.Ready = true
	b.s.Generation++
	if b.s.Generation > 1 {
		b.s.Applied++
	}
	b.s.AppliedAt, b.s.WatchLag, b.s.Unknown = time.Now(), lag, unknown
	return b.s.Generation
}

func (b *statusBoard) unchanged(unknown []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s.Unknown = unknown
}

func (b *statusBoard) rejected(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s.Rejected++
	b.s.LastRejected = &Rejection{At: time.Now(), Error: err.Error()}
}

func (b *statusBoard) callbackPanicked() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.s.CallbackPanics++
}

func (b *statusBoard) snapshot() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.s
	s.Unknown = slices.Clone(s.Unknown)
	s.Layers = slices.Clone(s.Layers)
	for i := range s.Layers {
		s.Layers[i].Info = maps.Clone(s.Layers[i].Info)
	}
	if s.LastRejected != nil {
		r := *s.LastRejected
		s.LastRejected = &r
	}
	return s
}
