package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/schematest"
)

// TestConfigFileMatchesSchema: the example's config file conforms to the
// JSON Schema of its type (as one layer: nothing required), and a broken
// copy does not.
func TestConfigFileMatchesSchema(t *testing.T) {
	schema, err := strata.JSONSchema[Config](strata.SchemaOptions{Partial: true})
	require.NoError(t, err)
	doc, err := os.ReadFile("config.yaml")
	require.NoError(t, err)
	assert.NoError(t, schematest.Validate(schema, doc))

	broken := strings.Replace(string(doc), "max_conns: 10", "max_conns: 0", 1)
	require.NotEqual(t, string(doc), broken)
	assert.Error(t, schematest.Validate(schema, []byte(broken)))
}
