package strata

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

type propInner struct {
	Port  int     `config:"port" default:"80" validate:"min=0"`
	Host  string  `config:"host"`
	Ratio float64 `config:"ratio" nonfinite:"true"`
}

type propConfig struct {
	Name  string    `config:"name" default:"x"`
	Inner propInner `config:"inner"`
	Deep  struct {
		Inner propInner `config:"inner"`
		Tags  []string  `config:"tags"`
	} `config:"deep"`
	Flags   map[string]string    `config:"flags"`
	Limits  map[string]int       `config:"limits"`
	Tenants map[string]propInner `config:"tenants"`
	Ptr     *propInner           `config:"ptr"`
}

// Validate is a rule across fields, so a patched value must be validated
// whole: a change to name can break it as well as a change to inner.port.
func (c propConfig) Validate() error {
	if c.Name == "v1" && c.Inner.Port == 3 {
		return errors.New("inner.port 3 is not allowed with name v1")
	}
	return nil
}

// propPaths are the keys the random changes touch: struct fields at two
// depths, entries of maps of scalars and of structs, a list, a pointer,
// and keys no field declares.
var propPaths = [][]string{
	{"name"}, {"inner", "port"}, {"inner", "host"}, {"inner", "ratio"}, {"inner", "bogus"},
	{"deep", "inner", "port"}, {"deep", "tags"}, {"flags", "a"}, {"flags", "b"}, {"flags", "c"},
	{"limits", "a"}, {"limits", "b"}, {"tenants", "t1", "port"}, {"tenants", "t1", "host"},
	{"tenants", "t2", "port"}, {"tenants", "t1", "bogus"}, {"ptr", "port"}, {"ptr", "host"}, {"unknown"},
}

func propValue(r *rand.Rand, path []string) any {
	last := path[len(path)-1]
	switch {
	case r.IntN(40) == 0:
		return "ten" // does not decode into an int: the whole reload is refused
	case r.IntN(60) == 0:
		return "NaN"
	case last == "port" || path[0] == "limits":
		return fmt.Sprint(r.IntN(4))
	case last == "ratio":
		return []string{"0.5", "1", "NaN"}[r.IntN(3)]
	case last == "tags":
		return []string{"a,b", "c", ""}[r.IntN(3)]
	}
	return fmt.Sprintf("v%d", r.IntN(3))
}

// mutate returns a new snapshot of a layer with one random change, as a
// provider delivers it: either a fresh deep copy (nothing shared) or a copy
// of the path only (unchanged subtrees shared), to exercise both ways; and
// the path below which it changed, as a provider.Delta names it.
func mutate(r *rand.Rand, data map[string]any) (map[string]any, []string) {
	share := r.IntN(2) == 0
	out := cloneMaps(data)
	if share {
		out = make(map[string]any, len(data))
		for k, v := range data {
			out[k] = v
		}
	}
	path := propPaths[r.IntN(len(propPaths))]
	switch op := r.IntN(10); {
	case op < 5: // set a leaf
		setCopied(out, path, propValue(r, path), share)
		return out, path
	case op < 8: // delete the key, or its whole subtree: lower layers show through
		n := 1 + r.IntN(len(path))
		parent := walkCopied(out, path[:n-1], share)
		if parent != nil {
			delete(parent, path[n-1])
		}
		return out, path[:n]
	case op < 9: // a scalar where a struct or map is expected (an error, or hides lower layers)
		setCopied(out, path[:1], "oops", share)
	default: // replace a subtree whole
		setCopied(out, path[:1], map[string]any{}, share)
		setCopied(out, path, propValue(r, path), share)
	}
	return out, path[:1]
}

// walkCopied returns the map at path in m, copying each map on the way when
// the snapshot shares them with the previous one; nil if path is not maps.
func walkCopied(m map[string]any, path []string, copyMaps bool) map[string]any {
	for _, seg := range path {
		next, ok := m[seg].(map[string]any)
		if !ok {
			return nil
		}
		if copyMaps {
			cp := make(map[string]any, len(next))
			for k, v := range next {
				cp[k] = v
			}
			next = cp
			m[seg] = next
		}
		m = next
	}
	return m
}

