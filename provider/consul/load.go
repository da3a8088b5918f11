package consul

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// read is one successful answer from Consul (or from the cache), before it
// becomes a Snapshot.
type read struct {
	dc    string
	sent  uint64 // the index the request blocked on; 0 for a plain read
	index uint64
	list  pairList    // tree mode: the answer's keys and values, in its order
	pairs api.KVPairs // tree mode, from getPairs only: with their indexes
	doc   *api.KVPair // document mode; nil when the key is missing

	// parsed, when set, is the tree of a document whose bytes are those
	// of the last delivered one (watcher.reuseDocument): snapshotOf takes
	// it instead of parsing doc again.
	parsed map[string]any

	consistency string // the mode that produced the answer
	lastContact time.Duration
	knownLeader bool
	stale       bool // a stale-mode answer beyond MaxStale that no default read could replace

	cachedAt time.Time // non-zero when the answer comes from CacheFile
}

// requestTimeout is a request's deadline: above the server's wait plus its
// wait/16 jitter plus the ~7 s a read can hang without a leader, with a
// margin (rule 5). A non-blocking read (wait 0) gets 10 s.
func requestTimeout(wait time.Duration) time.Duration {
	return wait + wait/16 + 7*time.Second + 3*time.Second
}

// Load reads the layer once, without blocking (no index). It tries the
// datacenters in order, moving on only after a transient failure. When
// every one is unreachable and CacheFile holds a last good read of this
// layer, that read is returned with Stale set and Info["source"] =
// "cache"; a permission, TLS or data error is returned as is. Load returns
// by ctx's deadline; errors are *provider.Error wrapping *Error (joined when
// several datacenters failed).
func (p *Provider) Load(ctx context.Context) (provider.Snapshot, error) {
	if p.initErr != nil {
		return provider.Snapshot{}, p.failClass("", ClassInvalidOptions, 0, p.initErr)
	}
	defer p.begin()()

	var errs []error
	for _, dc := range p.dcs {
		r, err := p.fetch(ctx, dc, 0, 0)
		if err == nil {
			snap, err := p.snapshot(r)
			if err != nil {
				return provider.Snapshot{}, err
			}
			p.writeCache(r)
			if p.key == "" {
				// For a Watch given this snapshot to patch (builtTree),
				// and the next answer's decoding.
				p.hint.Store(newBuiltTree(p.prefix, snap.Data))
			}
			return snap, nil
		}
		errs = append(errs, err)
		if !errClass(err).transient() || ctx.Err() != nil {
			break
		}
	}
	err := errors.Join(errs...)
	if len(errs) == 1 {
		err = errs[0]
	}
	if !errClass(errs[len(errs)-1]).transient() || p.opts.CacheFile == "" {
		return provider.Snapshot{}, err
	}
	snap, cerr := p.loadCache()
	if cerr != nil {
		return provider.Snapshot{}, errors.Join(err, cerr)
	}
	p.logger().Warn("consul: unreachable, using the last-known-good cache",
		"layer", p.name, "addr", p.addr, "cache", p.opts.CacheFile,
		"cached_at", snap.Info["cached_at"], "error", err.Error())
	return snap, nil
}

// fetch reads the layer from dc in the configured consistency mode,
// blocking on index for up to wait when index > 0, and bounds a stale
// answer's staleness (rule 9).
func (p *Provider) fetch(ctx context.Context, dc string, index uint64, wait time.Duration) (*read, error) {
	r, err := p.get(ctx, dc, index, wait, p.opts.Consistency)
	if err != nil || p.opts.Consistency != ConsistencyStale {
		return r, err
	}
	return p.boundStaleness(ctx, r), nil
}

// get sends the layer's single request: a recursive List in tree mode, a
// Get in document mode (rule 11: one query per layer, never per key).
func (p *Provider) get(ctx context.Context, dc string, index uint64, wait time.Duration, mode Consistency) (*read, error) {
	return p.request(ctx, dc, index, wait, mode, false)
}

// getPairs is a plain get that keeps consul/api's pairs in r.pairs, with
// the indexes a plan's check-and-set needs.
func (p *Provider) getPairs(ctx context.Context, dc string, mode Consistency) (*read, error) {
	return p.request(ctx, dc, 0, 0, mode, true)
}

