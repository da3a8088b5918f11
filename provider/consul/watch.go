package consul

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/strata-go/strata/provider"
)

// Watch follows the layer with one blocking query at a time until ctx is
// done, then returns ctx.Err(). It implements provider.Watcher; emit is
// called from Watch's own goroutine only, and Watch starts no goroutine.
//
// last counts as delivered: its Version seeds the index (unless it is
// stale, or from another datacenter, in which case the first read does not
// block) and its content is not re-delivered. A blocking query answered
// with the index it was sent (a snapshot restore, a timeout) is followed
// by a read without an index, and no more than Wait passes between two
// such reads, so an index reset is seen at once after a restore and
// within Wait + Wait/16 when the client is moved to a server with a lower
// index, which would hold a blocking query for its whole wait (rule 12).
// Then:
//
//   - a Snapshot is emitted when the content differs from the last
//     delivered (rule 1), and also when only its staleness or its
//     datacenter changed, since Status must show both;
//   - an error is emitted on the first failed attempt and then only when
//     it changes (for an outage: its class or HTTP status; otherwise its
//     text), so an outage is one event rather than one per retry. While
//     Consul is unreachable, retries are 1 to 2 s apart (Options.Backoff
//     when set), so recovery is quick after an outage of any length;
//     other errors back off from Backoff.Min to Backoff.Max (100 ms to
//     30 s), permission and TLS errors at least min(30 s, Backoff.Max)
//     apart (rule 6). A malformed document, a key that is
//     both value and folder, or a document key that disappears (not
//     Optional, wrapping provider.ErrNotFound) is an error too, and the
//     last content stays in force;
//   - a recovery (empty Event) is emitted when an attempt succeeds after
//     errors and the content is unchanged.
//
// With several Datacenters, a transient failure moves to the next one at
// once (an error is emitted only when a whole round failed), and while not
// on the first, the earlier ones are probed every FailbackInterval.
func (p *Provider) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	if p.initErr != nil {
		return p.failClass("", ClassInvalidOptions, 0, p.initErr)
	}
	defer p.begin()()
	if emit == nil {
		emit = func(provider.Event) {}
	}

	w := p.newWatcher(last, emit)
	for {
		if err := w.pace(ctx); err != nil {
			return err
		}
		r, err := w.fetch(ctx)
		if ctx.Err() != nil {
			return ctx.Err() // rule 10: a cancelled request is no failure
		}
		if err == nil {
			w.succeeded(r)
			continue
		}
		if d := w.failed(err); d > 0 {
			if err := p.retryWait(ctx, d, err); err != nil {
				return err
			}
		}
	}
}

// watcher is the state of one Watch call, owned by its goroutine.
type watcher struct {
	p *Provider

	dc    int    // index into p.dcs
	index uint64 // 0: the next read does not block
	seen  uint64 // the index of the last answer, to log one going back

	// em decides what is delivered (rule 1) and reports an outage once;
	// pending is the read being handed to it, and same whether that read
	// holds em.Last()'s content (shareTree, computed while the new maps
	// were made to share the delivered ones).
	em      *provider.Emitter
	pending *read
	same    bool
	doc     docMemo // document mode: the bytes behind the delivered tree
	// built is em.Last()'s data (tree mode) with its count of leaves, when
	// known: an answer with the same keys is applied to it as a patch
	// (patchTree). Never modified: a new one replaces it.
	built *builtTree

	backoff provider.Backoff // errors other than an outage
	outage  provider.Backoff // Consul unreachable (ClassUnavailable)
	round   int              // datacenters failed over in a row

	lastStart time.Time
	probedAt  time.Time
	plainAt   time.Time // start of the last read without an index (rule 12)
}

