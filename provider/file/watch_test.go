package file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/file"
)

// wait is how long a test waits for an expected event; generous, because
// the machine may be busy. It is a deadline, never a measured duration.
const wait = 10 * time.Second

// watching loads p, starts p.Watch on the result and returns the loaded
// snapshot and the channel of events. Cleanup cancels the watch and checks
// that it returned context.Canceled.
func watching(t *testing.T, p *file.Provider) (provider.Snapshot, <-chan provider.Event) {
	t.Helper()
	snap, err := p.Load(context.Background())
	require.NoError(t, err)
	events := make(chan provider.Event, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Watch(ctx, snap, func(e provider.Event) { events <- e })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, context.Canceled)
		case <-time.After(wait):
			t.Error("Watch did not return after cancel")
		}
	})
	return snap, events
}

// next returns the next event, failing the test after wait.
func next(t *testing.T, events <-chan provider.Event) provider.Event {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(wait):
		t.Fatal("no event within", wait)
		return provider.Event{}
	}
}

// nextSnapshot returns the next event, requiring it to be a snapshot.
func nextSnapshot(t *testing.T, events <-chan provider.Event) provider.Snapshot {
	t.Helper()
	e := next(t, events)
	require.NoError(t, e.Err)
	require.NotNil(t, e.Snapshot, "want a snapshot, got a recovery event")
	return *e.Snapshot
}

// replaceFile writes content to path atomically (a temporary file renamed
// over it), so that no reader sees a half-written file. Tests use it where
// the style of the change is not what they test.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// expectOnly replaces path's content and requires the very next event to be
// the snapshot with want, showing that nothing else was pending.
func expectOnly(t *testing.T, events <-chan provider.Event, path, content string, want map[string]any) {
	t.Helper()
	replaceFile(t, path, content)
	assert.Equal(t, want, nextSnapshot(t, events).Data)
}

// nextSnapshotOfTornWrite is nextSnapshot for a change made by a
// non-atomic write (truncate then write, or delete then create), which a
// read may catch half-done if the machine stalls for a whole debounce
// period between two system calls: such errors are logged and skipped.
func nextSnapshotOfTornWrite(t *testing.T, events <-chan provider.Event) provider.Snapshot {
	t.Helper()
	for {
		e := next(t, events)
		if e.Err != nil && (errors.Is(e.Err, provider.ErrNotFound) || strings.Contains(e.Err.Error(), "file is empty")) {
			t.Logf("skipped an error from a torn write: %v", e.Err)
			continue
		}
		require.NoError(t, e.Err)
		require.NotNil(t, e.Snapshot, "want a snapshot, got a recovery event")
		return *e.Snapshot
	}
}

func TestWatchChangeStyles(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, dir string) string // returns the path to watch
		update func(t *testing.T, dir, path, content string)
		torn   bool // the update is not atomic
	}{
		{
			name:  "in-place write",
			setup: plainFile,
			torn:  true,
			update: func(t *testing.T, _, path, content string) {
				require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			},
		},
		{
			name:  "rename over",
			setup: plainFile,
			update: func(t *testing.T, dir, path, content string) {
				tmp := filepath.Join(dir, ".config.yaml.swp")
				require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
				require.NoError(t, os.Rename(tmp, path))
			},
		},
		{
			name:  "delete and recreate",
			setup: plainFile,
			torn:  true,
			update: func(t *testing.T, _, path, content string) {
				require.NoError(t, os.Remove(path))
				require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			},
		},
		{
			name:   "kubernetes configmap swap",
			setup:  configMap,
			update: swapConfigMap,
		},
		{
			name: "symlink into another directory, target written in place",
			setup: func(t *testing.T, dir string) string {
				target := filepath.Join(t.TempDir(), "real.yaml")
				require.NoError(t, os.WriteFile(target, []byte("v: 0\n"), 0o600))
				link := filepath.Join(dir, "config.yaml")
				require.NoError(t, os.Symlink(target, link))
				return link
			},
			update: func(t *testing.T, _, path, content string) {
				target, err := filepath.EvalSymlinks(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(target, []byte(content), 0o600))
			},
			torn: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			snap, events := watching(t, file.New(path, file.Options{}))
			assert.Equal(t, map[string]any{"v": 0}, snap.Data)
			nextOf := nextSnapshot
			if tt.torn {
				nextOf = nextSnapshotOfTornWrite
			}

			// Twice, to show the watch survives the first change.
			for i := 1; i <= 2; i++ {
				tt.update(t, dir, path, fmt.Sprintf("v: %d\n", i))
				got := nextOf(t, events)
				assert.Equal(t, map[string]any{"v": i}, got.Data)
				assert.NotEqual(t, snap.Version, got.Version)
				snap = got
			}
			// Nothing else was pending: the next change is the next event.
			tt.update(t, dir, path, "v: 3\n")
			assert.Equal(t, map[string]any{"v": 3}, nextOf(t, events).Data)
		})
	}
}

