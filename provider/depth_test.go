package provider_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// nestMaps returns {"a": {"a": … {"a": leaf}}} with depth keys on the
// path to leaf.
func nestMaps(depth int, leaf any) map[string]any {
	v := leaf
	for range depth - 1 {
		v = map[string]any{"a": v}
	}
	return map[string]any{"a": v}
}

// aotChain returns n nested arrays of tables, [[a]], [[a.a]], …: the last
// header has n segments but a depth of 2n, as each names a key of the
// previous array's last element.
func aotChain(n int) string {
	var sb strings.Builder
	for k := 1; k <= n; k++ {
		sb.WriteString("[[" + strings.TrimSuffix(strings.Repeat("a.", k), ".") + "]]\n")
	}
	return sb.String()
}

func TestCheckDepth(t *testing.T) {
	cyclic := map[string]any{"x": 1}
	cyclic["self"] = map[string]any{"back": cyclic}

	tests := []struct {
		name string
		data map[string]any
		key  string // the key path in the error; "" for no error
	}{
		{name: "empty", data: map[string]any{}},
		{name: "flat", data: map[string]any{"a": 1, "b": "x", "c": []any{1, 2}}},
		{name: "at the limit", data: nestMaps(provider.MaxDepth, 1)},
		{name: "an empty map at the limit", data: nestMaps(provider.MaxDepth, map[string]any{})},
		{name: "a list of scalars at the limit", data: nestMaps(provider.MaxDepth, []string{"x"})},
		{
			name: "one over the limit",
			data: nestMaps(provider.MaxDepth+1, 1),
			key:  strings.TrimSuffix(strings.Repeat("a.", provider.MaxDepth+1), "."),
		},
		{
			name: "lists count as levels",
			data: nestMaps(provider.MaxDepth-1, []any{[]any{1}}),
			key:  strings.TrimSuffix(strings.Repeat("a.", provider.MaxDepth-1), ".") + "[0][0]",
		},
		{
			name: "YAML's map[any]any counts",
			data: nestMaps(provider.MaxDepth, map[any]any{7: "x"}),
			key:  strings.TrimSuffix(strings.Repeat("a.", provider.MaxDepth), ".") + ".7",
		},
		{
			name: "any map and slice type counts",
			data: nestMaps(provider.MaxDepth-1, []map[string]int{{"n": 1}}),
			key:  strings.TrimSuffix(strings.Repeat("a.", provider.MaxDepth-1), ".") + "[0].n",
		},
		{
			name: "a map that contains itself",
			data: cyclic,
			// 65 segments, shortened.
			key: strings.TrimSuffix(strings.Repeat("self.back.", 20), ".") + "…",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := provider.CheckDepth(tt.data)
			if tt.key == "" {
				assert.NoError(t, err)
				return
			}
			var de *provider.DepthError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.key, de.Key)
			assert.Equal(t, "nested deeper than 64 levels (provider.MaxDepth) at key "+tt.key, err.Error())
		})
	}
}

func TestCheckDepthShortensLongKeys(t *testing.T) {
	long := strings.Repeat("k", 150)
	v := any(1)
	for range provider.MaxDepth + 1 {
		v = map[string]any{long: v}
	}
	err := provider.CheckDepth(v.(map[string]any))
	var de *provider.DepthError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, long+"…", de.Key)
}

// TestCheckDepthSharedMapsAreLinear checks that a map shared by many keys
// is measured once: this one has 2^60 paths, which a walk along every path
// would never finish. The test's deadline, not a duration, catches that.
func TestCheckDepthSharedMapsAreLinear(t *testing.T) {
	shared := func(depth int) map[string]any {
		m := map[string]any{"leaf": 1}
		for range depth - 1 {
			m = map[string]any{"l": m, "r": m}
		}
		return m
	}
	done := make(chan [2]error, 1)
	go func() {
		done <- [2]error{provider.CheckDepth(shared(60)), provider.CheckDepth(shared(provider.MaxDepth + 1))}
	}()
	select {
	case errs := <-done:
		assert.NoError(t, errs[0])
		var de *provider.DepthError
		require.ErrorAs(t, errs[1], &de)
		assert.True(t, strings.HasSuffix(de.Key, ".leaf"), de.Key)
	case <-time.After(time.Minute):
		t.Fatal("CheckDepth walked every path of a shared map")
	}
}

func TestUnmarshal(t *testing.T) {
	toml := ktoml.Parser().Unmarshal
	jsonUnmarshal := func(b []byte) (map[string]any, error) {
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	deep := provider.MaxDepth + 1
	tests := []struct {
		name   string
		format string
		text   string
		parse  func([]byte) (map[string]any, error)
		want   string // the error; "" for none
	}{
		{name: "toml at the limit", format: "toml", parse: toml,
			text: "[" + strings.TrimSuffix(strings.Repeat("a.", provider.MaxDepth-1), ".") + "]\nx = 1\n"},
		{name: "toml header", format: "toml", parse: toml,
			text: "x = 1\n[" + strings.TrimSuffix(strings.Repeat("a.", deep), ".") + "]\n",
			want: "nested deeper than 64 levels (provider.MaxDepth) at line 2"},
		{name: "toml dotted key", format: "toml", parse: toml,
			text: strings.TrimSuffix(strings.Repeat("a.", deep), ".") + " = 1\n",
			want: "at line 1"},
		{name: "toml inline tables", format: "toml", parse: toml,
			text: "a = " + strings.Repeat("{a = ", deep-1) + "1" + strings.Repeat("}", deep-1) + "\n",
			want: "at line 1"},
		{name: "toml arrays", format: "toml", parse: toml,
			text: "a = " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n",
			want: "at line 1"},
		{name: "toml arrays of tables", format: "toml", parse: toml,
			text: aotChain(33), want: "at line 33"},
		{name: "toml brackets in strings do not count", format: "toml", parse: toml,
			text: "a = \"" + strings.Repeat("[", 1000) + "\"\nb = '''\n" + strings.Repeat("{", 1000) + "'''\n"},
		{name: "a parse error comes first", format: "toml", parse: toml,
			text: "a = \n", want: "toml"},
		{name: "json after parsing, with the key", format: "json", parse: jsonUnmarshal,
			text: strings.Repeat(`{"a":`, deep) + "1" + strings.Repeat("}", deep),
			want: "at key " + strings.TrimSuffix(strings.Repeat("a.", deep), ".")},
		{name: "json the parser refuses by itself", format: "json", parse: jsonUnmarshal,
			text: strings.Repeat("[", 20000), want: "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := provider.Unmarshal(tt.format, []byte(tt.text), tt.parse)
			if tt.want == "" {
				require.NoError(t, err)
				assert.NotEmpty(t, m)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, m)
			var de *provider.DepthError
			if strings.Contains(tt.want, "nested") || strings.HasPrefix(tt.want, "at ") {
				assert.True(t, errors.As(err, &de), "want a *DepthError, got %T", err)
			}
		})
	}
}

// BenchmarkUnmarshalDeepTOML shows the scan's worth on 400 KB of nested
// inline tables (100,000 levels): with the scan it is refused after the
// first levels; go-toml alone parses all of it.
func BenchmarkUnmarshalDeepTOML(b *testing.B) {
	const depth = 100_000
	text := []byte("a = " + strings.Repeat("{a = ", depth) + "1" + strings.Repeat("}", depth) + "\n")
	b.Run("scanned", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := provider.Unmarshal("toml", text, ktoml.Parser().Unmarshal); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("go-toml alone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ktoml.Parser().Unmarshal(text); err != nil {
				b.Fatal(err)
			}
		}
	})
}
