package decode

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-viper/mapstructure/v2"
)

// valueError is a conversion failure that quotes the offending value. The
// value is rendered only once the key is known, so that secret values can be
// left out.
type valueError struct {
	value   any
	quote   bool   // render as a quoted string rather than as a number
	problem string // "is not an int", "overflows int8"
	cause   error  // optional detail, such as a TextUnmarshaler's error
}

func (e *valueError) message(secret bool) string {
	if secret {
		return "value " + e.problem + " (secret value redacted)"
	}
	s := render(e.value, e.quote) + " " + e.problem
	if e.cause != nil {
		detail := e.cause.Error()
		// Parsers tend to quote their whole input; keep the detail as
		// short as the value shown before it.
		if v, ok := e.value.(string); ok && utf8.RuneCountInString(v) > maxValueLen {
			detail = strings.ReplaceAll(detail, v, truncate(v, maxValueLen))
		}
		s += ": " + truncate(detail, 2*maxValueLen)
	}
	return s
}

// Error never shows the value: translation renders it when it is safe to.
func (e *valueError) Error() string { return e.message(true) }

// kindError is a structural mismatch, such as a string where a map belongs.
type kindError struct{ want, got string }

func (e *kindError) Error() string { return "expected " + e.want + ", got " + e.got }

func mismatch(want string, from reflect.Value) error {
	return &kindError{want: want, got: kindWord(from)}
}

// kindWord names what a value is in the words of a config file.
func kindWord(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Map:
		return "map"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Invalid:
		return "null"
	}
	if isNumber(v.Kind()) {
		return "number"
	}
	return v.Type().String()
}

func isInt(k reflect.Kind) bool   { return k >= reflect.Int && k <= reflect.Int64 }
func isUint(k reflect.Kind) bool  { return k >= reflect.Uint && k <= reflect.Uintptr }
func isFloat(k reflect.Kind) bool { return k == reflect.Float32 || k == reflect.Float64 }
func isNumber(k reflect.Kind) bool {
	return isInt(k) || isUint(k) || isFloat(k)
}

// convert is the built-in decode hook. It turns strings (all that Consul and
// the environment deliver) and YAML/JSON numbers into the target type with
// strconv, checks ranges, and reports mismatches in its own words instead of
// mapstructure's. Values it has no opinion on pass through unchanged.
func convert(from, to reflect.Value) (any, error) {
	for from.IsValid() && from.Kind() == reflect.Pointer && !from.IsNil() {
		from = from.Elem()
	}
	if !from.IsValid() || !to.IsValid() || (from.Kind() == reflect.Pointer && from.IsNil()) {
		return nil, nil
	}
	t := to.Type()
	data := from.Interface()
	if from.Type() == t || t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface ||
		implements(t, reflect.TypeFor[mapstructure.Unmarshaler]()) {
		return data, nil
	}
	if implements(t, reflect.TypeFor[encoding.TextUnmarshaler]()) {
		if s, ok := textOf(from, t); ok {
			return unmarshalText(s, from, t)
		}
	}
	k := t.Kind()
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return toDuration(from)
	case k == reflect.Bool:
		return toBool(from)
	case isInt(k):
		return toInt(from, t)
	case isUint(k):
		return toUint(from, t)
	case isFloat(k):
		return toFloat(from, t)
	case k == reflect.String:
		return toString(from)
	case k == reflect.Slice || k == reflect.Array:
		return toList(from, t)
	case k == reflect.Map || k == reflect.Struct:
		if from.Kind() == reflect.Map || from.Kind() == reflect.Struct {
			return data, nil
		}
		return nil, mismatch("a map", from)
	}
	return data, nil
}

// textOf returns the text to hand to UnmarshalText: any string, and scalars
// when t is a composite type that mapstructure could not fill from a scalar.
func textOf(from reflect.Value, t reflect.Type) (string, bool) {
	if from.Kind() == reflect.String {
		return from.String(), true
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		if from.Kind() == reflect.Bool || isNumber(from.Kind()) {
			s, err := toString(from)
			return s.(string), err == nil
		}
	}
	return "", false
}

func unmarshalText(s string, from reflect.Value, t reflect.Type) (any, error) {
	p := reflect.New(t)
	if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		return nil, &valueError{value: s, quote: from.Kind() == reflect.String, problem: "is not a valid " + t.String(), cause: err}
	}
	return p.Elem().Interface(), nil
}

func notA(from reflect.Value, what string) error {
	return &valueError{value: from.Interface(), quote: from.Kind() == reflect.String, problem: "is not " + what}
}

// overflows reports a number out of t's range, shown unquoted: it is a
// well-formed number, only too large.
func overflows(from reflect.Value, t reflect.Type) error {
	var text string
	switch k := from.Kind(); {
	case k == reflect.String:
		text = strings.TrimSpace(from.String())
	case isFloat(k):
		text = strconv.FormatFloat(from.Float(), 'g', -1, 64)
	default:
		text = fmt.Sprint(from.Interface())
	}
	return &valueError{value: text, problem: "overflows " + t.Kind().String()}
}

func isRange(err error) bool { return errors.Is(err, strconv.ErrRange) }

