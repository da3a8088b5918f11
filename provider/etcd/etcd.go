// Package etcd is a strata layer backed by etcd v3, read at one revision
// and followed with one watch per layer.
//
// Tree mode (Options.Prefix) turns every key below a prefix into one value,
// "/" nesting, as the Consul layer does; document mode (Options.Key) reads
// one key holding a YAML, JSON or TOML document.
//
// The first read is one Get at a single revision R, a consistent snapshot of
// the whole prefix; the watch starts at R+1, so no change between the read
// and the watch is lost. Each watch response is applied whole: etcd never
// splits one revision's events across responses, so a multi-key transaction
// becomes one snapshot and one emit. A compacted revision (ErrCompacted), a
// watch cancelled by the server or by the loss of its leader
// (WithRequireLeader), and an outage found by the periodic probe all lead to
// a fresh read from scratch and a new watch, paced by provider.Backoff.
//
// Snapshots carry Version = the revision, the origin of every key ("etcd
// key" and the full key: in tree mode derived on demand from the dotted key
// by Snapshot.OriginRule, and stored in Snapshot.Origins only for a key
// with a '.' in a segment), and Info with "revision", "raft_term" and "member" (the
// answering member's ID), or "source" = "cache" and "cached_at" when served
// from CacheFile.
//
// This module has its own go.mod so that etcd's gRPC stack stays out of the
// dependency graph of strata users who do not need it.
package etcd

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-go/strata/provider"
)

// Defaults applied to zero Options fields.
const (
	// DefaultEndpoint is used when neither Client nor Endpoints is set.
	DefaultEndpoint = "http://127.0.0.1:2379"
	// DefaultDialTimeout bounds fetching an auth token when the client is
	// built.
	DefaultDialTimeout = 5 * time.Second
	// DefaultRequestTimeout bounds each read.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultProbeInterval is how often an idle watcher checks that the
	// cluster still answers.
	DefaultProbeInterval = 10 * time.Second

	// slowRetry is the least gap between retries of a permission, auth or
	// TLS error (configuration errors are retried slowly), lowered to
	// Backoff.Max when that is smaller so tests can shorten it.
	slowRetry = 30 * time.Second
)

// Options configures a Provider. The zero value of every field means its
// default; exactly one of Prefix and Key must be set.
type Options struct {
	// Prefix selects tree mode: every key below it is one value and "/"
	// nests ("services/orders/db/max_conns" under "services/orders/" is
	// db.max_conns). Keys ending in "/" are ignored. A missing trailing "/"
	// is added. Values are strings.
	Prefix string

	// Key selects document mode: one key holding a YAML, JSON or TOML
	// document.
	Key string

	// Format is the document format ("yaml", "json" or "toml"). It defaults
	// from Key's extension (.yaml, .yml, .json, .toml).
	Format string

	// Client is used as is when set; Endpoints, TLS, Username and Password
	// are then ignored. The caller keeps ownership: strata never closes it.
	Client *clientv3.Client

	// Endpoints lists the cluster's client URLs (default
	// http://127.0.0.1:2379). The client fails over between them itself.
	Endpoints []string

	// TLS enables TLS (and mTLS when it holds a client certificate). It is
	// used as is, never modified.
	TLS *tls.Config

	// Username and Password authenticate the client; the client renews its
	// token by itself when it expires. The password never appears in Name,
	// errors, logs, Status or the cache file.
	Username string
	Password string

	// DialTimeout bounds fetching the auth token when the client is built
	// (default 5 s), or the caller's deadline if nearer. A Load cancelled
	// without a deadline may wait for it when Username is set.
	DialTimeout time.Duration

	// RequestTimeout bounds each read (default 10 s).
	RequestTimeout time.Duration

	// ProbeInterval is how often a watcher with no events checks, with one
	// count-only read, that the cluster still answers with a leader
	// (default 10 s). The client re-establishes a broken watch stream
	// silently, so without the probe an outage would never be reported.
	ProbeInterval time.Duration

	// Backoff times retries after errors (zero: 100 ms doubling to 30 s,
	// jittered). Permission, auth and TLS errors are retried at least
	// min(30 s, Backoff.Max) apart.
	Backoff provider.Backoff

	// Optional makes a missing document key an empty layer instead of
	// provider.ErrNotFound. In tree mode an empty prefix is always just an
	// empty layer.
	Optional bool

	// CacheFile, when set, keeps the last good read (mode 0600, written
	// atomically). Load falls back to it, marked Stale, when etcd cannot be
	// reached; never when access is denied.
	CacheFile string

	// Logger receives state changes only (outage, recovery, compaction,
	// cache use) at Info and Warn; nil is silent. Nothing logged contains a
	// password or a value.
	Logger *slog.Logger
}

