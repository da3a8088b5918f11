// Package consul is a strata layer backed by Consul KV, watched with one
// blocking query per layer.
//
// Tree mode (Options.Prefix) turns every key below a prefix into one value,
// "/" nesting; document mode (Options.Key) reads one key holding a YAML,
// JSON or TOML document. Either way the watcher follows the rules in
// CONSUL.md (cited as "rule N" in comments): content dedupe, index resets,
// 404 as a state, bounded request deadlines, capped jittered backoff, ACL
// filtering treated as an error, a rate-limited loop, stale reads with a
// bounded staleness, and a clean stop.
//
// Snapshots carry Version = the X-Consul-Index, the origin of every key
// ("consul key" and the full key: in tree mode derived on demand from the
// dotted key by Snapshot.OriginRule, and stored in Snapshot.Origins only
// for a key with a '.' in a segment) and Info with "index", "consistency",
// "datacenter" (when named in Datacenters or Config), "last_contact" and
// "known_leader" (stale mode), and "source" = "cache" with "cached_at"
// when served from CacheFile. Snapshot.Stale is set for a cached read and
// for a stale-mode read beyond MaxStale that no default read could replace.
//
// This is the only strata package that imports github.com/hashicorp/consul/api.
package consul

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// Consistency selects Consul's read consistency mode (rule 9).
type Consistency int

const (
	// ConsistencyDefault is Consul's default mode: reads go to the
	// leader without a quorum check, except a read without an index (the
	// first, and the first after a failure or an index reset), which is
	// consistent: a restarted server answers default reads from a
	// half-replayed store (docs/consul.md rule 13).
	ConsistencyDefault Consistency = iota
	// ConsistencyStrong is Consul's "consistent" mode: every read goes
	// to the leader after a quorum check, so it never returns data a
	// newer leader has replaced, at the cost of a round trip to the
	// quorum per read.
	ConsistencyStrong
	// ConsistencyStale is Consul's "stale" mode: reads go to any server;
	// answers older than Options.MaxStale (or from a server that knows
	// no leader) are re-asked in default mode.
	ConsistencyStale
)

// String returns Consul's name for the mode: "default", "consistent" or
// "stale".
func (c Consistency) String() string {
	switch c {
	case ConsistencyDefault:
		return "default"
	case ConsistencyStrong:
		return "consistent"
	case ConsistencyStale:
		return "stale"
	}
	return fmt.Sprintf("Consistency(%d)", int(c))
}

// Defaults applied to zero Options fields.
const (
	// DefaultWait is the blocking query's wait, the server's own default.
	DefaultWait = 5 * time.Minute
	// DefaultMinInterval is the least gap between two fetches (rule 8).
	DefaultMinInterval = 100 * time.Millisecond
	// DefaultMaxStale bounds a stale-mode answer's LastContact (rule 9).
	DefaultMaxStale = 5 * time.Second
	// DefaultFailbackInterval is how often the preferred datacenter is
	// probed while reading from another.
	DefaultFailbackInterval = 30 * time.Second

	// maxWait is the server's cap on a blocking query's wait (rule 5).
	maxWait = 10 * time.Minute
	// slowRetry is the minimum gap between retries of a permission error
	// (rule 6: configuration errors are retried slowly), lowered to
	// Backoff.Max when that is smaller so tests can shorten it.
	slowRetry = 30 * time.Second
)

