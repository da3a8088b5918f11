package etcd

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-go/strata/provider"
)

// errWatchClosed is the cause when the client closes a watch without saying
// why while the Watch's context is still live.
var errWatchClosed = errors.New("the watch channel closed")

// Watch follows the layer until ctx is done, then returns ctx.Err(). It
// implements provider.Watcher; emit is called from Watch's own goroutine
// only. Watch starts no goroutine of its own; the client's (built by the
// Provider) are closed before it returns unless a Load still runs.
//
// It reads the layer at one revision R and watches from R+1 with
// WithRequireLeader, applying each watch response whole (etcd never splits
// one revision's events across responses), so a multi-key transaction is one
// snapshot and one emit. last counts as delivered: its content is not
// re-delivered. Then:
//
//   - a Snapshot is emitted when the content differs from the last delivered;
//   - a compacted revision (ErrCompacted) re-reads from scratch and is not
//     an error, unless the re-read's revision is compacted too: that is
//     reported (ClassWatch) and retried after Backoff, so that aggressive
//     compaction cannot make the watcher spin;
//   - an error is emitted on the first failed attempt (read, probe, or a
//     watch cancelled by the server or by a leader loss) and then only when
//     its kind changes, so an outage is one event rather than one per
//     retry; each failure re-reads from scratch after provider.Backoff, and
//     permission, auth and TLS errors are retried at least
//     min(30 s, Backoff.Max) apart. A malformed document, a key that is both
//     value and folder, or a document key that disappears (not Optional) is
//     an error too, and the last content stays in force;
//   - a recovery (empty Event) is emitted when a read succeeds after errors
//     and the content is unchanged.
//
// These rules are provider.Emitter's, given this layer's notions of equal
// content (data, origins and staleness, not the revision) and of one
// outage (any transient error; otherwise the same error text).
//
// While no event arrives, a count-only read every ProbeInterval checks that
// the cluster answers with a leader: the client re-opens a broken watch
// stream silently, so this is how an outage is seen. A watch whose stream
// does not open within RequestTimeout is an outage too.
func (p *Provider) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	if p.initErr != nil {
		return p.failClass(ClassInvalidOptions, p.initErr)
	}
	w := &watcher{p: p, backoff: p.opts.Backoff}
	w.backoff.Reset()
	w.e = provider.NewEmitter(last, emit)
	w.e.Equal = func(last, next provider.Snapshot) bool {
		return !w.keysChanged && sameContent(last, next)
	}
	w.e.SameOutage = func(prev, err error) bool { return outageKey(prev) == outageKey(err) }
	for {
		err := w.session(ctx)
		if ctx.Err() != nil {
			return ctx.Err() // a cancelled request is no failure
		}
		if h := p.hooks.failed; h != nil {
			h(err)
		}
		if err := provider.Sleep(ctx, w.failed(err)); err != nil {
			return err
		}
	}
}

// watcher is the state of one Watch call, owned by its goroutine.
type watcher struct {
	p *Provider
	// e decides what is emitted: dedupe by content, one error per
	// outage, one recovery.
	e *provider.Emitter
	// kvs are the keys the last delivered content was built from, once
	// known (nil until a read is delivered or found equal to the content
	// Watch started with). A read with the same keys is the same content,
	// found without building, sorting or comparing a tree.
	kvs map[string]string
	// keysChanged is set while a tree-mode read whose keys differ from kvs
	// is handed to the Emitter: its content differs too (a tree is made
	// of its keys), which spares Equal a walk of two large trees on every
	// change.
	keysChanged bool
	backoff     provider.Backoff
}

// session holds one client: it reads, watches, and re-reads after each
// compaction, and returns the error that ended it.
func (w *watcher) session(ctx context.Context) error {
	c, release, err := w.p.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	compacted := false
	for {
		r, err := w.p.get(ctx, c)
		if err != nil {
			return err
		}
		w.succeeded(r)
		if h := w.p.hooks.afterRead; h != nil {
			h(r.rev)
		}
		err = w.follow(ctx, c, r)
		if !errors.Is(err, rpctypes.ErrCompacted) {
			return err
		}
		if compacted {
			// Compacted again between a read and its watch: something
			// compacts faster than we can follow. Back off rather than
			// re-read in a loop.
			return w.p.failClass(ClassWatch,
				fmt.Errorf("revision %d compacted again right after a re-read: %w", r.rev+1, err))
		}
		compacted = true
		w.p.log.Info("etcd: watch revision compacted, re-reading",
			"layer", w.p.name, "from", r.rev+1)
	}
}

