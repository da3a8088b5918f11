package provider

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
)

// WriteCacheFile records v, as JSON, in the file name: the last good read
// of a layer, kept so that the layer can start when its backend cannot be
// reached (a last-known-good cache, as Consul's and etcd's CacheFile).
//
// The file is replaced atomically, so a reader (this process after a
// crash, another one starting) sees the old content or the new, never a
// mix: the JSON goes to a temporary file in the same directory, created
// with mode 0600 because it holds configuration values, which may be
// secrets; it is synced, renamed over name, and the directory is synced
// where the platform allows. On error name is left as it was and no
// temporary file remains.
//
// Concurrent calls for one name are safe for the file (the last rename
// wins) but not ordered: a caller that must keep its latest read last
// serialises its own calls.
func WriteCacheFile(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeFileAtomic(name, b)
}

// ReadCacheFile reads a file written by WriteCacheFile into v, which is
// what WriteCacheFile was given or a pointer to the same type. A missing or
// unreadable file is the error of os.ReadFile (errors.Is(err,
// fs.ErrNotExist) holds for a missing one); content that is not such JSON
// is an error that quotes none of it. A caller checks that the cache was
// written for its own layer (same prefix or key) before using it.
func ReadCacheFile(name string, v any) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if json.Unmarshal(b, v) != nil {
		return errors.New("not a strata cache file")
	}
	return nil
}

// writeFileAtomic replaces name with data as WriteCacheFile describes.
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
