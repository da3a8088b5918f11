// Package env is a strata layer read from environment variables that share
// a prefix.
//
// A variable's name after the prefix is its key: matching is
// case-insensitive, keys are lowercased, and a double underscore nests, so
// ORDERS_DB__MAX_CONNS=7 becomes {"db": {"max_conns": "7"}}. Values stay
// strings; strata's decoder converts them. Given the application's schema
// (see WithSchema), single underscores work too where they are unambiguous:
// ORDERS_DB_MAX_CONNS finds db.max_conns.
//
// The process environment does not change while it runs, so this layer has
// no Watch: it is read once.
package env

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/strata-go/strata/provider"
)

// Options tunes a Provider. The zero value reads os.Environ and nests on
// "__".
type Options struct {
	// Environ returns the variables as "NAME=value" pairs. Nil means
	// os.Environ. Tests inject a fixed list here rather than changing the
	// process environment. It must be safe for concurrent use if Load is
	// called concurrently.
	Environ func() []string

	// Separator nests keys: ORDERS_DB__HOST is db.host with the default
	// "__". With "_" every underscore nests and the schema-based matching
	// of single underscores is off.
	Separator string
}

// Provider is a layer read from environment variables with a common prefix.
// Create it with New.
//
// A Provider is immutable: Load is safe for concurrent use, and WithSchema
// returns a new Provider rather than changing its receiver.
type Provider struct {
	prefix  string
	environ func() []string
	sep     string
	schema  *index // nil without a schema
}

// New returns a layer of the variables whose names start with prefix,
// compared case-insensitively; the prefix usually ends in "_", as in
// New("ORDERS_", Options{}). An empty prefix would read the whole environment, so Load
// refuses it. The zero Options reads the process environment with "__"
// nesting keys.
func New(prefix string, o Options) *Provider {
	p := &Provider{prefix: prefix, environ: o.Environ, sep: strings.ToLower(o.Separator)}
	if p.environ == nil {
		p.environ = os.Environ
	}
	if p.sep == "" {
		p.sep = "__"
	}
	return p
}

// Compile-time checks: strata finds schema use by type assertion, so a
// drifting signature would silently turn it off.
var (
	_ provider.Provider   = (*Provider)(nil)
	_ provider.SchemaUser = (*Provider)(nil)
)

// Name returns "env " followed by the prefix and "*", as in "env ORDERS_*".
func (p *Provider) Name() string { return "env " + p.prefix + "*" }

// WithSchema returns a copy of p that maps names with single underscores
// onto the keys in s, as described on Load. It implements
// provider.SchemaUser and never modifies p.
func (p *Provider) WithSchema(s provider.Schema) provider.Provider {
	q := *p
	q.schema = newIndex(s)
	return &q
}

// Load reads the matching variables. The part of each name after the prefix
// becomes a lowercased key, with the separator ("__") nesting. With a
// schema (see WithSchema), a name without an explicit match may also use
// single underscores:
//
//   - ORDERS_DB_MAX_CONNS is db.max_conns when that is the only schema key
//     whose name with "." replaced by "_" is DB_MAX_CONNS;
//   - ORDERS_FEATURES_NEW_UI is features.new_ui when features is a map:
//     the rest of the name after the map's key is one key below it, and
//     "__" still nests after that;
//   - a name that fits two keys is an error naming both; a name with "__"
//     whose nesting alone gives a schema key means that key, never
//     ambiguously;
//   - a name that fits no key is loaded by "__" nesting alone, so strata
//     can report it as unknown.
//
// Load fails, naming the variables, for two variables that give the same
// key, for a key that is both a value and a parent of others, for a key
// nested deeper than provider.MaxDepth, and for a name that is empty after
// the prefix, has a leading, trailing or repeated underscore, or contains
// ".". Errors never contain a value, and cut a name over 200 bytes short.
//
// Each key's origin is its variable; the version is a hash of the matched
// names and values. Load is safe for concurrent use.
func (p *Provider) Load(ctx context.Context) (provider.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return provider.Snapshot{}, provider.WrapError(p.Name(), "", err)
	}
	if p.prefix == "" {
		return provider.Snapshot{}, provider.WrapError(p.Name(), "",
			errors.New("empty prefix: it would read the whole environment; use one such as \"APP_\""))
	}
	vars := p.matching()
	var (
		errs    []error
		entries = make([]entry, 0, len(vars))
	)
	for _, v := range vars {
		key, err := p.keyOf(v.name)
		if err != nil {
			errs = append(errs, provider.WrapError(p.Name(), shorten(v.name), err))
			continue
		}
		entries = append(entries, entry{key: key, name: v.name, value: v.value})
	}
	errs = append(errs, p.conflicts(entries)...)
	if len(errs) > 0 {
		return provider.Snapshot{}, errors.Join(errs...)
	}

	data := map[string]any{}
	origins := make(map[string]provider.Origin, len(entries))
	for _, e := range entries {
		insert(data, strings.Split(e.key, "."), e.value)
		origins[e.key] = provider.Origin{Kind: "env", Ref: e.name}
	}
	return provider.Snapshot{
		Data:    data,
		Version: version(vars),
		Origins: origins,
		Source:  provider.Origin{Kind: "env", Ref: p.prefix + "*"},
		ReadAt:  time.Now(),
	}, nil
}

// variable is one matching "NAME=value" pair.
type variable struct{ name, value string }

// entry is a variable with its resolved dotted key.
type entry struct{ key, name, value string }

// matching returns the variables with the prefix, sorted by name. Of two
// entries with the same name the first wins, as with os.Getenv.
func (p *Provider) matching() []variable {
	seen := map[string]bool{}
	var out []variable
	for _, kv := range p.environ() {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || seen[name] {
			continue
		}
		if len(name) < len(p.prefix) || !strings.EqualFold(name[:len(p.prefix)], p.prefix) {
			continue
		}
		seen[name] = true
		out = append(out, variable{name: name, value: value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// version hashes the sorted names and values; only the hash is exposed.
func version(vars []variable) string {
	h := sha256.New()
	for _, v := range vars {
		h.Write([]byte(v.name))
		h.Write([]byte{0})
		h.Write([]byte(v.value))
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:12]
}

// insert sets path in data to value, creating maps on the way; conflicts
// were ruled out before.
func insert(data map[string]any, path []string, value string) {
	for _, k := range path[:len(path)-1] {
		sub, ok := data[k].(map[string]any)
		if !ok {
			sub = map[string]any{}
			data[k] = sub
		}
		data = sub
	}
	data[path[len(path)-1]] = value
}
