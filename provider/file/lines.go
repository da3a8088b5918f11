package file

import (
	"go.yaml.in/yaml/v3"

	"github.com/strata-go/strata/provider"
)

// yamlLines maps each leaf key of a YAML document to the line of its key.
// It parses b into yaml.Node, the same library koanf's YAML parser uses, and
// runs only after that parser accepted b. Aliases are not followed (a node
// tree holds each alias once, so this stays bounded even for an alias bomb);
// keys reached only through an alias or a merge key ("<<") get no line and
// fall back to the snapshot's Source. Returns nil when b does not parse.
func yamlLines(path string, b []byte) map[string]provider.Origin {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	out := map[string]provider.Origin{}
	walkYAML(doc.Content[0], "", func(key string, line int) {
		out[key] = provider.Origin{Kind: "file", Ref: path, Line: line}
	})
	return out
}

func walkYAML(n *yaml.Node, prefix string, fn func(string, int)) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			continue
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + key
		}
		if v.Kind == yaml.MappingNode && len(v.Content) > 0 {
			walkYAML(v, key, fn)
			continue
		}
		fn(key, k.Line)
	}
}
