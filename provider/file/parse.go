package file

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"
	"go.yaml.in/yaml/v3"

	"github.com/strata-go/strata/provider"
)

// unmarshaler is the half of koanf.Parser this package uses; declaring it
// here keeps koanf's core module out of the import graph.
type unmarshaler interface {
	Unmarshal([]byte) (map[string]any, error)
}

// parserFor returns koanf's parser for format, or nil when there is none.
func parserFor(format string) unmarshaler {
	switch format {
	case "yaml":
		return kyaml.Parser()
	case "json":
		return kjson.Parser()
	case "toml":
		return ktoml.Parser()
	}
	return nil
}

// parse decodes b and returns the content as nested map[string]any, with
// the line of every leaf key where the format makes that cheap (YAML).
// Content nested deeper than provider.MaxDepth is refused before anything
// walks it (TOML before it is even parsed).
func parse(format, path string, b []byte) (map[string]any, map[string]provider.Origin, error) {
	data, err := provider.ParseDocument(format, b, parserFor(format).Unmarshal)
	var de *provider.DepthError
	switch {
	case errors.As(err, &de):
		return nil, nil, err
	case err != nil:
		return nil, nil, parseErr(format, b, err)
	}
	var origins map[string]provider.Origin
	if format == "yaml" {
		origins = yamlLines(path, b)
	}
	return data, origins, nil
}

// syntaxError is a parser's failure restated as "line N: message", without
// the parser's own prefix and without quoting values from the file (which
// may be secrets). The parser's error stays reachable through Unwrap.
type syntaxError struct {
	line int // 0 when unknown
	msg  string
	err  error
}

func (e *syntaxError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("line %d: %s", e.line, e.msg)
	}
	return e.msg
}

func (e *syntaxError) Unwrap() error { return e.err }

// parseErr restates err, which provider.Unmarshal has already rid of
// quoted text, as a syntaxError with the line where the parser knows it.
func parseErr(format string, b []byte, err error) error {
	se := &syntaxError{err: err}
	switch format {
	case "yaml":
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// "yaml: unmarshal errors:" then one "\n  line N: …" per error.
			msg := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  ")
			se.msg = strings.ReplaceAll(msg, "\n  ", "; ")
			return se
		}
		// Syntax errors read "yaml: line N: message"; the line stays in
		// the message as the parser wrote it.
		se.msg = strings.TrimPrefix(err.Error(), "yaml: ")
	case "json":
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			se.line = lineAt(b, syn.Offset)
		case errors.As(err, &typ):
			se.line = lineAt(b, typ.Offset)
		}
		se.msg = strings.TrimPrefix(err.Error(), "json: ")
	case "toml":
		// go-toml's *DecodeError knows the position; matching the method
		// keeps go-toml out of this package's imports.
		var pos interface{ Position() (row, column int) }
		if errors.As(err, &pos) {
			se.line, _ = pos.Position()
		}
		se.msg = strings.TrimPrefix(err.Error(), "toml: ")
	}
	return se
}

// lineAt returns the 1-based line of byte offset off in b.
func lineAt(b []byte, off int64) int {
	off = min(max(off, 0), int64(len(b)))
	return strings.Count(string(b[:off]), "\n") + 1
}
