package file_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/strata-go/strata/provider/file"
	"github.com/strata-go/strata/provider/providertest"
)

// conformanceFile is a YAML file whose content a test changes by key. Every
// change is an atomic rename into the watched directory. An outage is the
// path becoming a symlink into another directory where its target does not
// exist yet; the outage ends when the target appears there, which sends
// the watched directory no event, as a server coming back sends none.
type conformanceFile struct {
	t       *testing.T
	dir     string // watched: holds the path
	away    string // holds the symlink's target during an outage
	path    string
	content map[string]string
}

func (f *conformanceFile) yaml() []byte {
	nested := map[string]any{}
	for k, v := range f.content {
		parts := strings.Split(k, ".")
		m := nested
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	b, err := yaml.Marshal(nested)
	require.NoError(f.t, err)
	return b
}

// write replaces the path (file or symlink) with a regular file.
func (f *conformanceFile) write() {
	tmp := filepath.Join(f.dir, ".config.yaml.tmp")
	require.NoError(f.t, os.WriteFile(tmp, f.yaml(), 0o600))
	require.NoError(f.t, os.Rename(tmp, f.path))
}

func (f *conformanceFile) fail() {
	tmp := filepath.Join(f.dir, ".config.yaml.link")
	require.NoError(f.t, os.Symlink(filepath.Join(f.away, "config.yaml"), tmp))
	require.NoError(f.t, os.Rename(tmp, f.path))
}

func (f *conformanceFile) recover() {
	require.NoError(f.t, os.WriteFile(filepath.Join(f.away, "config.yaml"), f.yaml(), 0o600))
}

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		Settle: 300 * time.Millisecond, // 30 debounce periods
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			dir := t.TempDir()
			f := &conformanceFile{t: t, dir: dir, away: t.TempDir(), path: filepath.Join(dir, "config.yaml"), content: maps.Clone(seed)}
			f.write()
			return providertest.Backend{
				Provider: file.New(f.path, file.Options{Debounce: 10 * time.Millisecond}),
				Set:      func(k, v string) { f.content[k] = v; f.write() },
				Delete:   func(k string) { delete(f.content, k); f.write() },
				Fail:     f.fail,
				Recover:  f.recover,
			}
		},
	})
}
