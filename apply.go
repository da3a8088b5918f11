package strata

import (
	"fmt"
	"slices"
	"time"

	"github.com/strata-go/strata/provider"
)

// handler adapts a Config to reload.Handler without exporting the methods
// on Config itself.
type handler[T any] struct{ c *Config[T] }

// Apply builds a value from the latest snapshots and publishes it if it is
// valid and differs from the current one. It runs on the reload goroutine.
// A rejected value is reported here (OnError, log, Status) and also
// returned, for Config.Reload.
func (h handler[T]) Apply(snaps []provider.Snapshot) (err error) {
	c := h.c
	defer func() {
		// A panic here would take the whole process down from a goroutine
		// the application does not own; report it as a rejected change.
		if r := recover(); r != nil {
			// The panic value may quote the new content: scrub its secrets.
			err = c.redactError(&Error{Op: "reload", Problems: []Problem{{Message: fmt.Sprintf("internal error: %v", r)}}}, snaps)
			c.reject(err)
		}
	}()
	// Status already saw each new snapshot in LayerEvent, which the engine
	// calls before Apply.
	cand, ok := c.buildIncremental(snaps)
	if !ok {
		if cand, err = c.build("reload", snaps); err != nil {
			c.reject(err)
			return err
		}
	}
	c.publish(cand)
	return nil
}

// LayerEvent records a watcher's report in Status and reports outages and
// recoveries once each, not once per retry.
func (h handler[T]) LayerEvent(i int, ev provider.Event) {
	c := h.c
	ev.Err = c.scrubRuntimeError(ev.Err) // before Status, the log or OnError see it
	switch c.status.layerEvent(i, ev) {
	case layerFailed:
		err := fmt.Errorf("strata: layer %s failing: %w", c.names[i], ev.Err)
		c.opts.logger().Warn("strata: layer failing; serving last good config", "layer", c.names[i], "error", ev.Err.Error())
		if c.opts.OnError != nil {
			c.safely("OnError hook", func() { c.opts.OnError(err) })
		}
	case layerRecovered:
		c.opts.logger().Info("strata: layer recovered", "layer", c.names[i])
	}
}

// publish swaps in cand unless it equals the current value, then runs the
// callbacks in registration order with (old, new).
func (c *Config[T]) publish(cand *candidate[T]) {
	// base (the value cand was patched from) serves only this publish:
	// kept, it would hold the previous value alive as long as cand is
	// current, doubling the heap of a large config. Only this goroutine
	// reads it.
	defer func() { cand.base = nil }()
	cand.snaps = withoutDeltas(cand.snaps)
	prev := c.applied.Load()
	old := c.value.Load()
	if old != nil && c.unchanged(old, cand) {
		// Same value, but provenance may have moved (a key deleted from
		// Consul now comes from the file with the same value): keep
		// Explain truthful without telling anyone the value changed.
		cand.value = old
		c.applied.Store(cand)
		c.status.unchanged(cand.unknown)
		return
	}
	c.value.Store(cand.value)
	c.applied.Store(cand)
	gen := c.status.applied(cand.unknown, lagOf(cand))
	if old == nil {
		c.warnUnknown(cand.unknown)
		return
	}

	// The diff is the costliest step after decoding on large configs;
	// compute it only when someone will read it.
	if c.opts.Logger != nil || c.opts.OnApply != nil {
		change := c.diff(gen, prev, cand)
		c.opts.logger().Info("strata: applied config change", "generation", gen, "keys", len(change.Keys), "changed", change.keyNames())
		if c.opts.OnApply != nil {
			c.safely("OnApply hook", func() { c.opts.OnApply(change) })
		}
	}
	c.warnUnknown(cand.unknown)
	c.subs.each(func(fn func(old, new *T)) {
		c.safely("OnChange callback", func() { fn(old, cand.value) })
	})
}

// unchanged reports whether cand's value equals old, the current value:
// by the incremental reload's per-unit comparison when cand was patched
// from old, or else by comparing whole values (NaN-safe: see sameValue).
func (c *Config[T]) unchanged(old *T, cand *candidate[T]) bool {
	if cand.base == old {
		return cand.same
	}
	return sameValue(old, cand.value)
}

// reject keeps the last good value and tells the error hook, the log and
// Status why the change was refused.
func (c *Config[T]) reject(err error) {
	c.status.rejected(err)
	c.opts.logger().Warn("strata: rejected config change; keeping last good config", "error", err.Error())
	if c.opts.OnError != nil {
		c.safely("OnError hook", func() { c.opts.OnError(err) })
	}
}

// safely runs a user callback, turning a panic into a reported error so
// that one faulty subscriber cannot stop the others or the reload loop.
func (c *Config[T]) safely(what string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			err := c.scrubRuntimeError(fmt.Errorf("strata: %s panicked: %v", what, r)) // a panic may quote the config
			c.status.callbackPanicked()
			c.opts.logger().Error("strata: callback panicked", "callback", what, "panic", err.Error())
			if c.opts.OnError != nil && what != "OnError hook" {
				c.safely("OnError hook", func() { c.opts.OnError(err) })
			}
		}
	}()
	fn()
}

func (c *Config[T]) warnUnknown(keys []string) {
	if len(keys) > 0 && !c.opts.Strict {
		c.opts.logger().Warn("strata: config has keys the type does not declare (typo?)", "keys", keys)
	}
}

// lagOf is how long ago the newest layer content was read: the watch lag
// an operator sees between a source changing and the value applied.
func lagOf[T any](cand *candidate[T]) time.Duration {
	var newest time.Time
	for _, s := range cand.snaps {
		if s.ReadAt.After(newest) {
			newest = s.ReadAt
		}
	}
	if newest.IsZero() {
		return 0
	}
	return time.Since(newest)
}

// withoutDeltas returns snaps with no Delta, copied if any had one: a
// Delta's Base is the previous snapshot's tree, which an applied candidate
// would otherwise keep alive until the next reload. The caller's slice is
// left as it was.
func withoutDeltas(snaps []provider.Snapshot) []provider.Snapshot {
	if !slices.ContainsFunc(snaps, func(s provider.Snapshot) bool { return s.Delta != nil }) {
		return snaps
	}
	out := slices.Clone(snaps)
	for i := range out {
		out[i].Delta = nil
	}
	return out
}
