package provider

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// MaxDepth is the deepest nesting a layer's content may have: the number
// of keys and list indexes on the path from the top of a snapshot to its
// deepest value ("a.b[0].c" is 4). It is the decoder's own bound, so
// nothing a layer accepts is refused later for depth alone. Real
// configuration stays far below it; it exists because hostile input can
// nest without limit, and every walk over a snapshot (merging, decoding,
// redaction, Explain) costs time and memory that grow with depth.
const MaxDepth = 64

// DepthError reports content nested deeper than MaxDepth. It carries no
// value from the content, only where the limit was hit.
type DepthError struct {
	// Key is the key path ("a.b[0].c") at which the limit was hit,
	// shortened with "…" when long; empty when only the text was scanned.
	Key string
	// Line is the 1-based line of the text at which a scan before parsing
	// hit the limit, or 0.
	Line int
}

// Error renders as "nested deeper than 64 levels at key a.b.c…" or "… at
// line 3".
func (e *DepthError) Error() string {
	msg := fmt.Sprintf("nested deeper than %d levels (provider.MaxDepth)", MaxDepth)
	switch {
	case e.Key != "":
		return msg + " at key " + e.Key
	case e.Line > 0:
		return msg + " at line " + strconv.Itoa(e.Line)
	}
	return msg
}

// maxKeyInError bounds the key path quoted in a DepthError: at the limit
// it has MaxDepth+1 segments, each of any length.
const maxKeyInError = 200

// CheckDepth returns a *DepthError naming the key path at which data nests
// deeper than MaxDepth, or nil. Nested maps (map[string]any, map[any]any
// or any other map type) and lists ([]any or any slice or array of
// non-scalars) count as levels.
//
// It does not modify data and is safe for concurrent use on data nobody
// modifies. Its cost is linear in the number of distinct maps and lists:
// one shared by several keys (as a caller's own Go map may be) is measured
// once, and a map that contains itself is reported as too deep rather than
// walked forever.
func CheckDepth(data map[string]any) error {
	w := depthWalk{heights: map[container]int{}}
	if _, path, ok := w.height(data, MaxDepth); !ok {
		return &DepthError{Key: render(path)}
	}
	return nil
}

// container identifies a map or list by its address (and a list by its
// length too, since two lists may share a backing array).
type container struct {
	ptr uintptr
	n   int
}

// inProgress marks a container whose height is being measured; meeting it
// again below itself means a cycle.
const inProgress = -1

type depthWalk struct {
	// heights holds the measured height of each container seen: the
	// number of levels below it (1 for a map of scalars).
	heights map[container]int
}

// height returns the number of levels below v when that fits in budget.
// When it does not, it returns the path segments from v down to the first
// value beyond the budget, deepest first. It recurses at most budget+1
// deep.
func (w *depthWalk) height(v any, budget int) (int, []string, bool) {
	rv := reflect.ValueOf(v)
	id, kind := identify(rv)
	if kind == leaf {
		return 0, nil, true
	}
	if kind == shared {
		h, seen := w.heights[id]
		if seen && h != inProgress && h <= budget {
			return h, nil, true
		}
		// A container already in progress is a cycle: walking on spends
		// the budget and reports the path, so it needs no case of its own.
		if !seen {
			w.heights[id] = inProgress
		}
	}
	height := 0
	var failed []string
	each(rv, func(seg segment, child any) bool {
		if budget == 0 {
			failed = []string{seg.String()}
			return false
		}
		h, path, ok := w.height(child, budget-1)
		if !ok {
			failed = append(path, seg.String())
			return false
		}
		height = max(height, h+1)
		return true
	})
	if failed != nil {
		return 0, failed, false
	}
	if kind == shared {
		w.heights[id] = height
	}
	return height, nil, true
}

// kind sorts values for the walk.
type kind int

const (
	leaf   kind = iota // a scalar, or an empty map or list
	shared             // a map or slice, which other keys may share
	owned              // an array, which is a value of its own
)

