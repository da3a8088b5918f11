package decode

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/strata-go/strata/internal/limits"
)

// maxDepth bounds how deeply input may nest: the limit every walk over
// configuration shares. A self-referencing map would otherwise recurse
// until the stack overflows, which no recover can catch.
const maxDepth = limits.MaxDepth

// normalize copies the input into the shape the rest of the decoder
// expects: every map a map[string]any (YAML decoders produce map[any]any),
// every list of maps a []any. Keys that cannot be strings and input nested
// too deeply are reported and dropped, so the rest still decodes.
func normalize(key string, v any, depth int, errs *Errors) any {
	if depth > maxDepth {
		*errs = append(*errs, &FieldError{Key: key, Message: fmt.Sprintf("nested more than %d levels deep", maxDepth)})
		return nil
	}
	switch m := v.(type) {
	case nil:
		return nil
	case map[string]any:
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[k] = normalize(join(key, k), x, depth+1, errs)
		}
		return out
	case []any:
		out := make([]any, len(m))
		for i, x := range m {
			out[i] = normalize(key+"["+strconv.Itoa(i)+"]", x, depth+1, errs)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			rk := iter.Key()
			if rk.Kind() == reflect.Interface && !rk.IsNil() {
				rk = rk.Elem()
			}
			k, ok := mapKey(rk)
			if !ok {
				*errs = append(*errs, &FieldError{Key: key, Message: "map key of type " + rk.Type().String() + " is not a string"})
				continue
			}
			if _, dup := out[k]; dup {
				*errs = append(*errs, &FieldError{Key: join(key, k), Message: "key appears twice"})
				continue
			}
			out[k] = normalize(join(key, k), iter.Value().Interface(), depth+1, errs)
		}
		return out
	case reflect.Slice, reflect.Array:
		if ek := rv.Type().Elem().Kind(); ek != reflect.Interface && ek != reflect.Map && ek != reflect.Slice {
			return v // a list of scalars needs no copy
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(key+"["+strconv.Itoa(i)+"]", rv.Index(i).Interface(), depth+1, errs)
		}
		return out
	}
	return v
}

// mapKey gives scalar map keys (YAML allows `1: x`, `true: y`) their text.
func mapKey(k reflect.Value) (string, bool) {
	switch {
	case k.Kind() == reflect.String:
		return k.String(), true
	case k.Kind() == reflect.Bool || isNumber(k.Kind()):
		s, err := toString(k)
		return s.(string), err == nil
	}
	return "", false
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
