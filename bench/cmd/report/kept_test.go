package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const keptDoc = `# Benchmarks

header

## 1. Reading

old figures

## etcd: the etcd layer

` + keptMarker + `

| keys | p50 |
|---|---|
| 10 | 1 ms |
`

// TestKeptSectionsSurviveRegeneration checks both ways the report writes
// BENCHMARKS.md: a full run appends the marked etcd section verbatim, and
// -only (splice) replaces a numbered section and leaves it alone.
func TestKeptSectionsSurviveRegeneration(t *testing.T) {
	etcd := keptDoc[strings.Index(keptDoc, "## etcd"):]
	tests := []struct {
		name  string
		write func(t *testing.T, path string) string
	}{
		{"full regeneration", func(t *testing.T, path string) string {
			if err := writeKeeping(path, []byte("# Benchmarks\n\nnew header\n\n## 1. Reading\n\nnew figures\n\n")); err != nil {
				t.Fatal(err)
			}
			return read(t, path)
		}},
		{"-only splice", func(t *testing.T, path string) string {
			if err := splice(path, []section{{title: "1. Reading", intro: "new figures"}}); err != nil {
				t.Fatal(err)
			}
			return read(t, path)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
			if err := os.WriteFile(path, []byte(keptDoc), 0o644); err != nil {
				t.Fatal(err)
			}
			got := tt.write(t, path)
			if !strings.Contains(got, etcd) {
				t.Errorf("the etcd section was not kept verbatim:\n%s", got)
			}
			if strings.Contains(got, "old figures") || !strings.Contains(got, "new figures") {
				t.Errorf("the numbered section was not replaced:\n%s", got)
			}
		})
	}
	if got := keptSections("# B\n\n## 1. Reading\n\nx\n"); got != "" {
		t.Errorf("an unmarked section was kept: %q", got)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
