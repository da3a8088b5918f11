package provider

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestScrubAtTheStartOfTheMessage: what the scrub removes is removed
// wherever it stands, including at the very start of a message, which is
// where a parser's message begins once its prefix is stripped (found by
// mutation testing: "found" written as i > 0 missed index 0).
func TestScrubAtTheStartOfTheMessage(t *testing.T) {
	tests := []struct {
		name, in, want string
		yaml           bool
	}{
		{name: "strconv error", in: `strconv.ParseFloat: parsing "4711e999": value out of range`, want: "value out of range"},
		{name: "two strconv errors", in: `strconv.ParseInt: parsing "4711": x; strconv.ParseInt: parsing "4712": y`, want: "x; y"},
		{name: "no strconv error", in: "value out of range", want: "value out of range"},
		{name: "map key", in: "invalid map key: 4711", want: "invalid map key", yaml: true},
		{name: "anchor", in: "anchor '4711' value contains itself", want: "anchor value contains itself", yaml: true},
		{name: "tag with a space", in: "cannot unmarshal !47 11 into int", want: "cannot unmarshal !tag into int", yaml: true},
		{name: "YAML's own tag", in: "cannot unmarshal !!str value into int", want: "cannot unmarshal !!str value into int", yaml: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dropNumError(tt.in)
			if tt.yaml {
				got = scrubYAML(tt.in)
			}
			assert.Equal(t, tt.want, got)
			assert.NotContains(t, got, "4711")
		})
	}
}