// Options configures a Provider. The zero value of every field means its
// default; exactly one of Prefix and Key must be set.
type Options struct {
	// Prefix selects tree mode: every key below it is one value and "/"
	// nests ("services/orders/db/max_conns" under "services/orders/" is
	// db.max_conns). Folder keys (ending in "/") are ignored. A missing
	// trailing "/" is added. Values are strings.
	Prefix string

	// Key selects document mode: one key holding a YAML, JSON or TOML
	// document.
	Key string

	// Format is the document format ("yaml", "json" or "toml"). It defaults
	// from Key's extension (.yaml, .yml, .json, .toml).
	Format string

	// Client is used as is when set. The caller keeps ownership (strata
	// never closes its connections). strata reads the client's token
	// (config, X-Consul-Token or bearer header, token file) and address,
	// to scrub the token from error text, name the address in errors and
	// follow the token file's rotation as for Config. Its List answers are
	// decoded by consul/api; prefer Config, with which strata builds a
	// client that decodes them straight into the layer's tree, about four
	// times faster on large prefixes (BENCHMARKS.md, "Consul read path").
	Client *api.Client

	// Config builds the client when Client is nil; nil means
	// api.DefaultConfig(), which reads CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN,
	// CONSUL_HTTP_TOKEN_FILE, CONSUL_CACERT, CONSUL_CLIENT_CERT/KEY,
	// CONSUL_HTTP_SSL, CONSUL_NAMESPACE, CONSUL_PARTITION and the like.
	// Token, TokenFile, TLS, Namespace, Partition and Datacenter are honoured
	// by every request. The Config is copied, never modified; a
	// Config.HttpClient is copied too, and the copy's transport gets a
	// layer that decodes tree-mode List answers itself (consul/api still
	// builds every request and reads every header).
	//
	// The token file (TokenFile, or CONSUL_HTTP_TOKEN_FILE) is followed:
	// when its content changes (checked before each request, every second
	// while a watcher waits to retry, and re-read after a 403) the new
	// token is used without a restart. Provider.SetToken hands one in
	// directly.
	Config *api.Config

	// Datacenters is an ordered failover list: reads go to the first that
	// answers, and the watcher moves back to an earlier one when it
	// recovers. Empty means the client's own datacenter.
	Datacenters []string

	// Consistency is the read mode; ConsistencyDefault unless set.
	Consistency Consistency

	// MaxStale bounds staleness in Stale mode (default 5 s): an answer
	// whose LastContact exceeds it, or from a server that knows no leader,
	// is re-asked once in default mode; if that fails too, the stale answer
	// is delivered with Snapshot.Stale set.
	MaxStale time.Duration

	// Wait is the blocking query's wait (default 5 min, at most 10 min).
	Wait time.Duration

	// MinInterval is the minimum gap between the starts of two fetches
	// after the first (default 100 ms); up to half of it again is added as
	// jitter. It turns a churning prefix into polling, never a busy loop.
	MinInterval time.Duration

	// Backoff times retries after errors. Zero: while Consul cannot be
	// reached, 1 to 2 s apart (at most a request a second, and quick
	// recovery after an outage of any length); other errors 100 ms
	// doubling to 30 s; all jittered. When set, it times every retry.
	// Permission errors are retried at least min(30 s, Backoff.Max) apart.
	Backoff provider.Backoff

	// FailbackInterval is how often, while reading from a datacenter other
	// than the first, the watcher probes the earlier ones (default 30 s).
	FailbackInterval time.Duration

	// Optional makes a missing document key an empty layer instead of
	// provider.ErrNotFound, and an empty document an empty layer instead
	// of an error. In tree mode an empty prefix is always just an empty
	// layer (rule 3), unless it reads empty because a request without a
	// token was denied (ErrNoToken).
	Optional bool

	// CacheFile, when set, keeps the last good read (mode 0600, written
	// atomically). Load falls back to it, marked Stale, when Consul cannot
	// be reached; never when access is denied.
	CacheFile string

	// Logger receives state changes only (outage, recovery, datacenter
	// switch, index reset, cache use) at Info and Warn; nil is silent.
	// Nothing logged contains a token or a value.
	Logger *slog.Logger
}

