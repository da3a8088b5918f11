package consul

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"

	"github.com/strata-go/strata/provider"
)

// documentFormat returns the format of the document at key: format when
// given, else the one named by the key's extension.
func documentFormat(key, format string) (string, error) {
	f := strings.ToLower(strings.TrimPrefix(format, "."))
	if f == "" {
		f = strings.ToLower(strings.TrimPrefix(path.Ext(key), "."))
	}
	switch f {
	case "yaml", "yml":
		return "yaml", nil
	case "json", "toml":
		return f, nil
	case "":
		return "", fmt.Errorf("key %q has no extension: set Format to yaml, json or toml", key)
	}
	return "", fmt.Errorf("unknown document format %q: use yaml, json or toml", f)
}

// isBlank reports whether a document is empty or only whitespace.
func isBlank(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }

// parseDocument parses a document with koanf's parser for format. An
// empty (or blank) document is an empty map; whether one is allowed is
// the caller's decision (Options.Optional). Maps with non-string keys,
// which YAML allows, get their keys formatted as strings so that every
// nested map is a map[string]any.
func parseDocument(format string, b []byte) (map[string]any, error) {
	if isBlank(b) {
		return map[string]any{}, nil
	}
	var (
		m   map[string]any
		err error
	)
	switch format {
	case "yaml":
		m, err = provider.Unmarshal(format, b, kyaml.Parser().Unmarshal)
	case "json":
		m, err = provider.Unmarshal(format, b, kjson.Parser().Unmarshal)
	case "toml":
		m, err = provider.Unmarshal(format, b, ktoml.Parser().Unmarshal)
	default:
		return nil, fmt.Errorf("unknown document format %q", format)
	}
	if err != nil {
		return nil, fmt.Errorf("malformed %s document: %s", format, redactQuoted(err.Error()))
	}
	if m == nil {
		return map[string]any{}, nil
	}
	return stringKeys(m).(map[string]any), nil
}

// redactQuoted blanks, line by line, the `…` span in which YAML errors
// quote the offending value: a malformed document's error must not carry
// what may be a secret.
func redactQuoted(s string) string {
	lines := strings.Split(s, "\n")
	for n, l := range lines {
		i, j := strings.IndexByte(l, '`'), strings.LastIndexByte(l, '`')
		if i >= 0 && j > i {
			lines[n] = l[:i] + "`…`" + l[j+1:]
		}
	}
	return strings.Join(lines, "\n")
}

// stringKeys rewrites nested maps to map[string]any, recursively.
func stringKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = stringKeys(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = stringKeys(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = stringKeys(e)
		}
		return t
	}
	return v
}
