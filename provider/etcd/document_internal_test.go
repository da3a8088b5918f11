package etcd

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestParseDocumentLikeEveryLayer checks that document mode gives the
// guarantees every layer's parsing gives (provider.ParseDocument): depth
// limited, errors free of the document's text, dates as text.
func TestParseDocumentLikeEveryLayer(t *testing.T) {
	deep := provider.MaxDepth + 1
	for _, tc := range []struct {
		name, format, doc string
		want              map[string]any
		errs              []string
		hidden            string
	}{
		{name: "json too deep", format: "json", doc: strings.Repeat(`{"a":`, deep) + "1" + strings.Repeat("}", deep),
			errs: []string{"malformed json document: nested deeper than 64 levels (provider.MaxDepth) at key a.a"}},
		{name: "toml too deep", format: "toml", doc: "a = " + strings.Repeat("{a = ", 100_000) + "1" + strings.Repeat("}", 100_000),
			errs: []string{"malformed toml document: nested deeper than 64 levels (provider.MaxDepth) at line 1"}},
		{name: "yaml custom tag", format: "yaml", doc: "!hunter2 x\n", errs: []string{"malformed yaml"}, hidden: "hunter2"},
		{name: "json number out of range", format: "json", doc: `{"pin": 1e99999}`, errs: []string{"malformed json"}, hidden: "99999"},
		{name: "toml local date", format: "toml", doc: "d = 1979-05-27\n", want: map[string]any{"d": "1979-05-27"}},
		{name: "yaml non-string keys", format: "yaml", doc: "a:\n  1: x\n", want: map[string]any{"a": map[string]any{"1": "x"}}},
		{name: "blank", format: "yaml", doc: " \n", want: map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDocument(tc.format, []byte(tc.doc))
			if tc.errs == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.Error(t, err)
			for _, s := range tc.errs {
				assert.ErrorContains(t, err, s)
			}
			if tc.hidden != "" {
				assert.NotContains(t, err.Error(), tc.hidden)
			}
		})
	}
}
