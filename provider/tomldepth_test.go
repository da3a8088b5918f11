package provider

import (
	"strings"
	"testing"

	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tomlSamples are valid TOML documents, with the depth their parsed
// content has.
var tomlSamples = []struct {
	text  string
	depth int
}{
	{"", 0},
	{"# only a comment\n", 0},
	{"a = 1\n", 1},
	{"a = {}\nb = []\n", 1},
	{"a.b.c = 1\n", 3},
	{"a . b = 1\n", 2},
	{`"a.b" = 1` + "\n", 1},
	{`"a".'b'.c = 1` + "\n", 3},
	{"1.5 = 'x'\n", 2},
	{"[t]\n", 1},
	{"[t]\nx.y = 1\n", 3},
	{"[ t . u ]\nx = 1\n", 3},
	{`["t.u".v]` + "\nx = 1\n", 3},
	{"[[a]]\n", 2},
	{"[[a]]\nx = 1\n[[a]]\ny = {z = 1}\n", 4},
	{"[[a]]\n[[a.b]]\nx = 1\n", 5},
	{"[[a]]\n[a.b]\nx = 1\n", 4},
	{"[a]\n[[a.b]]\nx = 1\n", 4},
	{"a = [1, 2.5, 3e10, inf, nan, true]\n", 2},
	{"a = [[1], [[2]]]\n", 4},
	{"a = [\n  1, # comment [[[\n  [2],\n]\n", 3},
	{"a = [{b = 1}, {c = {d = 2}}]\n", 4},
	{"a = {b.c = 1, d = [1]}\n", 3},
	{"a = \"[[[{{{\"\nb = 'x.y.z'\n", 1},
	{"a = \"\"\"\n[x.y.z]\n\"\"\"\nb = 1\n", 1},
	{"a = '''\n[[x]]\n'''\n", 1},
	{"a = \"\"\"quote \"\" inside\"\"\"\"\nb.c = 1\n", 2},
	{`a = "esc \" [ \\"` + "\nb = 1\n", 1},
	{"a = 1979-05-27T07:32:00Z\nb = 1979-05-27 07:32:00.999\nc = 07:32:00\n", 1},
	{"a = 1 # [x.y.z]\n", 1},
	{"[a] # [b.c.d]\nx = 1\n", 2},
	{"a = \"x\" # \"\nb.c.d = 1\n", 3},
	{"a = \"\"\"\\\n  line\"\"\"\n[b.c]\n", 2},
	{"x = 1\r\n[a.b]\r\ny = 2\r\n", 3},
	// No space between a quoted key and "=": the scan must step past
	// the "=" exactly once (found by mutation testing).
	{`"a"=[[1]]` + "\n", 3},
	// A closed top-level array ends the value: the next line is a key.
	{"a = [1]\nb.c.d = 1\n", 3},
	// A scalar or a comment that ends the text, with no newline after it.
	{"a.b = 1", 2},
	{"a.b = 1 # [x]", 2},
	// An array of tables that is not the first header path named.
	{"[x]\n[[a]]\n[a.b]\nc = 1\n", 4},
	// The same header path written with other spacing.
	{"[[a.b]]\n[ a . b . c ]\nx = 1\n", 5},
	// A multi-line string closed by more than three quotes, then more
	// elements on the same line; and one that ends the text.
	{`a = ["""x"""", [[1]]]` + "\n", 4},
	{`a = """x"""`, 1},
}

// parsedDepth parses text with go-toml and measures the result.
func parsedDepth(t testing.TB, text string) (int, bool) {
	m, err := ktoml.Parser().Unmarshal([]byte(text))
	if err != nil {
		return 0, false
	}
	w := depthWalk{heights: map[container]int{}}
	h, _, ok := w.height(m, 1<<20)
	require.True(t, ok)
	return h, true
}

func TestTOMLDepthMatchesTheParser(t *testing.T) {
	for _, tt := range tomlSamples {
		t.Run(tt.text, func(t *testing.T) {
			parsed, ok := parsedDepth(t, tt.text)
			require.True(t, ok, "sample must be valid TOML")
			require.Equal(t, tt.depth, parsed, "the sample's stated depth")
			got, err := tomlDepth([]byte(tt.text), MaxDepth)
			require.NoError(t, err)
			assert.Equal(t, tt.depth, got)
		})
	}
}

func TestTOMLDepthStopsAtTheLimit(t *testing.T) {
	for _, tt := range tomlSamples {
		if tt.depth == 0 {
			continue
		}
		_, err := tomlDepth([]byte(tt.text), tt.depth-1)
		var de *DepthError
		assert.ErrorAs(t, err, &de, tt.text)
	}
}

// TestTOMLDepthTruncatedText: text cut off anywhere (a header, a string,
// an array) is invalid TOML, which the parser rejects; the scan must only
// not read past its end (found by mutation testing).
func TestTOMLDepthTruncatedText(t *testing.T) {
	for _, text := range []string{"[", "[[", "[a", "a = [", "a = {", "a = \"", "a = \"\"\"", "a = '", "a = \"x\\", "#"} {
		assert.NotPanics(t, func() {
			_, err := tomlDepth([]byte(text), MaxDepth)
			assert.NoError(t, err, text)
		}, text)
	}
}

// FuzzTOMLDepth checks the scan against go-toml: on text go-toml accepts,
// the scan never counts deeper than the parsed content (so it refuses
// nothing valid that CheckDepth would pass) and never less than half of
// it (so what passes the scan is cheap to parse and CheckDepth bounds
// it). On any text it must not panic, and it must stop at the limit.
func FuzzTOMLDepth(f *testing.F) {
	for _, tt := range tomlSamples {
		f.Add(tt.text)
	}
	f.Add("a = " + strings.Repeat("[", 100) + strings.Repeat("]", 100))
	f.Add("a = " + strings.Repeat("{a = ", 100) + "1" + strings.Repeat("}", 100))
	f.Add("[" + strings.Repeat("a.", 100) + "a]")
	f.Add("[[\"a\"]]\n[[a.b]]\n")
	f.Add("a = \"\"\"\n" + strings.Repeat("[", 100))
	f.Add("a = '\n" + strings.Repeat("[", 100))
	f.Fuzz(func(t *testing.T, text string) {
		scanned, err := tomlDepth([]byte(text), 1<<20)
		require.NoError(t, err)
		if _, err := tomlDepth([]byte(text), 8); err == nil && scanned > 8 {
			t.Fatalf("scan passed at limit 8 but saw depth %d", scanned)
		}
		parsed, ok := parsedDepth(t, text)
		if !ok {
			return
		}
		if scanned > parsed {
			t.Fatalf("scan counts %d levels, go-toml parsed %d", scanned, parsed)
		}
		if parsed > 2*scanned {
			t.Fatalf("scan counts %d levels, go-toml parsed %d: more than twice", scanned, parsed)
		}
	})
}
