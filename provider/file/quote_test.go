package file_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider/file"
)

// TestParseErrorsNeverQuoteValues covers the parser messages that repeat
// the offending value: a number too large to hold (which may well be a
// PIN or an account number) and a YAML value with the wrong tag.
func TestParseErrorsNeverQuoteValues(t *testing.T) {
	const secret = "9081726354"
	tests := []struct {
		name, file, content, want string
	}{
		{"json number out of range", "c.json", `{"pin": ` + secret + `e999}`,
			"line 1: cannot unmarshal number into Go value of type float64"},
		{"toml float out of range", "c.toml", "pin = " + secret + "e999\n",
			"line 1: unable to parse float: value out of range"},
		{"toml integer out of range", "c.toml", "pin = " + secret + "99999999999999999999\n",
			"line 1: couldn't parse decimal number: value out of range"},
		{"toml hexadecimal out of range", "c.toml", "pin = 0x" + secret + "99999999999999999999\n",
			"line 1: couldn't parse hexadecimal number: value out of range"},
		{"yaml wrong tag", "c.yaml", "pin: !!int S3CR3T-" + secret + "\n",
			"cannot decode !!str value as a !!int"},
		{"yaml document that is a custom tag", "c.yaml", "!" + secret + "\n",
			"line 1: cannot unmarshal !tag value into map[string]interface {}"},
		{"yaml unknown anchor", "c.yaml", "a: *" + secret + "\n",
			"unknown anchor referenced"},
		{"yaml anchor that contains itself", "c.yaml", "a: &" + secret + " [*" + secret + "]\n",
			"anchor value contains itself"},
		{"yaml complex key", "c.yaml", "? [" + secret + "]\n: 1\n",
			"line 1: cannot unmarshal !!seq into string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tt.file, tt.content)
			p := file.New(path, file.Options{})
			_, err := p.Load(context.Background())
			require.Error(t, err)
			assert.NotContains(t, err.Error(), secret)
			assert.Equal(t, p.Name()+": "+tt.want, err.Error())
		})
	}
}
