// Package validate checks a decoded configuration with validator/v10
// `validate:"…"` tags and the configuration's own Validate() error method,
// and reports every failure by config key ("db.max_conns"), in words a
// person can act on ("must be at least 1, got 0"), without ever showing the
// value of a secret key. It is what strata runs after decoding; use it on
// its own to validate a struct with the same keys and messages.
//
// # Keys
//
// A failure is named by config key, not Go field name: the `config` tag or
// the snake_case Go name by default, or whatever Options.FieldKey says.
// Map entries read "features.beta", list items "servers[0].port".
//
// # Validate methods
//
// A Validate method returning a *FieldError, an Errors or errors.Join of
// them keeps the keys it names; any other error is reported with Key ""
// and Rule "Validate".
//
// # Contract
//
// A Validator is safe for concurrent use. Struct runs every rule and the
// Validate method, never stops at the first failure, never modifies its
// argument and never panics: a panic in Validate or on a malformed tag is
// recovered into an error.
package validate

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/go-playground/validator/v10"

	"github.com/strata-go/strata/internal/fielderr"
)

// Options configures a Validator. The zero value means defaults.
type Options struct {
	// FieldKey names a struct field's config key, "" for a field without
	// one (skipped or squashed). Default: the `config` tag's name part, or
	// the snake_case Go name. strata passes its decoder's FieldKey.
	FieldKey func(reflect.StructField) string
	// IsSecret reports keys whose values must never appear in a message.
	// Default: none.
	IsSecret func(key string) bool
}

// Validator validates configuration values. It is safe for concurrent use
// and caches what it learns about each struct type.
type Validator struct {
	v        *validator.Validate
	fieldKey func(reflect.StructField) string
	isSecret func(string) bool
}

// New returns a Validator. `required` on a struct field checks that the
// struct is not its zero value.
func New(opts Options) *Validator {
	v := &Validator{v: validator.New(validator.WithRequiredStructEnabled()), fieldKey: opts.FieldKey, isSecret: opts.IsSecret}
	if v.fieldKey == nil {
		v.fieldKey = defaultFieldKey
	}
	if v.isSecret == nil {
		v.isSecret = func(string) bool { return false }
	}
	return v
}

// Struct validates cfg, a struct or a pointer to one: first its
// `validate:"…"` tags, then its Validate() error method if it has one (with
// a value or a pointer receiver). Both always run, and every failure of
// both is returned as an Errors sorted by key; Struct returns nil when
// there is none.
//
// Errors from Validate keep their keys when they are *FieldError values, an
// Errors, or errors.Join of those; any other error becomes one FieldError
// with Key "" and Rule "Validate". A panic in Validate, or in validator on a
// malformed tag, is recovered and reported as an error.
func (v *Validator) Struct(cfg any) error {
	rv := reflect.ValueOf(cfg)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return Errors{{Rule: "invalid", Message: fmt.Sprintf("validate: %T is not a struct or a non-nil pointer to one", cfg)}}
	}
	errs := v.tags(cfg, rv.Type())
	errs = append(errs, method(cfg, rv)...)
	if len(errs) == 0 {
		return nil
	}
	return fielderr.Sorted(errs)
}

// tags runs validator/v10 and words its failures.
func (v *Validator) tags(cfg any, root reflect.Type) (out Errors) {
	defer func() {
		if r := recover(); r != nil {
			out = Errors{{Rule: "invalid", Message: fmt.Sprintf("validate: bad validate tag: %v", r)}}
		}
	}()
	err := v.v.Struct(cfg)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		if err != nil {
			out = append(out, &FieldError{Rule: "invalid", Message: "validate: " + err.Error()})
		}
		return out
	}
	for _, fe := range verrs {
		key, parentKey, parent := v.configKey(root, fe.StructNamespace())
		sibling := func(goName string) string { return v.siblingKey(parentKey, parent, goName) }
		out = append(out, &FieldError{Key: key, Rule: fe.Tag(), Message: message(fe, v.isSecret(key), sibling)})
	}
	return out
}

// method calls cfg's Validate method, whichever receiver it has.
func method(cfg any, rv reflect.Value) (out Errors) {
	m, ok := cfg.(interface{ Validate() error })
	if !ok {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		if m, ok = p.Interface().(interface{ Validate() error }); !ok {
			return nil
		}
	}
	defer func() {
		if r := recover(); r != nil {
			out = Errors{{Rule: "Validate", Message: fmt.Sprintf("Validate panicked: %v", r)}}
		}
	}()
	return fromMethod(m.Validate())
}

// fromMethod keeps the keys of FieldErrors a Validate method returned.
func fromMethod(err error) Errors {
	switch e := err.(type) {
	case nil:
		return nil
	case *FieldError:
		if e == nil {
			return nil
		}
		fe := *e
		if fe.Rule == "" {
			fe.Rule = "Validate"
		}
		return Errors{&fe}
	case Errors:
		var out Errors
		for _, fe := range e {
			out = append(out, fromMethod(fe)...)
		}
		return out
	case interface{ Unwrap() []error }:
		var out Errors
		for _, c := range e.Unwrap() {
			out = append(out, fromMethod(c)...)
		}
		return out
	}
	return Errors{{Rule: "Validate", Message: err.Error()}}
}
