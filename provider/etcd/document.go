package etcd

import (
	"fmt"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"

	"github.com/strata-go/strata/provider"
)

// parseDocument parses a document with koanf's parser for format, through
// provider.ParseDocument: depth-limited, errors free of the document's
// text, keys and dates normalised, a blank document an empty map.
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
