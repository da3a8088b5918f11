package consul

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
)

// The fuzz targets here call the parsing functions directly: what Consul
// hands back is outside input, and no server is needed to feed it.

// planted is a value that must never appear in an error; its digits,
// planted alone where a number is wanted, are checked too, since numbers
// are what parsers like to quote.
const (
	planted       = "S3CR3T-" + plantedDigits
	plantedDigits = "9081726354"
)

var documentFormats = []string{"yaml", "json", "toml"}

// hostileDocuments are the seeds for FuzzParseDocument: the document is
// prefix + planted + suffix in the format chosen by index (planted is its
// digits alone for the formats' numbers, format+3).
var hostileDocuments = []struct {
	format         int
	prefix, suffix string
}{
	{0, "a:\n  b: ", "\n"},
	{1, `{"a": {"b": "`, `"}}`},
	{2, "[a]\nb = \"", "\"\n"},
	// Malformed around the secret.
	{0, "password: ", ": x\n"},
	{0, "- ", "\n"},
	{1, `{"a": `, `}`},
	{1, `{"a": "`, ``},
	{2, "a = ", "\n"},
	{2, "a = \"", "\n"},
	{2, "a = 1\na = \"", "\"\n"},
	// A secret file read as YAML: a tag, an alias.
	{0, "!", ""},
	{0, "!!", "\n"},
	{0, "a: *", "\n"},
	// Numbers the parsers cannot hold, and NaN.
	{1, `{"pin": 1`, `}`},
	{1, `{"pin": 1e999, "s": "`, `"}`},
	{0, "a: .nan\nb: .inf\nc: ", "\n"},
	{2, "a = nan\nb = -inf\nc = 1e999\nd = '", "'\n"},
	{4, `{"pin": `, `e999}`},
	{4, `{"pin": -`, `}`},
	{5, "pin = ", "e999\n"},
	{5, "pin = ", "99999999999\n"},
	{5, "pin = 0x", "99999999999\n"},
	// Deep nesting, in every way each format allows.
	{0, strings.Repeat("{a: ", 100) + "'", "'" + strings.Repeat("}", 100)},
	{0, strings.Repeat("[", 10001), ""},
	{1, strings.Repeat(`{"a":`, 100) + `"`, `"` + strings.Repeat("}", 100)},
	{1, `{"a":` + strings.Repeat("[", 10001), ""},
	{2, "[" + strings.Repeat("a.", 100) + "b]\nc = '", "'\n"},
	{2, "a = " + strings.Repeat("{a = ", 100) + "'", "'" + strings.Repeat("}", 100)},
	{2, "a = " + strings.Repeat("[", 1000) + "'", "'" + strings.Repeat("]", 1000)},
	{2, strings.Repeat("a.", 1000) + "b = '", "'\n"},
	// An alias bomb, and depth built from aliases.
	{0, yamlBomb() + "z: ", "\n"},
	{0, aliasChain(80) + "z: ", "\n"},
	// Odd bytes.
	{0, "\xff\xfe", "\x00"},
	{1, "\ufeff{\"a\": \"", "\"}"},
	{2, "\x00", ""},
}

// yamlBomb is a "billion laughs" document.
func yamlBomb() string {
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

// FuzzParseDocument feeds documents in every format to document mode's
// parser. It must not panic; it returns either a tree no deeper than
// provider.MaxDepth with string keys throughout, or an error, which must
// not quote the planted value.
func FuzzParseDocument(f *testing.F) {
	for _, d := range hostileDocuments {
		f.Add(uint8(d.format), d.prefix, d.suffix)
	}
	f.Fuzz(func(t *testing.T, format uint8, prefix, suffix string) {
		fm := documentFormats[int(format)%len(documentFormats)]
		value := planted
		if format%6 >= 3 {
			value = plantedDigits
		}
		m, err := parseDocument(fm, []byte(prefix+value+suffix))
		if err != nil {
			if m != nil {
				t.Fatalf("a %s document gave an error and data: %v", fm, err)
			}
			if strings.Contains(err.Error(), plantedDigits) {
				t.Fatalf("the %s error quotes a value: %v", fm, err)
			}
			return
		}
		if m == nil {
			t.Fatalf("a %s document gave neither data nor an error", fm)
		}
		if err := provider.CheckDepth(m); err != nil {
			t.Fatalf("a %s document was accepted too deep: %v", fm, err)
		}
		checkStringKeys(t, m)
	})
}

// checkStringKeys fails the test if any map below v is not a
// map[string]any.
func checkStringKeys(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			checkStringKeys(t, e)
		}
	case []any:
		for _, e := range v {
			checkStringKeys(t, e)
		}
	case map[any]any:
		t.Fatalf("a map with non-string keys: %v", v)
	}
}

