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
	p := w.p
	wait := p.opts.Wait
	if w.dc > 0 {
		// Come back often enough to probe the preferred datacenters.
		wait = min(wait, p.opts.FailbackInterval)
	}
	return p.fetch(ctx, p.dcs[w.dc], w.index, wait)
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
		r, err := p.fetch(ctx, p.dcs[i], 0, 0)
		if err == nil {
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
	p.log.Warn("consul: switching datacenter", "layer", p.name,
		"from", p.dcLabel(p.dcs[w.dc]), "to", p.dcLabel(p.dcs[i]), "reason", why)
	w.dc, w.index = i, 0
	w.probedAt = time.Now()
}
