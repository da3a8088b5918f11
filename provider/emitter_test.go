package provider_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// step is one attempt a watcher reports to an Emitter.
type step struct {
	snap provider.Snapshot
	err  error
	want string // the event emitted: "" (none), "snapshot <version>", "error <text>", "recovered"
}

func ok(version string, data map[string]any) step {
	return step{snap: provider.Snapshot{Version: version, Data: data}}
}

func fail(text string) step { return step{err: errors.New(text)} }

func (s step) emits(want string) step { s.want = want; return s }

func describeEvent(e provider.Event) string {
	switch {
	case e.Snapshot != nil && e.Err != nil:
		return "invalid: snapshot and error"
	case e.Snapshot != nil:
		return "snapshot " + e.Snapshot.Version
	case e.Err != nil:
		return "error " + e.Err.Error()
	default:
		return "recovered"
	}
}

var (
	a1 = map[string]any{"a": "1"}
	a2 = map[string]any{"a": "2"}
)

func TestEmitter(t *testing.T) {
	tests := []struct {
		name  string
		last  provider.Snapshot
		steps []step
	}{
		{
			name:  "the starting snapshot counts as delivered",
			last:  provider.Snapshot{Version: "1", Data: a1},
			steps: []step{ok("1", a1), ok("2", a1), ok("3", a2).emits("snapshot 3"), ok("3", a2)},
		},
		{
			name:  "a starting snapshot with data but no version counts as delivered",
			last:  provider.Snapshot{Data: a1},
			steps: []step{ok("1", a1), ok("2", a2).emits("snapshot 2")},
		},
		{
			name:  "a starting snapshot with a version but no data counts as delivered",
			last:  provider.Snapshot{Version: "0"},
			steps: []step{ok("1", nil), ok("2", map[string]any{}), ok("3", a1).emits("snapshot 3")},
		},
		{
			name:  "with a zero starting snapshot the first success is delivered, even empty",
			steps: []step{ok("1", nil).emits("snapshot 1"), ok("2", nil), ok("3", a1).emits("snapshot 3")},
		},
		{
			name:  "a deletion is a change",
			last:  provider.Snapshot{Data: map[string]any{"a": "1", "b": "2"}},
			steps: []step{ok("2", a1).emits("snapshot 2"), ok("3", nil).emits("snapshot 3"), ok("4", map[string]any{})},
		},
		{
			name: "an outage is one error, and its end with the same content one recovery",
			last: provider.Snapshot{Version: "1", Data: a1},
			steps: []step{
				fail("down").emits("error down"), fail("down"), fail("still down"),
				ok("2", a1).emits("recovered"), ok("3", a1),
			},
		},
		{
			name: "an outage that ends with new content is reported by the snapshot alone",
			last: provider.Snapshot{Version: "1", Data: a1},
			steps: []step{
				fail("down").emits("error down"), fail("down"),
				ok("2", a2).emits("snapshot 2"), ok("3", a2),
			},
		},
		{
			name: "each outage is reported",
			last: provider.Snapshot{Version: "1", Data: a1},
			steps: []step{
				fail("one").emits("error one"), ok("1", a1).emits("recovered"),
				fail("two").emits("error two"), fail("two"), ok("1", a1).emits("recovered"),
			},
		},
		{
			name:  "an outage before anything was delivered ends with the snapshot",
			steps: []step{fail("down").emits("error down"), ok("1", a1).emits("snapshot 1"), ok("1", a1)},
		},
		{
			name:  "a nil error is not a failure",
			last:  provider.Snapshot{Version: "1", Data: a1},
			steps: []step{{err: nil, snap: provider.Snapshot{Version: "1", Data: a1}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			e := provider.NewEmitter(tt.last, func(ev provider.Event) { got = append(got, describeEvent(ev)) })
			for i, s := range tt.steps {
				got = got[:0]
				emitted := e.Report(s.snap, s.err)
				var want []string
				if s.want != "" {
					want = []string{s.want}
				}
				assert.Equalf(t, want, append([]string(nil), got...), "step %d", i)
				assert.Equalf(t, s.want != "", emitted, "step %d: Report's result says whether it emitted", i)
				assert.Equalf(t, s.err != nil, e.Failing(), "step %d: Failing", i)
			}
		})
	}
}

func TestEmitterLast(t *testing.T) {
	start := provider.Snapshot{Version: "1", Data: a1}
	e := provider.NewEmitter(start, nil) // nil emit discards
	assert.Equal(t, start, e.Last())
	assert.True(t, e.Snapshot(provider.Snapshot{Version: "2", Data: a2}))
	assert.Equal(t, "2", e.Last().Version)
	assert.False(t, e.Snapshot(provider.Snapshot{Version: "3", Data: a2}))
	assert.Equal(t, "2", e.Last().Version, "an equal snapshot is not delivered, so Last stays")
	assert.True(t, e.Error(errors.New("x")))
	assert.Equal(t, "2", e.Last().Version, "an error keeps the content in force")
}

func TestEmitterSnapshotIsACopy(t *testing.T) {
	var got *provider.Snapshot
	e := provider.NewEmitter(provider.Snapshot{}, func(ev provider.Event) { got = ev.Snapshot })
	s := provider.Snapshot{Version: "1", Data: a1}
	require.True(t, e.Snapshot(s))
	require.NotNil(t, got)
	assert.Equal(t, s, *got)
}

// TestEmitterKeepsNoDelta checks that the snapshot an Emitter keeps has no
// Delta, while the one it emits keeps it: a watcher holds Last for as long
// as its layer is unchanged, and a Delta's Base would keep the tree before
// it alive all that time.
func TestEmitterKeepsNoDelta(t *testing.T) {
	var got *provider.Snapshot
	e := provider.NewEmitter(provider.Snapshot{Version: "1", Data: a1}, func(ev provider.Event) { got = ev.Snapshot })
	delta := &provider.Delta{Base: a1, Paths: [][]string{{"a"}}}
	require.True(t, e.Snapshot(provider.Snapshot{Version: "2", Data: a2, Delta: delta}))
	require.NotNil(t, got)
	assert.Same(t, delta, got.Delta, "the emitted snapshot carries its Delta")
	assert.Nil(t, e.Last().Delta)
	assert.Equal(t, "2", e.Last().Version)
}

func TestEmitterEqualHook(t *testing.T) {
	var calls [][2]string
	var got []string
	e := provider.NewEmitter(provider.Snapshot{Version: "1", Data: a1}, func(ev provider.Event) { got = append(got, describeEvent(ev)) })
	e.Equal = func(last, next provider.Snapshot) bool {
		calls = append(calls, [2]string{last.Version, next.Version})
		return last.Version == next.Version
	}
	e.Snapshot(provider.Snapshot{Version: "1", Data: a2}) // same version: equal by the hook
	e.Snapshot(provider.Snapshot{Version: "2", Data: a2})
	assert.Equal(t, [][2]string{{"1", "1"}, {"1", "2"}}, calls, "Equal gets (last delivered, next)")
	assert.Equal(t, []string{"snapshot 2"}, got)
}

func TestEmitterSameOutageHook(t *testing.T) {
	var got []string
	e := provider.NewEmitter(provider.Snapshot{Version: "1", Data: a1}, func(ev provider.Event) { got = append(got, describeEvent(ev)) })
	var calls [][2]string
	e.SameOutage = func(prev, err error) bool {
		calls = append(calls, [2]string{prev.Error(), err.Error()})
		return prev.Error() == err.Error()
	}
	e.Error(errors.New("down"))
	e.Error(errors.New("down"))
	e.Error(errors.New("denied"))
	e.Error(errors.New("denied"))
	e.Snapshot(provider.Snapshot{Version: "1", Data: a1})
	e.Error(errors.New("down"))
	assert.Equal(t, []string{"error down", "error denied", "recovered", "error down"}, got)
	assert.Equal(t, [][2]string{{"down", "down"}, {"down", "denied"}, {"denied", "denied"}}, calls,
		"SameOutage compares with the error reported last, and only during an outage")
}

func TestSameContent(t *testing.T) {
	base := func() provider.Snapshot {
		return provider.Snapshot{
			Data:    map[string]any{"db": map[string]any{"port": 1}},
			Version: "7",
			Origins: map[string]provider.Origin{"db.port": {Kind: "file", Ref: "c.yaml", Line: 2}},
			Source:  provider.Origin{Kind: "file", Ref: "c.yaml"},
			ReadAt:  time.Unix(1, 0),
			Info:    map[string]string{"datacenter": "dc1"},
		}
	}
	tests := []struct {
		name   string
		change func(*provider.Snapshot)
		same   bool
	}{
		{"identical", func(*provider.Snapshot) {}, true},
		{"another version", func(s *provider.Snapshot) { s.Version = "8" }, true},
		{"another read time", func(s *provider.Snapshot) { s.ReadAt = time.Unix(2, 0) }, true},
		{"a changed value", func(s *provider.Snapshot) { s.Data = map[string]any{"db": map[string]any{"port": 2}} }, false},
		{"a changed type", func(s *provider.Snapshot) { s.Data = map[string]any{"db": map[string]any{"port": "1"}} }, false},
		{"a deleted key", func(s *provider.Snapshot) { s.Data = map[string]any{"db": map[string]any{}} }, false},
		{"no data", func(s *provider.Snapshot) { s.Data = nil }, false},
		{"a moved origin", func(s *provider.Snapshot) {
			s.Origins["db.port"] = provider.Origin{Kind: "file", Ref: "c.yaml", Line: 3}
		}, false},
		{"no origins", func(s *provider.Snapshot) { s.Origins = nil }, false},
		{"another source", func(s *provider.Snapshot) { s.Source.Ref = "d.yaml" }, false},
		{"an origin rule", func(s *provider.Snapshot) {
			s.OriginRule = provider.OriginRule{Kind: "consul key", Prefix: "app/", Sep: "/"}
		}, false},
		{"stale", func(s *provider.Snapshot) { s.Stale = true }, false},
		{"other info", func(s *provider.Snapshot) { s.Info = map[string]string{"datacenter": "dc2"} }, false},
		{"no info", func(s *provider.Snapshot) { s.Info = nil }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(&b)
			assert.Equal(t, tt.same, provider.SameContent(a, b), "a, b")
			assert.Equal(t, tt.same, provider.SameContent(b, a), "b, a")
		})
	}
}

