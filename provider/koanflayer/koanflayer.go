// Package koanflayer turns any koanf provider (and parser) into a strata
// layer, so that koanf's backends (etcd, Vault, S3, …) need no new code
// here.
//
// koanf providers take no context and koanf's own Watch cannot be stopped,
// so this package reads through Read or ReadBytes only: New returns a layer
// read once, NewPolling one that watches by polling.
package koanflayer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/v2"

	"github.com/strata-go/strata/provider"
)

// Options configures a koanf layer. The zero value reads the provider's
// Read map and labels values with origin kind "koanf".
type Options struct {
	// Parser decodes the provider's ReadBytes. Nil means the provider's
	// Read returns the map itself (confmap, env, and the like).
	Parser koanf.Parser

	// Kind is the origin kind shown for this layer's values, as in
	// "vault secret/app". Empty means "koanf".
	Kind string
}

// New wraps the koanf provider p as a layer called name (shown in errors
// and Status; it must not contain secrets), read once at Load. Use
// NewPolling for a layer that follows changes.
func New(name string, p koanf.Provider, opts Options) *Provider {
	l := &Provider{name: name, kind: opts.Kind, src: p, parser: opts.Parser}
	if l.name == "" {
		l.name = "koanf"
	}
	if l.kind == "" {
		l.kind = "koanf"
	}
	return l
}

// NewPolling is New for a layer that also watches, by calling Load every
// interval and delivering only real changes (see PollingProvider.Watch). An
// interval of zero or less means one minute.
func NewPolling(name string, p koanf.Provider, interval time.Duration, opts Options) *PollingProvider {
	if interval <= 0 {
		interval = time.Minute
	}
	return &PollingProvider{Provider: New(name, p, opts), interval: interval}
}

// Compile-time check: a Provider is read once and must stay a plain Provider.
var _ provider.Provider = (*Provider)(nil)

// Provider is a koanf provider read as a strata layer. Create it with New.
//
// Load is safe for concurrent use: calls into the koanf provider and parser
// are serialised, since koanf does not promise that they are safe for
// concurrent use.
type Provider struct {
	name   string
	kind   string
	src    koanf.Provider
	parser koanf.Parser

	mu sync.Mutex // serialises calls into src and parser
}

// Name returns the name given to New ("koanf" if that was empty).
func (l *Provider) Name() string { return l.name }

// Load reads the koanf provider, through the parser if one was given, and
// returns a deep copy of the result as nested maps: keys are made strings,
// and dotted keys ("db.host") are nested with koanf's own maps.Unflatten,
// so {"db.host": "h", "db": {"port": 5}} becomes {"db": {"host": "h",
// "port": 5}}. A key given twice (once nested, once dotted) or both as a
// value and as a parent is an error naming the key. Content nested deeper
// than provider.MaxDepth, before or after dotted keys are split, is a
// *provider.DepthError naming the key path (checked before anything else
// walks it, so a map that contains itself is an error too); text from
// koanf's TOML parsers is scanned for depth before it is parsed.
//
// The koanf provider takes no context: Load checks ctx before calling it
// but cannot interrupt it. Errors are *provider.Error for this layer; they
// carry the koanf provider's or parser's message, which this package cannot
// vouch for (a parser may quote a value it could not decode).
func (l *Provider) Load(ctx context.Context) (provider.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return provider.Snapshot{}, l.wrap("", err)
	}
	readAt := time.Now()
	raw, err := l.read()
	if err != nil {
		return provider.Snapshot{}, l.wrap("", err)
	}
	data, key, err := nest(raw)
	if err != nil {
		return provider.Snapshot{}, l.wrap(key, err)
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v", data))
	return provider.Snapshot{
		Data:    data,
		Version: "sha256:" + hex.EncodeToString(sum[:])[:12],
		Source:  provider.Origin{Kind: l.kind, Ref: l.name},
		ReadAt:  readAt,
	}, nil
}

func (l *Provider) wrap(key string, err error) error { return provider.WrapError(l.name, key, err) }

func (l *Provider) read() (map[string]any, error) {
	if l.src == nil {
		return nil, errors.New("no koanf provider given")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.parser == nil {
		m, err := l.src.Read()
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		// Before nest copies and walks it: a map that contains itself
		// would be followed until the stack overflows.
		if err := provider.CheckDepth(m); err != nil {
			return nil, err
		}
		return m, nil
	}
	b, err := l.src.ReadBytes()
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return provider.Unmarshal(formatOf(l.parser), b, func(b []byte) (map[string]any, error) {
		m, err := l.parser.Unmarshal(b)
		if err != nil {
			return nil, fmt.Errorf("parse: %w", err)
		}
		return m, nil
	})
}

// formatOf names the format of koanf's own parsers, so that TOML (whose
// parser has no depth limit) is scanned before it is parsed and YAML's
// errors are rid of quoted text; "" for any other parser. It goes by
// package path, which covers both of koanf's TOML parsers without
// importing either.
func formatOf(p koanf.Parser) string {
	t := reflect.TypeOf(p)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return ""
	}
	for _, f := range []string{"toml", "yaml", "json"} {
		if strings.HasPrefix(t.PkgPath(), "github.com/knadh/koanf/parsers/"+f) {
			return f
		}
	}
	return ""
}

// nest returns a deep copy of raw with string keys and dotted keys nested,
// leaving raw (which may be the koanf provider's own map) untouched. On a
// conflict it returns the key concerned.
func nest(raw map[string]any) (map[string]any, string, error) {
	cp := maps.Copy(raw)
	if len(cp) == 0 && len(raw) > 0 {
		// maps.Copy returns an empty map when copystructure fails.
		return nil, "", errors.New("cannot copy the map the koanf provider returned")
	}
	maps.IntfaceKeysToStrings(cp)
	seen := map[string]bool{}
	var dup string
	provider.Leaves(cp, func(key string, _ any) {
		if seen[key] && (dup == "" || key < dup) {
			dup = key
		}
		seen[key] = true
	})
	if dup != "" {
		return nil, dup, errors.New("given twice, once nested and once as a dotted key")
	}
	for key := range seen {
		for i := range len(key) {
			if key[i] == '.' && seen[key[:i]] {
				return nil, key[:i], fmt.Errorf("is both a value and the parent of %s", key)
			}
		}
	}
	flat, _ := maps.Flatten(cp, nil, ".")
	out := maps.Unflatten(flat, ".")
	// Dotted keys nest only once split.
	if err := provider.CheckDepth(out); err != nil {
		return nil, "", err
	}
	return out, "", nil
}
