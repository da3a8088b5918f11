package consul

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// ChangeKind says what a publish does to one key.
type ChangeKind string

// The kinds of Change.
const (
	Added   ChangeKind = "add"
	Changed ChangeKind = "change"
	Deleted ChangeKind = "delete"
)

// Change is one key a publish adds, changes or deletes.
type Change struct {
	// Key is the dotted config key ("db.max_conns").
	Key string `json:"key"`
	// ConsulKey is the Consul key written: the key itself in tree mode,
	// the document's key in document mode.
	ConsulKey string `json:"consul_key"`
	// Kind is add, change or delete.
	Kind ChangeKind `json:"kind"`
	// Old and New are the values before and after, as strings; empty for
	// an added (Old) or deleted (New) key; "[redacted]" for a secret.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Secret is true when the values were redacted.
	Secret bool `json:"secret,omitempty"`
}

// PlanOptions tunes Plan. The zero value means defaults.
type PlanOptions struct {
	// Secret reports whether the value at a dotted config key must never
	// be shown; Plan redacts those values in Changes. strata.SecretKeys
	// builds it from the application's type. Nil: nothing is secret.
	Secret func(key string) bool

	// Note is stored with the publish (in tree mode, in the guard key; see
	// Apply), for people reading Consul.
	Note string

	// Document, in document mode, is the desired document as a file holds
	// it, in DocumentFormat ("yaml", "json", "toml"; default: the key's).
	// When that is the key's format it is written verbatim, comments and
	// key order kept; otherwise it is converted. It replaces desired. Tree
	// mode ignores it.
	Document       []byte
	DocumentFormat string
}

// Plan is the difference between what a Provider's location holds and
// the desired content, with everything Apply needs to write it atomically
// if, and only if, nothing changed in between. A Plan is immutable; its
// methods are safe for concurrent use, and Apply may be called once.
type Plan struct {
	// Changes lists every key added, changed or deleted, sorted by key.
	Changes []Change
	// Unchanged counts the keys the desired content leaves as they are.
	Unchanged int
	// Index is the Consul index the plan was read at.
	Index uint64

	p       *Provider
	dc      string
	ops     api.TxnOps
	layer   planLayer
	applied atomic.Bool
}

// Empty reports whether applying the plan would change nothing.
func (pl *Plan) Empty() bool { return len(pl.Changes) == 0 }

// Operations is the number of operations Apply sends in its transaction:
// the writes, plus the checks that keep the result exactly what was
// planned. Apply refuses a plan with more than MaxTxnOps.
func (pl *Plan) Operations() int { return len(pl.ops) }

// Layer returns a layer serving the content the Provider will read once
// the plan is applied: same name, same origins, same data types, built by
// the Provider's own read path. Validate a plan by loading the
// application's whole stack with this layer in the Provider's place
// (strata.Check), which applies the exact rules the running service does.
func (pl *Plan) Layer() provider.Provider { return pl.layer }

// planLayer is a Plan's post-publish content as a layer.
type planLayer struct {
	name string
	snap provider.Snapshot
}

func (l planLayer) Name() string { return l.name }

func (l planLayer) Load(context.Context) (provider.Snapshot, error) { return l.snap, nil }

