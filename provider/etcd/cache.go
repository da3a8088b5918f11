package etcd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/strata-go/strata/provider"
)

// cacheFile is the JSON kept in Options.CacheFile: the last good read of one
// layer. It holds values, so it is written with mode 0600.
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
	b, err := json.Marshal(cacheFile{
		Prefix: p.prefix, Key: p.key,
		Revision:  strconv.FormatInt(r.rev, 10),
		Data:      r.kvs,
		WrittenAt: time.Now().UTC(),
	})
	if err == nil {
		p.cacheMu.Lock()
		err = writeFileAtomic(p.opts.CacheFile, b)
		p.cacheMu.Unlock()
	}
	if err != nil {
		p.log.Warn("etcd: cannot write the cache", "layer", p.name, "error", err.Error())
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
		return provider.Snapshot{}, p.cacheError(errors.New("not a strata etcd cache file"))
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

// writeFileAtomic replaces name with data so that a reader sees the old file
// or the new one, never a mix: a temporary file in the same directory, mode
// 0600, synced, then renamed over name.
func writeFileAtomic(name string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
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
	return os.Rename(tmp, name)
}
