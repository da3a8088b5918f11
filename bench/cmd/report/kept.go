package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// keptMarker marks a section of BENCHMARKS.md that is measured outside the
// report and pasted in by hand: the etcd layer's figures come from
// `go test -bench` in provider/etcd, a module this one does not import. A
// full regeneration carries each marked section over verbatim, after the
// generated ones; -only replaces numbered sections and never touches it.
const keptMarker = "<!-- kept by bench/cmd/report: measured outside it -->"

// keptSections returns the sections of doc holding keptMarker, each from
// its "## " heading to the next one, in their order, ready to be appended
// to a freshly generated file.
func keptSections(doc string) string {
	var b strings.Builder
	for _, s := range strings.Split(doc, "\n## ")[1:] { // [0] is the header
		if strings.Contains(s, keptMarker) {
			b.WriteString("## " + strings.TrimRight(s, "\n") + "\n\n")
		}
	}
	return b.String()
}

// writeKeeping writes generated to path, followed by the sections of the
// file already there that hold keptMarker.
func writeKeeping(path string, generated []byte) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	doc := append(generated[:len(generated):len(generated)], keptSections(string(old))...)
	return os.WriteFile(path, doc, 0o644)
}
