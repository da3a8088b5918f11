package strata

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/knadh/koanf/maps"

	"github.com/strata-go/strata/internal/decode"
	"github.com/strata-go/strata/provider"
)

// candidate is a fully built configuration value together with the inputs
// that produced it. Once published it is never modified: Explain, Status and
// change diffs read it without locks.
type candidate[T any] struct {
	value   *T
	layers  []string            // layer names, defaults first
	snaps   []provider.Snapshot // one per layer
	unknown []string            // keys no field declares

	// merged is all layers merged, before decoding. An incremental reload
	// (buildIncremental) does not need it, so it is computed on first use
	// (Explain, Debug, the change list) through mergedTree.
	merged    map[string]any
	mergeOnce sync.Once

	// base and same record an incremental reload's comparison: same says
	// whether value equals base, so publish need not compare whole values.
	// units, the parts patched, let the change list compare only those.
	base  *T
	same  bool
	units [][]string
}

// mergedTree returns all layers merged, computing it on first use. It is
// safe for concurrent use; the result must not be modified.
func (cand *candidate[T]) mergedTree() map[string]any {
	cand.mergeOnce.Do(func() {
		if cand.merged == nil {
			cand.merged = merge(cand.snaps)
		}
	})
	return cand.merged
}

// build merges every layer from scratch, decodes and validates. It never
// returns a partially valid value: either every step succeeded or the
// returned error lists every problem found.
func (c *Config[T]) build(op string, snaps []provider.Snapshot) (*candidate[T], error) {
	merged := merge(snaps)
	cand := &candidate[T]{layers: c.names, snaps: snaps, value: new(T)}
	if c.opts.Logger != nil || c.opts.OnApply != nil {
		// The change list will read it; otherwise the merged copy would
		// only add to the live heap until Explain or Debug asks for it.
		cand.merged = merged
	}

	var problems []Problem
	unknown, err := c.dec.Decode(merged, cand.value)
	problems = append(problems, c.fieldProblems(cand, err)...)
	cand.unknown = unknown
	if c.opts.Strict {
		for _, key := range unknown {
			problems = append(problems, c.problemAt(cand, key, "unknown key: the config type declares no such field"))
		}
	}
	// Validate even when some keys did not decode, so one run shows every
	// problem; but a key that failed to decode is left at its zero value,
	// and its validation error ("is required") would only be noise.
	for _, p := range c.fieldProblems(cand, c.val.Struct(cand.value)) {
		if !coveredBy(p.Key, problems) {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) })
		return nil, c.redactError(&Error{Op: op, Problems: problems}, snaps)
	}
	return cand, nil
}

// merge combines snapshots, lowest first: maps merge deeply, anything else
// is replaced whole (koanf's Merge). Merge keeps references into its source
// and writes into nested maps it took from an earlier source, so each
// layer's maps are cloned first: snapshots must stay immutable.
func merge(snaps []provider.Snapshot) map[string]any {
	out := map[string]any{}
	for _, s := range snaps {
		if len(s.Data) > 0 {
			maps.Merge(cloneMaps(s.Data), out)
		}
	}
	return out
}

// cloneMaps copies the nested maps of m. Leaves, lists included, are
// shared: Merge replaces them whole and never writes into them. This is
// several times cheaper than koanf's reflective maps.Copy on large layers.
func cloneMaps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = cloneMaps(sub)
		}
		out[k] = v
	}
	return out
}

// fieldProblems turns decoder and validator errors into Problems that say
// where the offending value came from.
func (c *Config[T]) fieldProblems(cand *candidate[T], err error) []Problem {
	if err == nil {
		return nil
	}
	var out []Problem
	// decode.Errors and validate.Errors are one type.
	var errs decode.Errors
	switch {
	case errors.As(err, &errs):
		for _, fe := range errs {
			out = append(out, c.problemAt(cand, fe.Key, fe.Message))
		}
	default:
		out = append(out, Problem{Message: err.Error()})
	}
	return out
}

// problemAt builds a Problem for key, naming the highest layer that set it.
func (c *Config[T]) problemAt(cand *candidate[T], key, msg string) Problem {
	p := Problem{Key: key, Message: msg}
	if i, path := cand.winner(key); i >= 0 {
		p.Layer = cand.layers[i]
		p.Origin = cand.snaps[i].OriginOf(strings.Join(path, "."))
	}
	return p
}

// winner returns the index of the highest layer that sets key, and the
// path to the value in its data; -1 when no layer does.
func (cand *candidate[T]) winner(key string) (int, []string) {
	for i := len(cand.snaps) - 1; i >= 0; i-- {
		if path, ok := dataPath(cand.snaps[i].Data, key); ok {
			return i, path
		}
	}
	return -1, nil
}

// dataPath finds the dotted key of a problem ("db.max_conns", "hosts[1]")
// in a layer's data and returns the map keys leading to its value; a list
// item leads to its list, which a layer sets whole. A map key may itself
// hold a '.' or a '[' (a Consul key "limits/a.b"), so the key is not split
// blindly: at each level the whole rest is tried as a map key first, then
// each prefix ending before a '.' or '['.
func dataPath(m map[string]any, key string) ([]string, bool) {
	var path []string
	for {
		if v, ok := m[key]; ok && v != nil {
			return append(path, key), true
		}
		next := false
		for i := 0; i < len(key) && !next; i++ {
			if key[i] != '.' && key[i] != '[' {
				continue
			}
			v, ok := m[key[:i]]
			if !ok || v == nil {
				continue
			}
			sub, isMap := v.(map[string]any)
			switch {
			case key[i] == '[' && !isMap:
				return append(path, key[:i]), true
			case key[i] == '.' && isMap:
				path, m, key, next = append(path, key[:i]), sub, key[i+1:], true
			}
		}
		if !next {
			return nil, false
		}
	}
}

// coveredBy reports whether key, or a key above it, already has a problem.
func coveredBy(key string, problems []Problem) bool {
	for _, p := range problems {
		if p.Key != "" && (key == p.Key || strings.HasPrefix(key, p.Key+".") || strings.HasPrefix(key, p.Key+"[")) {
			return true
		}
	}
	return false
}
