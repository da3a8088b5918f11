package file_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/file"
)

// aKey is the dotted key a.a.….a with n segments.
func aKey(n int) string { return strings.TrimSuffix(strings.Repeat("a.", n), ".") }

// yamlAliasChain nests through aliases: each line is one level deeper than
// the one before, though no line is deep itself. The deepest key is
// l<n-1>.a.….a.x, with n+1 segments.
func yamlAliasChain(n int) string {
	var sb strings.Builder
	sb.WriteString("l0: &l0 {x: 1}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "l%d: &l%d {a: *l%d}\n", i, i, i-1)
	}
	return sb.String()
}

// TestLoadTooDeep checks every format against provider.MaxDepth: content
// at the limit loads, one level more is refused naming the layer and the
// key path or line, and TOML far deeper than the limit (which go-toml would
// spend a second and 150 MiB parsing) is refused by the scan before it.
func TestLoadTooDeep(t *testing.T) {
	const limit = provider.MaxDepth
	tests := []struct {
		name    string
		file    string
		content string
		want    string // the error after the layer name; "" for none
	}{
		{name: "yaml at the limit", file: "c.yaml", content: strings.Repeat("{a: ", limit) + "1" + strings.Repeat("}", limit)},
		{name: "yaml", file: "c.yaml", content: strings.Repeat("{a: ", limit+1) + "1" + strings.Repeat("}", limit+1),
			want: "at key " + aKey(limit+1)},
		{name: "yaml block style", file: "c.yaml", content: blockYAML(limit + 1),
			want: "at key " + aKey(limit+1)},
		{name: "yaml through aliases", file: "c.yaml", content: yamlAliasChain(limit),
			want: "at key l" + fmt.Sprint(limit-1) + "." + aKey(limit-1) + ".x"},
		{name: "json at the limit", file: "c.json", content: strings.Repeat(`{"a":`, limit) + "1" + strings.Repeat("}", limit)},
		{name: "json", file: "c.json", content: `{"a":` + strings.Repeat("[", limit+1) + strings.Repeat("]", limit+1) + "}",
			want: "at key a" + strings.Repeat("[0]", limit)},
		{name: "toml at the limit", file: "c.toml", content: "[" + aKey(limit-1) + "]\nx = 1\n"},
		{name: "toml header", file: "c.toml", content: "x = 1\n[" + aKey(limit+1) + "]\n",
			want: "at line 2"},
		{name: "toml 100,000 inline tables", file: "c.toml",
			content: "a = " + strings.Repeat("{a = ", 100_000) + "1" + strings.Repeat("}", 100_000) + "\n",
			want:    "at line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tt.file, tt.content)
			p := file.New(path, file.Options{})
			_, err := p.Load(context.Background())
			if tt.want == "" {
				require.NoError(t, err)
				reliability.Record(t, "file/deep")
				return
			}
			require.Error(t, err)
			assert.Equal(t, p.Name()+": nested deeper than 64 levels (provider.MaxDepth) "+tt.want, err.Error())
			var de *provider.DepthError
			assert.ErrorAs(t, err, &de)
			reliability.Record(t, "file/deep")
		})
	}
}

// blockYAML nests n mappings in block style, each indented one more.
func blockYAML(n int) string {
	var sb strings.Builder
	for i := range n {
		sb.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	sb.WriteString(strings.Repeat(" ", n) + "b: 1\n")
	return sb.String()
}
