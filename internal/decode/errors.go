package decode

import (
	"errors"
	"reflect"

	"github.com/go-viper/mapstructure/v2"

	"github.com/strata-go/strata/internal/fielderr"
)

const maxValueLen = fielderr.MaxValueLen

// FieldError is one problem with one key. Message never contains the value
// of a secret key, and quotes at most 64 characters of any other value. It
// is the same type as validate.FieldError; Rule is "" for a value that did
// not decode.
type FieldError = fielderr.FieldError

// Errors is every problem found in one Decode, sorted by Key. It is the
// same type as validate.Errors, so a caller branches on one type.
type Errors = fielderr.Errors

func truncate(s string, n int) string { return fielderr.Truncate(s, n) }

func render(v any, quote bool) string { return fielderr.Render(v, quote) }

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