// Provider is a Consul KV layer. It implements provider.Provider and
// provider.Watcher; Load and Watch may run concurrently. It starts no
// goroutine of its own.
type Provider struct {
	opts   Options
	name   string
	prefix string // tree mode, normalized to end in "/"
	key    string // document mode
	format string
	dcs    []string // never empty; "" is the client's own datacenter
	// defaultDC names the client's own datacenter when Config does.
	defaultDC string
	client    *api.Client
	addr      string // scheme://host:port, when known
	tok       *tokenSource
	probe     probeState // see checkEmptyRead
	initErr   error
	// log is Options.Logger, or the Config's logger handed in through
	// WithLogger, or a discarding one; read with logger().
	log atomic.Pointer[slog.Logger]

	// ownTransport is the transport New created, closed when idle so no
	// keep-alive goroutine outlives the calls (rule 10).
	ownTransport *http.Transport
	// streams is set when New built the client: its streamTransport
	// decodes tree-mode List answers.
	streams bool
	// hint is the tree delivered last (by Load or the watcher), whose
	// strings the next List answer's decoding reuses where they are
	// unchanged, and which a watcher given Load's snapshot patches.
	hint   atomic.Pointer[builtTree]
	active atomic.Int32

	cacheMu sync.Mutex // serialises cache writes from Load and Watch
}

// Compile-time checks that Provider implements the provider interfaces.
var (
	_ provider.Provider   = (*Provider)(nil)
	_ provider.Watcher    = (*Provider)(nil)
	_ provider.LoggerUser = (*Provider)(nil)
)

// New returns a Provider for opts. It never panics and does no I/O beyond
// what api.NewClient does (reading a token file); a bad Options is reported
// by Load and Watch.
func New(opts Options) *Provider {
	p := &Provider{opts: opts}
	if opts.Logger != nil {
		p.log.Store(opts.Logger)
	}
	p.applyDefaults()
	p.prefix, p.key = normalizePrefix(opts.Prefix), strings.TrimPrefix(opts.Key, "/")
	p.dcs = slices.Clone(opts.Datacenters)
	if opts.Config != nil {
		p.defaultDC = opts.Config.Datacenter
	}
	if len(p.dcs) == 0 {
		p.dcs = []string{""}
	}
	p.initErr = p.validate()
	p.initClient()
	p.name = p.buildName()
	return p
}

func (p *Provider) applyDefaults() {
	o := &p.opts
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	o.Wait = min(o.Wait, maxWait)
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxStale <= 0 {
		o.MaxStale = DefaultMaxStale
	}
	if o.FailbackInterval <= 0 {
		o.FailbackInterval = DefaultFailbackInterval
	}
}

