package file

import (
	"encoding"
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
func parse(format, path string, b []byte) (map[string]any, map[string]provider.Origin, error) {
	raw, err := parserFor(format).Unmarshal(b)
	if err != nil {
		return nil, nil, parseErr(format, b, err)
	}
	data := normalizeMap(raw)
	var origins map[string]provider.Origin
	if format == "yaml" {
		origins = yamlLines(path, b)
	}
	return data, origins, nil
}

// normalizeMap returns m as a map[string]any whose nested maps are
// map[string]any too: YAML decodes a mapping with a non-string key as
// map[any]any, whose keys become their fmt.Sprint form. Leaves that are
// encoding.TextMarshalers (YAML and TOML timestamps, TOML local dates and
// times) become their text, since a snapshot's leaves are strings,
// numbers, bools or slices; the decoder parses them back.
func normalizeMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = normalize(v)
	}
	return out
}

func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return normalizeMap(v)
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	case encoding.TextMarshaler:
		if b, err := v.MarshalText(); err == nil {
			return string(b)
		}
	}
	return v
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

func parseErr(format string, b []byte, err error) error {
	se := &syntaxError{err: err}
	switch format {
	case "yaml":
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// Each entry reads "line N: cannot unmarshal !!str `value` into …".
			parts := make([]string, len(te.Errors))
			for i, e := range te.Errors {
				parts[i] = stripQuoted(e)
			}
			se.msg = strings.Join(parts, "; ")
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

// stripQuoted replaces the `…`-quoted value of one YAML type error entry
// ("line N: cannot unmarshal !!str `value` into …") with "value". The value
// may itself contain backticks, so it runs from the first to the last one.
func stripQuoted(s string) string {
	i, j := strings.IndexByte(s, '`'), strings.LastIndexByte(s, '`')
	if i < 0 || j <= i {
		return s
	}
	return s[:i] + "value" + s[j+1:]
}
