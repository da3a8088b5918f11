package file

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-go/strata/provider"
)

// The fuzz targets feed each format's parse path (the parser, the depth
// bound, normalisation and, for YAML, key lines) with text around a planted
// value. Their seeds, which run as ordinary tests, are the hostile cases.

// planted is a value that must never appear in an error; its digits alone
// are checked too, since numbers are what parsers like to quote.
const (
	planted       = "S3CR3T-" + plantedDigits
	plantedDigits = "9081726354"
)

func FuzzYAML(f *testing.F) {
	seeds := [][2]string{
		{"a:\n  b: ", "\n"},
		{"password: ", ": x\n"},
		{"- ", "\n"},
		{"a: !!int ", "\n"},
		{"a: !!binary ", "\n"},
		{"a: &x ", "\nb: *x\nc: *y\n"},
		{"a: .nan\nb: -.inf\nc: ", "e999\n"},
		{"a: ", strings.Repeat("x", 8<<10) + "\n"},
		{strings.Repeat("{a: ", 100), strings.Repeat("}", 100)},
		{strings.Repeat("[", 10001), ""},
		{blockNest(100) + "x: ", "\n"},
		{aliasBomb() + "z: ", "\n"},
		{aliasChain(80) + "z: ", "\n"},
		{"a: 1\na: ", "\n"},
		{"? [a, b]\n: ", "\n"},
		{"1: x\ntrue: y\n~: ", "\n"},
		{"\ufeffa: ", "\n"},
		{"a: \"\\", "\"\n"},
		{"\xff\xfe", "\x00"},
		{"%YAML 1.1\n---\na: ", "\n...\n---\nb: 1\n"},
	}
	fuzzFormat(f, "yaml", seeds)
}

func FuzzJSON(f *testing.F) {
	seeds := [][2]string{
		{`{"a": {"b": "`, `"}}`},
		{`{"a": `, `}`},
		{`{"pin": `, `e999}`},
		{`{"pin": -`, `}`},
		{`{"a": "`, ``},
		{`{"a": NaN, "b": "`, `"}`},
		{`{"a": "`, strings.Repeat("x", 8<<10) + `"}`},
		{strings.Repeat(`{"a":`, 100) + `"`, `"` + strings.Repeat("}", 100)},
		{`{"a":` + strings.Repeat("[", 10001), ""},
		{`{"a": 1, "a": "`, `"}`},
		{`["`, `"]`},
		{"\ufeff{\"a\": \"", "\"}"},
		{`{"a": "\u`, `"}`},
		{`{"a": "`, "\"}\n{}"},
	}
	fuzzFormat(f, "json", seeds)
}

func FuzzTOML(f *testing.F) {
	seeds := [][2]string{
		{"[a]\nb = \"", "\"\n"},
		{"a = ", "\n"},
		{"a = ", "e999\n"},
		{"a = 0x", "99999999999\n"},
		{"a = \"", "\n"},
		{"a = 1\na = \"", "\"\n"},
		{"a = nan\nb = -inf\nc = '", "'\n"},
		{"a = '", strings.Repeat("x", 8<<10) + "'\n"},
		{"[" + strings.Repeat("a.", 100) + "b]\nc = '", "'\n"},
		{"a = " + strings.Repeat("{a = ", 100) + "'", "'" + strings.Repeat("}", 100)},
		{"a = " + strings.Repeat("[", 1000) + "'", "'" + strings.Repeat("]", 1000)},
		{strings.Repeat("a.", 1000) + "b = '", "'\n"},
		{aotChain(40) + "x = '", "'\n"},
		{"a = \"\"\"\n", "\n\"\"\"\n"},
		{"a = 1979-05-27T07:32:00Z\nb = '", "'\n"},
		{"a = 1979-13-99", "\n"},
		{"\"a.b\" = '", "'\n"},
		{"a = \"\\u", "\"\n"},
		{"\x00", ""},
	}
	fuzzFormat(f, "toml", seeds)
}

// fuzzFormat runs the shared invariants: parse never panics; it returns a
// *syntaxError or a *provider.DepthError that does not quote the planted
// value, or content no deeper than provider.MaxDepth whose maps are all
// map[string]any and, for YAML, whose key lines are real lines.
func fuzzFormat(f *testing.F, format string, seeds [][2]string) {
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, prefix, suffix string) {
		text := prefix + planted + suffix
		data, origins, err := parse(format, "c."+format, []byte(text))
		if err != nil {
			var se *syntaxError
			var de *provider.DepthError
			if !errors.As(err, &se) && !errors.As(err, &de) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if strings.Contains(err.Error(), plantedDigits) {
				t.Fatalf("the error quotes a value: %v", err)
			}
			return
		}
		if err := provider.CheckDepth(data); err != nil {
			t.Fatalf("accepted too deep: %v", err)
		}
		checkMaps(t, data)
		// YAML breaks lines at \r, NEL, LS and PS too: an upper bound.
		lines := 1
		for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
			lines += strings.Count(text, br)
		}
		for key, o := range origins {
			if o.Ref != "c."+format || o.Line < 1 || o.Line > lines {
				t.Fatalf("origin of %q: %+v (text has %d lines)", key, o, lines)
			}
		}
	})
}

// checkMaps fails the test for any map below v that is not a
// map[string]any, or any leaf that is not a snapshot's kind of value.
func checkMaps(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			checkMaps(t, e)
		}
	case []any:
		for _, e := range v {
			checkMaps(t, e)
		}
	case nil, string, bool, int, int64, uint64, float64:
	default:
		t.Fatalf("a value of type %T: %v", v, v)
	}
}

// blockNest nests n mappings in block style, each indented one more.
func blockNest(n int) string {
	var sb strings.Builder
	for i := range n {
		sb.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return sb.String() + strings.Repeat(" ", n)
}

// aliasBomb is a "billion laughs" document.
func aliasBomb() string {
	var sb strings.Builder
	sb.WriteString("a: &a [x,x,x,x,x,x,x,x,x]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		sb.WriteString(name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
		prev = name
	}
	return sb.String()
}

// aliasChain nests n levels through aliases, one per line.
func aliasChain(n int) string {
	var sb strings.Builder
	sb.WriteString("l0: &l0 {x: 1}\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "l%d: &l%d {a: *l%d}\n", i, i, i-1)
	}
	return sb.String()
}

// aotChain declares n nested arrays of tables, [[a]], [[a.a]], …
func aotChain(n int) string {
	var sb strings.Builder
	for k := 1; k <= n; k++ {
		sb.WriteString("[[" + strings.TrimSuffix(strings.Repeat("a.", k), ".") + "]]\n")
	}
	return sb.String()
}
