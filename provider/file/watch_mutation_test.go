package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// These tests were written to kill mutants of watch.go and New that every
// other test let live (MUTATION.md). They drive one attempt at a time, or
// run the debounce timer in a testing/synctest bubble, so nothing depends
// on when fsnotify delivers an event or on the wall clock.

// TestScheduleDebouncesAndCapsABurst runs schedule in a synctest bubble
// (no fsnotify watcher is created: its reader goroutine sits in a system
// call and would keep the fake clock from moving). One event waits one
// debounce period, zero or negative Debounce means 100 ms, and a stream of
// events every half period is read after ten periods, not never.
func TestScheduleDebouncesAndCapsABurst(t *testing.T) {
	tests := []struct {
		name     string
		debounce time.Duration
		want     time.Duration
	}{
		{name: "zero Debounce is 100 ms", debounce: 0, want: 100 * time.Millisecond},
		{name: "negative Debounce is 100 ms", debounce: -time.Second, want: 100 * time.Millisecond},
		{name: "Debounce as given", debounce: 10 * time.Millisecond, want: 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWatch(New("unused.yaml", Options{Debounce: tt.debounce}), provider.Snapshot{}, nil)
				defer w.close()

				start := time.Now()
				w.schedule()
				<-w.burst.C
				assert.Equal(t, tt.want, time.Since(start), "one event waits one period")

				// run clears armed when the burst timer fires.
				w.armed = false
				start = time.Now()
				w.schedule()
				for fired := false; !fired; {
					select {
					case <-w.burst.C:
						fired = true
					case <-time.After(tt.want / 2):
						w.schedule() // another event half a period later
					}
				}
				assert.Equal(t, maxWaitFactor*tt.want, time.Since(start), "a stream of events is read after ten periods")
			})
		})
	}
}

// newAttemptsWith is newAttempts with Options.
func newAttemptsWith(t *testing.T, path string, o Options) *attempts {
	t.Helper()
	p := New(path, o)
	snap, err := p.Load(context.Background())
	require.NoError(t, err)
	a := &attempts{}
	a.w = newWatch(p, snap, func(e provider.Event) { a.events = append(a.events, e) })
	t.Cleanup(a.w.close)
	return a
}

// graceArmed reports whether the last attempt started one more debounce
// period (and stops it).
func (a *attempts) graceArmed() bool { return a.w.burst.Stop() }

// TestAttemptGivesAVanishedFileOnePeriod: a file that was there and is not
// is looked at once more one debounce period later (a rename-over save may
// be half done) and only then reported; one that comes back within the
// period emits nothing; a plain change is reported at once.
func TestAttemptGivesAVanishedFileOnePeriod(t *testing.T) {
	for _, optional := range []bool{false, true} {
		name := "required"
		if optional {
			name = "optional"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			require.NoError(t, os.WriteFile(path, []byte("a: 1\n"), 0o600))
			a := newAttemptsWith(t, path, Options{Optional: optional})

			require.NoError(t, os.WriteFile(path, []byte("a: 2\n"), 0o600))
			got, _ := a.attempt(t)
			assert.False(t, a.graceArmed(), "a change is no absence")
			require.Len(t, got, 1, "a change is reported at once")
			require.NotNil(t, got[0].Snapshot)
			assert.Equal(t, map[string]any{"a": 2}, got[0].Snapshot.Data)

			require.NoError(t, os.Remove(path))
			got, retrying := a.attempt(t)
			assert.Empty(t, got, "first look at a vanished file")
			assert.True(t, a.graceArmed(), "one more period")
			assert.False(t, retrying)

			require.NoError(t, os.WriteFile(path, []byte("a: 2\n"), 0o600))
			got, _ = a.attempt(t)
			assert.Empty(t, got, "back unchanged within the period")
			assert.False(t, a.graceArmed())

			require.NoError(t, os.Remove(path))
			got, _ = a.attempt(t)
			assert.Empty(t, got, "first look at a vanished file")
			require.True(t, a.graceArmed())
			got, _ = a.attempt(t)
			require.Len(t, got, 1, "still absent after the period")
			if optional {
				assert.NoError(t, got[0].Err)
				if assert.NotNil(t, got[0].Snapshot) {
					assert.Empty(t, got[0].Snapshot.Data, "an optional file's absence is an empty layer")
				}
			} else {
				assert.ErrorIs(t, got[0].Err, provider.ErrNotFound)
			}
			assert.False(t, a.graceArmed(), "one grace period per absence")
		})
	}
}

// unwatchable makes the directory impossible to watch, as when the
// inotify limits are reached: a closed fsnotify watcher refuses Add.
func (a *attempts) unwatchable(t *testing.T) {
	t.Helper()
	fw, err := fsnotify.NewWatcher()
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	a.w.fw = fw
}