func (p *Provider) newWatcher(last provider.Snapshot, emit func(provider.Event)) *watcher {
	w := &watcher{p: p, backoff: p.opts.Backoff, outage: p.opts.Backoff}
	w.em = provider.NewEmitter(last, func(ev provider.Event) {
		if ev.Snapshot != nil {
			// Cached before the callback runs: what was delivered is on
			// disk by the time anyone hears of it.
			w.p.writeCache(w.pending)
		}
		emit(ev)
	})
	w.em.Equal = w.equal
	w.em.SameOutage = func(prev, err error) bool { return outageKey(prev) == outageKey(err) }
	w.backoff.Reset()
	if w.outage == (provider.Backoff{}) {
		w.outage = provider.Backoff{Min: outageRetry, Max: outageRetry}
	}
	if last.Data == nil && last.Version == "" {
		return w
	}
	if b := p.hint.Load(); b != nil && sameMap(b.data, last.Data) {
		w.built = b // last is what Load returned
	}
	w.plainAt = last.ReadAt // Load's read carried no index

	dcName := last.Info["datacenter"]
	sameDC := len(p.opts.Datacenters) == 0
	for i, dc := range p.dcs {
		if dcName != "" && p.dcLabel(dc) == dcName {
			w.dc, sameDC = i, true
			break
		}
	}
	if w.dc > 0 {
		w.probedAt = time.Now()
	}
	// Each datacenter has its own index space, and a stale or cached
	// snapshot's index says nothing about the current one.
	if sameDC && !last.Stale {
		w.index, _ = strconv.ParseUint(last.Version, 10, 64)
		w.seen = w.index
	}
	return w
}

// pace keeps a gap of MinInterval plus up to half of it as jitter between
// the starts of two fetches (rule 8).
func (w *watcher) pace(ctx context.Context) error {
	if !w.lastStart.IsZero() {
		mi := w.p.opts.MinInterval
		gap := mi + rand.N(mi/2+1)
		if d := time.Until(w.lastStart.Add(gap)); d > 0 {
			if err := provider.Sleep(ctx, d); err != nil {
				return err
			}
		}
	}
	w.lastStart = time.Now()
	return ctx.Err()
}

func (w *watcher) succeeded(r *read) {
	w.backoff.Reset() // rule 6
	w.outage.Reset()
	w.round = 0
	if r.index < r.sent {
		// Rule 2: a snapshot restore, or another server answering. Start
		// again from 0 and deliver what that read returns.
		w.p.logger().Info("consul: index went backwards, re-reading",
			"layer", w.p.name, "dc", w.p.dcLabel(r.dc), "from", r.sent, "to", r.index)
		w.index, w.seen = 0, r.index
		return
	}
	if r.index < w.seen {
		// The same, noticed by a read without an index (rule 12 below, or
		// the first read after a failure).
		w.p.logger().Info("consul: index went backwards",
			"layer", w.p.name, "dc", w.p.dcLabel(r.dc), "from", w.seen, "to", r.index)
	}
	w.seen = r.index
	// An index of 0 would make every query return at once; Consul's own
	// guidance is to block on 1 instead.
	w.index = max(r.index, 1)
	if r.sent > 0 && r.index == r.sent {
		// Rule 12: a blocking query answered with the index it was sent
		// either returned early because a snapshot restore abandoned the
		// store (its answer is the pre-restore data), or reached the end
		// of its wait. Either way the next read carries no index: it sees
		// a restored store's lower index at once, and so it does when a
		// server silently behind now answers in this one's place (that
		// server would hold a blocking query on our index for a whole
		// wait). The cost is one request per wait period.
		w.index = 0
	}

	if w.p.key != "" {
		w.reuseDocument(r) // the same bytes as delivered: no parse
	}
	snap, patched := w.patch(r)
	if !patched {
		var err error
		if snap, err = w.p.snapshot(r); err != nil {
			w.report(err) // the index is kept (or reset by rule 12 above)
			return
		}
	}
	prevStale, wasFailing := w.em.Last().Stale, w.em.Failing()
	if wasFailing {
		w.p.logger().Info("consul: layer recovered", "layer", w.p.name, "addr", w.p.addr)
	}
	switch last := w.em.Last(); {
	case patched:
		// patch already made unchanged subtrees the delivered maps.
	case w.p.key != "":
		w.shareDocument(&snap) // the same sharing; a document has no origins
	default:
		// Tree mode: unchanged subtrees become the delivered maps, which
		// also tells whether anything changed, without hashing the tree.
		snap.Data, snap.Origins, w.same = shareSnapshot(last.Data, snap.Data, last.Origins, snap.Origins)
	}
	w.pending = r
	if snap.Stale != prevStale {
		w.p.logger().Warn("consul: staleness changed", "layer", w.p.name,
			"stale", snap.Stale, "last_contact", snap.Info["last_contact"])
	}
	w.em.Snapshot(snap)
	w.pending = nil
	if w.p.key != "" {
		w.rememberDocument(r, snap)
	} else {
		// Delivered, or dropped as holding the same content: either way
		// em.Last()'s data has r's keys and values.
		switch data := w.em.Last().Data; {
		case w.built != nil && sameMap(data, w.built.data):
		case patched && w.built != nil:
			// A patch changes values only: the same leaves.
			w.built = &builtTree{data: data, leaves: w.built.leaves, keyBytes: w.built.keyBytes}
		default:
			w.built = newBuiltTree(w.p.prefix, data)
		}
		w.p.hint.Store(w.built)
	}
}

