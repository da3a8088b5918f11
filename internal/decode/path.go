package decode

import "reflect"

// Path is a position in the configuration type reached from the root by
// config keys and list items. It lets a caller walk data and type together
// in one pass, asking at each step whether the value there is secret,
// instead of rebuilding a dotted key and re-parsing it at every level.
// The zero Path is below no known field: nothing there is secret.
// A Path is a small value; it is safe to copy and to use concurrently.
type Path struct {
	d      *Decoder
	t      reflect.Type // the type at this position, pointers removed; nil when unknown
	secret bool
}

// Root returns the Path of the whole configuration.
func (d *Decoder) Root() Path { return Path{d: d, t: d.typ} }

// Secret reports whether the value at p is, or lies below, a field tagged
// secret:"true".
func (p Path) Secret() bool { return p.secret }

// Key steps to the struct field or map entry named key. A key no field
// declares leads to an unknown position, which is not secret.
func (p Path) Key(key string) Path {
	if p.secret || p.t == nil {
		return p
	}
	switch p.t.Kind() {
	case reflect.Struct:
		si := p.d.structs[p.t]
		if si == nil {
			return Path{d: p.d}
		}
		f := si.fields[key]
		if f == nil {
			return Path{d: p.d}
		}
		return Path{d: p.d, t: f.typ, secret: f.secret}
	case reflect.Map:
		return Path{d: p.d, t: deref(p.t.Elem())}
	}
	return Path{d: p.d}
}

// Item steps to an element of the list at p.
func (p Path) Item() Path {
	if p.secret || p.t == nil {
		return p
	}
	switch p.t.Kind() {
	case reflect.Slice, reflect.Array:
		return Path{d: p.d, t: deref(p.t.Elem())}
	}
	return Path{d: p.d}
}
