package consul

import "context"

// boundStaleness applies rule 9 to a stale-mode answer: when the answering
// server knows no leader, or last heard from it more than MaxStale ago, the
// read is asked once more in default mode (without an index, so it does not
// block). If that fails too, as it does while the cluster has no leader,
// the stale answer is kept and marked stale: old data with a clear label
// beats no data.
func (p *Provider) boundStaleness(ctx context.Context, r *read) *read {
	if r.knownLeader && r.lastContact <= p.opts.MaxStale {
		return r
	}
	if fresh, err := p.get(ctx, r.dc, 0, 0, ConsistencyDefault); err == nil {
		fresh.consistency = "default (stale answer too old)"
		return fresh
	}
	r.stale = true
	return r
}
