package consul

import (
	"context"
	"time"
)

// fetch reads the current datacenter, first probing the earlier ones when
// it is time to (failback).
func (w *watcher) fetch(ctx context.Context) (*read, error) {
	if r := w.failback(ctx); r != nil {
		return r, nil
	}
	index, wait := w.query(time.Now())
	if index == 0 {
		w.plainAt = time.Now()
	}
	return w.p.fetch(ctx, w.p.dcs[w.dc], index, wait)
}

// query returns the index and wait of the next request at now. A server
// that is silently behind holds a query above its own index for the whole
// wait (rule 12), so no more than Wait may pass between two reads without
// an index: a blocking query waits only what is left of that, and when
// nothing is left the read carries no index.
func (w *watcher) query(now time.Time) (uint64, time.Duration) {
	p := w.p
	wait := p.opts.Wait
	if w.dc > 0 {
		// Come back often enough to probe the preferred datacenters.
		wait = min(wait, p.opts.FailbackInterval)
	}
	if w.index == 0 {
		return 0, 0
	}
	left := p.opts.Wait - now.Sub(w.plainAt)
	if left < time.Millisecond {
		return 0, 0
	}
	return w.index, min(wait, left)
}

// failback probes, every FailbackInterval while not on the first
// datacenter, the earlier ones in order with a non-blocking read, and
// moves to the first that answers; that read is the result.
func (w *watcher) failback(ctx context.Context) *read {
	p := w.p
	if w.dc == 0 || time.Since(w.probedAt) < p.opts.FailbackInterval {
		return nil
	}
	w.probedAt = time.Now()
	for i := range w.dc {
		start := time.Now()
		r, err := p.fetch(ctx, p.dcs[i], 0, 0)
		if err == nil {
			w.plainAt = start
			w.switchTo(i, "preferred datacenter answers again")
			return r
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// failover moves to the next datacenter after a transient failure. It
// reports whether that one should be tried at once, which is the case
// until every datacenter failed in a row.
func (w *watcher) failover(err error) bool {
	p := w.p
	if len(p.dcs) < 2 || !errClass(err).transient() {
		return false
	}
	w.switchTo((w.dc+1)%len(p.dcs), err.Error())
	w.round++
	if w.round < len(p.dcs) {
		return true
	}
	w.round = 0
	return false
}

// switchTo makes dcs[i] current. Each datacenter has its own index space,
// so the next read there does not block.
func (w *watcher) switchTo(i int, why string) {
	p := w.p
	p.logger().Warn("consul: switching datacenter", "layer", p.name,
		"from", p.dcLabel(p.dcs[w.dc]), "to", p.dcLabel(p.dcs[i]), "reason", why)
	w.dc, w.index, w.seen = i, 0, 0
	w.probedAt = time.Now()
}
