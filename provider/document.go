package provider

import (
	"bytes"
	"encoding"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// DocumentFormat returns the format of a document called name: "yaml",
// "json" or "toml". format, when not empty, says it (case and a leading
// dot are ignored, "yml" is "yaml"); otherwise name's extension does. It
// is the rule strata's own layers follow for a document held in one file
// or key, so a layer that follows it too reads the same documents.
func DocumentFormat(name, format string) (string, error) {
	f := strings.ToLower(strings.TrimPrefix(format, "."))
	if f == "" {
		f = strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	}
	switch f {
	case "yaml", "yml":
		return "yaml", nil
	case "json", "toml":
		return f, nil
	case "":
		return "", fmt.Errorf("document %q has no extension: set Format to yaml, json or toml", name)
	}
	return "", fmt.Errorf("unknown document format %q: use yaml, json or toml", f)
}

// ParseDocument parses b, a document in format, with unmarshal (a koanf
// parser's Unmarshal, for example) into the Data of a Snapshot, with the
// guarantees of Unmarshal: content nested deeper than MaxDepth is a
// *DepthError, and a parser's error does not repeat the document's text.
//
// A blank document (empty or only white space) is an empty map, as is a
// document that parses to nothing (YAML "~"); whether an empty layer is
// acceptable is the caller's decision. The result is normalised the way a
// snapshot's values must be: every nested map is a map[string]any (YAML
// allows other key types; their keys become their fmt.Sprint form), and a
// leaf that is an encoding.TextMarshaler (YAML and TOML timestamps, TOML
// local dates and times) becomes its text, which the decoder parses back.
//
// What needs no normalising is not copied: the result may be, or share
// maps and lists with, what unmarshal returned (a JSON document comes back
// as the parser built it). ParseDocument never writes into unmarshal's
// result.
//
// Errors are not wrapped: the caller names the layer and the document.
// ParseDocument keeps no reference to b and is safe for concurrent use if
// unmarshal is.
func ParseDocument(format string, b []byte, unmarshal func([]byte) (map[string]any, error)) (map[string]any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	m, err := Unmarshal(format, b, unmarshal)
	if err != nil {
		return nil, err
	}
	m, _ = normalizeMap(m)
	return m, nil
}

// normalizeMap returns m normalised, and whether that changed anything.
// What needs no change is not copied: a JSON document, or a YAML one with
// only string keys and no timestamps, comes back as the parser made it, so
// parsing a large document does not build its tree twice. A map or list
// that does change is copied, never written: the parser's maps may be
// shared (YAML aliases), and its caller may keep them.
func normalizeMap(m map[string]any) (map[string]any, bool) {
	if m == nil {
		return map[string]any{}, true
	}
	var out map[string]any
	for k, v := range m {
		nv, changed := normalize(v)
		if !changed {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		out[k] = nv
	}
	if out == nil {
		return m, false
	}
	return out, true
}

func normalize(v any) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		return normalizeMap(v)
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)], _ = normalize(e)
		}
		return out, true
	case []any:
		var out []any
		for i, e := range v {
			ne, changed := normalize(e)
			if !changed {
				continue
			}
			if out == nil {
				out = slices.Clone(v)
			}
			out[i] = ne
		}
		if out == nil {
			return v, false
		}
		return out, true
	case encoding.TextMarshaler:
		if b, err := v.MarshalText(); err == nil {
			return string(b), true
		}
	}
	return v, false
}