func TestSameContentEmptyAndNilMaps(t *testing.T) {
	empty := provider.Snapshot{Data: map[string]any{}, Origins: map[string]provider.Origin{}, Info: map[string]string{}}
	assert.True(t, provider.SameContent(provider.Snapshot{}, empty), "nil and empty maps are the same")
	assert.True(t, provider.SameContent(empty, provider.Snapshot{}))
	assert.False(t, provider.SameContent(provider.Snapshot{}, provider.Snapshot{Data: a1}))
	assert.False(t, provider.SameContent(provider.Snapshot{Data: a1}, empty))
}

// ExampleEmitter shows a polling watcher: dedupe, one error per outage and
// one recovery come from the Emitter, not from the loop.
func ExampleEmitter() {
	reads := []struct {
		data map[string]any
		err  error
	}{
		{data: map[string]any{"a": "1"}},      // unchanged: nothing
		{data: map[string]any{"a": "2"}},      // a change
		{err: errors.New("connection reset")}, // an outage begins
		{err: errors.New("connection reset")}, // a retry: nothing
		{data: map[string]any{"a": "2"}},      // recovered, unchanged
	}
	first := provider.Snapshot{Version: "v0", Data: map[string]any{"a": "1"}}
	e := provider.NewEmitter(first, func(ev provider.Event) {
		switch {
		case ev.Snapshot != nil:
			fmt.Println("snapshot", ev.Snapshot.Data)
		case ev.Err != nil:
			fmt.Println("error:", ev.Err)
		default:
			fmt.Println("recovered")
		}
	})
	for i, r := range reads {
		e.Report(provider.Snapshot{Version: fmt.Sprint("v", i+1), Data: r.data}, r.err)
	}
	// Output:
	// snapshot map[a:2]
	// error: connection reset
	// recovered
}

