package env

import (
	"sort"
	"strings"

	"github.com/strata-go/strata/provider"
)

// index is a Schema prepared for matching variable names. Lookups are by
// lowercased key; results use the schema's own spelling.
type index struct {
	keys  map[string]string // lowercased key -> key
	maps  []mapKey          // map-typed keys, longest first
	under map[string][]string
	// under maps a lowercased key or parent of keys, with "." replaced by
	// "_", to the dotted paths that spell it so.
}

type mapKey struct {
	lower string // lowercased key
	key   string // as in the schema
	under string // lower with "." replaced by "_"
}

func newIndex(s provider.Schema) *index {
	if len(s.Keys) == 0 && len(s.Maps) == 0 {
		return nil
	}
	ix := &index{keys: map[string]string{}, under: map[string][]string{}}
	seen := map[string]bool{}
	addPath := func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		u := strings.ReplaceAll(strings.ToLower(path), ".", "_")
		ix.under[u] = append(ix.under[u], path)
	}
	for _, k := range append(append([]string{}, s.Keys...), s.Maps...) {
		ix.keys[strings.ToLower(k)] = k
		addPath(k)
		for i := range len(k) {
			if k[i] == '.' {
				addPath(k[:i])
			}
		}
	}
	for _, m := range s.Maps {
		l := strings.ToLower(m)
		ix.maps = append(ix.maps, mapKey{lower: l, key: m, under: strings.ReplaceAll(l, ".", "_")})
	}
	sort.Slice(ix.maps, func(i, j int) bool { return len(ix.maps[i].lower) > len(ix.maps[j].lower) })
	return ix
}

// known returns the schema's spelling of a lowercased dotted key that is a
// schema key or lies below a map-typed key.
func (ix *index) known(lower string) (string, bool) {
	if k, ok := ix.keys[lower]; ok {
		return k, true
	}
	for _, m := range ix.maps {
		if strings.HasPrefix(lower, m.lower+".") {
			return m.key + lower[len(m.lower):], true
		}
	}
	return "", false
}

// resolve maps the lowercased, separator-split parts of a name to a key.
// An explicit form that the schema knows wins outright. Otherwise the first
// part may stand for a dotted path spelled with single underscores: a
// schema key or parent ("db_max_conns" for db.max_conns), or a map's key
// followed by one key below it ("features_new_ui" for features.new_ui).
// With exactly one such reading it is the key; with more, all are returned
// (sorted) for an ambiguity error; with none, the explicit form is the key.
func (ix *index) resolve(segs []string) (string, []string) {
	explicit := strings.Join(segs, ".")
	if len(segs) > 1 {
		if k, ok := ix.known(explicit); ok {
			return k, nil
		}
	}
	first, rest := segs[0], segs[1:]
	found := map[string]bool{}
	for _, path := range ix.under[first] {
		if k, ok := ix.known(strings.Join(append([]string{strings.ToLower(path)}, rest...), ".")); ok {
			found[k] = true
		}
	}
	for _, m := range ix.maps {
		if below, ok := strings.CutPrefix(first, m.under+"_"); ok {
			found[strings.Join(append([]string{m.key, below}, rest...), ".")] = true
		}
	}
	switch len(found) {
	case 0:
		return explicit, nil
	case 1:
		for k := range found {
			return k, nil
		}
	}
	all := make([]string, 0, len(found))
	for k := range found {
		all = append(all, k)
	}
	sort.Strings(all)
	return "", all
}