// Provider is an etcd layer. It implements provider.Provider and
// provider.Watcher; Load and Watch may run concurrently.
//
// When it builds its own client (Options.Client nil), the client exists only
// while a Load or Watch is running and is closed when the last one returns,
// so a Provider owns no goroutine outside the calls made on it.
type Provider struct {
	opts      Options
	name      string
	prefix    string // tree mode, normalized to end in "/"
	key       string // document mode
	format    string
	endpoints string // for errors; never carries credentials
	initErr   error
	log       *slog.Logger

	mu     sync.Mutex // guards client and refs
	client *clientv3.Client
	refs   int

	cacheMu sync.Mutex // serialises cache writes from Load and Watch

	// hooks are set only by this package's tests; the zero value does
	// nothing.
	hooks testHooks
}

// testHooks lets a test act at points it cannot otherwise reach in time.
type testHooks struct {
	// afterRead runs between a watcher's read at rev and its watch from
	// rev+1.
	afterRead func(rev int64)
	// failed runs after each failed watcher attempt.
	failed func(err error)
	// probed runs after each probe with its outcome.
	probed func(err error)
}

// New returns a Provider for opts. It never panics and does no I/O; a bad
// Options is reported by Load and Watch.
func New(opts Options) *Provider {
	p := &Provider{opts: opts, log: opts.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	o := &p.opts
	if o.Client == nil && len(o.Endpoints) == 0 {
		o.Endpoints = []string{DefaultEndpoint}
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	p.prefix, p.key = normalizePrefix(opts.Prefix), opts.Key
	p.initErr = p.validate()
	p.endpoints = p.describeEndpoints()
	p.name = "etcd " + p.key
	if p.key == "" {
		p.name = "etcd " + p.prefix
	}
	return p
}

func (p *Provider) validate() error {
	o := p.opts
	switch {
	case o.Prefix == "" && o.Key == "":
		return errors.New("one of Prefix and Key must be set")
	case o.Prefix != "" && o.Key != "":
		return errors.New("only one of Prefix and Key may be set")
	case o.Prefix != "" && p.prefix == "/":
		return errors.New(`a Prefix of "/" would read the whole keyspace`)
	case o.Key != "" && strings.HasSuffix(o.Key, "/"):
		return fmt.Errorf("a Key ending in \"/\" (%q) is a folder: use Prefix", o.Key)
	case o.Password != "" && o.Username == "" && o.Client == nil:
		return errors.New("a Password without a Username")
	}
	if o.Key != "" {
		f, err := provider.DocumentFormat(o.Key, o.Format)
		if err != nil {
			return err
		}
		p.format = f
	}
	return nil
}

// describeEndpoints renders the endpoints for errors, dropping any user
// information a URL may carry.
func (p *Provider) describeEndpoints() string {
	eps := p.opts.Endpoints
	if p.opts.Client != nil {
		eps = p.opts.Client.Endpoints()
	}
	out := make([]string, 0, len(eps))
	for _, e := range eps {
		if u, err := url.Parse(e); err == nil && u.User != nil {
			u.User = nil
			e = u.String()
		} else if i := strings.LastIndexByte(e, '@'); i >= 0 {
			e = e[i+1:]
		}
		out = append(out, e)
	}
	return strings.Join(out, ",")
}

// Name returns "etcd <prefix or key>". It never contains a password.
func (p *Provider) Name() string { return p.name }

// source is the Origin of keys without their own entry.
func (p *Provider) source() provider.Origin {
	if p.key != "" {
		return provider.Origin{Kind: originKind, Ref: p.key}
	}
	return provider.Origin{Kind: originKind, Ref: p.prefix}
}

const originKind = "etcd key"

// normalizePrefix adds a trailing "/" and, unlike the Consul layer, keeps a
// leading one: etcd keys are byte strings and "/a/" differs from "a/".
func normalizePrefix(s string) string {
	if s == "" || strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}
