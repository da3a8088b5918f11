package provider

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTOMLDepthErrorLine: the line a DepthError names counts the lines
// inside multi-line strings, including a basic string's escaped newlines,
// which the scan steps over two bytes at a time (found by mutation
// testing: no test read the line).
func TestTOMLDepthErrorLine(t *testing.T) {
	text := `a = """\` + "\n" + `  x \` + "\n" + `  y"""` + "\n" + // lines 1-3
		"b = '''\nm\n'''\n" + // lines 4-6
		`c = "one line \" ["` + "\n" + // line 7
		"d = " + strings.Repeat("[", MaxDepth+1) + "\n" // line 8
	_, err := tomlDepth([]byte(text), MaxDepth)
	var de *DepthError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 8, de.Line)
	assert.Empty(t, de.Key)
	_, ok := parsedDepth(t, strings.TrimSuffix(text, "d = "+strings.Repeat("[", MaxDepth+1)+"\n"))
	assert.True(t, ok, "lines 1-7 are valid TOML")
}
