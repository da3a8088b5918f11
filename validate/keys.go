package validate

import (
	"reflect"
	"strings"
	"unicode"
)

// defaultFieldKey names a field by its `config` tag, or by the snake_case
// form of its Go name; "" for fields tagged "-", unexported or squashed.
func defaultFieldKey(f reflect.StructField) string {
	name, opts, _ := strings.Cut(f.Tag.Get("config"), ",")
	switch {
	case name == "-", f.PkgPath != "", strings.Contains(","+opts+",", ",squash,"):
		return ""
	case name != "":
		return name
	}
	return snakeCase(f.Name)
}

// snakeCase: MaxConns → max_conns, HTTPPort → http_port, ID → id, URLs → urls.
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				// A plural acronym keeps its "s": URLs → urls, UserIDs → user_ids.
				plural := i+1 < len(rs) && rs[i+1] == 's' && (i+2 == len(rs) || unicode.IsUpper(rs[i+2]))
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !plural) {
					b.WriteByte('_')
				}
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// step is one part of a namespace: a Go field name, or a bracketed index
// or map key.
type step struct {
	text    string
	bracket bool
}

// steps splits validator's "DB.Servers[0].Port" or "Features[beta]". A ']'
// closes a bracket only before '.', '[' or the end, so map keys may
// contain brackets.
func steps(ns string) []step {
	var out []step
	for i := 0; i < len(ns); {
		switch ns[i] {
		case '.':
			i++
		case '[':
			end := -1
			for j := i + 1; j < len(ns); j++ {
				if ns[j] == ']' && (j+1 == len(ns) || ns[j+1] == '.' || ns[j+1] == '[') {
					end = j
					break
				}
			}
			if end < 0 {
				return append(out, step{text: ns[i:]})
			}
			out = append(out, step{text: ns[i+1 : end], bracket: true})
			i = end + 1
		default:
			j := strings.IndexAny(ns[i:], ".[")
			if j < 0 {
				j = len(ns) - i
			}
			out = append(out, step{text: ns[i : i+j]})
			i += j
		}
	}
	return out
}

// configKey turns validator's struct namespace (Go field names, root type
// first) into a config key. It walks the types rather than using validator's
// alternate names because only the types tell a squashed embedded struct
// (no key of its own) and a map entry ("features.beta") from a list item
// ("hosts[0]"). It also returns the key of the struct holding the field,
// for rules that name a sibling field.
func (v *Validator) configKey(root reflect.Type, structNs string) (key, parentKey string, parent reflect.Type) {
	if name := root.Name(); name != "" {
		structNs = strings.TrimPrefix(structNs, name+".")
	}
	var b strings.Builder
	t := root
	for _, s := range steps(structNs) {
		t = deref(t)
		if s.bracket {
			if t != nil && t.Kind() == reflect.Map {
				b.WriteString("." + s.text)
			} else {
				b.WriteString("[" + s.text + "]")
			}
			if t != nil && (t.Kind() == reflect.Map || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				t = t.Elem()
			} else {
				t = nil
			}
			continue
		}
		k := s.text
		var next reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			if sf, ok := t.FieldByName(s.text); ok {
				next = sf.Type
				switch fk := v.fieldKey(sf); {
				case fk != "":
					k = fk
				case squashed(sf):
					t = next // its fields belong to the parent
					continue
				}
			}
		}
		parentKey, parent = b.String(), t
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(k)
		t = next
	}
	return b.String(), parentKey, parent
}

// squashed guesses whether a field without a key is flattened into its
// parent: FieldKey only says "no key", which is also true of skipped fields.
func squashed(sf reflect.StructField) bool {
	tag := string(sf.Tag)
	return deref(sf.Type).Kind() == reflect.Struct &&
		(sf.Anonymous || strings.Contains(tag, ",squash") || strings.Contains(tag, ",inline"))
}

// siblingKey is the config key of the field named goName beside the field
// whose parent is parent, or goName itself when it cannot be found.
func (v *Validator) siblingKey(parentKey string, parent reflect.Type, goName string) string {
	parent = deref(parent)
	if parent == nil || parent.Kind() != reflect.Struct {
		return goName
	}
	sf, ok := parent.FieldByName(goName)
	if !ok {
		return goName
	}
	k := v.fieldKey(sf)
	if k == "" {
		k = goName
	}
	if parentKey == "" {
		return k
	}
	return parentKey + "." + k
}