// request is get; in tree mode, unless withPairs, the answer is decoded by
// the client's streamTransport when New built the client.
func (p *Provider) request(ctx context.Context, dc string, index uint64, wait time.Duration, mode Consistency, withPairs bool) (*read, error) {
	q := &api.QueryOptions{Datacenter: dc, Token: p.tok.forRequest()}
	if index > 0 {
		q.WaitIndex, q.WaitTime = index, wait
	} else {
		wait = 0 // no index: the server answers at once (rule 2)
	}
	switch {
	case mode == ConsistencyStale:
		q.AllowStale = true
	case mode == ConsistencyStrong, index == 0:
		// Rule 13: a read without an index (Load's, the first after a
		// failure or an index reset, rule 12's) is consistent in default
		// mode too. A restarted server leads before it has replayed its
		// log and answers a default read from the partial store (404 at
		// index 1, or some keys at a lower index); a consistent read
		// waits until the store is caught up. Blocking reads stay in
		// default mode: a server answers one only past the index it was
		// sent, so it cannot go back to a partial store.
		q.RequireConsistent = true
	}
	rctx, cancel := context.WithTimeout(ctx, requestTimeout(wait))
	defer cancel()
	var sink *listSink
	if p.key == "" && p.streams && !withPairs {
		sink = &listSink{prefix: p.prefix}
		sink.hint = p.hint.Load()
		rctx = withListSink(rctx, sink)
	}
	q = q.WithContext(rctx) // rule 10: every request carries the caller's ctx

	r := &read{dc: dc, sent: q.WaitIndex, consistency: mode.String()}
	var (
		meta *api.QueryMeta
		err  error
	)
	if p.key != "" {
		r.doc, meta, err = p.client.KV().Get(p.key, q)
	} else {
		// A missing or emptied prefix is (nil, meta, nil): a state with an
		// index, delivered as an empty layer (rule 3).
		r.pairs, meta, err = p.client.KV().List(p.prefix, q)
	}
	if err != nil {
		// Never take an index from an error (rule 2): r is dropped.
		return nil, p.fail(dc, err)
	}
	if meta.ResultsFilteredByACLs {
		// Rule 7: hidden keys are not deleted keys.
		return nil, p.failClass(dc, ClassPermission, 0,
			errors.New("keys hidden by ACLs (X-Consul-Results-Filtered-By-ACLs)"))
	}
	switch {
	case p.key != "":
	case sink != nil && sink.decoded:
		if sink.err != nil {
			return nil, p.failClass(dc, ClassInvalidData, 0, sink.err)
		}
		r.list = sink.list
	default:
		r.list = pairsList(r.pairs)
	}
	if err := p.checkEmptyRead(rctx, dc, q, r); err != nil {
		return nil, err // rule 7: no token, denied, looks empty
	}
	r.index, r.lastContact, r.knownLeader = meta.LastIndex, meta.LastContact, meta.KnownLeader
	return r, nil
}

// snapshot turns a read into the layer's Snapshot, or into an
// invalid-data or not-found error naming the layer and key.
func (p *Provider) snapshot(r *read) (provider.Snapshot, error) {
	snap := p.snapshotHead(r)
	var err error
	switch {
	case p.key == "":
		snap.Data, snap.Origins, err = buildTreeFrom(p.prefix, r.list)
	case r.doc == nil && p.opts.Optional:
		snap.Data = map[string]any{}
	case r.doc == nil:
		return provider.Snapshot{}, p.failClass(r.dc, ClassNotFound, 0,
			fmt.Errorf("key %q: %w", p.key, provider.ErrNotFound))
	case isBlank(r.doc.Value) && !p.opts.Optional:
		// As for an empty file: a truncated write, far more often than
		// an intent, must not become an empty layer.
		return provider.Snapshot{}, p.failClass(r.dc, ClassInvalidData, 0,
			fmt.Errorf("key %q: empty document (a truncated write?)", p.key))
	case r.parsed != nil:
		snap.Data = r.parsed
	default:
		snap.Data, err = parseDocument(p.format, r.doc.Value)
	}
	if err != nil {
		return provider.Snapshot{}, p.failClass(r.dc, ClassInvalidData, 0, err)
	}
	return snap, nil
}

// snapshotHead is the Snapshot of r without its Data and Origins; a tree
// layer's carries its OriginRule.
func (p *Provider) snapshotHead(r *read) provider.Snapshot {
	snap := provider.Snapshot{
		Version:    strconv.FormatUint(r.index, 10),
		Source:     p.source(),
		OriginRule: p.originRule(),
		ReadAt:     time.Now(),
		Stale:      r.stale || !r.cachedAt.IsZero(),
		Info:       p.info(r),
	}
	if !r.cachedAt.IsZero() {
		snap.ReadAt = r.cachedAt
	}
	return snap
}

func (p *Provider) info(r *read) map[string]string {
	info := map[string]string{
		"index":       strconv.FormatUint(r.index, 10),
		"consistency": r.consistency,
	}
	if dc := p.dcLabel(r.dc); dc != "" {
		info["datacenter"] = dc
	}
	if p.opts.Consistency == ConsistencyStale && r.cachedAt.IsZero() {
		info["last_contact"] = r.lastContact.String()
		info["known_leader"] = strconv.FormatBool(r.knownLeader)
	}
	if !r.cachedAt.IsZero() {
		info["source"] = "cache"
		info["cached_at"] = r.cachedAt.UTC().Format(time.RFC3339)
	}
	return info
}
