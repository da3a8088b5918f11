package consul

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hashicorp/consul/api"
)

// checkEmptyRead applies docs/consul.md's rule on reads without a token:
// Consul (1.14) answers a recursive read by a request carrying no token
// with a plain 404 when the anonymous token may not read the keys, without
// the X-Consul-Results-Filtered-By-ACLs header it sets for other tokens,
// so denied keys look like an empty prefix. When a tree-mode read found no
// keys and carried no token, it asks for the prefix key itself, without
// recursion: Consul checks read permission on that key before looking it
// up and answers 403 when it is denied; a 404 or 200 means the read was
// allowed (or ACLs are off) and the prefix is truly empty.
// q is the read's QueryOptions, reused so the probe goes to the same
// datacenter with the same identity and deadline.
//
// The probe costs a request, and an empty prefix wakes a blocking query on
// every KV write anywhere (rule 1), so an allowed probe is trusted for one
// Wait: an empty prefix that stays empty costs one probe per Wait, while a
// prefix whose keys vanish is probed at once.
func (p *Provider) checkEmptyRead(ctx context.Context, dc string, q *api.QueryOptions, r *read) error {
	if p.key != "" || q.Token != "" || !p.tok.none() {
		return nil
	}
	if r.list.Len() > 0 {
		p.probe.hadKeys.Store(true)
		return nil
	}
	if !p.probe.hadKeys.Swap(false) && time.Now().UnixNano() < p.probe.allowedUntil.Load() {
		return nil
	}
	p.probe.allowedUntil.Store(0)
	probe := &api.QueryOptions{
		Datacenter: q.Datacenter, AllowStale: q.AllowStale, RequireConsistent: q.RequireConsistent,
	}
	// Not decoded by streamTransport: ctx may carry the read's listSink.
	_, _, err := p.client.KV().Get(p.prefix, probe.WithContext(withListSink(ctx, nil)))
	if err == nil {
		p.probe.allowedUntil.Store(time.Now().Add(p.opts.Wait).UnixNano())
		return nil
	}
	class, status := classify(err)
	if class != ClassPermission {
		return p.failClass(dc, class, status, p.cause(err))
	}
	return p.failClass(dc, class, status, fmt.Errorf("%w: the prefix reads as empty, and key %q may not be read: %w",
		ErrNoToken, p.prefix, p.cause(err)))
}

// probeState remembers, across Load and Watch, what checkEmptyRead needs
// to probe only when it must.
type probeState struct {
	hadKeys      atomic.Bool  // the latest read without a token found keys
	allowedUntil atomic.Int64 // unix ns until which an allowed probe holds
}
