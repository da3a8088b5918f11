package provider_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

func TestDocumentFormat(t *testing.T) {
	for _, tc := range []struct {
		name, format, want string
		err                string
	}{
		{name: "a.yaml", want: "yaml"},
		{name: "a.yml", want: "yaml"},
		{name: "a.JSON", want: "json"},
		{name: "a/b.toml", want: "toml"},
		{name: "a", format: "YAML", want: "yaml"},
		{name: "a.json", format: ".toml", want: "toml"},
		{name: "a.json", format: "yml", want: "yaml"},
		{name: "a", err: `document "a" has no extension: set Format`},
		{name: "a.ini", err: `unknown document format "ini"`},
		{name: "a.yaml", format: "xml", err: `unknown document format "xml"`},
	} {
		got, err := provider.DocumentFormat(tc.name, tc.format)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, "%s %s", tc.name, tc.format)
			continue
		}
		require.NoError(t, err, "%s %s", tc.name, tc.format)
		assert.Equal(t, tc.want, got, "%s %s", tc.name, tc.format)
	}
}

func TestParseDocument(t *testing.T) {
	parsers := map[string]func([]byte) (map[string]any, error){
		"yaml": kyaml.Parser().Unmarshal,
		"json": kjson.Parser().Unmarshal,
		"toml": ktoml.Parser().Unmarshal,
	}
	deep := provider.MaxDepth + 1
	for _, tc := range []struct {
		name, format, doc string
		want              map[string]any
		depth             bool   // want a *provider.DepthError
		err               string // want an error containing this
		hidden            string // which must not contain this
	}{
		{name: "blank", format: "json", doc: " \n\t", want: map[string]any{}},
		{name: "yaml null", format: "yaml", doc: "~\n", want: map[string]any{}},
		{name: "non-string keys", format: "yaml", doc: "a:\n  1: x\n  true: y\nl:\n  - 2: z\n",
			want: map[string]any{"a": map[string]any{"1": "x", "true": "y"}, "l": []any{map[string]any{"2": "z"}}}},
		{name: "toml local date", format: "toml", doc: "[a]\nd = 1979-05-27\n",
			want: map[string]any{"a": map[string]any{"d": "1979-05-27"}}},
		{name: "toml date-time", format: "toml", doc: "t = 1979-05-27T07:32:00Z\n",
			want: map[string]any{"t": time.Date(1979, 5, 27, 7, 32, 0, 0, time.UTC).Format(time.RFC3339)}},
		{name: "json too deep", format: "json", doc: strings.Repeat(`{"a":`, deep) + "1" + strings.Repeat("}", deep), depth: true},
		{name: "toml too deep", format: "toml", doc: "[" + strings.TrimSuffix(strings.Repeat("a.", deep), ".") + "]\n", depth: true},
		{name: "yaml tag", format: "yaml", doc: "!hunter2 x\n", err: "cannot unmarshal", hidden: "hunter2"},
		{name: "yaml scalar", format: "yaml", doc: "topsecret", err: "cannot unmarshal", hidden: "topsecret"},
		{name: "json number", format: "json", doc: `{"pin": 1e99999}`, err: "cannot unmarshal number", hidden: "99999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := provider.ParseDocument(tc.format, []byte(tc.doc), parsers[tc.format])
			switch {
			case tc.depth:
				var de *provider.DepthError
				assert.ErrorAs(t, err, &de)
			case tc.err != "":
				require.Error(t, err)
				assert.ErrorContains(t, err, tc.err)
				assert.NotContains(t, err.Error(), tc.hidden)
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
			}
		})
	}
}

// TestParseDocumentCopiesOnlyWhatChanges checks that normalising copies
// the maps and lists that change and nothing else, and never writes into
// what the parser returned: a JSON document comes back as parsed, and a
// YAML one shares its untouched subtrees with the parser's tree.
func TestParseDocumentCopiesOnlyWhatChanges(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		parsed  func() map[string]any // what the parser returns, built anew on each call
		want    map[string]any
		same    bool     // the result is the parser's own map
		shared  []string // top-level keys whose map the result shares with the parser's
		changed []string // top-level keys whose map or list is a copy
	}{
		{name: "nothing to normalise", parsed: func() map[string]any {
			return map[string]any{"a": map[string]any{"b": "1", "l": []any{"x", 2.0}}, "c": "2"}
		}, want: map[string]any{"a": map[string]any{"b": "1", "l": []any{"x", 2.0}}, "c": "2"}, same: true},
		{name: "a key that is not a string", parsed: func() map[string]any {
			return map[string]any{"a": map[string]any{"b": "1"}, "n": map[string]any{"m": map[any]any{1: "x"}}}
		}, want: map[string]any{"a": map[string]any{"b": "1"}, "n": map[string]any{"m": map[string]any{"1": "x"}}},
			shared: []string{"a"}, changed: []string{"n"}},
		{name: "a timestamp in a list", parsed: func() map[string]any {
			return map[string]any{"a": map[string]any{"b": "1"}, "l": []any{"x", ts}}
		}, want: map[string]any{"a": map[string]any{"b": "1"}, "l": []any{"x", "2024-01-02T03:04:05Z"}},
			shared: []string{"a"}, changed: []string{"l"}},
		{name: "nil", parsed: func() map[string]any { return nil }, want: map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var parsed map[string]any
			got, err := provider.ParseDocument("yaml", []byte("x: 1"), func([]byte) (map[string]any, error) {
				parsed = tc.parsed()
				return parsed, nil
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.parsed(), parsed, "the parser's result was written")
			if parsed == nil {
				return
			}
			assert.Equal(t, tc.same, reflect.ValueOf(got).Pointer() == reflect.ValueOf(parsed).Pointer(), "result is the parser's map")
			for _, k := range tc.shared {
				assert.Equal(t, reflect.ValueOf(parsed[k]).Pointer(), reflect.ValueOf(got[k]).Pointer(), "%s: an unchanged subtree was copied", k)
			}
			for _, k := range tc.changed {
				assert.NotEqual(t, reflect.ValueOf(parsed[k]).Pointer(), reflect.ValueOf(got[k]).Pointer(), "%s: a normalised subtree is the parser's", k)
			}
		})
	}
}