func TestEmitterNilErrorChangesNothing(t *testing.T) {
	var got []provider.Event
	e := provider.NewEmitter(provider.Snapshot{Version: "1", Data: a1}, func(ev provider.Event) { got = append(got, ev) })
	assert.False(t, e.Error(nil))
	assert.False(t, e.Failing())
	require.True(t, e.Error(errors.New("down")))
	assert.False(t, e.Error(nil))
	assert.True(t, e.Failing(), "a nil error does not end an outage")
	assert.Len(t, got, 1)
}

// TestSameContentFollowsTheDelta checks that a Delta relative to the first
// snapshot's Data limits the comparison to its paths (a Delta is trusted,
// so the case naming too little proves the limit), and that any other
// Delta is ignored.
func TestSameContentFollowsTheDelta(t *testing.T) {
	base := map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "name": "a"}
	next := map[string]any{"db": map[string]any{"host": "h", "port": "2"}, "name": "b"}
	tests := []struct {
		name  string
		delta *provider.Delta
		same  bool
	}{
		{"no delta: compared whole", nil, false},
		{"every change named", &provider.Delta{Base: base, Paths: [][]string{{"db", "port"}, {"name"}}}, false},
		{"only name named", &provider.Delta{Base: base, Paths: [][]string{{"name"}}}, false},
		{"only an unchanged key named", &provider.Delta{Base: base, Paths: [][]string{{"db", "host"}}}, true},
		{"a path through a leaf in both", &provider.Delta{Base: base, Paths: [][]string{{"name", "x"}}}, true},
		{"a key that appears", &provider.Delta{Base: base, Paths: [][]string{{"db", "user"}}}, false},
		{"the empty path: the whole tree", &provider.Delta{Base: base, Paths: [][]string{{}}}, false},
		{"relative to other content: ignored", &provider.Delta{Base: map[string]any{"x": "1"}, Paths: [][]string{{"db", "host"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := next
			if tt.name == "a key that appears" {
				data = map[string]any{"db": map[string]any{"host": "h", "port": "2", "user": "u"}, "name": "b"}
			}
			a := provider.Snapshot{Data: base}
			b := provider.Snapshot{Data: data, Delta: tt.delta}
			assert.Equal(t, tt.same, provider.SameContent(a, b))
		})
	}
	// Content equal to the Base is the same, whatever the paths.
	equal := provider.Snapshot{Data: map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "name": "a"},
		Delta: &provider.Delta{Base: base, Paths: [][]string{{"db"}, {"name"}}}}
	assert.True(t, provider.SameContent(provider.Snapshot{Data: base}, equal))
	// A key holding nil (YAML "~") is not a missing key.
	withNil := provider.Snapshot{Data: map[string]any{"db": map[string]any{"host": "h", "port": "1", "user": nil}, "name": "a"},
		Delta: &provider.Delta{Base: base, Paths: [][]string{{"db", "user"}}}}
	assert.False(t, provider.SameContent(provider.Snapshot{Data: base}, withNil))
}
