// Package decode is the decoder behind package decoder and strata.Config:
// nested maps into one struct type, with key-named errors, default tags,
// secret keys and the key walks the root needs (Keys, Maps, DefaultRefs,
// FieldKey, Path). Package decoder documents the behaviour users see.
//
// A Decoder inspects its type once, in New. It holds no mutable state
// afterwards: every method is safe for concurrent use.
package decode

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/go-viper/mapstructure/v2"

	"github.com/strata-go/strata/internal/fielderr"
	"github.com/strata-go/strata/internal/keys"
)

// Options configures a Decoder. The zero value means defaults.
type Options struct {
	// TagName is the struct tag naming keys; default "config". Structs
	// already tagged for YAML or JSON can set "yaml" or "json". With "yaml",
	// embedded structs are flattened by ",inline" instead of ",squash".
	TagName string
	// Hooks are extra mapstructure decode hooks, run in order before the
	// built-in conversions; each receives the previous one's output. A hook
	// must be one of mapstructure's DecodeHookFuncType, DecodeHookFuncKind
	// or DecodeHookFuncValue signatures and safe for concurrent use.
	Hooks []mapstructure.DecodeHookFunc
	// Converters decode strings into their types, before Hooks and the
	// built-in conversions.
	Converters []Converter
}

// Decoder decodes nested maps into one struct type. Create it with New.
type Decoder struct {
	typ       reflect.Type // the struct type, pointer removed
	tagNames  []string
	squashOpt string
	// embedSquash flattens untagged embedded structs, as encoding/json
	// does; set for TagName "json".
	embedSquash bool
	// converted holds the types a Converter decodes: leaves, whatever
	// their kind.
	converted map[reflect.Type]bool
	hook      mapstructure.DecodeHookFunc
	structs   map[reflect.Type]*structInfo
	keys      []string
	maps      []string
	defaults  []defaultTag
}

// New inspects t, a struct type or a pointer to one, once: its keys, its
// secret fields and its default tags. It returns an error for a type that is
// not a struct, for invalid tags (a squash on a non-struct, two fields with
// one key, a secret tag that is not a bool) and for a default tag whose
// value does not decode into its field; that error names the key.
//
// Recursive types (type Node struct{ Next *Node }) are inspected once: the
// recursive field is listed as a single key and its defaults are not
// applied below it.
func New(t reflect.Type, opts Options) (*Decoder, error) {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("decoder: type %v is not a struct or a pointer to one", t)
	}
	d := &Decoder{typ: t, tagNames: []string{"config"}, squashOpt: "squash", structs: map[reflect.Type]*structInfo{}}
	if opts.TagName != "" {
		d.tagNames = nil
		for _, tn := range strings.Split(opts.TagName, ",") {
			if tn = strings.TrimSpace(tn); tn != "" {
				d.tagNames = append(d.tagNames, tn)
			}
		}
		switch opts.TagName {
		case "yaml":
			// yaml.v3 flattens only ",inline" fields; an untagged embedded
			// struct is keyed by its name, as here.
			d.squashOpt = "inline"
		case "json":
			d.embedSquash = true
		}
	}
	hooks := make([]mapstructure.DecodeHookFunc, 0, len(opts.Converters)+len(opts.Hooks)+1)
	d.converted = map[reflect.Type]bool{}
	for _, c := range opts.Converters {
		h, err := c.hook()
		if err != nil {
			return nil, err
		}
		hooks = append(hooks, h)
		d.converted[c.to] = true
	}
	for i, h := range opts.Hooks {
		if !validHook(h) {
			return nil, fmt.Errorf("decoder: hook %d has unsupported type %T", i, h)
		}
		hooks = append(hooks, h)
	}
	d.hook = mapstructure.ComposeDecodeHookFunc(append(hooks, mapstructure.DecodeHookFuncValue(convert))...)

	if err := d.inspect(t); err != nil {
		return nil, err
	}
	if err := d.collect(t, nil, d.rootName(), map[reflect.Type]bool{t: true}); err != nil {
		return nil, err
	}
	slices.Sort(d.keys)
	slices.Sort(d.maps)
	if err := d.checkDefaults(); err != nil {
		return nil, err
	}
	return d, nil
}

func validHook(h mapstructure.DecodeHookFunc) bool {
	if h == nil {
		return false
	}
	ht := reflect.TypeOf(h)
	for _, want := range []reflect.Type{
		reflect.TypeFor[mapstructure.DecodeHookFuncType](),
		reflect.TypeFor[mapstructure.DecodeHookFuncKind](),
		reflect.TypeFor[mapstructure.DecodeHookFuncValue](),
	} {
		if ht.ConvertibleTo(want) {
			return true
		}
	}
	return false
}

func (d *Decoder) rootName() string {
	if d.typ.Name() != "" {
		return d.typ.Name()
	}
	return "Config"
}

