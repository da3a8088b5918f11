//go:build unix

package file_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/file"
)

// mkfifo creates a named pipe at path, with no writer.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o600))
}

// releaseFIFO unblocks any reader stuck opening or reading the FIFO at
// path, so that a test of old, hanging code fails instead of leaving a
// goroutine blocked forever: it opens the pipe for writing (which completes
// a blocked open for reading) and closes it at once (which ends a blocked
// read with EOF).
func releaseFIFO(path string) {
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		_ = f.Close()
	}
}

// loadWithin runs p.Load and returns its error, failing the test if Load
// has not returned by the deadline; then it releases the FIFO at fifo so
// that the stuck goroutine can end.
func loadWithin(t *testing.T, p *file.Provider, fifo string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := p.Load(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		for {
			releaseFIFO(fifo)
			select {
			case <-done:
				t.Fatalf("Load did not return within %v: it blocked on the FIFO", wait)
			case <-time.After(wait / 100):
			}
		}
	}
}

func TestLoadRefusesWhatIsNotARegularFile(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string) (path, fifo string)
		contains string
	}{
		{
			name: "named pipe with no writer",
			setup: func(t *testing.T, dir string) (string, string) {
				path := filepath.Join(dir, "config.yaml")
				mkfifo(t, path)
				return path, path
			},
			contains: "is a named pipe, not a regular file",
		},
		{
			name: "symlink to a named pipe",
			setup: func(t *testing.T, dir string) (string, string) {
				fifo := filepath.Join(dir, "pipe")
				mkfifo(t, fifo)
				path := filepath.Join(dir, "config.yaml")
				require.NoError(t, os.Symlink(fifo, path))
				return path, fifo
			},
			contains: "is a named pipe, not a regular file",
		},
		{
			name: "unix socket",
			setup: func(t *testing.T, dir string) (string, string) {
				path := filepath.Join(dir, "config.yaml")
				l, err := net.Listen("unix", path)
				require.NoError(t, err)
				t.Cleanup(func() { l.Close() })
				return path, ""
			},
			contains: "is a socket, not a regular file",
		},
		{
			name: "symlink to /dev/zero",
			setup: func(t *testing.T, dir string) (string, string) {
				if _, err := os.Stat("/dev/zero"); err != nil {
					t.Skip("no /dev/zero:", err)
				}
				path := filepath.Join(dir, "config.yaml")
				require.NoError(t, os.Symlink("/dev/zero", path))
				return path, ""
			},
			contains: "is a device, not a regular file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, fifo := tt.setup(t, t.TempDir())
			p := file.New(path, file.Options{})
			err := loadWithin(t, p, fifo)
			require.Error(t, err)
			t.Log(err)
			var pe *provider.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, p.Name(), pe.Layer)
			assert.Equal(t, "file "+path+": "+tt.contains, err.Error())
			reliability.Record(t, "file/not-regular")
		})
	}
}

// TestLoadSparseFileOverDefaultLimit checks the documented 16 MiB default:
// a file one byte over it is refused from its size, without reading it.
func TestLoadSparseFileOverDefaultLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(16<<20+1))
	require.NoError(t, f.Close())

	_, err = file.New(path, file.Options{}).Load(context.Background())
	require.Error(t, err)
	assert.Equal(t, "file "+path+": file is larger than 16777216 bytes (Options.MaxSize)", err.Error())
	reliability.Record(t, "file/size-limit")
}

func TestLoadThroughSymlinkToRegularFile(t *testing.T) {
	dir := t.TempDir()
	target := writeFile(t, dir, "real.yaml", "a: 1\n")
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.Symlink(target, path))
	snap, err := file.New(path, file.Options{}).Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 1}, snap.Data)
}

// TestWatchFileSwappedForFIFO replaces a watched file with a named pipe
// that nobody writes: the watch reports a layer error, and cancelling it
// (what Close does) returns, checked by watching's cleanup.
func TestWatchFileSwappedForFIFO(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", "a: 1\n")
	_, events := watching(t, file.New(path, file.Options{}))
	// Runs before watching's cleanup cancels the watch: if the watcher is
	// stuck opening the pipe, release it so the test fails rather than
	// hangs. It removes the pipe first so the watcher cannot block again.
	t.Cleanup(func() {
		f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK, 0)
		_ = os.Remove(path)
		if err == nil {
			_ = f.Close()
		}
	})

	tmp := filepath.Join(dir, "config.yaml.tmp")
	mkfifo(t, tmp)
	require.NoError(t, os.Rename(tmp, path))

	e := next(t, events)
	require.Error(t, e.Err)
	assert.Nil(t, e.Snapshot)
	assert.Equal(t, "file "+path+": is a named pipe, not a regular file", e.Err.Error())

	// A regular file again: the watch recovers with the new content.
	replaceFile(t, path, "a: 2\n")
	assert.Equal(t, map[string]any{"a": 2}, nextSnapshot(t, events).Data)
	reliability.Record(t, "file/fifo-watch")
}
