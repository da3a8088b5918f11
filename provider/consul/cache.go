package consul

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
		c.Data = make(map[string]string, len(r.pairs))
		for _, kv := range r.pairs {
			c.Data[kv.Key] = string(kv.Value)
		}
	} else if r.doc != nil {
		doc := string(r.doc.Value)
		c.Document = &doc
	}
	b, err := json.Marshal(c)
	if err == nil {
		p.cacheMu.Lock()
		err = writeFileAtomic(p.opts.CacheFile, b)
		p.cacheMu.Unlock()
	}
	if err != nil {
		p.logger().Warn("consul: cannot write the cache", "layer", p.name, "error", err.Error())
	}
}

// loadCache returns the cached read as a stale Snapshot.
func (p *Provider) loadCache() (provider.Snapshot, error) {
	b, err := os.ReadFile(p.opts.CacheFile)
	if err != nil {
		return provider.Snapshot{}, p.cacheError(err)
	}
	var c cacheFile
	if err := json.Unmarshal(b, &c); err != nil {
		return provider.Snapshot{}, p.cacheError(errors.New("not a strata consul cache file"))
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
		r.pairs = append(r.pairs, &api.KVPair{Key: k, Value: []byte(v)})
	}
	if c.Document != nil {
		r.doc = &api.KVPair{Key: c.Key, Value: []byte(*c.Document)}
	}
	return p.snapshot(r)
}

func (p *Provider) cacheError(err error) error {
	return &provider.Error{Layer: p.name, Err: fmt.Errorf("consul: cache %s: %w", p.opts.CacheFile, err)}
}

// writeFileAtomic replaces name with data so that a reader sees the old
// file or the new one, never a mix: a temporary file in the same directory,
// mode 0600, synced, then renamed over name.
func writeFileAtomic(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, name); err != nil {
		return err
	}
	// Make the rename itself durable; not every platform can sync a
	// directory, and the data is safe either way.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
