package decoder

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-viper/mapstructure/v2"
)

// maxValueLen is how many characters of a value an error message quotes.
const maxValueLen = 64

// FieldError is one problem with one key. Message never contains the value
// of a secret key, and quotes at most 64 characters of any other value.
type FieldError struct {
	// Key is the dotted config key ("db.max_conns", "hosts[0]",
	// "features.beta"), or "" for a problem with the whole input.
	Key string
	// Message says what is wrong, e.g. `"ten" is not an int`.
	Message string
}

// Error renders as `db.max_conns: "ten" is not an int`.
func (e *FieldError) Error() string {
	if e.Key == "" {
		return e.Message
	}
	return e.Key + ": " + e.Message
}

// Errors is every problem found in one Decode, sorted by Key.
type Errors []*FieldError

// Error joins the problems with "; ".
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the problems, for errors.As and errors.Is.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Key < es[j].Key })
	return es
}

// truncate shortens s to n characters plus "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}

// render shows a value in a message: strings quoted, both truncated.
func render(v any, quote bool) string {
	if s, ok := v.(string); ok && quote {
		return strconv.Quote(truncate(s, maxValueLen))
	}
	return truncate(fmt.Sprint(v), maxValueLen)
}

// translate turns what mapstructure returned, a *mapstructure.DecodeError
// or an errors.Join tree of them (possibly wrapped), into FieldErrors keyed
// by config key. The tree is walked by hand: errors.As would stop at the
// first DecodeError.
func (d *Decoder) translate(err error) Errors {
	var out Errors
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *mapstructure.DecodeError:
			key := d.configKey(e.Name())
			out = append(out, &FieldError{Key: key, Message: d.message(key, e.Unwrap())})
		case interface{ Unwrap() []error }:
			for _, c := range e.Unwrap() {
				walk(c)
			}
		case interface{ Unwrap() error }:
			if u := e.Unwrap(); u != nil {
				walk(u)
				return
			}
			out = append(out, &FieldError{Message: d.message("", err)})
		default:
			out = append(out, &FieldError{Message: d.message("", err)})
		}
	}
	walk(err)
	return out
}

// message words the cause of a failure at key, leaving secret values out.
func (d *Decoder) message(key string, cause error) string {
	secret := key != "" && d.IsSecret(key)
	var (
		ve *valueError
		ke *kindError
		ue *mapstructure.UnconvertibleTypeError
		pe *mapstructure.ParseError
	)
	switch {
	case cause == nil:
		return "invalid value"
	case errors.As(cause, &ve):
		return ve.message(secret)
	case errors.As(cause, &ke):
		return ke.Error()
	case errors.As(cause, &ue):
		return "expected " + ue.Expected.Type().String() + ", got " + kindWord(reflect.ValueOf(ue.Value))
	case errors.As(cause, &pe) && !secret:
		return render(pe.Value, true) + " is not a valid " + pe.Expected.Type().String()
	case secret:
		return "invalid value (secret value redacted)"
	}
	return truncate(cause.Error(), 4*maxValueLen)
}