func setCopied(m map[string]any, path []string, v any, copyMaps bool) {
	for _, seg := range path[:len(path)-1] {
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
		} else if copyMaps {
			cp := make(map[string]any, len(next))
			for k, v := range next {
				cp[k] = v
			}
			next = cp
		}
		m[seg] = next
		m = next
	}
	m[path[len(path)-1]] = v
}

// TestIncrementalReloadMatchesRebuild applies random change sequences to
// three layers and checks, after each, that the incremental reload gives
// exactly what merging every layer from scratch gives: the same value, the
// same unknown keys, the same verdict on validity and on whether anything
// changed; and that the value published before is left untouched. Half the
// snapshots carry a provider.Delta naming the changed path, so the compare
// along the Delta's paths is held to the same result.
func TestIncrementalReloadMatchesRebuild(t *testing.T) {
	for seed := range uint64(20) {
		opts := Options{Strict: seed%4 == 3} // strict: an unknown key is an error
		t.Run(fmt.Sprintf("seed=%d/strict=%v", seed, opts.Strict), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 12))
			c, err := LoadWith[propConfig](context.Background(), opts)
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			defaults, err := c.layers[0].Load(context.Background())
			require.NoError(t, err)
			names := []string{"file", "consul", "env"}
			c.names = append(c.names, names...)
			for _, n := range names {
				c.status.s.Layers = append(c.status.s.Layers, LayerStatus{Name: n})
			}
			snaps := []provider.Snapshot{defaults, {Data: map[string]any{}}, {Data: map[string]any{}}, {Data: map[string]any{}}}
			first, err := c.build("load", snaps)
			require.NoError(t, err)
			c.publish(first)
			witness, err := c.build("load", snaps) // an independent copy of the published value
			require.NoError(t, err)

			patched, deltas := 0, 0
			for step := range 300 {
				layer := 1 + r.IntN(3)
				next := append([]provider.Snapshot(nil), snaps...)
				data, changed := mutate(r, snaps[layer].Data)
				next[layer] = provider.Snapshot{Data: data}
				paths := [][]string{changed}
				if step%50 == 49 { // more units than maxUnits: the full build takes over
					flags := map[string]any{}
					for i := range maxUnits + 10 {
						flags[fmt.Sprintf("f%d", i)] = fmt.Sprint(step)
					}
					next[layer].Data["flags"] = flags
					paths = append(paths, []string{"flags"})
				}
				if r.IntN(2) == 0 {
					next[layer].Delta = &provider.Delta{Base: snaps[layer].Data, Paths: paths}
					deltas++
				}

				prev := c.applied.Load()
				full, fullErr := c.build("reload", next)
				inc, ok := c.buildIncremental(next)
				if fullErr != nil {
					assert.False(t, ok, "step %d: incremental accepted what a rebuild refuses: %v", step, fullErr)
				}
				if ok && fullErr == nil {
					patched++
					assert.True(t, sameValue(full.value, inc.value), "step %d: value differs from a rebuild\n got %+v\nwant %+v", step, *inc.value, *full.value)
					assert.Equal(t, full.unknown, inc.unknown, "step %d: unknown keys", step)
					assert.Equal(t, sameValue(prev.value, full.value), inc.same, "step %d: changed or not", step)
					rebuilt := &candidate[propConfig]{snaps: next, merged: full.mergedTree()}
					assert.Equal(t, c.diff(1, prev, rebuilt), c.diff(1, prev, inc), "step %d: change list", step)
				}
				if fullErr != nil {
					continue // rejected: the layers stay as they were, as in a real reload
				}
				if ok {
					c.publish(inc)
				} else {
					c.publish(full)
				}
				assert.True(t, sameValue(witness.value, prev.value), "step %d: the previously published value was modified", step)
				assert.True(t, sameValue(full.value, c.Get()), "step %d: published value", step)
				snaps = next
				witness, err = c.build("reload", snaps) // independent of what was published
				require.NoError(t, err)
				if t.Failed() {
					t.Logf("layers: %v", strings.ReplaceAll(fmt.Sprint(snaps[1:]), " ", ""))
					return
				}
			}
			assert.Greater(t, patched, 150, "the incremental path must carry most reloads, or this test proves little")
			assert.Greater(t, deltas, 100, "half the reloads must go by a Delta, or this test proves little of it")
		})
	}
}
