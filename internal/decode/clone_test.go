package decode

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestCloneMap checks that a clone holds every entry and shares no map
// memory with its source, for the types maps.Clone copies and for those
// copied entry by entry; a nil map becomes an empty one.
func TestCloneMap(t *testing.T) {
	for _, m := range []any{
		map[string]string{"a": "1", "b": "2"},
		map[string]any{"a": 1, "b": "2"},
		map[string]bool{"a": true, "b": false},
		map[string]int{"a": 1, "b": 2},
		map[string]float64{"a": 1, "b": 2},
		map[string]int64{"a": 1, "b": 2},
		map[string]time.Duration{"a": 1, "b": 2},
		map[string][]string{"a": {"x"}, "b": nil},
		map[string]patchInner{"a": {Port: 1}, "b": {Port: 2}},
		map[string]*patchInner{"a": {Port: 1}, "b": nil},
		map[string]uint8{"a": 1, "b": 2},
	} {
		t.Run(reflect.TypeOf(m).String(), func(t *testing.T) {
			src := reflect.ValueOf(m)
			out := cloneMap(src)
			assert.Equal(t, src.Type(), out.Type())
			assert.Equal(t, m, out.Interface())
			assert.NotEqual(t, src.Pointer(), out.Pointer(), "a clone must be a new map")
			out.SetMapIndex(reflect.ValueOf("a"), reflect.Value{})
			assert.Equal(t, 2, src.Len(), "deleting from the clone changed the source")

			empty := cloneMap(reflect.Zero(src.Type()))
			assert.False(t, empty.IsNil())
			assert.Zero(t, empty.Len())
		})
	}
}
