package etcd

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/strata-go/strata/provider"
)

// cacheFile is the JSON kept in Options.CacheFile: the last good read of one
// layer, written by provider.WriteCacheFile (atomically, mode 0600: it
// holds values).
type cacheFile struct {
	Prefix    string            `json:"prefix,omitempty"`
	Key       string            `json:"key,omitempty"`
	Revision  string            `json:"revision"`
	Data      map[string]string `json:"data,omitempty"` // etcd key -> value
	WrittenAt time.Time         `json:"written_at"`
}

// writeCache records a good read in CacheFile. A failure is logged, never
// returned: the cache is a fallback, not part of reading.
func (p *Provider) writeCache(r *read) {
	if p.opts.CacheFile == "" || !r.cachedAt.IsZero() {
		return
	}
	c := cacheFile{
		Prefix: p.prefix, Key: p.key,
		Revision:  strconv.FormatInt(r.rev, 10),
		Data:      r.kvs,
		WrittenAt: time.Now().UTC(),
	}
	p.cacheMu.Lock()
	err := provider.WriteCacheFile(p.opts.CacheFile, c)
	p.cacheMu.Unlock()
	if err != nil {
		p.log.Warn("etcd: cannot write the cache", "layer", p.name, "error", err.Error())
	}
}

// loadCache returns the cached read as a stale Snapshot.
func (p *Provider) loadCache() (provider.Snapshot, error) {
	var c cacheFile
	if err := provider.ReadCacheFile(p.opts.CacheFile, &c); err != nil {
		return provider.Snapshot{}, p.cacheError(err)
	}
	if c.Prefix != p.prefix || c.Key != p.key {
		return provider.Snapshot{}, p.cacheError(errors.New("written for another layer"))
	}
	rev, _ := strconv.ParseInt(c.Revision, 10, 64)
	r := &read{rev: rev, kvs: c.Data, cachedAt: c.WrittenAt}
	if r.kvs == nil {
		r.kvs = map[string]string{}
	}
	if r.cachedAt.IsZero() {
		r.cachedAt = time.Unix(0, 0)
	}
	return p.snapshot(r)
}

func (p *Provider) cacheError(err error) error {
	return &provider.Error{Layer: p.name, Err: fmt.Errorf("etcd: cache %s: %w", p.opts.CacheFile, err)}
}