// toInt converts strings in base 10 (a leading zero does not mean octal)
// and whole numbers, rejecting fractions and values that do not fit.
func toInt(from reflect.Value, t reflect.Type) (any, error) {
	fits := func(n int64) bool { return !reflect.New(t).Elem().OverflowInt(n) }
	k := from.Kind()
	switch {
	case k == reflect.String:
		n, err := strconv.ParseInt(strings.TrimSpace(from.String()), 10, t.Bits())
		switch {
		case err == nil:
			return n, nil
		case isRange(err):
			return nil, overflows(from, t)
		}
		return nil, notA(from, "an int")
	case isInt(k):
		if n := from.Int(); fits(n) {
			return n, nil
		}
		return nil, overflows(from, t)
	case isUint(k):
		if u := from.Uint(); u <= math.MaxInt64 && fits(int64(u)) {
			return int64(u), nil
		}
		return nil, overflows(from, t)
	case isFloat(k):
		f := from.Float()
		if f != math.Trunc(f) {
			return nil, notA(from, "an int")
		}
		if f >= -(1<<63) && f < 1<<63 && fits(int64(f)) {
			return int64(f), nil
		}
		return nil, overflows(from, t)
	}
	return nil, mismatch("an int", from)
}

func toUint(from reflect.Value, t reflect.Type) (any, error) {
	fits := func(n uint64) bool { return !reflect.New(t).Elem().OverflowUint(n) }
	k := from.Kind()
	switch {
	case k == reflect.String:
		n, err := strconv.ParseUint(strings.TrimSpace(from.String()), 10, t.Bits())
		switch {
		case err == nil:
			return n, nil
		case isRange(err):
			return nil, overflows(from, t)
		}
		return nil, notA(from, "an unsigned int")
	case isInt(k):
		if n := from.Int(); n >= 0 && fits(uint64(n)) {
			return uint64(n), nil
		} else if n < 0 {
			return nil, notA(from, "an unsigned int")
		}
		return nil, overflows(from, t)
	case isUint(k):
		if u := from.Uint(); fits(u) {
			return u, nil
		}
		return nil, overflows(from, t)
	case isFloat(k):
		f := from.Float()
		if f != math.Trunc(f) || f < 0 {
			return nil, notA(from, "an unsigned int")
		}
		if f < 1<<64 && fits(uint64(f)) {
			return uint64(f), nil
		}
		return nil, overflows(from, t)
	}
	return nil, mismatch("an unsigned int", from)
}

func toFloat(from reflect.Value, t reflect.Type) (any, error) {
	k := from.Kind()
	var f float64
	switch {
	case k == reflect.String:
		var err error
		f, err = strconv.ParseFloat(strings.TrimSpace(from.String()), t.Bits())
		switch {
		case err == nil:
			return f, nil
		case isRange(err):
			return nil, overflows(from, t)
		}
		return nil, notA(from, "a number")
	case isInt(k):
		f = float64(from.Int())
	case isUint(k):
		f = float64(from.Uint())
	case isFloat(k):
		f = from.Float()
	default:
		return nil, mismatch("a number", from)
	}
	if t.Kind() == reflect.Float32 && !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
		return nil, overflows(from, t)
	}
	return f, nil
}

func toBool(from reflect.Value) (any, error) {
	const what = "a bool (true/false)"
	switch k := from.Kind(); {
	case k == reflect.String:
		if b, err := strconv.ParseBool(strings.TrimSpace(from.String())); err == nil {
			return b, nil
		}
		return nil, notA(from, what)
	case isNumber(k):
		return nil, notA(from, what)
	}
	return nil, mismatch(what, from)
}

// toDuration accepts Go duration syntax, or a whole number of nanoseconds
// from a YAML or JSON number (never from a string: "5" is a mistake).
func toDuration(from reflect.Value) (any, error) {
	const what = "a duration (e.g. 5s, 250ms)"
	k := from.Kind()
	switch {
	case k == reflect.String:
		if d, err := time.ParseDuration(strings.TrimSpace(from.String())); err == nil {
			return d, nil
		}
		return nil, notA(from, what)
	case isNumber(k):
		n, err := toInt(from, reflect.TypeFor[int64]())
		if err != nil {
			return nil, notA(from, what)
		}
		return time.Duration(n.(int64)), nil
	}
	return nil, mismatch(what, from)
}

// toString accepts strings, and formats bools and numbers as written.
func toString(from reflect.Value) (any, error) {
	switch k := from.Kind(); {
	case k == reflect.String:
		return from.String(), nil
	case k == reflect.Bool:
		return strconv.FormatBool(from.Bool()), nil
	case isInt(k):
		return strconv.FormatInt(from.Int(), 10), nil
	case isUint(k):
		return strconv.FormatUint(from.Uint(), 10), nil
	case isFloat(k):
		return strconv.FormatFloat(from.Float(), 'f', -1, 64), nil
	}
	return nil, mismatch("a string", from)
}

// toList splits a comma-separated string into trimmed items ("" is an empty
// list) and lifts a single scalar into a one-item list. []byte takes a
// string's bytes as they are.
func toList(from reflect.Value, t reflect.Type) (any, error) {
	k := from.Kind()
	switch {
	case k == reflect.Slice || k == reflect.Array:
		return from.Interface(), nil
	case k == reflect.String && t.Elem().Kind() == reflect.Uint8:
		return []byte(from.String()), nil
	case k == reflect.String:
		s := from.String()
		if strings.TrimSpace(s) == "" {
			return []string{}, nil
		}
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	case k == reflect.Bool || isNumber(k):
		return []any{from.Interface()}, nil
	}
	return nil, mismatch("a list", from)
}
