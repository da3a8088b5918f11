package consul

import (
	"bytes"
	"fmt"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"

	"github.com/strata-go/strata/provider"
)

// isBlank reports whether a document is empty or only whitespace, which
// provider.ParseDocument reads as an empty map.
func isBlank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// parseDocument parses a document with koanf's parser for format, through
// provider.ParseDocument (depth-limited, errors free of the document's
// text, keys and dates normalised). A blank document is an empty map;
// whether one is allowed is the caller's decision (Options.Optional).
func parseDocument(format string, b []byte) (map[string]any, error) {
	var unmarshal func([]byte) (map[string]any, error)
	switch format {
	case "yaml":
		unmarshal = kyaml.Parser().Unmarshal
	case "json":
		unmarshal = kjson.Parser().Unmarshal
	case "toml":
		unmarshal = ktoml.Parser().Unmarshal
	default:
		return nil, fmt.Errorf("unknown document format %q", format)
	}
	m, err := provider.ParseDocument(format, b, unmarshal)
	if err != nil {
		return nil, fmt.Errorf("malformed %s document: %w", format, err)
	}
	return m, nil
}
