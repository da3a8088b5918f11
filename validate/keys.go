package validate

import (
	"reflect"
	"strings"

	ikeys "github.com/strata-go/strata/internal/keys"
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
	return ikeys.SnakeCase(f.Name)
}

func deref(t reflect.Type) reflect.Type { return ikeys.Deref(t) }

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
	for _, s := range ikeys.Split(structNs) {
		t = deref(t)
		if s.Bracket {
			if t != nil && t.Kind() == reflect.Map {
				b.WriteString("." + s.Text)
			} else {
				b.WriteString("[" + s.Text + "]")
			}
			if t != nil && (t.Kind() == reflect.Map || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				t = t.Elem()
			} else {
				t = nil
			}
			continue
		}
		k := s.Text
		var next reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			if sf, ok := t.FieldByName(s.Text); ok {
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
