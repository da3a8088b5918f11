package consul

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// cacheFile is the JSON kept in Options.CacheFile: the last good read of
// one layer. It holds values, so it is written with mode 0600.
type cacheFile struct {
	Prefix     string            `json:"prefix,omitempty"`
	Key        string            `json:"key,omitempty"`
	Version    string            `json:"version"`
	Datacenter string            `json:"datacenter,omitempty"`
	Data       map[string]string `json:"data,omitempty"`     // tree mode: Consul key -> value
	Document   *string           `json:"document,omitempty"` // document mode; nil when the key was missing
	WrittenAt  time.Time         `json:"written_at"`
}

// writeCache records a good read in CacheFile. A failure is logged, never
// returned: the cache is a fallback, not part of reading.
func (p *Provider) writeCache(r *read) {
	if p.opts.CacheFile == "" || r.stale || !r.cachedAt.IsZero() {
		return
	}
	c := cacheFile{
		Prefix: p.prefix, Key: p.key,
		Version:    strconv.FormatUint(r.index, 10),
		Datacenter: r.dc,
		WrittenAt:  time.Now().UTC(),
	}
	if p.key == "" {
		c.Data = make(map[string]string, r.list.Len())
		for i, k := range r.list.keys {
			if k != "" {
				c.Data[k] = r.list.vals[i]
			}
		}
	} else if r.doc != nil {
		doc := string(r.doc.Value)
		c.Document = &doc
	}
	p.cacheMu.Lock()
	err := provider.WriteCacheFile(p.opts.CacheFile, c)
	p.cacheMu.Unlock()
	if err != nil {
		p.logger().Warn("consul: cannot write the cache", "layer", p.name, "error", err.Error())
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
	index, _ := strconv.ParseUint(c.Version, 10, 64)
	r := &read{dc: c.Datacenter, index: index, consistency: "cache", cachedAt: c.WrittenAt}
	if r.cachedAt.IsZero() {
		r.cachedAt = time.Unix(0, 0)
	}
	for k, v := range c.Data {
		r.list.keys, r.list.vals = append(r.list.keys, k), append(r.list.vals, v)
	}
	if c.Document != nil {
		r.doc = &api.KVPair{Key: c.Key, Value: []byte(*c.Document)}
	}
	return p.snapshot(r)
}

func (p *Provider) cacheError(err error) error {
	return &provider.Error{Layer: p.name, Err: fmt.Errorf("consul: cache %s: %w", p.opts.CacheFile, err)}
}
