package strata

import (
	"fmt"
	"reflect"

	"github.com/strata-go/strata/internal/limits"
)

// tooDeep stands in for a subtree nested deeper than limits.MaxDepth in
// anything strata shows. The decoder refuses such input, so it appears only
// in what is shown about a rejected change; the walks stop there rather
// than spend time and stack on hostile input.
const tooDeep = "[nested too deep]"

// redactValue returns v with the value of every secret position inside it
// replaced by "[redacted]", at any depth: in maps, lists, maps in lists.
// Containers are copied; v is not modified. Subtrees deeper than
// limits.MaxDepth are replaced whole by tooDeep, so nothing below the limit
// is shown unexamined.
func redactValue(cur cursor, v any, depth int) any {
	if cur.secret {
		return redacted
	}
	switch x := v.(type) {
	case nil, string, bool, int, int64, float64:
		return v
	case map[string]any:
		if depth >= limits.MaxDepth {
			return tooDeep
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = redactValue(cur.key(k), e, depth+1)
		}
		return out
	case []any:
		if depth >= limits.MaxDepth {
			return tooDeep
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redactValue(cur.item(i), e, depth+1)
		}
		return out
	}
	// A custom layer may hand in typed containers ([]map[string]string):
	// look inside them too.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if depth >= limits.MaxDepth {
			return tooDeep
		}
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := fmt.Sprint(it.Key().Interface())
			out[k] = redactValue(cur.key(k), it.Value().Interface(), depth+1)
		}
		return out
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return v
		}
		if depth >= limits.MaxDepth {
			return tooDeep
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = redactValue(cur.item(i), rv.Index(i).Interface(), depth+1)
		}
		return out
	}
	return v
}

// eachScalar calls fn with every non-container value in v, to the depth
// limit.
func eachScalar(v any, depth int, fn func(any)) {
	if depth > limits.MaxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			eachScalar(e, depth+1, fn)
		}
		return
	case []any:
		for _, e := range x {
			eachScalar(e, depth+1, fn)
		}
		return
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			eachScalar(it.Value().Interface(), depth+1, fn)
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			fn(v)
			return
		}
		for i := range rv.Len() {
			eachScalar(rv.Index(i).Interface(), depth+1, fn)
		}
	default:
		if v != nil {
			fn(v)
		}
	}
}

// eachSecret calls fn with every scalar value at or below a secret
// position in v, at any depth up to the limit.
func eachSecret(cur cursor, v any, depth int, fn func(any)) {
	if cur.secret {
		eachScalar(v, depth, fn)
		return
	}
	if depth >= limits.MaxDepth {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			eachSecret(cur.key(k), e, depth+1, fn)
		}
		return
	case []any:
		for i, e := range x {
			eachSecret(cur.item(i), e, depth+1, fn)
		}
		return
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			eachSecret(cur.key(fmt.Sprint(it.Key().Interface())), it.Value().Interface(), depth+1, fn)
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range rv.Len() {
			eachSecret(cur.item(i), rv.Index(i).Interface(), depth+1, fn)
		}
	}
}

// keyBuf builds dotted keys during a walk in one growing buffer: a level
// appends its segment and truncates back on return, so a walk costs time
// linear in the input and a key is materialised only where it is reported.
type keyBuf []byte

func (b keyBuf) push(k string) keyBuf {
	if len(b) > 0 {
		b = append(b, '.')
	}
	return append(b, k...)
}
