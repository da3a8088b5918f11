package strata

import (
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestRuleSchemaNumbers: validator rules become the JSON Schema keywords
// that mean the same: gt and lt on a length or count move the bound by
// one (lengths are whole), on a number they are exclusive; a whole bound
// is written as an integer, a fraction as it is; oneof with no value adds
// no enum (an empty enum would refuse everything), nor one that does not
// parse as the field's kind; startswith, endswith and contains become
// patterns on strings only.
func TestRuleSchemaNumbers(t *testing.T) {
	str, num := reflect.TypeFor[string](), reflect.TypeFor[float64]()
	tests := []struct {
		name        string
		t           reflect.Type
		rule, param string
		want        schema
	}{
		{"gt on a length is one more", str, "gt", "2", schema{"minLength": int64(3)}},
		{"lt on a length is one less", str, "lt", "5", schema{"maxLength": int64(4)}},
		{"gt on a number is exclusive", num, "gt", "2", schema{"exclusiveMinimum": int64(2)}},
		{"a whole bound is an integer", num, "max", "2", schema{"maximum": int64(2)}},
		{"a fraction stays a fraction", num, "max", "2.5", schema{"maximum": 2.5}},
		{"oneof", str, "oneof", "a 'b c'", schema{"enum": []any{"a", "b c"}}},
		{"oneof with no value", str, "oneof", "", schema{}},
		{"oneof numbers", num, "oneof", "1 2.5", schema{"enum": []any{1.0, 2.5}}},
		{"oneof with a word for a number", num, "oneof", "1 x", schema{}},
		{"oneof on a bool", reflect.TypeFor[bool](), "oneof", "true", schema{}},
		{"startswith", str, "startswith", "a.b", schema{"pattern": `^a\.b`}},
		{"endswith", str, "endswith", "a.b", schema{"pattern": `a\.b$`}},
		{"contains", str, "contains", "a.b", schema{"pattern": `a\.b`}},
		{"startswith on a number", num, "startswith", "1", schema{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := schema{}
			ruleSchema(got, tt.t, tt.rule, tt.param)
			assert.Equal(t, tt.want, got)
		})
	}
}

// textName is a string type with its own text decoding.
type textName string

func (n *textName) UnmarshalText(b []byte) error { *n = textName(b); return nil }

// TestKindOfTextTypes: a TextUnmarshaler is described as a string, so a
// non-string one (net.IP, a byte slice) takes no length or size rule,
// while a string type that decodes its own text keeps its string rules.
func TestKindOfTextTypes(t *testing.T) {
	assert.Equal(t, "", kindOf(reflect.TypeFor[net.IP]()))
	assert.Equal(t, "", kindOf(reflect.TypeFor[time.Duration]()))
	assert.Equal(t, "string", kindOf(reflect.TypeFor[textName]()))
	assert.Equal(t, "array", kindOf(reflect.TypeFor[[]int]()))
}