// patch makes a tree-mode answer with the keys of the last delivered one
// into a snapshot by patching the delivered tree (patchTree): no tree is
// built, and only the maps on a changed value's path are new. It reports
// false when the answer is not such one, for the caller to build it whole.
func (w *watcher) patch(r *read) (provider.Snapshot, bool) {
	last := w.em.Last()
	if w.p.key != "" || w.built == nil || !sameMap(w.built.data, last.Data) {
		return provider.Snapshot{}, false
	}
	data, changed, ok := patchTree(w.p.prefix, last.Data, w.built.leaves, r.list)
	if !ok {
		return provider.Snapshot{}, false
	}
	snap := w.p.snapshotHead(r)
	snap.Data, snap.Origins, w.same = data, last.Origins, len(changed) == 0
	if len(changed) > 0 {
		// The patch knows exactly which values moved: a reload compares
		// those paths, not the whole prefix.
		snap.Delta = &provider.Delta{Base: last.Data, Paths: changed}
	}
	return snap, true
}

// equal is the Emitter's Equal: a snapshot is delivered when its content
// differs from the last one delivered (rule 1), and also when only its
// staleness or its datacenter changed, since Status must show both. The
// index and the rest of Info are not compared: an index moves on writes
// elsewhere that change nothing here.
func (w *watcher) equal(last, next provider.Snapshot) bool {
	return w.same && last.Stale == next.Stale &&
		last.Info["datacenter"] == next.Info["datacenter"]
}

// outageRetry bounds the delay between retries while Consul cannot be
// reached and Options.Backoff is zero: each delay is drawn from
// [outageRetry/2, outageRetry], so a failing watcher sends at most one
// request a second, and the first change after Consul answers again is
// seen within about outageRetry (rule 6: backoff must not make recovery
// slow). Chosen from the measurements in BENCHMARKS.md, "Recovery after an
// outage". Growing further would only delay recovery: a request a second
// costs a Consul agent nothing it notices.
const outageRetry = 2 * time.Second

// failed handles a failed request and returns how long to wait before the
// next one.
func (w *watcher) failed(err error) time.Duration {
	// After a failure the server's index may have gone backwards while we
	// could not see it (a restarted or re-created server, a restore). A
	// blocking query on the old index would then be held for the whole
	// Wait before Consul answers with the lower one (rule 2), so the next
	// read does not block. The content comparison still keeps unchanged data from
	// being delivered again (rule 6); the cost is one non-blocking read per
	// outage.
	w.index = 0
	if w.failover(err) {
		return 0
	}
	w.report(err)
	c := errClass(err)
	if c.transient() {
		return w.outage.Next()
	}
	if c == ClassPermission || c == ClassTLS {
		// Configuration errors are retried slowly (rule 6).
		return w.backoff.NextAtLeast(slowRetry)
	}
	return w.backoff.Next()
}

// report hands err to the Emitter, which emits it unless the same kind of
// error is already reported (outageKey), and logs what it emitted.
func (w *watcher) report(err error) {
	wasFailing := w.em.Failing()
	if !w.em.Error(err) {
		return
	}
	msg := "consul: layer failing"
	if wasFailing {
		msg = "consul: layer error changed"
	}
	w.p.logger().Warn(msg, "layer", w.p.name, "addr", w.p.addr, "error", err.Error())
}

// outageKey identifies an error for SameOutage. An outage is one event
// however its text varies (datacenter, URL): its class and HTTP status
// name it. A configuration or data error is reported again when its text
// changes, since each new text is something new to fix.
func outageKey(err error) string {
	if e := (*Error)(nil); errors.As(err, &e) && (e.Class == ClassUnavailable || e.Class == ClassRateLimited) {
		return fmt.Sprint(e.Class, "|", e.Status)
	}
	return err.Error()
}
