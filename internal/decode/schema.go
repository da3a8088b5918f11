package decode

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/go-viper/mapstructure/v2"

	"github.com/strata-go/strata/internal/keys"
)

// fieldKind says how the decoder treats a field below its own key.
type fieldKind uint8

const (
	leafField   fieldKind = iota // a value decoded whole: scalars, TextUnmarshalers, any
	structField                  // a struct or pointer to struct: descended into
	mapField                     // a map: its own key, any key below it is accepted
	listField                    // a slice or array: replaced whole, never descended for keys
)

// structInfo describes one struct type by config key. Squashed embedded
// structs are flattened into their parent, as mapstructure decodes them.
type structInfo struct {
	fields map[string]*fieldInfo
	order  []*fieldInfo // declaration order, for deterministic walks
	remain bool         // a ",remain" field swallows every unknown key here
}

type fieldInfo struct {
	key    string
	goPath string       // Go selector from the owning struct, e.g. "Base.Port" for squashed fields
	typ    reflect.Type // the field type with pointers removed
	elem   reflect.Type // struct element of a map or list field, when it has keys of its own
	kind   fieldKind
	secret bool
	def    string
	hasDef bool
	// nonfinite is set by the tag nonfinite:"true": NaN and ±Inf are
	// accepted in the floats at and below this field.
	nonfinite bool
	index     []int // reflect field index from the owning struct, through squashed structs
}

// defaultTag is one `default:"…"` tag reachable from the root type.
type defaultTag struct {
	path  []string
	key   string
	ref   string
	value string
}

// tagOf returns the key part and the options of f's tag, reading the first
// tag name that is present, as mapstructure does.
func (d *Decoder) tagOf(f reflect.StructField) (name string, opts []string) {
	for _, tn := range d.tagNames {
		if tag := f.Tag.Get(tn); tag != "" {
			parts := strings.Split(tag, ",")
			return parts[0], parts[1:]
		}
	}
	return "", nil
}

func (d *Decoder) squashed(opts []string) bool { return slices.Contains(opts, d.squashOpt) }

// embedded reports whether sf is flattened into its parent because it is
// an untagged embedded struct and the tag name is "json", as encoding/json
// flattens it.
func (d *Decoder) embedded(sf reflect.StructField, name string) bool {
	return d.embedSquash && sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct && !d.leaf(sf.Type)
}

// checkEmbedded refuses, with TagName "json", the embedded fields that
// mapstructure would flatten and encoding/json would not (or the other way
// round), rather than decode them differently from encoding/json.
func (d *Decoder) checkEmbedded(t reflect.Type, sf reflect.StructField, name string, opts []string) error {
	if !d.embedSquash || !sf.Anonymous || name == "-" || d.embedded(sf, name) {
		return nil
	}
	switch {
	case sf.Type.Kind() == reflect.Pointer && deref(sf.Type).Kind() == reflect.Struct && !d.squashed(opts):
		return fmt.Errorf("decoder: %s.%s: an embedded pointer to a struct is not supported with tag name json; embed the struct itself", t, sf.Name)
	case sf.Type.Kind() == reflect.Struct && !d.squashed(opts):
		return fmt.Errorf("decoder: %s.%s: an embedded struct with a json name or a text unmarshaler is not supported with tag name json; make it a named field", t, sf.Name)
	}
	return nil
}

// FieldKey returns the config key of a struct field: its tag's name part, or
// the snake_case form of its Go name. It returns "" for fields that have no
// key of their own: tagged "-", unexported, or squashed into their parent.
// It is safe for concurrent use.
func (d *Decoder) FieldKey(f reflect.StructField) string {
	name, opts := d.tagOf(f)
	switch {
	case name == "-", d.squashed(opts), d.embedded(f, name), f.PkgPath != "":
		return ""
	case name != "":
		return name
	default:
		return keys.SnakeCase(f.Name)
	}
}

func deref(t reflect.Type) reflect.Type { return keys.Deref(t) }

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

