package decode

import (
	"fmt"
	"maps"
	"reflect"
	"time"
)

// UnitLen says how much of a raw key path (as nested in the input maps)
// forms its decode unit: the smallest part of the value that can be decoded
// on its own and put in place without touching its neighbours. Units run
// through plain (non-pointer) struct fields and end at a leaf, list,
// pointer or interface field, at one entry of a string-keyed map field, or
// at the first key no field declares.
//
// n is the unit's length, at most len(path). finer is true when path ends
// exactly at a struct or map field whose own keys form smaller units, so a
// caller comparing two inputs may descend instead of taking the whole
// field. ok is false when the path cannot be decoded apart from the whole
// value (a ",remain" field collects it, or a squashed field lies behind a
// pointer): then the whole value must be decoded again.
//
// UnitLen does not allocate and is safe for concurrent use.
func (d *Decoder) UnitLen(path []string) (n int, finer, ok bool) {
	t := d.typ
	if si := d.structs[t]; si == nil || si.remain {
		return 0, false, false
	}
	for i, seg := range path {
		si := d.structs[t]
		if si.remain {
			return 0, false, false
		}
		f := si.fields[seg]
		if f == nil {
			return i + 1, false, true // an unknown key: decoded by nothing, reported as unused
		}
		ft, direct := fieldType(t, f.index)
		if !direct {
			return 0, false, false
		}
		last := i == len(path)-1
		switch {
		case f.kind == structField && ft.Kind() == reflect.Struct && d.structs[f.typ] != nil:
			if last {
				return len(path), true, true
			}
			t = f.typ
			continue
		case f.kind == mapField && ft.Kind() == reflect.Map && ft.Key().Kind() == reflect.String:
			if last {
				return len(path), true, true
			}
			return i + 2, false, true
		}
		return i + 1, false, true
	}
	return len(path), true, true
}

// fieldType returns the type of the field at index below t, and whether it
// is reached without following a pointer (a squashed *Embedded), so that
// setting it in a shallow copy cannot write into memory the copy shares.
func fieldType(t reflect.Type, index []int) (reflect.Type, bool) {
	for i, x := range index {
		if i > 0 && t.Kind() != reflect.Struct {
			return nil, false
		}
		t = t.Field(x).Type
	}
	return t, true
}

// Patch decodes only the given units and publishes the result as a new
// value: out receives a shallow copy of old with each unit replaced by its
// value decoded from data, where data holds, at each unit's path, the
// merged input value of that unit (a unit absent from data is absent from
// the configuration: its field becomes zero, its map entry is deleted).
// Every unit must be a full path returned by UnitLen, and no unit may lie
// below another. changed reports whether any unit's decoded value differs
// from old's, as decided by same (which must treat NaN as equal to NaN,
// or every reload of a NaN field is a change). unused lists the unknown keys found at or
// below the units (dotted, sorted).
//
// Memory that old and out share is never written: a map field that gains
// or loses an entry is cloned first, and struct fields are written only in
// out's own copy. Unchanged sub-values (maps, slices, pointers) are shared
// between old and out, so both must be treated as immutable from then on.
//
// On any decoding problem Patch returns the errors and leaves out
// unspecified; the caller is expected to decode the whole value again to
// report every problem. Patch is safe for concurrent use.
func (d *Decoder) Patch(old, out any, units [][]string, data map[string]any, same func(a, b any) bool) (unused []string, changed bool, err error) {
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(out)
	if ov.Kind() != reflect.Pointer || ov.IsNil() || ov.Elem().Type() != d.typ || nv.Kind() != reflect.Pointer || nv.IsNil() || nv.Elem().Type() != d.typ {
		return nil, false, Errors{{Message: fmt.Sprintf("decoder: old and out must be non-nil %s, got %T and %T", reflect.PointerTo(d.typ), old, out)}}
	}
	fresh := reflect.New(d.typ)
	unused, err = d.Decode(data, fresh.Interface())
	if err != nil {
		return unused, false, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = Errors{{Message: "decoder: panic while patching: " + truncate(fmt.Sprint(r), 4*maxValueLen)}}
		}
	}()
	nv.Elem().Set(ov.Elem())
	cloned := map[uintptr]bool{} // maps of out already copied from old
	for _, u := range units {
		c, err := d.patchUnit(u, ov.Elem(), nv.Elem(), fresh.Elem(), cloned, same)
		if err != nil {
			return unused, false, err
		}
		changed = changed || c
	}
	return unused, changed, nil
}

func (d *Decoder) patchUnit(u []string, ov, nv, fv reflect.Value, cloned map[uintptr]bool, same func(a, b any) bool) (bool, error) {
	t := d.typ
	for i, seg := range u {
		si := d.structs[t]
		if si == nil {
			return false, fmt.Errorf("decoder: unit %q does not lead through structs", u)
		}
		f := si.fields[seg]
		if f == nil {
			return false, nil // an unknown key: nothing to decode
		}
		ov, nv, fv = ov.FieldByIndex(f.index), nv.FieldByIndex(f.index), fv.FieldByIndex(f.index)
		switch {
		case i == len(u)-1:
			nv.Set(fv)
			return !same(ov.Interface(), fv.Interface()), nil
		case f.kind == mapField && i == len(u)-2:
			key := reflect.ValueOf(u[i+1]).Convert(nv.Type().Key())
			oe, fe := ov.MapIndex(key), fv.MapIndex(key)
			if addr := nv.UnsafeAddr(); !cloned[addr] {
				nv.Set(cloneMap(ov))
				cloned[addr] = true
			}
			nv.SetMapIndex(key, fe) // an invalid fe deletes the entry
			if oe.IsValid() != fe.IsValid() {
				return true, nil
			}
			return oe.IsValid() && !same(oe.Interface(), fe.Interface()), nil
		case f.kind == structField:
			t = f.typ
		default:
			return false, fmt.Errorf("decoder: unit %q goes below field %s", u, f.goPath)
		}
	}
	return false, fmt.Errorf("decoder: empty unit")
}

// cloneMap copies a map field's value so that an entry can change without
// touching the value readers of the old configuration hold. The common map
// types take maps.Clone's fast path, which copies the map's memory as it
// is (in about 60% of the time inserting every entry again takes, with the
// same bytes: BenchmarkCloneMap); the rest copy entry by entry. A nil map
// becomes an empty one, which is what decoding an entry into it makes.
func cloneMap(m reflect.Value) reflect.Value {
	if m.IsNil() {
		return reflect.MakeMap(m.Type())
	}
	switch x := m.Interface().(type) {
	case map[string]string:
		return reflect.ValueOf(maps.Clone(x))
	case map[string]any:
		return reflect.ValueOf(maps.Clone(x))
	case map[string]bool:
		return reflect.ValueOf(maps.Clone(x))
	case map[string]int:
		return reflect.ValueOf(maps.Clone(x))
	case map[string]float64:
		return reflect.ValueOf(maps.Clone(x))
	case map[string]int64:
		return reflect.ValueOf(maps.Clone(x))
	case map[string]time.Duration:
		return reflect.ValueOf(maps.Clone(x))
	case map[string][]string:
		return reflect.ValueOf(maps.Clone(x))
	}
	// One key and one value reused for every entry: it.Key() and
	// it.Value() would allocate two values an entry.
	t := m.Type()
	out := reflect.MakeMapWithSize(t, m.Len())
	k, v := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	for it := m.MapRange(); it.Next(); {
		k.SetIterKey(it)
		v.SetIterValue(it)
		out.SetMapIndex(k, v)
	}
	return out
}
