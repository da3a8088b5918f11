package strata_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider/file"
)

// aliasBomb expands to 9^9 strings if a parser follows every alias.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(name + ": &" + name + " [")
		for j := range 9 {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	return b.String()
}

// TestBadFileInputIsRejectedWhole feeds each kind of bad input through a
// real file, at Load and as a live edit: the error names the file and the
// key where there is one, the secret never appears, and nothing of the bad
// content is applied.
func TestBadFileInputIsRejectedWhole(t *testing.T) {
	const good = "db:\n  dsn: postgres://good-secret-dsn\n  max_conns: 10\n"
	tests := []struct {
		name, ext, content string
		strict             bool
		want               []string // every one must appear in the error
	}{
		{"malformed yaml", ".yaml", "db: [unclosed\n", false, []string{"config.yaml", "line"}},
		{"malformed json", ".json", `{"db": {"max_conns": }`, false, []string{"config.json"}},
		{"malformed toml", ".toml", "[db\nmax_conns = 1", false, []string{"config.toml"}},
		{"string for an int", ".yaml", "db:\n  dsn: x\n  max_conns: ten\n", false, []string{`db.max_conns: "ten" is not an int`, "config.yaml:3"}},
		{"fails a validate tag", ".yaml", "db:\n  dsn: x\n  max_conns: 9000\n", false, []string{"db.max_conns: must be at most 500, got 9000"}},
		{"unknown key in strict mode", ".yaml", "db:\n  dsn: x\n  max_con: 5\n", true, []string{"db.max_con: unknown key"}},
		{"empty file", ".yaml", "", false, []string{"config.yaml", "empty"}},
		{"alias bomb", ".yaml", aliasBomb(), false, []string{"config.yaml", "alias"}},
		{"secret in a bad document", ".yaml", "db:\n  dsn: postgres://PLANTED-secret\n  max_conns: x\n", false, []string{"db.max_conns"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config"+tt.ext)
			write := func(content string) { require.NoError(t, os.WriteFile(path, []byte(content), 0o600)) }
			opts := strata.Options{Strict: tt.strict}

			write(tt.content)
			_, err := strata.LoadWith[Service](context.Background(), opts, file.New(path, file.Options{}))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "PLANTED-secret")
			reliability.Record(t, "strata/bad-file")

			if tt.ext != ".yaml" {
				return // the live edit below is written as YAML
			}
			errs := errorsOf(&opts)
			write(good)
			cfg := load[Service](t, opts, file.New(path, file.Options{}))
			before := cfg.Get()
			write(tt.content)
			live := receive(t, errs)
			for _, w := range tt.want {
				assert.Contains(t, live.Error(), w)
			}
			assert.NotContains(t, live.Error(), "PLANTED-secret")
			assert.Same(t, before, cfg.Get(), "nothing of the bad content is applied")
			reliability.Record(t, "strata/bad-file-live")
		})
	}
}

// TestUnreadableFileIsAnError uses a directory where a file belongs (the
// tests run as root, which can read any file regardless of its mode).
func TestUnreadableFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.Mkdir(path, 0o700))
	_, err := strata.Load[Service](context.Background(), file.New(path, file.Options{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "config.yaml")
}