func plainFile(t *testing.T, dir string) string {
	t.Helper()
	return writeFile(t, dir, "config.yaml", "v: 0\n")
}

// configMap lays out dir the way the kubelet does for a ConfigMap volume:
//
//	..2024_01_01_00_00_00.0/config.yaml
//	..data -> ..2024_01_01_00_00_00.0
//	config.yaml -> ..data/config.yaml
func configMap(t *testing.T, dir string) string {
	t.Helper()
	ts := "..2024_01_01_00_00_00.0"
	require.NoError(t, os.Mkdir(filepath.Join(dir, ts), 0o755))
	writeFile(t, filepath.Join(dir, ts), "config.yaml", "v: 0\n")
	require.NoError(t, os.Symlink(ts, filepath.Join(dir, "..data")))
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.Symlink(filepath.Join("..data", "config.yaml"), path))
	return path
}

// swapConfigMap updates a configMap layout as the kubelet does: a new
// timestamped directory, a "..data_tmp" symlink to it renamed over "..data",
// then the old directory removed.
func swapConfigMap(t *testing.T, dir, _, content string) {
	t.Helper()
	old, err := os.Readlink(filepath.Join(dir, "..data"))
	require.NoError(t, err)
	ts, err := os.MkdirTemp(dir, "..2024_")
	require.NoError(t, err)
	writeFile(t, ts, "config.yaml", content)
	tmp := filepath.Join(dir, "..data_tmp")
	require.NoError(t, os.Symlink(filepath.Base(ts), tmp))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "..data")))
	require.NoError(t, os.RemoveAll(filepath.Join(dir, old)))
}

func TestWatchBurstCoalesces(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", "n: 0\n")
	_, events := watching(t, file.New(path, file.Options{}))

	const writes = 50
	for i := 1; i <= writes; i++ {
		require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf("n: %d\n", i)), 0o600))
	}
	var got []provider.Event
	for {
		e := next(t, events)
		got = append(got, e)
		if e.Snapshot != nil && e.Snapshot.Data["n"] == writes {
			break
		}
	}
	assert.Less(t, len(got), writes, "a burst must coalesce")
	t.Logf("%d writes gave %d events", writes, len(got))
}

func TestWatchDeletedKeyIsAbsent(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.json", `{"a": 1, "db": {"host": "h", "port": 5}}`)
	snap, events := watching(t, file.New(path, file.Options{}))
	require.Contains(t, snap.Data["db"], "port")

	replaceFile(t, path, `{"a": 1, "db": {"host": "h"}}`)
	got := nextSnapshot(t, events)
	assert.Equal(t, map[string]any{"a": float64(1), "db": map[string]any{"host": "h"}}, got.Data)
}

