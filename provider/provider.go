// Package provider defines the contract between strata and its configuration
// sources ("layers"). It holds interfaces, the snapshot type and the errors
// every layer shares, and nothing that talks to a backend: each backend lives
// in its own package (provider/file, provider/env, provider/consul, …) and
// imports only this one plus its own client library.
//
// Words: a layer is one entry of the list passed to strata.Load, and a
// Provider is the Go interface a layer implements; the docs say "layer"
// for the thing, "Provider" only for the interface and the types.
//
// The common currency is a nested map[string]any: a layer returns its whole
// current content, never a diff, so a key that disappears from a layer is
// simply absent from the next snapshot and strata falls back to a lower layer.
//
// Beside the contract it holds the few helpers every backend needs in the
// same form, so a third party's layer behaves like strata's own: parsing a
// YAML/JSON/TOML document safely (ParseDocument, DocumentFormat,
// Unmarshal, CheckDepth), reporting (Emitter, Backoff), and a
// last-known-good cache file (WriteCacheFile, ReadCacheFile). It imports
// the standard library only; a caller brings its own parser.
package provider

import (
	"context"
	"log/slog"
)

// Provider is one configuration layer.
//
// Implementations must be safe for concurrent use: strata calls Load once at
// start, and may call it again (for example from a health check) while a
// Watch started on the same value is running. A Provider owns no goroutine
// outside the calls made on it.
type Provider interface {
	// Name identifies the layer in errors, logs and Status, for example
	// "file config.yaml" or "consul services/orders/". It must not contain
	// secrets (tokens, passwords in URLs).
	Name() string

	// Load returns the layer's whole current content. A layer that is
	// allowed to be absent returns an empty snapshot and a nil error. Errors
	// should be (or wrap) *Error so they name the layer and, where known, the
	// key. Load must return promptly once ctx is done.
	Load(ctx context.Context) (Snapshot, error)
}

// Watcher is implemented by layers that can report changes. It is optional:
// a layer without it is read once.
//
// Watch blocks until ctx is done and then returns ctx.Err() (or nil). While it
// runs it calls emit, never concurrently, with:
//
//   - a new Snapshot whenever the content differs from the last one it
//     delivered (or from the one Load returned, passed as last), so
//     deletions are carried and unchanged data is never re-delivered;
//   - an error whenever an attempt fails; the watcher keeps retrying by
//     itself, with capped, jittered backoff, and must not spin;
//   - a recovery (Event with neither snapshot nor error) when an attempt
//     succeeds after errors without the content having changed.
//
// emit must not block for long; strata's implementation stores the event and
// returns at once. Watch must leave no goroutine behind when it returns.
type Watcher interface {
	Watch(ctx context.Context, last Snapshot, emit func(Event)) error
}

// Event is what a Watcher reports. Exactly one of three cases holds:
// Snapshot != nil (new content, healthy), Err != nil (the latest attempt
// failed; the previous content stays in force), or both nil (healthy again
// after errors, content unchanged).
type Event struct {
	Snapshot *Snapshot // the layer's new content, or nil
	Err      error     // why the latest attempt failed, or nil
}

// Schema describes the configuration type a layer is feeding. strata hands
// it to layers that implement SchemaUser before their first Load, so that a
// layer can map its own naming (such as environment variable names) onto the
// keys the application actually declares.
type Schema struct {
	// Keys lists every leaf key of the configuration type as a dotted path
	// ("db.max_conns"). A field of map type is listed by its own path
	// ("features"); any key below it is accepted.
	Keys []string
	// Maps lists the dotted paths of fields of map type, a subset of Keys.
	Maps []string
}

// SchemaUser is implemented by layers that use the Schema. WithSchema must
// not modify its receiver; it returns the Provider to use in its place.
type SchemaUser interface {
	WithSchema(Schema) Provider
}

// LoggerUser is implemented by layers that log (outages, recoveries,
// fail-overs). strata calls WithLogger with its Options.Logger, when one is
// set, before the layer's first Load, so that a service configures logging
// once. A layer given a logger of its own keeps it and returns itself.
// WithLogger returns the Provider to use in its place, which must share
// whatever state the caller can still reach through the receiver (such as
// a token set at run time). It may return a configured copy, or the
// receiver itself after setting the logger in a way that is safe for
// concurrent use (provider/consul does, since a copy could not share its
// token).
type LoggerUser interface {
	WithLogger(*slog.Logger) Provider
}
