package file_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/file"
)

// writeFile writes content to name in dir and returns the full path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		file    string // file name; "" for none (a missing file)
		content string
		opts    file.Options
		want    map[string]any
		lines   map[string]int // leaf key -> expected line
	}{
		{
			name:    "yaml nested",
			file:    "config.yaml",
			content: "listen: \":8080\"\ndb:\n  dsn: postgres://x\n  max_conns: 7\nfeatures: {}\n",
			want: map[string]any{
				"listen":   ":8080",
				"db":       map[string]any{"dsn": "postgres://x", "max_conns": 7},
				"features": map[string]any{},
			},
			lines: map[string]int{"listen": 1, "db.dsn": 3, "db.max_conns": 4, "features": 5},
		},
		{
			name:    "yml with non-string keys below the top",
			file:    "config.yml",
			content: "codes:\n  404: missing\n  true: yes\nlist:\n  - a: 1\n  - 2\n",
			want: map[string]any{
				"codes": map[string]any{"404": "missing", "true": "yes"},
				"list":  []any{map[string]any{"a": 1}, 2},
			},
		},
		{
			name:    "yaml with only comments is an empty layer",
			file:    "config.yaml",
			content: "# nothing yet\n",
			want:    map[string]any{},
		},
		{
			name:    "yaml anchors and merge keys",
			file:    "config.yaml",
			content: "base: &b\n  x: 1\nderived:\n  <<: *b\n  y: 2\n",
			want: map[string]any{
				"base":    map[string]any{"x": 1},
				"derived": map[string]any{"x": 1, "y": 2},
			},
			lines: map[string]int{"base.x": 2, "derived.y": 5},
		},
		{
			name:    "json",
			file:    "config.json",
			content: `{"db": {"max_conns": 7, "hosts": ["a", "b"]}, "debug": true}`,
			want: map[string]any{
				"db":    map[string]any{"max_conns": float64(7), "hosts": []any{"a", "b"}},
				"debug": true,
			},
		},
		{
			name:    "toml",
			file:    "config.toml",
			content: "listen = \":8080\"\n[db]\nmax_conns = 7\n",
			want: map[string]any{
				"listen": ":8080",
				"db":     map[string]any{"max_conns": int64(7)},
			},
		},
		{
			name:    "yaml timestamps become text",
			file:    "config.yaml",
			content: "at: 2024-01-02T10:00:00Z\n",
			want:    map[string]any{"at": "2024-01-02T10:00:00Z"},
		},
		{
			name:    "toml dates and times become text",
			file:    "config.toml",
			content: "day = 2024-01-02\nat = 2024-01-02T10:00:00Z\nlocal = 10:30:00\n",
			want:    map[string]any{"day": "2024-01-02", "at": "2024-01-02T10:00:00Z", "local": "10:30:00"},
		},
		{
			name:    "format option beats the extension",
			file:    "config.conf",
			content: `{"a": "b"}`,
			opts:    file.Options{Format: "JSON"},
			want:    map[string]any{"a": "b"},
		},
		{
			name: "optional and missing",
			opts: file.Options{Optional: true},
			want: map[string]any{},
		},
		{
			name:    "optional and empty",
			file:    "config.yaml",
			content: "\n",
			opts:    file.Options{Optional: true},
			want:    map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "absent.yaml")
			if tt.file != "" {
				path = writeFile(t, dir, tt.file, tt.content)
			}
			p := file.New(path, tt.opts)
			assert.Equal(t, "file "+path, p.Name())

			snap, err := p.Load(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, snap.Data)
			assert.Equal(t, provider.Origin{Kind: "file", Ref: path}, snap.Source)
			assert.False(t, snap.ReadAt.IsZero())
			if tt.file != "" {
				assert.Regexp(t, `^sha256:[0-9a-f]{12}$`, snap.Version)
			} else {
				assert.Equal(t, "absent", snap.Version)
			}
			for key, line := range tt.lines {
				assert.Equal(t, provider.Origin{Kind: "file", Ref: path, Line: line}, snap.OriginOf(key), key)
			}
		})
	}
}

func TestLoadVersionFollowsContent(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "c.yaml", "a: 1\n")
	p := file.New(path, file.Options{})
	s1, err := p.Load(context.Background())
	require.NoError(t, err)
	s2, err := p.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, s1.Version, s2.Version)

	writeFile(t, dir, "c.yaml", "a: 2\n")
	s3, err := p.Load(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, s1.Version, s3.Version)
}