func TestWatchErrorsAndRecovery(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", "a: 1\n")
	_, events := watching(t, file.New(path, file.Options{}))

	// A parse error is reported, naming the file and line.
	replaceFile(t, path, "a: 1\nb: c: d\n")
	e := next(t, events)
	require.Error(t, e.Err)
	assert.Nil(t, e.Snapshot)
	assert.Contains(t, e.Err.Error(), "file "+path+": line 2:")

	// Back to the content last delivered: a recovery, not a snapshot.
	replaceFile(t, path, "a: 1\n")
	assert.Equal(t, provider.Event{}, next(t, events))

	// Broken again, then fixed with new content: the snapshot is the
	// recovery.
	replaceFile(t, path, "{")
	require.Error(t, next(t, events).Err)
	expectOnly(t, events, path, "a: 2\n", map[string]any{"a": 2})

	// Deleted for good: after the grace period, not found.
	require.NoError(t, os.Remove(path))
	e = next(t, events)
	assert.ErrorIs(t, e.Err, provider.ErrNotFound)
	expectOnly(t, events, path, "a: 3\n", map[string]any{"a": 3})
}

func TestWatchOptionalFileAppears(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	snap, events := watching(t, file.New(path, file.Options{Optional: true}))
	assert.Empty(t, snap.Data)

	expectOnly(t, events, path, "a = 1\n", map[string]any{"a": int64(1)})

	// Removed again: an empty layer, not an error.
	require.NoError(t, os.Remove(path))
	assert.Equal(t, map[string]any{}, nextSnapshot(t, events).Data)
}

func TestWatchDirectoryComesAndGoes(t *testing.T) {
	sub := filepath.Join(t.TempDir(), "conf")
	require.NoError(t, os.Mkdir(sub, 0o700))
	path := writeFile(t, sub, "config.yaml", "a: 1\n")
	_, events := watching(t, file.New(path, file.Options{}))

	require.NoError(t, os.RemoveAll(sub))
	e := next(t, events)
	assert.ErrorIs(t, e.Err, provider.ErrNotFound)

	// Recreated: found again by the backoff polling, then watched again.
	require.NoError(t, os.Mkdir(sub, 0o700))
	replaceFile(t, path, "a: 2\n")
	for {
		e := next(t, events)
		if e.Err != nil {
			assert.ErrorIs(t, e.Err, provider.ErrNotFound)
			continue
		}
		require.NotNil(t, e.Snapshot)
		assert.Equal(t, map[string]any{"a": 2}, e.Snapshot.Data)
		break
	}
	expectOnly(t, events, path, "a: 3\n", map[string]any{"a": 3})
}

func TestWatchOptionalMissingDirectory(t *testing.T) {
	sub := filepath.Join(t.TempDir(), "later")
	path := filepath.Join(sub, "config.json")
	snap, events := watching(t, file.New(path, file.Options{Optional: true}))
	assert.Empty(t, snap.Data)

	require.NoError(t, os.Mkdir(sub, 0o700))
	replaceFile(t, path, `{"a": "b"}`)
	assert.Equal(t, map[string]any{"a": "b"}, nextSnapshot(t, events).Data)
}

func TestWatchCatchesUpWithLast(t *testing.T) {
	// A stale last snapshot (as after a failed Load) is replaced at once.
	path := writeFile(t, t.TempDir(), "config.yaml", "a: 1\n")
	p := file.New(path, file.Options{})
	events := make(chan provider.Event, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Watch(ctx, provider.Snapshot{}, func(e provider.Event) { events <- e }) }()
	assert.Equal(t, map[string]any{"a": 1}, nextSnapshot(t, events).Data)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}

// TestWatchBusyDirectory checks that a directory that never goes quiet (a
// log file written next to the config) cannot postpone a reload forever.
func TestWatchBusyDirectory(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.yaml", "a: 1\n")
	_, events := watching(t, file.New(path, file.Options{}))

	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		log, err := os.Create(filepath.Join(dir, "app.log"))
		if err != nil {
			return
		}
		defer log.Close()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_, _ = log.WriteString("line\n")
			}
		}
	}()
	defer func() {
		close(stop)
		<-stopped
	}()

	replaceFile(t, path, "a: 2\n")
	assert.Equal(t, map[string]any{"a": 2}, nextSnapshot(t, events).Data)
}
