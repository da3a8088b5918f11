package consul

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	kjson "github.com/knadh/koanf/parsers/json"
	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	kyaml "github.com/knadh/koanf/parsers/yaml"
)

// treeKeys turns a nested map into the Consul keys and string values a
// tree under prefix holds: the inverse of buildTree.
func treeKeys(prefix string, desired map[string]any) (map[string]string, error) {
	out := map[string]string{}
	return out, addTreeKeys(out, prefix, "", desired)
}

func addTreeKeys(out map[string]string, prefix, dotted string, m map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		key := k
		if dotted != "" {
			key = dotted + "." + k
		}
		if k == "" || strings.Contains(k, "/") {
			return fmt.Errorf("key %q cannot be a Consul key segment (empty or containing \"/\")", key)
		}
		consulKey := prefix + strings.ReplaceAll(key, ".", "/")
		if sub, ok := m[k].(map[string]any); ok {
			if err := addTreeKeys(out, prefix, key, sub); err != nil {
				return err
			}
			continue
		}
		s, err := treeValue(m[k])
		if err != nil {
			return fmt.Errorf("key %s: %w", key, err)
		}
		out[consulKey] = s
	}
	return nil
}

// treeValue renders a leaf as the string strata decodes back into the
// same value.
func treeValue(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case nil:
		return "", fmt.Errorf("a null value cannot be stored in a Consul tree; remove the key instead")
	case bool:
		return strconv.FormatBool(t), nil
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(t), 'g', -1, 32), nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(t), nil
	case time.Time:
		return t.Format(time.RFC3339Nano), nil
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			if _, ok := e.(map[string]any); ok {
				return "", fmt.Errorf("a list of maps cannot be stored in a Consul tree; use document mode (Options.Key)")
			}
			s, err := treeValue(e)
			if err != nil {
				return "", err
			}
			if strings.Contains(s, ",") {
				return "", fmt.Errorf("list item %d contains a comma, which a Consul tree uses to separate items; use document mode (Options.Key)", i)
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("a %T cannot be stored in a Consul tree", v)
}

// marshalDocument renders data in format with koanf's parser.
func marshalDocument(format string, data map[string]any) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	switch format {
	case "yaml":
		b, err = kyaml.Parser().Marshal(data)
	case "json":
		b, err = kjson.Parser().Marshal(data)
	case "toml":
		b, err = ktoml.Parser().Marshal(data)
	default:
		return nil, fmt.Errorf("unknown document format %q", format)
	}
	if err != nil {
		return nil, fmt.Errorf("rendering the %s document: %w", format, err)
	}
	return b, nil
}
