package file_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/file"
)

// TestWatchRetriesWithoutEvents ends an outage in a way that sends the
// watched directory no event: the path is a symlink into another directory
// and its target appears there. Only the watcher's own retries can notice.
func TestWatchRetriesWithoutEvents(t *testing.T) {
	tests := []struct {
		name    string
		target  func(away string) string // where the link points
		content string                   // what appears there
		want    provider.Event           // the event that ends the outage
	}{
		{
			name:    "target file created, content unchanged",
			target:  func(away string) string { return filepath.Join(away, "config.yaml") },
			content: "a: 1\n",
			want:    provider.Event{}, // a recovery
		},
		{
			name:    "target file created, new content",
			target:  func(away string) string { return filepath.Join(away, "config.yaml") },
			content: "a: 2\n",
			want:    provider.Event{Snapshot: &provider.Snapshot{Data: map[string]any{"a": 2}}},
		},
		{
			name:    "target directory created",
			target:  func(away string) string { return filepath.Join(away, "later", "config.yaml") },
			content: "a: 1\n",
			want:    provider.Event{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, away := t.TempDir(), t.TempDir()
			path := writeFile(t, dir, "config.yaml", "a: 1\n")
			_, events := watching(t, file.New(path, file.Options{Debounce: 10 * time.Millisecond}))

			// The outage: the path becomes a dangling symlink.
			target := tt.target(away)
			link := filepath.Join(dir, ".config.yaml.link")
			require.NoError(t, os.Symlink(target, link))
			require.NoError(t, os.Rename(link, path))
			e := next(t, events)
			require.ErrorIs(t, e.Err, provider.ErrNotFound)

			// Its end, with no event in dir: the target appears elsewhere.
			require.NoError(t, os.MkdirAll(filepath.Dir(target), 0o700))
			require.NoError(t, os.WriteFile(target, []byte(tt.content), 0o600))
			e = next(t, events)
			require.NoError(t, e.Err, "one outage is one error, not one per retry")
			if tt.want.Snapshot == nil {
				assert.Nil(t, e.Snapshot, "content unchanged: a recovery event, not the content again")
			} else {
				require.NotNil(t, e.Snapshot)
				assert.Equal(t, tt.want.Snapshot.Data, e.Snapshot.Data)
			}

			// Healthy again, and still watched: a change through the
			// link's target is the next event.
			require.NoError(t, os.WriteFile(target, []byte("a: 3\n"), 0o600))
			assert.Equal(t, map[string]any{"a": 3}, nextSnapshotOfTornWrite(t, events).Data)
			reliability.Record(t, "file/retry")
		})
	}
}
