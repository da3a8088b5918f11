package strata

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"

	"github.com/strata-go/strata/internal/decode"
)

// SchemaDialect is the JSON Schema dialect JSONSchema emits.
const SchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// SchemaOptions tunes JSONSchema. The zero value means defaults.
type SchemaOptions struct {
	// Options are the options the application loads with: TagName names
	// keys as Load does, Secrets marks extra keys writeOnly, and Strict
	// forbids keys the type does not declare (additionalProperties false),
	// since Load would reject them too.
	Options Options

	// ID, when set, becomes the schema's $id.
	ID string

	// Partial describes one layer among several rather than the merged
	// config: no key is required, since another layer (a default tag, the
	// environment, Consul) may supply it.
	Partial bool
}

// JSONSchema returns a JSON Schema (draft 2020-12) for documents holding a
// T, such as a YAML or JSON config file, with keys named as strata names
// them. Editors use it for completion and errors while typing:
//
//	# yaml-language-server: $schema=./config.schema.json
//
// It describes:
//   - types: structs as objects, maps as objects whose additionalProperties
//     is the element's schema, slices as arrays, time.Duration as a Go
//     duration string (or integer nanoseconds), encoding.TextUnmarshaler
//     types as strings;
//   - default tags as "default", doc:"…" tags as "description", secret
//     fields as "writeOnly";
//   - the validate tags that map cleanly: required (a key with no default
//     tag; see Partial), min, max, len, eq, gt, gte, lt, lte, oneof,
//     url/uri, email, hostname, hostname_port, ip, ipv4, ipv6, uuid, and
//     rules after dive for elements. Other rules, a Validate method and
//     or-groups ("a|b") are left to strata.Check, which is exact.
//
// A schema is the canonical form of a document: strata also accepts a
// string where it converts one ("10" for an int, "a,b" for a list), which
// the schema rejects. Formats (email, uri, ipv4…) are assertions only in a
// validator told to assert them, as JSON Schema 2020-12 specifies.
func JSONSchema[T any](opts ...SchemaOptions) ([]byte, error) {
	var o SchemaOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	c, err := newConfig[T](o.Options, nil)
	if err != nil {
		return nil, err
	}
	defaults := reflect.New(reflect.TypeFor[T]())
	if _, err := c.dec.Decode(c.dec.Defaults(), defaults.Interface()); err != nil {
		return nil, fmt.Errorf("strata: decoding default tags: %w", err)
	}
	g := &schemaGen{opts: o, isSecret: c.isSecret, root: c.dec, decs: map[reflect.Type]*decode.Decoder{reflect.TypeFor[T](): c.dec}}
	root, _, err := g.object(reflect.TypeFor[T](), "", defaults.Elem(), map[reflect.Type]bool{})
	if err != nil {
		return nil, err
	}
	root["$schema"] = SchemaDialect
	root["title"] = reflect.TypeFor[T]().Name()
	if o.ID != "" {
		root["$id"] = o.ID
	}
	return json.MarshalIndent(root, "", "  ")
}

// schema is one JSON Schema object.
type schema = map[string]any

type schemaGen struct {
	opts     SchemaOptions
	isSecret func(string) bool
	decs     map[reflect.Type]*decode.Decoder // one per struct type, for key names
	root     *decode.Decoder                  // T's, which knows the Converters
}

// decoderFor returns a decoder for struct type t: the decoder is the one
// authority on which keys a struct has (tags, snake_case, squashing).
func (g *schemaGen) decoderFor(t reflect.Type) (*decode.Decoder, error) {
	if d, ok := g.decs[t]; ok {
		return d, nil
	}
	d, err := decode.New(t, decode.Options{TagName: g.opts.Options.TagName, Converters: g.opts.Options.Converters})
	if err != nil {
		return nil, fmt.Errorf("strata: %w", err)
	}
	g.decs[t] = d
	return d, nil
}

// object describes struct type t found at dotted key path. defaults holds
// the decoded default tags below it (invalid when there are none). It
// reports whether any key below must be present.
func (g *schemaGen) object(t reflect.Type, path string, defaults reflect.Value, onPath map[reflect.Type]bool) (schema, bool, error) {
	out := schema{"type": "object"}
	if onPath[t] {
		return out, false, nil // a recursive type: described once, above
	}
	onPath[t] = true
	defer delete(onPath, t)

	dec, err := g.decoderFor(t)
	if err != nil {
		return nil, false, err
	}
	props := schema{}
	var required []string
	for _, key := range topKeys(dec.Keys()) {
		f, index, ok := fieldByKey(dec, t, key)
		if !ok {
			continue
		}
		var dv reflect.Value
		if defaults.IsValid() {
			dv = fieldValue(defaults, index)
		}
		p, req, err := g.field(f, joinKey(path, key), dv, onPath)
		if err != nil {
			return nil, false, err
		}
		props[key] = p
		if req && !g.opts.Partial {
			required = append(required, key)
		}
	}
	out["properties"] = props
	if len(required) > 0 {
		slices.Sort(required)
		out["required"] = required
	}
	if g.opts.Options.Strict {
		out["additionalProperties"] = false
	}
	return out, len(required) > 0, nil
}