func TestLoadErrors(t *testing.T) {
	big := "k: " + strings.Repeat("x", 100) + "\n"
	tests := []struct {
		name     string
		file     string // written with content unless a directory is wanted
		content  string
		dir      bool // create file as a directory
		subpath  string
		opts     file.Options
		contains []string
		is       error
	}{
		{name: "missing", file: "", contains: []string{"not found"}, is: provider.ErrNotFound},
		{name: "below a regular file", file: "f.yaml", content: "a: 1\n", subpath: "x.yaml", is: provider.ErrNotFound},
		{name: "empty", file: "c.yaml", content: "", contains: []string{"file is empty"}},
		{name: "whitespace only", file: "c.json", content: " \n\t\n", contains: []string{"file is empty"}},
		{name: "directory", file: "c.yaml", dir: true, contains: []string{"is a directory"}},
		{name: "unknown extension", file: "c.ini", content: "a=1", contains: []string{"unknown format", "Options.Format"}},
		{name: "unknown format option", file: "c.yaml", content: "a: 1", opts: file.Options{Format: "hcl"}, contains: []string{`unknown format "hcl"`}},
		{name: "too big", file: "c.yaml", content: big, opts: file.Options{MaxSize: 64}, contains: []string{"larger than 64 bytes", "MaxSize"}},
		{
			name: "yaml syntax", file: "c.yaml",
			content:  "a: 1\nb:\n  c: d: e\n",
			contains: []string{"line 3: mapping values are not allowed in this context"},
		},
		{
			name: "yaml not a mapping, value not quoted", file: "c.yaml",
			content:  "hunter2-secret\n",
			contains: []string{"line 1: cannot unmarshal !!str value into"},
		},
		{
			name: "yaml duplicate key", file: "c.yaml",
			content:  "a: 1\na: 2\n",
			contains: []string{`line 2: mapping key "a" already defined at line 1`},
		},
		{
			name: "json syntax", file: "c.json",
			content:  "{\n  \"a\": 1,\n  \"b\": }\n",
			contains: []string{"line 3: invalid character '}'"},
		},
		{
			name: "json truncated", file: "c.json",
			content:  "{\n  \"a\": 1,\n",
			contains: []string{"line 3: unexpected end of JSON input"},
		},
		{
			name: "json not an object", file: "c.json",
			content:  "\n[1, 2]",
			contains: []string{"line 2: cannot unmarshal array"},
		},
		{
			name: "toml syntax", file: "c.toml",
			content:  "a = 1\n[b]\nc = \n",
			contains: []string{"line 3: "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "absent.yaml")
			switch {
			case tt.dir:
				path = filepath.Join(dir, tt.file)
				require.NoError(t, os.Mkdir(path, 0o700))
			case tt.file != "":
				path = writeFile(t, dir, tt.file, tt.content)
			}
			if tt.subpath != "" {
				path = filepath.Join(path, tt.subpath)
			}
			p := file.New(path, tt.opts)

			_, err := p.Load(context.Background())
			require.Error(t, err)
			t.Log(err)
			var pe *provider.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, p.Name(), pe.Layer)
			assert.True(t, strings.HasPrefix(err.Error(), "file "+path+": "), err.Error())
			for _, c := range tt.contains {
				assert.Contains(t, err.Error(), c)
			}
			assert.NotContains(t, err.Error(), "hunter2")
			reliability.Record(t, "file/bad-input")
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			} else {
				assert.False(t, errors.Is(err, provider.ErrNotFound), "unexpected ErrNotFound: %v", err)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which can read any file; the directory case in TestLoadErrors covers read failures")
	}
	path := writeFile(t, t.TempDir(), "c.yaml", "a: 1\n")
	require.NoError(t, os.Chmod(path, 0))
	_, err := file.New(path, file.Options{}).Load(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, os.ErrPermission)
	assert.Contains(t, err.Error(), "cannot read")
}

func TestLoadCancelled(t *testing.T) {
	path := writeFile(t, t.TempDir(), "c.yaml", "a: 1\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := file.New(path, file.Options{}).Load(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestLoadAliasBomb checks that a "billion laughs" document is refused by
// the YAML library's aliasing guard instead of being expanded.
func TestLoadAliasBomb(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		sb.WriteString(name + ": &" + name + " [")
		for i := range 9 {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("*" + prev)
		}
		sb.WriteString("]\n")
		prev = name
	}
	path := writeFile(t, t.TempDir(), "bomb.yaml", sb.String())

	_, err := file.New(path, file.Options{}).Load(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "excessive aliasing")
	reliability.Record(t, "file/alias-bomb")
}
