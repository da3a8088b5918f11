package decode

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type jInner struct {
	A int `json:"a"`
}

// TestTagNameJSONEmbedded: with TagName "json" an untagged embedded struct
// is flattened, as encoding/json does, a named struct field is not, and an
// embedded pointer is refused (these tests lived only in the root package,
// so mutants of embedded and checkEmbedded lived here, MUTATION.md).
func TestTagNameJSONEmbedded(t *testing.T) {
	type ok struct {
		jInner
		Named jInner `json:"named"`
		B     int    `json:"b"`
	}
	d, err := New(reflect.TypeFor[ok](), Options{TagName: "json"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "named.a"}, d.Keys())
	var got ok
	_, err = d.Decode(map[string]any{"a": 1, "b": 2, "named": map[string]any{"a": 3}}, &got)
	require.NoError(t, err)
	assert.Equal(t, ok{jInner: jInner{A: 1}, Named: jInner{A: 3}, B: 2}, got)

	type pointer struct {
		*jInner
	}
	_, err = New(reflect.TypeFor[pointer](), Options{TagName: "json"})
	assert.ErrorContains(t, err, "embedded pointer to a struct is not supported")

	type tagged struct {
		jInner `json:"inner"`
	}
	_, err = New(reflect.TypeFor[tagged](), Options{TagName: "json"})
	assert.ErrorContains(t, err, "embedded struct with a json name")
}