// TestAttemptUnwatchedDirectory: a file Watch cannot watch would never be
// seen to change, so a readable one is an outage (retried) until the
// directory is watched; an optional file that is absent is no outage, but
// the retries still look for the directory.
func TestAttemptUnwatchedDirectory(t *testing.T) {
	t.Run("readable file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.yaml")
		require.NoError(t, os.WriteFile(path, []byte("a: 1\n"), 0o600))
		a := newAttempts(t, path)
		a.unwatchable(t)

		got, retrying := a.attempt(t)
		require.Len(t, got, 1)
		assert.ErrorContains(t, got[0].Err, "cannot watch directory")
		assert.True(t, retrying)
	})
	t.Run("optional file absent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "config.yaml")
		a := newAttemptsWith(t, path, Options{Optional: true})
		a.unwatchable(t)

		got, retrying := a.attempt(t)
		assert.Empty(t, got, "still the empty layer, and no error")
		assert.True(t, retrying)
	})
}

// TestAttemptRetriesWhileTheDirectoryIsGone: an optional file whose
// directory is removed is an empty layer, but no event will say when the
// directory comes back, so Watch keeps retrying until it watches it again.
func TestAttemptRetriesWhileTheDirectoryIsGone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "conf")
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("a: 1\n"), 0o600))
	a := newAttemptsWith(t, path, Options{Optional: true})

	got, retrying := a.attempt(t)
	require.Empty(t, got)
	require.False(t, retrying, "healthy and watched")

	require.NoError(t, os.RemoveAll(dir))
	got, _ = a.attempt(t)
	require.Empty(t, got, "the grace period")
	got, retrying = a.attempt(t)
	require.Len(t, got, 1)
	assert.NoError(t, got[0].Err)
	assert.True(t, retrying, "the directory is not watched")

	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.WriteFile(path, []byte("a: 3\n"), 0o600))
	got, retrying = a.attempt(t)
	require.Len(t, got, 1)
	if assert.NotNil(t, got[0].Snapshot) {
		assert.Equal(t, map[string]any{"a": 3}, got[0].Snapshot.Data)
	}
	assert.False(t, retrying, "watched again")
}

// symlinkedConfig makes dir/config.yaml a symlink to
// dir/data/config.yaml (the Kubernetes ConfigMap layout) and returns the
// link's and the target's paths.
func symlinkedConfig(t *testing.T, dir, content string) (link, target string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data"), 0o700))
	target = filepath.Join(dir, "data", "config.yaml")
	require.NoError(t, os.WriteFile(target, []byte(content), 0o600))
	link = filepath.Join(dir, "config.yaml")
	require.NoError(t, os.Symlink(filepath.Join("data", "config.yaml"), link))
	return link, target
}

// TestEnsureWatchedKeepsTheTargetWatch: re-checking a directory that has
// not changed must not drop the watch on the symlink's target directory
// (an in-place write there before follow re-adds it would be missed).
func TestEnsureWatchedKeepsTheTargetWatch(t *testing.T) {
	link, target := symlinkedConfig(t, t.TempDir(), "a: 1\n")
	a := newAttempts(t, link)
	got, _ := a.attempt(t)
	require.Empty(t, got)
	require.Equal(t, filepath.Dir(target), a.w.target)

	a.w.ensureWatched()
	assert.Equal(t, filepath.Dir(target), a.w.target)
	assert.Contains(t, a.w.fw.WatchList(), filepath.Dir(target))
}

// TestAttemptWatchesTheTargetOfAReplacedDirectory: when the directory is
// replaced by another with the same layout, the target directory inside it
// is a new one too and must be watched anew, though its path is the same.
func TestAttemptWatchesTheTargetOfAReplacedDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "conf")
	link, _ := symlinkedConfig(t, dir, "a: 1\n")
	a := newAttempts(t, link)
	got, _ := a.attempt(t)
	require.Empty(t, got)

	require.NoError(t, os.Rename(dir, filepath.Join(parent, "old")))
	_, target := symlinkedConfig(t, dir, "a: 2\n")
	got, _ = a.attempt(t)
	require.Len(t, got, 1)
	require.NotNil(t, got[0].Snapshot)
	assert.Equal(t, map[string]any{"a": 2}, got[0].Snapshot.Data)

	require.NoError(t, os.WriteFile(target, []byte("a: 3\n"), 0o600))
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-a.w.fw.Events:
			if ev.Name == target {
				return
			}
		case err := <-a.w.fw.Errors:
			t.Fatalf("fsnotify: %v", err)
		case <-deadline:
			t.Fatal("no event for an in-place write to the new target: it is not watched")
		}
	}
}
