package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestEnsureWatchedNoticesReplacedDirectory replaces the watched directory
// while no event is read (as when the queue overflowed and the directory's
// own event was lost): the next attempt must watch the new directory, not
// keep the watch on the old one.
func TestEnsureWatchedNoticesReplacedDirectory(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "conf")
	require.NoError(t, os.Mkdir(dir, 0o700))
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("a: 1\n"), 0o600))

	w := newWatch(New(path, Options{}), provider.Snapshot{}, nil)
	t.Cleanup(w.close)
	w.ensureWatched()
	require.NotNil(t, w.dirInfo, "first watch: %v", w.watchErr)

	require.NoError(t, os.Rename(dir, filepath.Join(parent, "old")))
	require.NoError(t, os.Mkdir(dir, 0o700))
	w.ensureWatched()
	require.NotNil(t, w.dirInfo, "second watch: %v", w.watchErr)
	now, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, os.SameFile(now, w.dirInfo), "the new directory is the one watched")

	require.NoError(t, os.WriteFile(path, []byte("a: 2\n"), 0o600))
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.fw.Events:
			if ev.Name == path {
				return
			}
		case err := <-w.fw.Errors:
			t.Fatalf("fsnotify: %v", err)
		case <-deadline:
			t.Fatal("no event for a file written in the new directory: it is not watched")
		}
	}
}

// attempts is a watch driven by hand: each step calls attempt itself, so a
// test knows exactly which reads happened, with no timing involved.
type attempts struct {
	w      *watch
	events []provider.Event
}

func newAttempts(t *testing.T, path string) *attempts {
	t.Helper()
	p := New(path, Options{})
	snap, err := p.Load(context.Background())
	require.NoError(t, err)
	a := &attempts{}
	a.w = newWatch(p, snap, func(e provider.Event) { a.events = append(a.events, e) })
	t.Cleanup(a.w.close)
	return a
}

// attempt runs one attempt and returns the events it emitted and whether
// it left the retry timer armed.
func (a *attempts) attempt(t *testing.T) (events []provider.Event, retrying bool) {
	t.Helper()
	a.events = nil
	require.NoError(t, a.w.attempt(context.Background()))
	return a.events, a.w.retry.Stop()
}

// TestAttemptRetriesOnlyWhileFailing checks what each attempt emits, and
// that only a failing one arms the retry timer: a healthy watch reads on
// events only, a failing one keeps retrying by itself.
func TestAttemptRetriesOnlyWhileFailing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("a: 1\n"), 0o600))
	a := newAttempts(t, path)

	steps := []struct {
		name     string
		content  string
		want     []provider.Event // nil Snapshot.Data: any snapshot is wrong
		failing  bool             // want one error event
		retrying bool
	}{
		{name: "healthy, unchanged", content: "a: 1\n"},
		{name: "broken", content: "a: [\n", failing: true, retrying: true},
		{name: "still broken: one error per outage", content: "a: {\n", retrying: true},
		{name: "fixed, unchanged: a recovery", content: "a: 1\n", want: []provider.Event{{}}},
		{name: "healthy again, unchanged", content: "a: 1\n"},
		{name: "changed", content: "a: 2\n", want: []provider.Event{{Snapshot: &provider.Snapshot{Data: map[string]any{"a": 2}}}}},
	}
	for _, s := range steps {
		require.NoError(t, os.WriteFile(path, []byte(s.content), 0o600))
		got, retrying := a.attempt(t)
		if s.failing {
			require.Len(t, got, 1, s.name)
			assert.Error(t, got[0].Err, s.name)
			assert.Nil(t, got[0].Snapshot, s.name)
		} else {
			require.Len(t, got, len(s.want), s.name)
			for i := range got {
				assert.NoError(t, got[i].Err, s.name)
				if s.want[i].Snapshot == nil {
					assert.Nil(t, got[i].Snapshot, s.name)
				} else if assert.NotNil(t, got[i].Snapshot, s.name) {
					assert.Equal(t, s.want[i].Snapshot.Data, got[i].Snapshot.Data, s.name)
				}
			}
		}
		assert.Equal(t, s.retrying, retrying, "%s: retry timer armed", s.name)
	}
}

// TestAttemptDedupesByContent rewrites the file without changing what it
// holds (a comment, a reformat): no event, though the bytes and so the
// hash differ; then a real change is one snapshot.
func TestAttemptDedupesByContent(t *testing.T) {
	tests := []struct {
		name, file, before, same, after string
		want                            map[string]any
	}{
		{"same bytes", "config.yaml", "a: 1\n", "a: 1\n", "a: 2\n", map[string]any{"a": 2}},
		{"yaml comment below the values", "config.yaml", "a: 1\n", "a: 1\n# note\n", "a: 2\n", map[string]any{"a": 2}},
		{"json reformatted", "config.json", `{"a": 1}`, "{\n  \"a\": 1\n}\n", `{"a": 2}`, map[string]any{"a": float64(2)}},
		{"toml comment", "config.toml", "a = 1\n", "# note\na = 1\n", "a = 2\n", map[string]any{"a": int64(2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			require.NoError(t, os.WriteFile(path, []byte(tt.before), 0o600))
			a := newAttempts(t, path)

			require.NoError(t, os.WriteFile(path, []byte(tt.same), 0o600))
			got, _ := a.attempt(t)
			assert.Empty(t, got, "unchanged content emits nothing")

			require.NoError(t, os.WriteFile(path, []byte(tt.after), 0o600))
			got, _ = a.attempt(t)
			require.Len(t, got, 1)
			require.NotNil(t, got[0].Snapshot)
			assert.Equal(t, tt.want, got[0].Snapshot.Data)
		})
	}
}
