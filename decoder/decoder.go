// Package decoder turns a configuration map into a typed struct, naming
// every problem by config key. It is what strata runs on the merged layers;
// use it on its own to decode a map you already have (a parsed file, a
// test fixture) with the same keys, conversions and messages.
//
// # Keys
//
// A field's key is its `config` tag (or the tag named by Options.TagName),
// or else the snake_case form of its Go name: MaxConns → max_conns. Nested
// structs nest keys ("db.max_conns"); `config:",squash"` flattens an
// embedded struct into its parent; `config:"-"` skips a field.
//
// # Conversions
//
// Strings, which is all that Consul and the environment deliver, become
// ints (overflow is an error), uints, floats, bools, time.Duration, lists
// ("a,b,c"), and any encoding.TextUnmarshaler; Options.Converters adds your
// own types. An empty string is not 0. NaN and ±Inf are refused in floats
// unless the field, or one above it, is tagged nonfinite:"true".
//
// # Errors
//
// Decode reports every problem, not only the first, as an Errors sorted by
// key; a message quotes at most 64 characters of a value and never the value
// of a field tagged secret:"true" (or of anything below one).
//
// # Contract
//
// A Decoder inspects its type once, in New, and holds no mutable state
// afterwards: Decode is safe for concurrent use, never modifies its input
// and never panics on any input (a panic in a Converter is recovered into
// an error).
package decoder

import (
	"reflect"

	"github.com/strata-go/strata/internal/decode"
	"github.com/strata-go/strata/internal/fielderr"
)

// Options configures a Decoder. The zero value means defaults.
type Options struct {
	// TagName is the struct tag naming keys; default "config". Structs
	// already tagged for YAML or JSON can set "yaml" or "json": an untagged
	// embedded struct is then flattened as encoding/json and yaml.v3 do.
	TagName string
	// Converters decode strings into types of your own, before the
	// built-in conversions. Create each with Convert.
	Converters []Converter
}

// Converter turns a string into a value of one type. Create it with
// Convert. It is the same type as strata.Converter.
type Converter = decode.Converter

// Convert returns a Converter that decodes every string bound for a field
// of type T (or *T) with fn, ahead of the built-in conversions. fn's error
// is shown with the key and the value (never a secret value); fn must be
// safe for concurrent use.
func Convert[T any](fn func(string) (T, error)) Converter { return decode.Convert(fn) }

// FieldError is one problem with one key: Key is the dotted config key
// ("db.max_conns", "servers[0].port", "features.beta", or "" for the whole
// value), Rule the failed rule ("min", "required", "Validate" for the
// configuration's Validate method, "" for a value that did not decode), and
// Message what is wrong, as in `"ten" is not an int` or "must be at least
// 1, got 0". Error renders "key: message". Message never contains the value
// of a secret key and quotes at most 64 characters of any other value.
// decoder.FieldError and validate.FieldError are one type.
type FieldError = fielderr.FieldError

// Errors is every problem found in one call, sorted by Key. Error joins
// them with "; "; Unwrap returns them, so errors.As finds a *FieldError.
// decoder.Errors and validate.Errors are one type: a caller branches on
// one type whichever step failed.
type Errors = fielderr.Errors

// Decoder decodes maps into one struct type. Create it with New. It is
// safe for concurrent use.
type Decoder struct{ d *decode.Decoder }

// New inspects t, a struct type or a pointer to one, once. It returns an
// error, naming the key, for a type that is not a struct, for invalid tags
// (a squash on a non-struct, two fields with one key, a secret tag that is
// not a bool) and for a `default:"…"` tag whose value does not decode into
// its field.
func New(t reflect.Type, opts Options) (*Decoder, error) {
	d, err := decode.New(t, decode.Options{TagName: opts.TagName, Converters: opts.Converters})
	if err != nil {
		return nil, err
	}
	return &Decoder{d: d}, nil
}

// Decode decodes data, a nested map as a parser returns it, into out, a
// non-nil pointer to the struct type given to New. It returns every problem
// as an Errors, and in unused the dotted keys of data the type does not
// declare (sorted; entries of map fields are never unused), also when err
// is not nil.
//
// Default tags are not applied: data is the whole input. Decode fills a
// fresh value and replaces *out with it whole, also on error (then the
// fields named in err are zero); decode into a fresh value when you need
// all or nothing.
func (d *Decoder) Decode(data map[string]any, out any) (unused []string, err error) {
	return d.d.Decode(data, out)
}

// Keys returns every leaf key of the type, dotted ("db.max_conns") and
// sorted; a map, list or recursive field is listed by its own key. The
// caller may modify the slice.
func (d *Decoder) Keys() []string { return d.d.Keys() }

// Defaults returns the `default:"…"` tags as a nested map keyed by config
// keys, each value the tag's string, so a default decodes exactly like the
// same string from Consul. Merge your data over it to apply defaults. Each
// call returns a fresh map the caller may modify.
func (d *Decoder) Defaults() map[string]any { return d.d.Defaults() }