// field describes one struct field at key; it reports whether the key
// must be present.
func (g *schemaGen) field(f reflect.StructField, key string, dv reflect.Value, onPath map[reflect.Type]bool) (schema, bool, error) {
	s, childRequired, err := g.typeSchema(f.Type, key, dv, onPath)
	if err != nil {
		return nil, false, err
	}
	rules := parseRules(f.Tag.Get("validate"))
	applyRules(s, deref(f.Type), rules.container, rules.omitempty)
	if len(rules.elem) > 0 {
		if items, ok := elemSchema(s); ok {
			applyRules(items, deref(f.Type.Elem()), rules.elem, rules.elemOmitempty)
		}
	}
	if doc := f.Tag.Get("doc"); doc != "" {
		s["description"] = doc
	}
	_, hasDefault := f.Tag.Lookup("default")
	if hasDefault && dv.IsValid() {
		if v, ok := jsonValue(dv); ok {
			s["default"] = v
		}
	}
	if g.isSecret(key) {
		s["writeOnly"] = true
	}
	required := (rules.required && !hasDefault) || childRequired
	return s, required, nil
}

// typeSchema describes a value of type t at key.
func (g *schemaGen) typeSchema(t reflect.Type, key string, dv reflect.Value, onPath map[reflect.Type]bool) (schema, bool, error) {
	t = deref(t)
	if dv.IsValid() {
		for dv.Kind() == reflect.Pointer {
			if dv.IsNil() {
				dv = reflect.Value{}
				break
			}
			dv = dv.Elem()
		}
	}
	switch {
	case g.root.Converted(t):
		// A Converter decodes a string.
		return schema{"type": "string"}, false, nil
	case t == reflect.TypeFor[time.Duration]():
		return schema{"type": []string{"string", "integer"}, "pattern": durationPattern}, false, nil
	case implements(t, reflect.TypeFor[encoding.TextUnmarshaler]()):
		return schema{"type": "string"}, false, nil
	case implements(t, reflect.TypeFor[mapstructure.Unmarshaler]()):
		return schema{}, false, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return schema{"type": "boolean"}, false, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return schema{"type": "integer"}, false, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return schema{"type": "integer", "minimum": 0}, false, nil
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}, false, nil
	case reflect.String:
		return schema{"type": "string"}, false, nil
	case reflect.Struct:
		return g.object(t, key, dv, onPath)
	case reflect.Slice, reflect.Array:
		items, _, err := g.typeSchema(t.Elem(), key+"[0]", reflect.Value{}, onPath)
		if err != nil {
			return nil, false, err
		}
		return schema{"type": "array", "items": items}, false, nil
	case reflect.Map:
		values, _, err := g.typeSchema(t.Elem(), key+".*", reflect.Value{}, onPath)
		if err != nil {
			return nil, false, err
		}
		return schema{"type": "object", "additionalProperties": values}, false, nil
	}
	return schema{}, false, nil // interfaces and the like: anything
}

// durationPattern matches what time.ParseDuration accepts.
const durationPattern = `^[-+]?(0|([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$`

// topKeys returns the distinct first segments of dotted keys, in order.
func topKeys(keys []string) []string {
	var out []string
	for _, k := range keys {
		top, _, _ := strings.Cut(k, ".")
		if len(out) == 0 || out[len(out)-1] != top {
			out = append(out, top)
		}
	}
	return slices.Compact(out)
}

// fieldByKey finds the field of t that the decoder names key, looking into
// fields without a key of their own (squashed embedded structs) after t's
// direct fields, as the decoder flattens them. index leads from t to it.
func fieldByKey(dec *decode.Decoder, t reflect.Type, key string) (reflect.StructField, []int, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); dec.FieldKey(f) == key {
			return f, []int{i}, true
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if dec.FieldKey(f) != "" || deref(f.Type).Kind() != reflect.Struct {
			continue
		}
		if sub, index, ok := fieldByKey(dec, deref(f.Type), key); ok {
			return sub, append([]int{i}, index...), true
		}
	}
	return reflect.StructField{}, nil, false
}

// fieldValue follows index from struct value v, through pointers; it
// returns an invalid Value where a nil pointer ends the way.
func fieldValue(v reflect.Value, index []int) reflect.Value {
	for _, i := range index {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v
}

// jsonValue renders a decoded default as a document would write it.
func jsonValue(v reflect.Value) (any, bool) {
	if !v.IsValid() || !v.CanInterface() {
		return nil, false
	}
	// A *time.Duration is written as the duration too, not as the
	// nanoseconds json.Marshal would give.
	e := v
	for e.Kind() == reflect.Pointer {
		if e.IsNil() {
			return nil, false
		}
		e = e.Elem()
	}
	if d, ok := e.Interface().(time.Duration); ok {
		return d.String(), true
	}
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		return string(b), err == nil
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, false
	}
	var out any
	return out, json.Unmarshal(b, &out) == nil
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

// joinKey appends key to the dotted path prefix.
func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
