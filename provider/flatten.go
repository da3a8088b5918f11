package provider

// Leaves calls fn for every leaf of a nested map with its dotted key, in no
// particular order. Nested maps are map[string]any; anything else is a leaf.
func Leaves(data map[string]any, fn func(key string, value any)) {
	walkLeaves("", data, fn)
}

func walkLeaves(prefix string, data map[string]any, fn func(string, any)) {
	for k, v := range data {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			walkLeaves(key, m, fn)
			continue
		}
		fn(key, v)
	}
}
