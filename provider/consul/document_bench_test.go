package consul

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
)

// docOf is the side-by-side benchmark's document (the root's
// BenchmarkConsulSideBySide): n keys below "keys", k00000 set to i.
func docOf(b *testing.B, n, i int) []byte {
	keys := make(map[string]string, n)
	for k := range n {
		keys[fmt.Sprintf("k%05d", k)] = "v"
	}
	keys["k00000"] = strconv.Itoa(i)
	out, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkDocumentChange measures what a document layer does with each
// changed answer before it delivers a snapshot, without the network: parse
// the JSON document, and make the new tree share the delivered one's
// unchanged parts (which also decides whether anything changed). Each
// iteration is one change of one key in a 1,000-key document.
func BenchmarkDocumentChange(b *testing.B) {
	const n = 1000
	docs := [2][]byte{docOf(b, n, 0), docOf(b, n, 1)}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := parseDocument("json", docs[i%2]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parse+share", func(b *testing.B) {
		last, err := parseDocument("json", docs[0])
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 1
		for b.Loop() {
			data, err := parseDocument("json", docs[i%2])
			if err != nil {
				b.Fatal(err)
			}
			if same, _ := shareTree(last, data); same {
				b.Fatal("a changed document compared the same")
			}
			last = data
			i++
		}
	})
}
