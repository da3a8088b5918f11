package memory_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/memory"
)

func load(t *testing.T, l *memory.Provider) provider.Snapshot {
	t.Helper()
	s, err := l.Load(context.Background())
	require.NoError(t, err)
	return s
}

// TestChanges checks each change's content, that snapshots handed out
// never change, and the Delta a single change carries: relative to the
// snapshot before it, naming where it changed, with every map off that
// path shared rather than copied.
func TestChanges(t *testing.T) {
	tests := []struct {
		name   string
		change func(*memory.Provider)
		want   map[string]any
		delta  [][]string // the Delta's paths; nil: no Delta relative to the first snapshot
		shared []string   // top-level keys whose maps the change must not copy
	}{
		{"set a new nested key", func(l *memory.Provider) { l.Set("db.pool.max", 3) },
			map[string]any{"db": map[string]any{"host": "h", "port": "1", "pool": map[string]any{"max": 3}}, "top": "t", "x": map[string]any{"y": "z"}},
			[][]string{{"db", "pool", "max"}}, []string{"x"}},
		{"set over a leaf makes a map", func(l *memory.Provider) { l.Set("top.x", "y") },
			map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "top": map[string]any{"x": "y"}, "x": map[string]any{"y": "z"}},
			[][]string{{"top"}}, []string{"db", "x"}},
		{"set below a leaf on the way", func(l *memory.Provider) { l.Set("top.x.y", "y") },
			map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "top": map[string]any{"x": map[string]any{"y": "y"}}, "x": map[string]any{"y": "z"}},
			[][]string{{"top"}}, []string{"db", "x"}},
		{"delete a leaf", func(l *memory.Provider) { l.Delete("db.port") },
			map[string]any{"db": map[string]any{"host": "h"}, "top": "t", "x": map[string]any{"y": "z"}},
			[][]string{{"db", "port"}}, []string{"x"}},
		{"delete the last leaf drops its empty parent", func(l *memory.Provider) { l.Delete("x.y") },
			map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "top": "t"},
			[][]string{{"x", "y"}}, []string{"db"}},
		{"delete two leaves", func(l *memory.Provider) { l.Delete("db.port"); l.Delete("db.host") },
			map[string]any{"top": "t", "x": map[string]any{"y": "z"}}, nil, []string{"x"}},
		{"delete a subtree", func(l *memory.Provider) { l.Delete("db") }, map[string]any{"top": "t", "x": map[string]any{"y": "z"}},
			[][]string{{"db"}}, []string{"x"}},
		{"delete through a leaf", func(l *memory.Provider) { l.Delete("top.x") },
			map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "top": "t", "x": map[string]any{"y": "z"}},
			[][]string{{"top"}}, []string{"db", "x"}},
		{"delete a missing key", func(l *memory.Provider) { l.Delete("db.nothing.here") },
			map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "top": "t", "x": map[string]any{"y": "z"}},
			[][]string{{"db", "nothing", "here"}}, []string{"db", "x"}},
		{"set all", func(l *memory.Provider) { l.SetAll(map[string]any{"z": []any{"a"}}) }, map[string]any{"z": []any{"a"}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			initial := func() map[string]any {
				return map[string]any{"db": map[string]any{"host": "h", "port": "1"}, "top": "t", "x": map[string]any{"y": "z"}}
			}
			l := memory.New("m", initial())
			before := load(t, l)
			tt.change(l)
			after := load(t, l)
			assert.Equal(t, tt.want, after.Data)
			assert.NotEqual(t, before.Version, after.Version)
			assert.Equal(t, initial(), before.Data, "a snapshot handed out never changes")
			for _, k := range tt.shared {
				assert.True(t, sameMap(before.Data[k], after.Data[k]), "%s: an unchanged map is shared, not copied", k)
			}
			if tt.delta == nil {
				assert.True(t, after.Delta == nil || !sameMap(after.Delta.Base, before.Data), "no Delta relative to the first snapshot")
				return
			}
			require.NotNil(t, after.Delta)
			assert.True(t, sameMap(after.Delta.Base, before.Data), "the Delta is relative to the snapshot before the change")
			assert.Equal(t, tt.delta, after.Delta.Paths)
		})
	}
}

// sameMap reports whether a and b hold the same map, not merely equal ones.
func sameMap(a, b any) bool {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	return aok && bok && reflect.ValueOf(am).UnsafePointer() == reflect.ValueOf(bm).UnsafePointer()
}

func TestCopiesInput(t *testing.T) {
	in := map[string]any{"db": map[string]any{"host": "h"}, "list": []any{"a", map[string]any{"k": "v"}}}
	l := memory.New("", in)
	in["db"].(map[string]any)["host"] = "changed"
	in["list"].([]any)[0] = "changed"
	in["list"].([]any)[1].(map[string]any)["k"] = "changed"
	s := load(t, l)
	assert.Equal(t, map[string]any{"db": map[string]any{"host": "h"}, "list": []any{"a", map[string]any{"k": "v"}}}, s.Data)
	assert.Equal(t, "memory", l.Name())
	assert.Equal(t, provider.Origin{Kind: "memory", Ref: "db.host"}, s.OriginOf("db.host"))
	assert.Equal(t, provider.Origin{Kind: "memory", Ref: "memory"}, s.Source)
	assert.Equal(t, `memory layer "memory"`, l.String())

	all := map[string]any{"a": map[string]any{"b": "c"}}
	l.SetAll(all)
	all["a"].(map[string]any)["b"] = "changed"
	assert.Equal(t, map[string]any{"a": map[string]any{"b": "c"}}, load(t, l).Data)
}

func TestFailAndRecover(t *testing.T) {
	l := memory.New("m", map[string]any{"a": "1"})
	boom := errors.New("boom")
	l.Fail(boom)
	_, err := l.Load(context.Background())
	assert.ErrorIs(t, err, boom)
	var pe *provider.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "m", pe.Layer)

	l.Set("a", "2") // kept through the outage
	l.Fail(nil)
	_, err = l.Load(context.Background())
	assert.EqualError(t, err, "m: memory: layer failing (Fail was called)")

	l.Recover()
	assert.Equal(t, map[string]any{"a": "2"}, load(t, l).Data)
	assert.Equal(t, 3, l.Reads(), "every Load is a read, failed ones too")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Load(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}
