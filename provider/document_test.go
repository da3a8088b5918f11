package provider_test

import (
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
