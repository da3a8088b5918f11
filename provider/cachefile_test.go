package provider_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

type cacheBody struct {
	I   int    `json:"i"`
	Pad string `json:"pad"`
}

// TestWriteCacheFileAtomic rewrites a cache file while a reader keeps
// reading it: every read must see one whole version, and the file ends
// private (0600) with no temporary file left beside it.
func TestWriteCacheFileAtomic(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "cache.json")
	body := func(i int) cacheBody { return cacheBody{I: i, Pad: strings.Repeat("x", 64<<10)} }
	require.NoError(t, provider.WriteCacheFile(name, body(0)))

	stop := make(chan struct{})
	bad := make(chan string, 1)
	done := make(chan int)
	go func() {
		reads := 0
		defer func() { done <- reads }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			var v cacheBody
			err := provider.ReadCacheFile(name, &v)
			reads++
			if err != nil || len(v.Pad) != 64<<10 {
				select {
				case bad <- fmt.Sprintf("read %d bytes of padding: %v", len(v.Pad), err):
				default:
				}
				return
			}
		}
	}()
	for i := 1; i <= 100; i++ {
		require.NoError(t, provider.WriteCacheFile(name, body(i)))
	}
	close(stop)
	reads := <-done
	select {
	case msg := <-bad:
		t.Fatalf("a reader saw a partial file: %s", msg)
	default:
	}
	t.Logf("%d reads during 100 writes", reads)

	var last cacheBody
	require.NoError(t, provider.ReadCacheFile(name, &last))
	assert.Equal(t, 100, last.I)
	fi, err := os.Stat(name)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

func TestWriteCacheFileFails(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "c.json")
	require.NoError(t, provider.WriteCacheFile(name, cacheBody{I: 1}))
	for _, tc := range []struct {
		name string
		path string
		v    any
	}{
		{name: "missing directory", path: filepath.Join(dir, "no", "such", "dir", "c.json"), v: cacheBody{}},
		{name: "value not JSON", path: name, v: func() {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Error(t, provider.WriteCacheFile(tc.path, tc.v))
			var v cacheBody
			require.NoError(t, provider.ReadCacheFile(name, &v))
			assert.Equal(t, 1, v.I, "a failed write leaves the file as it was")
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file left")
		})
	}
}

func TestReadCacheFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		content  *string // nil: no file
		notExist bool
	}{
		{name: "missing", notExist: true},
		{name: "not JSON", content: ptr("password: s3cret\n")},
		{name: "wrong shape", content: ptr(`{"i": "s3cret"}`)},
		{name: "number out of range", content: ptr(`{"i": 1e99999}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if tc.content != nil {
				require.NoError(t, os.WriteFile(name, []byte(*tc.content), 0o600))
			}
			var v cacheBody
			err := provider.ReadCacheFile(name, &v)
			require.Error(t, err)
			assert.Equal(t, tc.notExist, errors.Is(err, fs.ErrNotExist), err.Error())
			assert.NotContains(t, err.Error(), "s3cret")
			assert.NotContains(t, err.Error(), "99999")
		})
	}
}

func ptr(s string) *string { return &s }

// TestWriteCacheFileRenameFails: when the final rename fails (here the
// name is a directory that is not empty), the write is an error and the
// temporary file is removed (found by mutation testing: both the error
// and the clean-up could be dropped without a test noticing).
func TestWriteCacheFileRenameFails(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "c.json")
	require.NoError(t, os.MkdirAll(filepath.Join(name, "inside"), 0o700))

	assert.Error(t, provider.WriteCacheFile(name, cacheBody{I: 1}))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"c.json"}, names, "no temporary file left")
	fi, err := os.Stat(name)
	require.NoError(t, err)
	assert.True(t, fi.IsDir(), "the directory is left as it was")
}