// Plan reads the Provider's prefix (or document key) from its first
// datacenter with a consistent read, and returns what publishing desired
// would change. desired is the whole content of the layer as a nested map
// (the Data of a file layer, for example): in tree mode, keys under the
// prefix that desired lacks are deleted. It writes nothing.
//
// In tree mode every leaf becomes one key holding its string form (lists
// of scalars comma separated, as strata decodes them); a list holding maps,
// or a key with "/" in it, cannot be stored in a tree and is an error. In
// document mode desired is rendered in the key's format; comments and key
// order of a source file are not kept.
func (p *Provider) Plan(ctx context.Context, desired map[string]any, opts PlanOptions) (*Plan, error) {
	if p.initErr != nil {
		return nil, p.failClass("", ClassInvalidOptions, 0, p.initErr)
	}
	defer p.begin()()
	dc := p.dcs[0]
	r, err := p.getPairs(ctx, dc, ConsistencyStrong)
	if err != nil {
		return nil, err
	}
	pl := &Plan{p: p, dc: dc, Index: r.index}
	if p.key != "" {
		err = p.planDocument(pl, r, desired, opts)
	} else {
		err = p.planTree(pl, r, desired, opts)
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(pl.Changes, func(a, b Change) int { return strings.Compare(a.Key, b.Key) })
	return pl, nil
}

// planTree diffs key by key and plans check-and-set writes.
func (p *Provider) planTree(pl *Plan, r *read, desired map[string]any, opts PlanOptions) error {
	want, err := treeKeys(p.prefix, desired)
	if err != nil {
		return p.failClass(pl.dc, ClassInvalidData, 0, err)
	}
	have := map[string]*api.KVPair{}
	var guard *api.KVPair
	for _, kv := range r.pairs {
		switch {
		case kv == nil:
		case kv.Key == p.prefix:
			guard = kv
		case !strings.HasSuffix(kv.Key, "/"):
			have[kv.Key] = kv
		}
	}

	var pairs api.KVPairs
	for key, value := range want {
		pairs = append(pairs, &api.KVPair{Key: key, Value: []byte(value)})
		old, ok := have[key]
		switch {
		case !ok:
			pl.Changes = append(pl.Changes, p.change(key, Added, "", value, opts))
			// CAS at index 0 writes only if the key still does not exist.
			pl.ops = append(pl.ops, kvOp(api.KVCAS, key, []byte(value), 0))
		case string(old.Value) != value:
			pl.Changes = append(pl.Changes, p.change(key, Changed, string(old.Value), value, opts))
			pl.ops = append(pl.ops, kvOp(api.KVCAS, key, []byte(value), old.ModifyIndex))
		default:
			pl.Unchanged++
			// The result was validated with this value: it must still be
			// there when the transaction runs.
			pl.ops = append(pl.ops, kvOp(api.KVCheckIndex, key, nil, old.ModifyIndex))
		}
	}
	for key, old := range have {
		if _, ok := want[key]; !ok {
			pl.Changes = append(pl.Changes, p.change(key, Deleted, string(old.Value), "", opts))
			pl.ops = append(pl.ops, kvOp(api.KVDeleteCAS, key, nil, old.ModifyIndex))
		}
	}
	if len(pl.Changes) == 0 {
		pl.ops = nil // nothing to write, nothing to guard
	} else {
		// The guard: the prefix's own folder key, which readers ignore,
		// written with check-and-set by every publish. Two publishes
		// planned from the same state cannot both succeed, even when they
		// touch different keys.
		var index uint64
		if guard != nil {
			index = guard.ModifyIndex
		}
		pl.ops = append(pl.ops, kvOp(api.KVCAS, p.prefix, guardValue(opts.Note), index))
	}
	slices.SortFunc(pairs, func(a, b *api.KVPair) int { return strings.Compare(a.Key, b.Key) })
	data, origins, err := buildTree(p.prefix, pairs)
	if err != nil {
		return p.failClass(pl.dc, ClassInvalidData, 0, err)
	}
	pl.layer = planLayer{name: p.name, snap: p.planSnapshot(data, origins, treeRule(p.prefix), pl.Index)}
	return nil
}

// planDocument diffs the parsed documents and plans one check-and-set
// write of the whole key.
func (p *Provider) planDocument(pl *Plan, r *read, desired map[string]any, opts PlanOptions) error {
	doc, err := p.desiredDocument(desired, opts)
	if err != nil {
		return p.failClass(pl.dc, ClassInvalidData, 0, err)
	}
	// Parsed back exactly as Load will parse it.
	data, err := parseDocument(p.format, doc)
	if err != nil {
		return p.failClass(pl.dc, ClassInvalidData, 0, err)
	}
	old := map[string]any{}
	var index uint64
	if r.doc != nil {
		index = r.doc.ModifyIndex
		if old, err = parseDocument(p.format, r.doc.Value); err != nil {
			// A malformed document is replaced whole: show it as such.
			old = map[string]any{}
		}
	}
	oldLeaves, newLeaves := leaves(old), leaves(data)
	for key, nv := range newLeaves {
		ov, ok := oldLeaves[key]
		switch {
		case !ok:
			pl.Changes = append(pl.Changes, p.change(key, Added, "", text(nv), opts))
		case !reflect.DeepEqual(ov, nv):
			pl.Changes = append(pl.Changes, p.change(key, Changed, text(ov), text(nv), opts))
		default:
			pl.Unchanged++
		}
	}
	for key, ov := range oldLeaves {
		if _, ok := newLeaves[key]; !ok {
			pl.Changes = append(pl.Changes, p.change(key, Deleted, text(ov), "", opts))
		}
	}
	for i := range pl.Changes {
		pl.Changes[i].ConsulKey = p.key
	}
	if len(pl.Changes) > 0 || r.doc == nil {
		pl.ops = api.TxnOps{kvOp(api.KVCAS, p.key, doc, index)}
	}
	pl.layer = planLayer{name: p.name, snap: p.planSnapshot(data, nil, provider.OriginRule{}, pl.Index)}
	return nil
}

// desiredDocument returns the bytes to write: opts.Document verbatim when
// it is in the key's format, else desired (or the converted Document)
// rendered in it.
func (p *Provider) desiredDocument(desired map[string]any, opts PlanOptions) ([]byte, error) {
	if opts.Document == nil {
		return marshalDocument(p.format, desired)
	}
	f := p.format
	if opts.DocumentFormat != "" {
		var err error
		if f, err = provider.DocumentFormat("", opts.DocumentFormat); err != nil {
			return nil, err
		}
	}
	if f == p.format {
		return opts.Document, nil
	}
	m, err := parseDocument(f, opts.Document)
	if err != nil {
		return nil, err
	}
	return marshalDocument(p.format, m)
}

func (p *Provider) planSnapshot(data map[string]any, origins map[string]provider.Origin, rule provider.OriginRule, index uint64) provider.Snapshot {
	return provider.Snapshot{
		Data: data, Origins: origins, OriginRule: rule, Source: p.source(), ReadAt: time.Now(),
		Version: "plan@" + strconv.FormatUint(index, 10),
	}
}

// change builds a Change, redacting secret values.
func (p *Provider) change(consulKey string, kind ChangeKind, old, new string, opts PlanOptions) Change {
	key := consulKey
	if p.key == "" {
		key = strings.ReplaceAll(strings.TrimPrefix(consulKey, p.prefix), "/", ".")
	}
	c := Change{Key: key, ConsulKey: consulKey, Kind: kind, Old: old, New: new}
	if opts.Secret != nil && opts.Secret(key) {
		c.Secret = true
		if c.Old != "" {
			c.Old = redacted
		}
		if c.New != "" {
			c.New = redacted
		}
	}
	return c
}

const redacted = "[redacted]"

func kvOp(verb api.KVOp, key string, value []byte, index uint64) *api.TxnOp {
	return &api.TxnOp{KV: &api.KVTxnOp{Verb: verb, Key: key, Value: value, Index: index}}
}

// guardValue is what the guard key holds: when and why it was last
// published. It is informational; only its ModifyIndex matters.
func guardValue(note string) []byte {
	return fmt.Appendf(nil, "published by strata at %s; note: %s", time.Now().UTC().Format(time.RFC3339), note)
}

// leaves flattens a nested map to its dotted leaf keys.
func leaves(m map[string]any) map[string]any {
	out := map[string]any{}
	provider.Leaves(m, func(key string, v any) { out[key] = v })
	return out
}

// text renders a document value for a Change.
func text(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i] = fmt.Sprint(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}
