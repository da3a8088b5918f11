package strata_test

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type PtrBase struct {
	Region string `config:"region" default:"eu"`
}

type schemaPointers struct {
	*PtrBase `config:",squash"`
	Wait     *time.Duration `config:"wait" default:"5s"`
	Pool     *struct {
		Size int `config:"size" default:"3"`
	} `config:"pool"`
	Optional struct {
		A int `config:"a"`
	} `config:"optional"`
	Needed struct {
		B int `config:"b" validate:"required"`
	} `config:"needed"`
}

// TestJSONSchemaDefaultsBehindPointers: default tags are shown for fields
// behind pointers (a *time.Duration as its text, a squashed *struct's
// fields, a *struct's fields), and a struct is required only when a key
// inside it is.
func TestJSONSchemaDefaultsBehindPointers(t *testing.T) {
	var s map[string]any
	require.NoError(t, json.Unmarshal(schemaOf[schemaPointers](t), &s))
	props := s["properties"].(map[string]any)
	require.Contains(t, props, "wait")
	require.Contains(t, props, "region")
	assert.Equal(t, "5s", props["wait"].(map[string]any)["default"])
	assert.Equal(t, "eu", props["region"].(map[string]any)["default"])
	pool := props["pool"].(map[string]any)["properties"].(map[string]any)
	assert.Equal(t, float64(3), pool["size"].(map[string]any)["default"])
	assert.Equal(t, []any{"needed"}, s["required"])
}

// TestJSONSchemaTextDefault: the default of a TextMarshaler is its text.
func TestJSONSchemaTextDefault(t *testing.T) {
	type cfg struct {
		Addr netip.Addr `config:"addr" default:"10.0.0.1"`
	}
	var s map[string]any
	require.NoError(t, json.Unmarshal(schemaOf[cfg](t), &s))
	assert.Equal(t, "10.0.0.1", s["properties"].(map[string]any)["addr"].(map[string]any)["default"])
}