// isLeaf reports whether a value of type t is decoded whole rather than
// field by field: anything that unmarshals itself is a leaf.
func isLeaf(t reflect.Type) bool {
	return implements(t, reflect.TypeFor[encoding.TextUnmarshaler]()) ||
		implements(t, reflect.TypeFor[mapstructure.Unmarshaler]())
}

// leaf is isLeaf, plus the types a Converter decodes.
func (d *Decoder) leaf(t reflect.Type) bool { return isLeaf(t) || d.converted[t] }

// Converted reports whether a Converter decodes strings into t, which then
// reads as a string in a schema.
func (d *Decoder) Converted(t reflect.Type) bool { return d.converted[t] }

// inspect records t and every struct type reachable from it. A type is
// recorded before its fields are read, so recursive types end the descent.
func (d *Decoder) inspect(t reflect.Type) error {
	if _, ok := d.structs[t]; ok {
		return nil
	}
	si := &structInfo{fields: map[string]*fieldInfo{}}
	d.structs[t] = si
	if err := d.fill(si, t, "", nil, map[reflect.Type]bool{t: true}); err != nil {
		return err
	}
	for _, f := range si.order {
		next := f.elem
		if f.kind == structField {
			next = f.typ
		}
		if next != nil {
			if err := d.inspect(next); err != nil {
				return err
			}
		}
	}
	return nil
}

// fill adds t's fields to si; squashed embedded structs recurse with their
// Go name prepended to goPrefix.
func (d *Decoder) fill(si *structInfo, t reflect.Type, goPrefix string, idxPrefix []int, squashing map[reflect.Type]bool) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts := d.tagOf(sf)
		goPath := goPrefix + sf.Name
		index := append(idxPrefix[:len(idxPrefix):len(idxPrefix)], i)
		if err := d.checkEmbedded(t, sf, name, opts); err != nil {
			return err
		}
		if d.squashed(opts) || d.embedded(sf, name) {
			st := deref(sf.Type)
			if st.Kind() != reflect.Struct {
				return fmt.Errorf("decoder: %s.%s: ,%s needs a struct, not %s", t, goPath, d.squashOpt, sf.Type)
			}
			if squashing[st] {
				return fmt.Errorf("decoder: %s.%s: squashing %s into itself", t, goPath, st)
			}
			squashing[st] = true
			if err := d.fill(si, st, goPath+".", index, squashing); err != nil {
				return err
			}
			delete(squashing, st)
			continue
		}
		if slices.Contains(opts, "remain") {
			si.remain = true
			continue
		}
		if name == "-" || sf.PkgPath != "" {
			continue
		}
		key := name
		if key == "" {
			key = keys.SnakeCase(sf.Name)
		}
		if strings.ContainsAny(key, ".[]") {
			return fmt.Errorf("decoder: %s.%s: key %q must not contain '.', '[' or ']'; nest a struct instead", t, goPath, key)
		}
		if prev, dup := si.fields[key]; dup {
			return fmt.Errorf("decoder: %s: fields %s and %s both use key %q", t, prev.goPath, goPath, key)
		}
		f := &fieldInfo{key: key, goPath: goPath, typ: deref(sf.Type), index: index}
		for _, b := range []struct {
			tag string
			dst *bool
		}{{"secret", &f.secret}, {"nonfinite", &f.nonfinite}} {
			if s, ok := sf.Tag.Lookup(b.tag); ok {
				v, err := strconv.ParseBool(s)
				if err != nil {
					return fmt.Errorf("decoder: %s.%s: %s tag %q is not true or false", t, goPath, b.tag, s)
				}
				*b.dst = v
			}
		}
		f.def, f.hasDef = sf.Tag.Lookup("default")
		switch {
		case d.leaf(f.typ):
			f.kind = leafField
		case f.typ.Kind() == reflect.Struct:
			f.kind = structField
		case f.typ.Kind() == reflect.Map, f.typ.Kind() == reflect.Slice, f.typ.Kind() == reflect.Array:
			f.kind = listField
			if f.typ.Kind() == reflect.Map {
				f.kind = mapField
			}
			if et := deref(f.typ.Elem()); et.Kind() == reflect.Struct && !d.leaf(et) {
				f.elem = et
			}
		}
		si.fields[key] = f
		si.order = append(si.order, f)
	}
	return nil
}

