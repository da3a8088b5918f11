package strata

import (
	"math"
	"reflect"
)

// sameValue is reflect.DeepEqual except that a NaN equals a NaN. It decides
// whether a new value is a change: with reflect.DeepEqual a field holding
// NaN differs from itself, so every reload would fire every callback.
// Like DeepEqual, it follows pointers, compares unexported fields, and
// treats non-nil funcs as different.
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == b
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	return equalValues(va, vb, map[visit]bool{})
}

// visit is a pair of pointers already being compared, so that cyclic
// values terminate as in reflect.DeepEqual.
type visit struct {
	a, b uintptr
	typ  reflect.Type
}

func equalValues(a, b reflect.Value, seen map[visit]bool) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return false
		}
		if a.IsNil() {
			return true
		}
		if a.Kind() != reflect.Slice || a.Len() > 0 {
			v := visit{a.Pointer(), b.Pointer(), a.Type()}
			if v.a == v.b && a.Kind() != reflect.Slice {
				// The same memory holds the same value (NaN included).
				return true
			}
			if seen[v] {
				return true
			}
			seen[v] = true
		}
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	case reflect.Complex64, reflect.Complex128:
		x, y := a.Complex(), b.Complex()
		return x == y || sameFloat(real(x), real(y)) && sameFloat(imag(x), imag(y))
	case reflect.Pointer, reflect.Interface:
		return equalValues(a.Elem(), b.Elem(), seen)
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalValues(a.Index(i), b.Index(i), seen) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalValues(a.Field(i), b.Field(i), seen) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !equalValues(it.Value(), bv, seen) {
				return false
			}
		}
		return true
	case reflect.Func:
		return a.IsNil() && b.IsNil()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Chan, reflect.UnsafePointer:
		return a.Pointer() == b.Pointer()
	}
	return false
}

func sameFloat(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