func (p *Provider) validate() error {
	o := p.opts
	switch {
	case o.Prefix == "" && o.Key == "":
		return errors.New("one of Prefix and Key must be set")
	case o.Prefix != "" && o.Key != "":
		return errors.New("only one of Prefix and Key may be set")
	case o.Prefix != "" && p.prefix == "/":
		return errors.New(`a Prefix of "/" would read the whole KV store`)
	case o.Key != "" && strings.HasSuffix(o.Key, "/"):
		return fmt.Errorf("a Key ending in \"/\" (%q) is a folder: use Prefix", o.Key)
	case o.Consistency < ConsistencyDefault || o.Consistency > ConsistencyStale:
		return fmt.Errorf("unknown %v", o.Consistency)
	}
	for _, dc := range o.Datacenters {
		if dc == "" {
			return errors.New("an empty name in Datacenters")
		}
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

func (p *Provider) initClient() {
	var cfgToken string
	if p.opts.Config != nil {
		p.addr = p.opts.Config.Address
		if p.opts.Config.Scheme != "" && p.addr != "" && !strings.Contains(p.addr, "://") {
			p.addr = p.opts.Config.Scheme + "://" + p.addr
		}
		cfgToken = p.opts.Config.Token
	}
	if p.opts.Client != nil {
		p.client = p.opts.Client
		s := learnClient(p.client)
		if p.addr == "" {
			p.addr = s.addr
		}
		p.tok = newTokenSource(s.token, s.tokenFile, s.known, append(s.secrets, cfgToken)...)
		return
	}
	// Until the client is built, scrub what the Config holds.
	p.tok = newTokenSource("", "", true, cfgToken)
	var cfg api.Config
	if p.opts.Config != nil {
		cfg = *p.opts.Config
	} else {
		cfg = *api.DefaultConfig()
		cfg.Transport = nil
	}
	owned := cfg.Transport == nil && cfg.HttpClient == nil
	if owned {
		// The transport is ours: a pooled one, speaking HTTP/1.1. A
		// watcher has one request in flight, so HTTP/2 buys nothing, and
		// it hides the TLS alert of a server rejecting the client
		// certificate behind "client conn could not be established".
		cfg.Transport = api.DefaultConfig().Transport
		cfg.Transport.ForceAttemptHTTP2 = false
	}
	if cfg.HttpClient != nil {
		// The caller's http.Client stays theirs: ours is a copy with
		// streamTransport in front of its transport (below).
		hc := *cfg.HttpClient
		cfg.HttpClient = &hc
	}
	c, err := api.NewClient(&cfg)
	if err != nil {
		if p.initErr == nil {
			p.initErr = fmt.Errorf("building the client: %w", err)
		}
		return
	}
	// NewClient has set cfg.HttpClient to the http.Client c uses (the
	// copy above, or one of its own); nothing has used it yet.
	next := cfg.HttpClient.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cfg.HttpClient.Transport = &streamTransport{next: next}
	p.client, p.streams = c, true
	p.addr = cfg.Scheme + "://" + cfg.Address
	// NewClient has read the token file (Config.TokenFile or
	// CONSUL_HTTP_TOKEN_FILE) into Token; a later change of the file
	// replaces it (rotation without a restart).
	var secrets []string
	if cfg.HttpAuth != nil {
		secrets = append(secrets, cfg.HttpAuth.Password)
	}
	p.tok = newTokenSource(cfg.Token, cfg.TokenFile, true, append(secrets, cfgToken)...)
	if owned {
		p.ownTransport = cfg.Transport
	}
}

func (p *Provider) buildName() string {
	n := "consul " + p.opts.Key
	if p.opts.Key == "" {
		n = "consul " + p.prefix
	}
	switch {
	case len(p.opts.Datacenters) > 0:
		n += "@" + strings.Join(p.opts.Datacenters, ",")
	case p.defaultDC != "":
		n += "@" + p.defaultDC
	}
	return n
}

// Name returns "consul <prefix or key>", followed by "@dc" (or the
// failover list) when the datacenter is fixed. It never contains a token.
func (p *Provider) Name() string { return p.name }

// source is the Origin of keys without their own entry.
func (p *Provider) source() provider.Origin {
	if p.key != "" {
		return provider.Origin{Kind: originKind, Ref: p.key}
	}
	return provider.Origin{Kind: originKind, Ref: p.prefix}
}

const originKind = "consul key"

// originRule is the OriginRule of the layer's snapshots: tree mode's
// (treeRule), none in document mode, where every key comes from Source.
func (p *Provider) originRule() provider.OriginRule {
	if p.key != "" {
		return provider.OriginRule{}
	}
	return treeRule(p.prefix)
}

func normalizePrefix(s string) string {
	if s == "" {
		return ""
	}
	s = strings.TrimPrefix(s, "/")
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s
}

// begin marks a Load or Watch as running; the returned func ends it and,
// when it was the last one, closes the idle connections of a transport New
// created, so that no keep-alive goroutine outlives the calls.
func (p *Provider) begin() func() {
	p.active.Add(1)
	return func() {
		if p.active.Add(-1) == 0 && p.ownTransport != nil {
			p.ownTransport.CloseIdleConnections()
		}
	}
}

// dcLabel names a datacenter for Info and errors; "" when it is the
// client's own and no name is known.
func (p *Provider) dcLabel(dc string) string {
	if dc == "" {
		return p.defaultDC
	}
	return dc
}

// WithLogger makes the layer log through l (the Config's logger) unless
// Options.Logger was set, and returns p itself: a copy would not share a
// token handed to SetToken on p. It is safe for concurrent use and takes
// effect from the next record logged.
func (p *Provider) WithLogger(l *slog.Logger) provider.Provider {
	if p.opts.Logger == nil && l != nil {
		p.log.CompareAndSwap(nil, l)
	}
	return p
}

// logger is where the layer logs: never nil.
func (p *Provider) logger() *slog.Logger {
	if l := p.log.Load(); l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler) // logging is rare: no shared value to keep
}
