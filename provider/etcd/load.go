package etcd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-go/strata/provider"
)

// read is the layer's keys at one revision, from etcd or from the cache,
// before it becomes a Snapshot.
type read struct {
	rev    int64
	kvs    map[string]string // full key -> value; in document mode at most the Key
	term   uint64
	member uint64

	cachedAt time.Time // non-zero when the keys come from CacheFile
}

// Load reads the layer once, with one linearizable Get at one revision.
// When etcd cannot be reached and CacheFile holds a last good read of this
// layer, that read is returned with Stale set and Info["source"] = "cache";
// a permission, auth, TLS or data error is returned as is. Load returns by
// ctx's deadline or RequestTimeout, whichever is first; errors are
// *provider.Error wrapping *Error.
func (p *Provider) Load(ctx context.Context) (provider.Snapshot, error) {
	if p.initErr != nil {
		return provider.Snapshot{}, p.failClass(ClassInvalidOptions, p.initErr)
	}
	r, err := p.readOnce(ctx)
	if err == nil {
		snap, err := p.snapshot(r)
		if err != nil {
			return provider.Snapshot{}, err
		}
		p.writeCache(r)
		return snap, nil
	}
	if !errClass(err).transient() || p.opts.CacheFile == "" || ctx.Err() != nil {
		return provider.Snapshot{}, err
	}
	snap, cerr := p.loadCache()
	if cerr != nil {
		return provider.Snapshot{}, errors.Join(err, cerr)
	}
	p.log.Warn("etcd: unreachable, using the last-known-good cache",
		"layer", p.name, "endpoints", p.endpoints, "cache", p.opts.CacheFile,
		"cached_at", snap.Info["cached_at"], "error", err.Error())
	return snap, nil
}

// readOnce acquires the client for one read.
func (p *Provider) readOnce(ctx context.Context) (*read, error) {
	c, release, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return p.get(ctx, c)
}

// get sends the layer's single request: a Get of the whole prefix (or of
// the document key), answered at one revision.
func (p *Provider) get(ctx context.Context, c *clientv3.Client) (*read, error) {
	rctx, cancel := context.WithTimeout(ctx, p.opts.RequestTimeout)
	defer cancel()
	var (
		resp *clientv3.GetResponse
		err  error
	)
	if p.key != "" {
		resp, err = c.Get(rctx, p.key)
	} else {
		resp, err = c.Get(rctx, p.prefix, clientv3.WithPrefix())
	}
	if err != nil {
		return nil, p.fail(err)
	}
	r := &read{
		rev:    resp.Header.GetRevision(),
		term:   resp.Header.GetRaftTerm(),
		member: resp.Header.GetMemberId(),
		kvs:    make(map[string]string, len(resp.Kvs)),
	}
	for _, kv := range resp.Kvs {
		if k := string(kv.Key); p.shapes(k) {
			r.kvs[k] = string(kv.Value)
		}
	}
	return r, nil
}

// shapes reports whether key can change the layer's content. Only such
// keys are kept, so that two reads with equal keys are equal content and
// the watcher can compare keys instead of hashing trees.
func (p *Provider) shapes(key string) bool {
	if p.key != "" {
		return key == p.key
	}
	return strings.HasPrefix(key, p.prefix) && !strings.HasSuffix(key, "/")
}

// snapshot turns a read into the layer's Snapshot, or into an invalid-data
// or not-found error naming the layer and key.
func (p *Provider) snapshot(r *read) (provider.Snapshot, error) {
	snap := provider.Snapshot{
		Version: strconv.FormatInt(r.rev, 10),
		Source:  p.source(),
		ReadAt:  time.Now(),
		Stale:   !r.cachedAt.IsZero(),
		Info:    p.info(r),
	}
	if !r.cachedAt.IsZero() {
		snap.ReadAt = r.cachedAt
	}
	doc, found := r.kvs[p.key]
	var err error
	switch {
	case p.key == "":
		snap.Data, snap.Origins, err = buildTree(p.prefix, r.kvs)
		snap.OriginRule = treeRule(p.prefix)
	case !found && p.opts.Optional:
		snap.Data = map[string]any{}
	case !found:
		return provider.Snapshot{}, p.failClass(ClassNotFound, provider.ErrNotFound)
	default:
		snap.Data, err = parseDocument(p.format, []byte(doc))
	}
	if err != nil {
		return provider.Snapshot{}, p.failClass(ClassInvalidData, err)
	}
	return snap, nil
}

func (p *Provider) info(r *read) map[string]string {
	info := map[string]string{"revision": strconv.FormatInt(r.rev, 10)}
	if !r.cachedAt.IsZero() {
		info["source"] = "cache"
		info["cached_at"] = r.cachedAt.UTC().Format(time.RFC3339)
		return info
	}
	info["raft_term"] = strconv.FormatUint(r.term, 10)
	info["member"] = fmt.Sprintf("%x", r.member)
	return info
}
