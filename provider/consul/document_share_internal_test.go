package consul

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// TestDocumentReadOfTheSameBytes drives a document watcher through answers
// whose index moved: the same bytes again are neither parsed nor
// delivered, and leave the delivered tree untouched while a reader walks
// it; the same content in other bytes is parsed and not delivered; a
// change is delivered.
func TestDocumentReadOfTheSameBytes(t *testing.T) {
	doc := func(v string, indent bool) []byte {
		keys := map[string]string{}
		for i := range 1000 {
			keys[fmt.Sprintf("k%04d", i)] = "v"
		}
		keys["k0000"] = v
		var b []byte
		var err error
		if indent {
			b, err = json.MarshalIndent(map[string]any{"keys": keys}, "", "  ")
		} else {
			b, err = json.Marshal(map[string]any{"keys": keys})
		}
		require.NoError(t, err)
		return b
	}
	p := New(Options{Key: "app.json", Config: &api.Config{Address: "127.0.0.1:1"}})
	require.NoError(t, p.initErr)
	var delivered []provider.Snapshot
	w := p.newWatcher(provider.Snapshot{}, func(ev provider.Event) {
		if ev.Snapshot != nil {
			delivered = append(delivered, *ev.Snapshot)
		}
	})
	index := uint64(1)
	answer := func(b []byte) {
		index++
		w.succeeded(&read{sent: index - 1, index: index, doc: &api.KVPair{Key: "app.json", Value: bytes.Clone(b)}})
	}

	answer(doc("a", false))
	require.Len(t, delivered, 1)
	first := delivered[0].Data
	want := maps.Clone(first["keys"].(map[string]any))

	// The same bytes: no parse (a parse of 1,000 keys allocates thousands
	// of times), no delivery, and the delivered tree is not written while
	// a reader walks it (go test -race).
	stop, walked, started := make(chan struct{}), make(chan int), make(chan struct{})
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				walked <- n
				return
			default:
				for range first["keys"].(map[string]any) {
					n++
				}
				if n == len(want) {
					close(started)
				}
			}
		}
	}()
	<-started // the reader is walking before the answers come
	same := doc("a", false)
	for range 5 {
		answer(same)
	}
	close(stop)
	assert.Positive(t, <-walked)
	allocs := testing.AllocsPerRun(20, func() { answer(same) })
	assert.Less(t, allocs, 100.0, "the same bytes were parsed again")
	assert.Len(t, delivered, 1, "the same document was delivered again")
	assert.Equal(t, want, first["keys"], "the delivered tree was written")

	// The same content in other bytes: parsed, compared, not delivered;
	// its bytes are then the ones remembered.
	indented := doc("a", true)
	answer(indented)
	assert.Len(t, delivered, 1, "the same content was delivered again")
	allocs = testing.AllocsPerRun(20, func() { answer(indented) })
	assert.Less(t, allocs, 100.0, "the re-indented bytes were not remembered")

	// A change is delivered, sharing what did not change.
	answer(doc("b", false))
	require.Len(t, delivered, 2)
	assert.Equal(t, "b", delivered[1].Data["keys"].(map[string]any)["k0000"])
	answer(doc("b", false))
	assert.Len(t, delivered, 2)
}