// FuzzBuildTree feeds arbitrary keys to tree mode: keys is split on
// newlines into at most 64 keys, each holding a value with the planted
// secret in it. buildTree must not panic; on success every key below the
// prefix that is not a folder is a string leaf at its dotted path, with
// that key as its origin (OriginOf: stored only for a key with a '.'); on failure the error never quotes a value.
func FuzzBuildTree(f *testing.F) {
	f.Add("p/", "p/a\np/b/c\np/b/d", "v")
	f.Add("p/", "p/a\np/a/b", "v")
	f.Add("p/", "p/a/b\np/a", "v")
	f.Add("p/", "p//a\np/a/", "v")
	f.Add("", "a\nb/\n/c\nd//e", "")
	f.Add("p/", "p/"+strings.Repeat("a/", 100)+"b", "deep")
	f.Add("p/", "p/a.b/c\np/a/b.c", "dots")
	f.Add("p/", "p/\xff/\x00\np/a b/ü", "odd")
	f.Add("p/", "q/a\np\np/", "outside")
	f.Fuzz(func(t *testing.T, prefix, keys, value string) {
		names := strings.SplitN(keys, "\n", 64)
		var kvs api.KVPairs
		for i, k := range names {
			kvs = append(kvs, &api.KVPair{Key: k, Value: fmt.Appendf(nil, "%s-%d-%s", planted, i, value)})
		}
		data, origins, err := buildTree(prefix, kvs)
		if err != nil {
			if data != nil || origins != nil {
				t.Fatalf("an error and data: %v", err)
			}
			if strings.Contains(err.Error(), planted) {
				t.Fatalf("the error quotes a value: %v", err)
			}
			return
		}
		// Keys whose segments hold dots ("a.b/c" and "a/b.c") share a
		// dotted key, so only one of them can have its origin there (a
		// gap reported to the owner of tree.go): checked only where the
		// dotted key is unambiguous.
		spell := map[string]int{}
		for _, kv := range kvs {
			spell[strings.ReplaceAll(strings.TrimPrefix(kv.Key, prefix), "/", ".")]++
		}
		for k := range origins {
			if !strings.Contains(k, ".") {
				t.Fatalf("an origin stored for %q, which the rule names", k)
			}
		}
		snap := provider.Snapshot{Data: data, Origins: origins, OriginRule: treeRule(prefix)}
		for _, kv := range kvs {
			if !strings.HasPrefix(kv.Key, prefix) || strings.HasSuffix(kv.Key, "/") {
				continue
			}
			dotted := strings.ReplaceAll(kv.Key[len(prefix):], "/", ".")
			if spell[dotted] > 1 {
				continue
			}
			if got := snap.OriginOf(dotted); got.Ref != kv.Key || got.Kind != originKind {
				t.Fatalf("origin of %q: %+v", dotted, got)
			}
			if v, ok := leafAt(data, strings.Split(kv.Key[len(prefix):], "/")); !ok || v != string(kv.Value) {
				t.Fatalf("value of key %q: %v (found %v)", kv.Key, v, ok)
			}
		}
	})
}

// leafAt returns the value at path in data.
func leafAt(data map[string]any, path []string) (any, bool) {
	for _, seg := range path[:len(path)-1] {
		m, ok := data[seg].(map[string]any)
		if !ok {
			return nil, false
		}
		data = m
	}
	v, ok := data[path[len(path)-1]]
	return v, ok
}

// TestParseDocumentTooDeep checks document mode against provider.MaxDepth
// in each format, including TOML far deeper than the limit, which the
// scan refuses before go-toml spends a second and 150 MiB on it.
func TestParseDocumentTooDeep(t *testing.T) {
	deep := provider.MaxDepth + 1
	for _, tc := range []struct {
		format, doc, where string
	}{
		{"yaml", strings.Repeat("{a: ", deep) + "1" + strings.Repeat("}", deep), "at key a.a"},
		{"yaml", aliasChain(provider.MaxDepth), "at key l63.a.a"},
		{"json", strings.Repeat(`{"a":`, deep) + "1" + strings.Repeat("}", deep), "at key a.a"},
		{"toml", "[" + strings.TrimSuffix(strings.Repeat("a.", deep), ".") + "]\n", "at line 1"},
		{"toml", "a = " + strings.Repeat("{a = ", 100_000) + "1" + strings.Repeat("}", 100_000), "at line 1"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			m, err := parseDocument(tc.format, []byte(tc.doc))
			if err == nil {
				t.Fatalf("accepted content deeper than the limit: %v", provider.CheckDepth(m))
			}
			want := "malformed " + tc.format + " document: nested deeper than 64 levels (provider.MaxDepth) " + tc.where
			if !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("error %q does not start with %q", err, want)
			}
			reliability.Record(t, "consul/deep-document")
		})
	}
}
