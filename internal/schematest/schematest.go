// Package schematest checks YAML or JSON documents against a JSON Schema
// with a real validator (santhosh-tekuri/jsonschema, formats asserted), for
// the tests of strata.JSONSchema and of the examples.
package schematest

import (
	"bytes"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Validate compiles schema (JSON) and checks doc (YAML, which includes
// JSON) against it. It returns an error for a schema that does not compile
// or a document that does not parse or does not conform.
func Validate(schema, doc []byte) error {
	s, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return fmt.Errorf("schematest: schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", s); err != nil {
		return fmt.Errorf("schematest: %w", err)
	}
	compiled, err := c.Compile("schema.json")
	if err != nil {
		return fmt.Errorf("schematest: compile: %w", err)
	}
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return fmt.Errorf("schematest: document: %w", err)
	}
	if v == nil {
		v = map[string]any{}
	}
	return compiled.Validate(v)
}
