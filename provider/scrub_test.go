package provider_test

import (
	"strings"
	"testing"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
)

// TestUnmarshalErrorsNeverQuoteTheText plants a secret where each parser
// repeats text in its error, including YAML tags and values that hold the
// characters a scrub would split on (backticks, spaces, newlines).
func TestUnmarshalErrorsNeverQuoteTheText(t *testing.T) {
	const secret = "9081726354"
	parsers := map[string]func([]byte) (map[string]any, error){
		"yaml": kyaml.Parser().Unmarshal, "json": kjson.Parser().Unmarshal, "toml": ktoml.Parser().Unmarshal,
	}
	tests := []struct {
		format, text, want string
	}{
		{"json", `{"pin": ` + secret + `e999}`, "json: cannot unmarshal number into Go value of type float64"},
		{"toml", "pin = " + secret + "e999\n", "toml: unable to parse float: value out of range"},
		{"toml", "pin = " + secret + "9999999999999\n", "toml: couldn't parse decimal number: value out of range"},
		{"yaml", "pin: !!int " + secret + "x\n", "yaml: cannot decode !!str value as a !!int"},
		{"yaml", "pin: !!int a`" + secret + "\n", "yaml: cannot decode !!str value as a !!int"},
		{"yaml", "!" + secret + "\n", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !tag value into map[string]interface {}"},
		{"yaml", "!!" + secret + "\n", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !tag value into map[string]interface {}"},
		{"yaml", "!%0A%20into%20" + secret + "\n", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !tag value into map[string]interface {}"},
		{"yaml", "!<" + secret + ">\n", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !tag value into map[string]interface {}"},
		{"yaml", "- a\n", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]interface {}"},
		{"yaml", "a: *x" + secret + "\n", "yaml: unknown anchor referenced"},
		{"yaml", "a: &" + secret + " [*" + secret + "]\n", "yaml: anchor value contains itself"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, err := provider.Unmarshal(tt.format, []byte(tt.text), parsers[tt.format])
			require.Error(t, err)
			assert.False(t, strings.Contains(err.Error(), secret), err.Error())
			assert.Equal(t, tt.want, err.Error())
			reliability.Record(t, "provider/parser-errors")
		})
	}
}