// checkDefaults decodes the default tags alone into a zero value, so that a
// bad tag fails at start-up rather than when no layer happens to set a key.
func (d *Decoder) checkDefaults() error {
	_, err := d.Decode(d.Defaults(), reflect.New(d.typ).Interface())
	if err == nil {
		return nil
	}
	refs := d.DefaultRefs()
	var errs Errors
	if !errors.As(err, &errs) {
		return fmt.Errorf("decoder: invalid default tag: %w", err)
	}
	for _, fe := range errs {
		if ref, ok := refs[fe.Key]; ok {
			fe.Message += " (default tag on " + ref + ")"
		}
	}
	return fmt.Errorf("decoder: invalid default tag: %w", errs)
}

// Defaults returns the `default:"…"` tags as a nested map keyed by config
// keys, with each value the tag's string, so defaults are decoded exactly
// like a string from Consul. A list default is comma separated
// (default:"a,b"). Each call returns a fresh map the caller may modify.
//
// Defaults below a pointer-to-struct field are included, so such a pointer
// is never nil once defaults apply. Default tags inside the elements of map
// and list fields are not applied: those elements have no key of their own.
func (d *Decoder) Defaults() map[string]any {
	out := map[string]any{}
	for _, def := range d.defaults {
		m := out
		for _, p := range def.path[:len(def.path)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[def.path[len(def.path)-1]] = def.value
	}
	return out
}

// DefaultRefs maps the dotted key of each default tag to the Go field that
// declares it, such as "Config.DB.MaxConns", for reporting where a value
// came from. Each call returns a fresh map.
func (d *Decoder) DefaultRefs() map[string]string {
	out := make(map[string]string, len(d.defaults))
	for _, def := range d.defaults {
		out[def.key] = def.ref
	}
	return out
}

// Keys returns every leaf key of the type, dotted ("db.max_conns") and
// sorted. Struct and pointer-to-struct fields are descended into; a map,
// list or recursive field is listed by its own key. The caller may modify
// the returned slice.
func (d *Decoder) Keys() []string { return slices.Clone(d.keys) }

// Maps returns the dotted keys of map-typed fields, sorted: any key below
// one of them is an entry of that map. The caller may modify the slice.
func (d *Decoder) Maps() []string { return slices.Clone(d.maps) }

// Decode decodes data into out, which must be a non-nil pointer to the
// struct type given to New. It reports every problem found, as an Errors
// value sorted by key, and lists in unused the keys of data that the type
// does not declare (dotted, sorted); entries of map fields are never unused.
// unused is computed even when err is not nil.
//
// Decode fills a fresh value and replaces *out with it whole (fields absent
// from data become zero, they are not merged), also on error: then every
// field that decoded holds its value and the fields named in err are zero,
// so a caller can still validate the rest and report every problem in one
// pass. A caller that needs all-or-nothing decodes into a fresh value, as
// strata does. data is not modified. Decode never panics on any input; a panic in a user hook is
// recovered into an error.
func (d *Decoder) Decode(data map[string]any, out any) (unused []string, err error) {
	ov := reflect.ValueOf(out)
	if ov.Kind() != reflect.Pointer || ov.IsNil() || ov.Elem().Type() != d.typ {
		return nil, Errors{{Message: fmt.Sprintf("decoder: out must be a non-nil %s, got %T", reflect.PointerTo(d.typ), out)}}
	}
	defer func() {
		if r := recover(); r != nil {
			err = Errors{{Message: "decoder: panic while decoding: " + truncate(fmt.Sprint(r), 4*maxValueLen)}}
		}
	}()

	var errs Errors
	input, _ := normalize("", data, 0, &errs).(map[string]any)
	if input == nil {
		input = map[string]any{}
	}
	d.unused(d.typ, "", input, &unused)
	slices.Sort(unused)

	fresh := reflect.New(d.typ)
	md, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook:      d.hook,
		Result:          fresh.Interface(),
		TagName:         strings.Join(d.tagNames, ","),
		SquashTagOption: d.squashOpt,
		// Squash flattens every embedded struct field; inspect refuses the
		// ones encoding/json would not flatten, so both agree.
		Squash:       d.embedSquash,
		MapFieldName: keys.SnakeCase,
		// Exact matching: with layers merged key by key, "Port" and "port"
		// are different keys, and case-insensitive matching would pick one
		// of them at random.
		MatchName: func(mapKey, fieldName string) bool { return mapKey == fieldName },
	})
	if err != nil {
		return unused, Errors{{Message: "decoder: " + err.Error()}}
	}
	errs = append(errs, d.translate(md.Decode(input))...)
	d.checkFinite(fresh.Elem(), nil, 0, &errs)
	ov.Elem().Set(fresh.Elem())
	if len(errs) > 0 {
		return unused, fielderr.Sorted(errs)
	}
	return unused, nil
}