// follow watches from r.rev+1 and applies every response to r's keys until
// the watch ends, a probe fails or ctx is done.
func (w *watcher) follow(ctx context.Context, c *clientv3.Client, r *read) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	key, opts := w.p.key, []clientv3.OpOption{clientv3.WithRev(r.rev + 1)}
	if key == "" {
		key, opts = w.p.prefix, append(opts, clientv3.WithPrefix())
	}
	// The client's Watch blocks until a stream to a member is open, and
	// none opens while the cluster is down: bound the wait by
	// RequestTimeout, as a read is bounded, so that an outage beginning
	// between the read and the watch is reported like any other.
	expired := time.AfterFunc(w.p.opts.RequestTimeout, cancel)
	ch := c.Watch(wctx, key, opts...)
	if !expired.Stop() && ctx.Err() == nil {
		return w.p.failClass(ClassUnavailable, fmt.Errorf("no watch stream opened within %s", w.p.opts.RequestTimeout))
	}
	probe := time.NewTimer(w.p.opts.ProbeInterval)
	defer probe.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-probe.C:
			if err := w.probe(ctx, c); err != nil {
				return err
			}
			w.backoff.Reset()
			probe.Reset(w.p.opts.ProbeInterval)
		case resp, ok := <-ch:
			switch err := resp.Err(); {
			case ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, rpctypes.ErrCompacted):
				return err
			case err != nil:
				c := classify(err)
				if c == ClassUnavailable && !errors.Is(err, rpctypes.ErrNoLeader) {
					c = ClassWatch
				}
				return w.p.failClass(c, err)
			case !ok || resp.Canceled:
				return w.p.failClass(ClassWatch, errWatchClosed)
			}
			w.backoff.Reset()
			probe.Reset(w.p.opts.ProbeInterval)
			if len(resp.Events) == 0 {
				continue // created, or a progress notification
			}
			for _, ev := range resp.Events {
				if !w.p.shapes(string(ev.Kv.Key)) {
					continue
				}
				switch ev.Type {
				case mvccpb.Event_PUT:
					r.kvs[string(ev.Kv.Key)] = string(ev.Kv.Value)
				case mvccpb.Event_DELETE:
					delete(r.kvs, string(ev.Kv.Key))
				}
			}
			r.rev, r.term, r.member = resp.Header.GetRevision(), resp.Header.GetRaftTerm(), resp.Header.GetMemberId()
			w.succeeded(r)
		}
	}
}

// probe checks with one linearizable count-only read, which needs a
// leader, that the cluster still answers.
func (w *watcher) probe(ctx context.Context, c *clientv3.Client) error {
	pctx, cancel := context.WithTimeout(ctx, w.p.opts.RequestTimeout)
	defer cancel()
	k := w.p.key
	if k == "" {
		k = w.p.prefix
	}
	_, err := c.Get(pctx, k, clientv3.WithCountOnly())
	if err != nil {
		err = w.p.fail(err)
	}
	if h := w.p.hooks.probed; h != nil {
		h(err)
	}
	return err
}

// succeeded hands a good read to the Emitter. A read whose keys equal
// those of the content last delivered is that content: the Emitter is given
// the last snapshot again, which emits nothing or, after errors, one
// recovery. Any other read becomes a snapshot, which the Emitter compares
// by content (sameContent) with the last one delivered.
func (w *watcher) succeeded(r *read) {
	wasFailing := w.e.Failing()
	if w.kvs != nil && maps.Equal(r.kvs, w.kvs) {
		w.e.Snapshot(w.e.Last())
	} else {
		snap, err := w.p.snapshot(r)
		if err != nil {
			w.report(err) // the last content stays; wait for the next change
			return
		}
		w.keysChanged = w.kvs != nil && w.p.key == ""
		delivered := w.e.Snapshot(snap)
		w.keysChanged = false
		if delivered {
			w.p.writeCache(r)
		}
		w.kvs = maps.Clone(r.kvs)
	}
	if wasFailing {
		w.p.log.Info("etcd: layer recovered", "layer", w.p.name, "endpoints", w.p.endpoints)
	}
}

// sameContent is the Emitter's Equal: the same data, origins and
// staleness, whatever the revision and the member that answered (Version
// and Info). A stale snapshot (from the cache) differs from a fresh one
// with the same data, so that once etcd answers the content is delivered
// again and Status stops calling it stale.
func sameContent(last, next provider.Snapshot) bool {
	last.Info, next.Info = nil, nil
	return provider.SameContent(last, next)
}

// failed reports err and returns how long to wait before the next attempt.
func (w *watcher) failed(err error) time.Duration {
	w.report(err)
	if errClass(err).slow() {
		return w.backoff.NextAtLeast(slowRetry)
	}
	return w.backoff.Next()
}

// report hands err to the Emitter and logs what it emitted.
func (w *watcher) report(err error) {
	wasFailing := w.e.Failing()
	if !w.e.Error(err) {
		return
	}
	msg := "etcd: layer failing"
	if wasFailing {
		msg = "etcd: layer error changed"
	}
	w.p.log.Warn(msg, "layer", w.p.name, "endpoints", w.p.endpoints, "error", err.Error())
}

// outageKey says which errors are one outage (the Emitter's SameOutage):
// a transient error is the same outage however its text varies (the
// probe, a read and a broken watch in turn), while a configuration or data
// error is reported again when its text changes, since each new text is
// something new to fix.
func outageKey(err error) string {
	if errClass(err).transient() {
		return "transient"
	}
	return err.Error()
}
