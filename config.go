// Package strata loads typed, layered configuration and keeps it current.
//
// An application declares one struct with tags, lists its layers in
// precedence order (lowest first), and gets back a *Config[T] whose Get
// returns a validated, immutable *T in one atomic load. Layers that can
// watch (files, Consul) feed a single reload goroutine: every change
// gives what re-merging all layers from scratch, decoding and validating
// gives (recomputing only what changed), and only if the result is valid
// and different swaps it in atomically and calls the OnChange callbacks. An invalid change is rejected and the last good value
// stays in force.
//
//	cfg, err := strata.Load[Config](ctx,
//		file.New("config.yaml", file.Options{}),
//		consul.New(consul.Options{Prefix: "services/orders/"}),
//		env.New("ORDERS_", env.Options{}),
//	)
//	if err != nil {
//		return err // names the layer, the key and why
//	}
//	defer cfg.Close()
//	cfg.OnChange(func(old, new *Config) { pool.Resize(new.DB.MaxConns) })
//	addr := cfg.Get().Listen
//
// Lifetime follows net/http and database/sql: Load's context bounds the
// first read only, watching lasts until Close, and Shutdown(ctx) is Close
// bounded by a context. Ready and Status report a closed Config, and a
// watcher or reload goroutine that stopped for good, so nothing stops
// silently.
package strata

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/strata-go/strata/internal/decode"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/reload"
	"github.com/strata-go/strata/validate"
)

// Config holds the current value of a configuration of type T and keeps it
// current while its layers change. All methods are safe for concurrent use.
type Config[T any] struct {
	// value is also reachable as applied.Load().value; it is kept on its
	// own so that Get is one atomic load with no second pointer to follow.
	// Both are stored by the reload goroutine only, value first.
	value   atomic.Pointer[T]
	applied atomic.Pointer[candidate[T]]

	opts   Options
	dec    *decode.Decoder
	val    *validate.Validator
	layers []provider.Provider // defaults first, then the caller's layers
	names  []string

	subs   subscribers[T]
	status statusBoard
	engine *reload.Engine
	closed atomic.Bool // set by Shutdown; Ready and Status read it
}

// Load reads every layer once, merges them (later layers win key by key),
// decodes the result into T, validates it and returns a Config holding it.
// If any layer cannot be read or the result is invalid, Load returns an
// *Error listing every problem, each naming its layer and key. When some
// layers fail, the layers that did load are still decoded and validated so
// that one run shows every problem; only problems with a value some loaded
// layer set are added, because a missing key ("is required") or a whole
// config check may be the failed layer's doing.
//
// ctx bounds the first read only, as a request's context bounds the
// request: cancelling it once Load has returned (a deferred cancel of a
// context.WithTimeout, say) changes nothing. Layers that can watch keep the
// value current until Shutdown or Close, like an http.Server serves until
// it is shut down; ctx's values are passed on to the watchers.
func Load[T any](ctx context.Context, layers ...provider.Provider) (*Config[T], error) {
	return LoadWith[T](ctx, Options{}, layers...)
}

// LoadWith is Load with options.
func LoadWith[T any](ctx context.Context, opts Options, layers ...provider.Provider) (*Config[T], error) {
	c, err := newConfig[T](opts, layers)
	if err != nil {
		return nil, err
	}
	snaps, failed := c.loadAll(ctx)
	cand, err := c.build("load", snaps)
	if len(failed) > 0 {
		return nil, c.redactError(&Error{Op: "load", Problems: append(failed, valueProblems(err)...)}, snaps)
	}
	if err != nil {
		return nil, err
	}
	c.publish(cand)

	c.engine, err = reload.Start(ctx, c.layers, snaps, handler[T]{c}, reload.Options{Debounce: opts.Debounce})
	if err != nil {
		return nil, fmt.Errorf("strata: %w", err)
	}
	return c, nil
}

func newConfig[T any](opts Options, layers []provider.Provider) (*Config[T], error) {
	if reflect.TypeFor[T]().Kind() != reflect.Struct {
		return nil, fmt.Errorf("strata: config type %s must be a struct", reflect.TypeFor[T]())
	}
	dec, err := decode.New(reflect.TypeFor[T](), decode.Options{TagName: opts.TagName, Converters: opts.Converters})
	if err != nil {
		return nil, fmt.Errorf("strata: %w", err)
	}
	c := &Config[T]{opts: opts, dec: dec}
	c.val = validate.New(validate.Options{FieldKey: dec.FieldKey, IsSecret: c.isSecret})

	schema := provider.Schema{Keys: dec.Keys(), Maps: dec.Maps()}
	c.layers = append(c.layers, defaultsLayer{dec})
	for i, l := range layers {
		if l == nil {
			return nil, fmt.Errorf("strata: layer %d is nil", i+1)
		}
		if su, ok := l.(provider.SchemaUser); ok {
			l = su.WithSchema(schema)
		}
		if lu, ok := l.(provider.LoggerUser); ok && opts.Logger != nil {
			l = lu.WithLogger(opts.Logger)
		}
		c.layers = append(c.layers, l)
	}
	for _, l := range c.layers {
		c.names = append(c.names, l.Name())
	}
	c.status.init(c.layers)
	return c, nil
}

// valueProblems keeps, from build's error, the problems that stand on
// their own while some layer failed: those about a value a loaded layer
// set. A key no loaded layer sets may well be set by the layer that failed.
func valueProblems(err error) []Problem {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []Problem
	for _, p := range e.Problems {
		if p.Key != "" && p.Layer != "" {
			out = append(out, p)
		}
	}
	return out
}

// loadAll reads every layer once, collecting every failure rather than
// stopping at the first, so one run of the program shows all of them.
func (c *Config[T]) loadAll(ctx context.Context) ([]provider.Snapshot, []Problem) {
	snaps := make([]provider.Snapshot, len(c.layers))
	var problems []Problem
	for i, l := range c.layers {
		s, err := l.Load(ctx)
		if err != nil {
			problems = append(problems, Problem{Layer: c.names[i], Message: layerMessage(c.names[i], err), Err: err})
			continue
		}
		snaps[i] = s
		c.status.loaded(i, s)
	}
	return snaps, problems
}

// Get returns the current configuration. It costs one atomic load and never
// allocates. The returned value is shared by every caller and must be
// treated as read-only; a later change publishes a new value instead of
// modifying this one, so a caller may keep it as a consistent view. Later
// values share with this one the maps, slices and pointers that did not
// change, so modifying any of them would change those values too.
func (c *Config[T]) Get() *T { return c.value.Load() }

// isSecret reports whether the value at key must never be shown.
func (c *Config[T]) isSecret(key string) bool {
	if c.dec.IsSecret(key) {
		return true
	}
	return matchesSecretPattern(c.opts.Secrets, key)
}
