package decode

import (
	"fmt"
	"reflect"

	"github.com/go-viper/mapstructure/v2"
)

// Converter turns a string, which is what Consul and the environment
// deliver, into a value of one type. Create it with Convert.
type Converter struct {
	to reflect.Type
	fn func(string) (any, error)
}

// Convert returns a Converter that decodes every string bound for a field of
// type T (or *T) with fn. fn's error is shown with the key and the value,
// except for a secret key, whose value is never shown. fn must be safe for
// concurrent use. A Converter for a type wins over the built-in conversions
// (including encoding.TextUnmarshaler); a value that is not a string is
// decoded as usual.
func Convert[T any](fn func(string) (T, error)) Converter {
	return Converter{to: reflect.TypeFor[T](), fn: func(s string) (any, error) { return fn(s) }}
}

// hook adapts c to mapstructure, which stays an implementation detail.
func (c Converter) hook() (mapstructure.DecodeHookFuncType, error) {
	if c.fn == nil || c.to == nil {
		return nil, fmt.Errorf("decoder: zero Converter (create it with Convert)")
	}
	return func(from, to reflect.Type, data any) (any, error) {
		s, ok := data.(string)
		if !ok || from.Kind() != reflect.String || to != c.to {
			return data, nil
		}
		v, err := c.fn(s)
		if err != nil {
			return nil, &valueError{value: s, quote: true, problem: "is not a valid " + c.to.String(), cause: err}
		}
		return v, nil
	}, nil
}
