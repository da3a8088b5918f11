package consul

import (
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider"
)

// TestSameIndexAnswerRereadsWithoutIndex checks rule 12 on the watcher's
// state: a blocking query answered with the index it was sent is followed
// by a read without an index; an answer with a new index is blocked on.
func TestSameIndexAnswerRereadsWithoutIndex(t *testing.T) {
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}})
	for _, tc := range []struct {
		name        string
		sent, index uint64
		next        uint64
	}{
		{"plain read", 0, 26, 26},
		{"new index", 26, 30, 30},
		{"same index: restore or timeout", 26, 26, 0},
		{"lower index", 26, 15, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := p.newWatcher(provider.Snapshot{}, func(provider.Event) {})
			w.succeeded(&read{sent: tc.sent, index: tc.index})
			assert.Equal(t, tc.next, w.index)
		})
	}
}

// TestNoMoreThanWaitWithoutAPlainRead checks the bound of rule 12: a
// blocking query waits only what is left of Wait since the last read
// without an index, and once nothing is left the read carries none, so a
// server silently behind is found within Wait + Wait/16.
func TestNoMoreThanWaitWithoutAPlainRead(t *testing.T) {
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}, Wait: time.Minute})
	plain := time.Now()
	for _, tc := range []struct {
		name  string
		index uint64
		since time.Duration // since the last read without an index
		want  uint64
		wait  time.Duration
	}{
		{"nothing to block on", 0, 0, 0, 0},
		{"just read", 26, 0, 26, time.Minute},
		{"part of the wait used", 26, 40 * time.Second, 26, 20 * time.Second},
		{"the wait used up", 26, time.Minute, 0, 0},
		{"long past", 26, time.Hour, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := p.newWatcher(provider.Snapshot{}, func(provider.Event) {})
			w.index, w.plainAt = tc.index, plain
			index, wait := w.query(plain.Add(tc.since))
			assert.Equal(t, tc.want, index)
			assert.Equal(t, tc.wait, wait)
		})
	}
	w := p.newWatcher(provider.Snapshot{Version: "26", Data: map[string]any{}, ReadAt: plain}, func(provider.Event) {})
	index, _ := w.query(plain.Add(time.Second))
	assert.Equal(t, uint64(26), index, "Load's read counts as a read without an index")
}