// collect walks the struct tree from the root, listing keys, map keys and
// default tags. A struct type already on the current path (a recursive
// type) is listed as one key and not descended into.
func (d *Decoder) collect(t reflect.Type, path []string, goPath string, onPath map[reflect.Type]bool) error {
	for _, f := range d.structs[t].order {
		p := append(path[:len(path):len(path)], f.key)
		key := strings.Join(p, ".")
		ref := goPath + "." + f.goPath
		if f.kind == structField && !onPath[f.typ] {
			if f.hasDef {
				return fmt.Errorf("decoder: %s (%s): a default tag needs a value field, not struct %s", key, ref, f.typ)
			}
			onPath[f.typ] = true
			if err := d.collect(f.typ, p, ref, onPath); err != nil {
				return err
			}
			delete(onPath, f.typ)
			continue
		}
		d.keys = append(d.keys, key)
		if f.kind == mapField {
			d.maps = append(d.maps, key)
		}
		if f.hasDef {
			d.defaults = append(d.defaults, defaultTag{path: p, key: key, ref: ref, value: f.def})
		}
	}
	return nil
}

// IsSecret reports whether key is, or lies below, a field tagged
// secret:"true". Keys are dotted config keys as in Errors ("db.dsn",
// "tenants.acme.password", "tokens[0]"). It is safe for concurrent use.
func (d *Decoder) IsSecret(key string) bool {
	t := d.typ
	for _, s := range keys.Split(key) {
		switch t.Kind() {
		case reflect.Struct:
			si := d.structs[t]
			if si == nil || s.Bracket {
				return false
			}
			f := si.fields[s.Text]
			if f == nil {
				return false
			}
			if f.secret {
				return true
			}
			t = f.typ
		case reflect.Map:
			t = deref(t.Elem())
		case reflect.Slice, reflect.Array:
			if !s.Bracket {
				return false
			}
			t = deref(t.Elem())
		default:
			return false
		}
	}
	return false
}

// configKey turns a mapstructure field name into a config key: map entries
// "features[beta]" become "features.beta"; list items keep "hosts[0]".
func (d *Decoder) configKey(name string) string {
	var b strings.Builder
	t := d.typ
	for _, s := range keys.Split(name) {
		if t != nil {
			t = deref(t)
		}
		switch {
		case !s.Bracket:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Text)
			var next reflect.Type
			if si := d.structs[t]; si != nil {
				if f := si.fields[s.Text]; f != nil {
					next = f.typ
				}
			}
			t = next
		case t != nil && t.Kind() == reflect.Map:
			b.WriteString("." + s.Text)
			t = t.Elem()
		default:
			b.WriteString("[" + s.Text + "]")
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				t = t.Elem()
			} else {
				t = nil
			}
		}
	}
	return b.String()
}

// unused appends to out the dotted keys of data that t does not declare.
// Keys below a map field are the map's own entries and never unused; the
// fields of struct elements of maps and lists are checked.
func (d *Decoder) unused(t reflect.Type, prefix string, data map[string]any, out *[]string) {
	si := d.structs[t]
	if si == nil || si.remain {
		return
	}
	for k, v := range data {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		f := si.fields[k]
		if f == nil {
			*out = append(*out, key)
			continue
		}
		switch {
		case f.kind == structField:
			if m, ok := v.(map[string]any); ok {
				d.unused(f.typ, key, m, out)
			}
		case f.elem == nil:
		case f.kind == mapField:
			if m, ok := v.(map[string]any); ok {
				for mk, mv := range m {
					if mm, ok := mv.(map[string]any); ok {
						d.unused(f.elem, key+"."+mk, mm, out)
					}
				}
			}
		default:
			if l, ok := v.([]any); ok {
				for i, item := range l {
					if mm, ok := item.(map[string]any); ok {
						d.unused(f.elem, key+"["+strconv.Itoa(i)+"]", mm, out)
					}
				}
			}
		}
	}
}