// identify returns the kind of rv and, for a map or slice, its identity.
func identify(rv reflect.Value) (container, kind) {
	switch rv.Kind() {
	case reflect.Map:
		if rv.Len() == 0 {
			return container{}, leaf
		}
		return container{ptr: rv.Pointer()}, shared
	case reflect.Slice, reflect.Array:
		if rv.Len() == 0 || !nests(rv.Type().Elem()) {
			return container{}, leaf
		}
		if rv.Kind() == reflect.Array {
			return container{}, owned
		}
		return container{ptr: rv.Pointer(), n: rv.Len()}, shared
	}
	return container{}, leaf
}

// nests reports whether elements of type t can be maps or lists.
func nests(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Map, reflect.Slice, reflect.Array:
		return true
	}
	return false
}

// segment is one step of a key path: a map key, or a list index when
// index >= 0. It is rendered only for an error, so that walking a large
// document builds no string per key.
type segment struct {
	key   string
	index int
}

// String renders the segment as it appears in a key path: ".key" or "[3]".
func (s segment) String() string {
	if s.index >= 0 {
		return "[" + strconv.Itoa(s.index) + "]"
	}
	return "." + s.key
}

// each calls fn with the path segment and value of every element of the
// map or list rv until fn returns false. The common types skip reflection.
func each(rv reflect.Value, fn func(seg segment, child any) bool) {
	switch m := rv.Interface().(type) {
	case map[string]any:
		for k, c := range m {
			if !fn(segment{key: k, index: -1}, c) {
				return
			}
		}
		return
	case []any:
		for i, c := range m {
			if !fn(segment{index: i}, c) {
				return
			}
		}
		return
	}
	if rv.Kind() == reflect.Map {
		it := rv.MapRange()
		for it.Next() {
			if !fn(segment{key: fmt.Sprint(it.Key().Interface()), index: -1}, it.Value().Interface()) {
				return
			}
		}
		return
	}
	for i := range rv.Len() {
		if !fn(segment{index: i}, rv.Index(i).Interface()) {
			return
		}
	}
}

// render joins path segments, given deepest first, into a key path,
// shortened after maxKeyInError bytes.
func render(rev []string) string {
	var sb strings.Builder
	for i := len(rev) - 1; i >= 0; i-- {
		seg := rev[i]
		if sb.Len() == 0 {
			seg = strings.TrimPrefix(seg, ".")
		}
		if sb.Len()+len(seg) > maxKeyInError {
			sb.WriteString("…")
			break
		}
		sb.WriteString(seg)
	}
	return sb.String()
}

// Unmarshal parses b with unmarshal (for example a koanf parser's
// Unmarshal) and refuses content nested deeper than MaxDepth with a
// *DepthError. format is "yaml", "json", "toml", or anything else when
// unknown.
//
// TOML is scanned before it is parsed, since go-toml has no depth limit
// and spends time, memory and stack on any depth it is given; the scan
// reports the line. YAML's and JSON's parsers stop at 10,000 levels by
// themselves, which bounds their cost. After parsing, the tree is checked
// with CheckDepth for every format, which also catches depth built from
// YAML aliases and reports the key path.
//
// An error from unmarshal comes back with the parts of its message that
// repeat the text removed (numbers out of range, and for YAML quoted
// values, custom tags and anchor names), since the text may hold secrets;
// the parser's error stays reachable with errors.As, for its position.
func Unmarshal(format string, b []byte, unmarshal func([]byte) (map[string]any, error)) (map[string]any, error) {
	if format == "toml" {
		if _, err := tomlDepth(b, MaxDepth); err != nil {
			return nil, err
		}
	}
	m, err := unmarshal(b)
	if err != nil {
		return nil, scrub(format, err)
	}
	if err := CheckDepth(m); err != nil {
		return nil, err
	}
	return m, nil
}
