package decode

import (
	"math"
	"reflect"
	"strconv"
)

// NaN and ±Inf parse as floats (strconv.ParseFloat("NaN"), YAML's .nan),
// but as configuration they are nearly always a mistake, and a NaN is not
// equal to itself, so naive comparisons see a change on every reload.
// They are refused unless the field, or a field above it, is tagged
// nonfinite:"true". The check runs on the decoded value rather than in a
// decode hook because a hook does not know which field it fills, and so
// could not honour the tag; it catches every route a float can take
// (strings, YAML numbers, lists split from a string, user hooks, values
// held in an any).

// nonFiniteHint tells the reader how to accept the value on purpose.
const nonFiniteHint = `is not a finite number (tag the field nonfinite:"true" to allow NaN and ±Inf)`

// checkFinite reports every NaN or ±Inf in v, a value of the type t
// describes, that no nonfinite tag allows, and sets it to zero where it can
// so that, as with other decode errors, a refused value is not left in
// place. key is the config key of v.
func (d *Decoder) checkFinite(v reflect.Value, key []byte, depth int, errs *Errors) {
	if depth > maxDepth || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return
		}
		k := string(key)
		msg := strconv.FormatFloat(f, 'g', -1, 64) + " " + nonFiniteHint // "NaN", "+Inf", "-Inf"
		if d.IsSecret(k) {
			msg = "value " + nonFiniteHint + " (secret value redacted)"
		}
		*errs = append(*errs, &FieldError{Key: k, Message: msg})
		if v.CanSet() {
			v.SetFloat(0)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			d.checkFinite(v.Elem(), key, depth, errs)
		}
	case reflect.Struct:
		si := d.structs[v.Type()]
		if si == nil {
			return // a leaf struct (time.Time, a TextUnmarshaler)
		}
		for _, f := range si.order {
			if f.nonfinite {
				continue
			}
			if fv, ok := fieldByIndex(v, f.index); ok {
				d.checkFinite(fv, appendKey(key, f.key), depth+1, errs)
			}
		}
	case reflect.Slice, reflect.Array:
		if !mayHoldFloat(v.Type().Elem()) {
			return
		}
		for i := range v.Len() {
			d.checkFinite(v.Index(i), append(append(append(key, '['), strconv.Itoa(i)...), ']'), depth+1, errs)
		}
	case reflect.Map:
		if !mayHoldFloat(v.Type().Elem()) {
			return
		}
		for it := v.MapRange(); it.Next(); {
			// Map values are not addressable: check a copy and store it
			// back so a refused float is zeroed in the map too.
			cp := reflect.New(it.Value().Type()).Elem()
			cp.Set(it.Value())
			n := len(*errs)
			d.checkFinite(cp, appendKey(key, mapKeyText(it.Key())), depth+1, errs)
			if len(*errs) > n {
				v.SetMapIndex(it.Key(), cp)
			}
		}
	}
}

// mayHoldFloat is false for element types that can hold no float, so that
// large maps of strings are not walked for nothing.
func mayHoldFloat(t reflect.Type) bool {
	switch deref(t).Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return false
	}
	return true
}

// fieldByIndex is reflect.Value.FieldByIndex that reports a nil embedded
// pointer instead of panicking.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 {
			for v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}

func appendKey(key []byte, k string) []byte {
	if len(key) > 0 {
		key = append(key, '.')
	}
	return append(key, k...)
}

func mapKeyText(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	s, _ := mapKey(k)
	return s
}
