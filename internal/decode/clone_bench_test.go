package decode

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// BenchmarkCloneMap measures cloneMap, the copy a map field's change
// costs, on 10,000 entries: a type maps.Clone handles directly and types
// that go through reflection.
func BenchmarkCloneMap(b *testing.B) {
	const n = 10000
	strs := make(map[string]string, n)
	durs := make(map[string]time.Duration, n)
	structs := make(map[string]patchInner, n)
	lists := make(map[string][]string, n)
	for i := range n {
		k := fmt.Sprintf("k%05d", i)
		strs[k], durs[k], structs[k], lists[k] = k, time.Duration(i), patchInner{Port: i}, []string{k}
	}
	// What cloneMap saves against, and that an exactly sized map is no
	// smaller than the clone of a grown one.
	b.Run("map[string]string/rebuilt", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out := make(map[string]string, len(strs))
			for k, v := range strs {
				out[k] = v
			}
			if len(out) != n {
				b.Fatal("short copy")
			}
		}
	})
	for _, m := range []any{strs, durs, structs, lists} {
		v := reflect.ValueOf(m)
		b.Run(fmt.Sprintf("%T", m), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if cloneMap(v).Len() != n {
					b.Fatal("short clone")
				}
			}
		})
	}
}
