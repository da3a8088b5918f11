package consul

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// VersionPlan is a versioned publish: the difference between the live
// version and the desired content, and the new version that Apply writes
// and points to. It is immutable; Apply may be called once.
type VersionPlan struct {
	// Changes lists every key added, changed or deleted, sorted by key;
	// ConsulKey is the key in the new version.
	Changes []Change
	// Unchanged counts the keys the new version carries over as they are.
	Unchanged int
	// From is the live version when planned ("" when there is none), and
	// Version the one Apply creates.
	From, Version string

	v            *Versioned
	dc           string
	pointerIndex uint64 // the pointer's ModifyIndex when planned; 0: absent
	keys         map[string]string
	meta         []byte
	layer        planLayer
	applied      atomic.Bool
}

// Empty reports whether the desired content equals the live version's.
func (pl *VersionPlan) Empty() bool { return len(pl.Changes) == 0 && pl.From != "" }

// Layer serves the content the layer will read once the plan is applied;
// see Plan.Layer.
func (pl *VersionPlan) Layer() provider.Provider { return pl.layer }

// VersionInfo describes one published version.
type VersionInfo struct {
	// ID is the version ("0000000007"); versions are numbered in order.
	ID string `json:"version"`
	// Time is when it was published.
	Time time.Time `json:"time"`
	// Note is the note given at publish.
	Note string `json:"note,omitempty"`
	// Keys is how many keys it holds.
	Keys int `json:"keys"`
	// Live is true for the version the pointer names.
	Live bool `json:"live,omitempty"`
}

// state is what a versioned base holds: the pointer and every version.
type state struct {
	live         string
	pointerIndex uint64
	versions     map[string]VersionInfo // by ID, from meta keys
	dirs         []string               // version IDs with content, sorted
	next         uint64                 // first unused version number
}

// read reads the pointer, the meta keys and the version folders with
// consistent reads from the first datacenter.
func (v *Versioned) read(ctx context.Context, dc string) (*state, error) {
	p := v.pointer
	q := (&api.QueryOptions{Datacenter: dc, RequireConsistent: true}).WithContext(ctx)
	st := &state{versions: map[string]VersionInfo{}}
	ptr, _, err := p.client.KV().Get(v.base+pointerKey, q)
	if err != nil {
		return nil, p.fail(dc, err)
	}
	if ptr != nil {
		var pv struct{ Version string }
		if err := json.Unmarshal(ptr.Value, &pv); err != nil || validID(pv.Version) != nil {
			return nil, p.failClass(dc, ClassInvalidData, 0, fmt.Errorf("key %s does not name a version", ptr.Key))
		}
		st.live, st.pointerIndex = pv.Version, ptr.ModifyIndex
	}
	metas, _, err := p.client.KV().List(v.base+metaDir, q)
	if err != nil {
		return nil, p.fail(dc, err)
	}
	for _, m := range metas {
		var vi VersionInfo
		if json.Unmarshal(m.Value, &vi) == nil && validID(vi.ID) == nil {
			vi.Live = vi.ID == st.live
			st.versions[vi.ID] = vi
		}
	}
	dirs, _, err := p.client.KV().Keys(v.base+versionsDir, "/", q)
	if err != nil {
		return nil, p.fail(dc, err)
	}
	for _, d := range dirs {
		id := strings.TrimSuffix(strings.TrimPrefix(d, v.base+versionsDir), "/")
		if validID(id) == nil {
			st.dirs = append(st.dirs, id)
		}
	}
	for _, id := range slices.Concat(st.dirs, slices.Collect(maps.Keys(st.versions))) {
		n, _ := strconv.ParseUint(id, 10, 64)
		st.next = max(st.next, n+1)
	}
	st.next = max(st.next, 1)
	slices.Sort(st.dirs)
	return st, nil
}

// Plan compares desired with the live version and plans a new version
// holding desired; see Provider.Plan for how desired maps to keys. It
// writes nothing.
func (v *Versioned) Plan(ctx context.Context, desired map[string]any, opts PlanOptions) (*VersionPlan, error) {
	if v.initErr != nil {
		return nil, v.invalid()
	}
	p := v.pointer
	defer p.begin()()
	dc := p.dcs[0]
	st, err := v.read(ctx, dc)
	if err != nil {
		return nil, v.rename(err)
	}
	id := formatID(st.next)
	newPrefix := v.base + versionsDir + id + "/"
	want, err := treeKeys(newPrefix, desired)
	if err != nil {
		return nil, v.rename(p.failClass(dc, ClassInvalidData, 0, err))
	}
	have := map[string]string{} // relative key → value
	if st.live != "" {
		r, err := v.content(st.live).get(ctx, dc, 0, 0, ConsistencyStrong)
		if err != nil {
			return nil, v.rename(err)
		}
		for i, k := range r.list.keys {
			if k != "" && !strings.HasSuffix(k, "/") {
				have[strings.TrimPrefix(k, v.base+versionsDir+st.live+"/")] = r.list.vals[i]
			}
		}
	}
	pl := &VersionPlan{v: v, dc: dc, From: st.live, Version: id, pointerIndex: st.pointerIndex, keys: want}
	c := v.content(id) // names changes with the new version's keys
	var pairs api.KVPairs
	for key, value := range want {
		pairs = append(pairs, &api.KVPair{Key: key, Value: []byte(value)})
		rel := strings.TrimPrefix(key, newPrefix)
		old, ok := have[rel]
		switch {
		case !ok:
			pl.Changes = append(pl.Changes, c.change(key, Added, "", value, opts))
		case old != value:
			pl.Changes = append(pl.Changes, c.change(key, Changed, old, value, opts))
		default:
			pl.Unchanged++
		}
	}
	for rel, old := range have {
		if _, ok := want[newPrefix+rel]; !ok {
			pl.Changes = append(pl.Changes, c.change(newPrefix+rel, Deleted, old, "", opts))
		}
	}
	slices.SortFunc(pl.Changes, func(a, b Change) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(pairs, func(a, b *api.KVPair) int { return strings.Compare(a.Key, b.Key) })
	data, origins, err := buildTree(newPrefix, pairs)
	if err != nil {
		return nil, v.rename(p.failClass(dc, ClassInvalidData, 0, err))
	}
	pl.layer = planLayer{name: v.name, snap: c.planSnapshot(data, origins, treeRule(newPrefix), st.pointerIndex)}
	pl.meta, _ = json.Marshal(VersionInfo{ID: id, Time: time.Now().UTC(), Note: opts.Note, Keys: len(want)})
	return pl, nil
}

// Apply writes the new version's keys (each only if it does not exist
// yet, in as many transactions as its size needs: nobody reads a version
// before the pointer names it), then, in one last transaction, flips the
// pointer with check-and-set and records the version's meta. If the
// pointer moved since the plan, nothing the layer reads has changed and
// Apply returns an error wrapping ErrConflict; the unreferenced version
// it wrote is removed by GC. An empty plan writes nothing.
func (pl *VersionPlan) Apply(ctx context.Context) error {
	if pl.Empty() {
		return nil
	}
	if pl.applied.Swap(true) {
		return pl.fail(ErrApplied)
	}
	p := pl.v.pointer
	defer p.begin()()
	// The version's folder key claims the version: of two publishes
	// planned from one state, only one can write it, so a version never
	// mixes the keys of two publishes.
	ops := api.TxnOps{kvOp(api.KVCAS, pl.v.base+versionsDir+pl.Version+"/", nil, 0)}
	for _, key := range slices.Sorted(maps.Keys(pl.keys)) {
		ops = append(ops, kvOp(api.KVCAS, key, []byte(pl.keys[key]), 0))
	}
	for chunk := range slices.Chunk(ops, MaxTxnOps) {
		if err := pl.v.txn(ctx, pl.dc, chunk); err != nil {
			return pl.fail(err)
		}
	}
	flip := api.TxnOps{
		kvOp(api.KVCAS, pl.v.base+pointerKey, pointerValue(pl.Version), pl.pointerIndex),
		kvOp(api.KVCAS, pl.v.base+metaDir+pl.Version, pl.meta, 0),
	}
	if err := pl.v.txn(ctx, pl.dc, flip); err != nil {
		return pl.fail(err)
	}
	return nil
}

func (pl *VersionPlan) fail(err error) error {
	return provider.WrapError(pl.v.name, "", fmt.Errorf("consul: publish version %s: %w", pl.Version, err))
}

// txn sends one transaction and classifies its failure.
func (v *Versioned) txn(ctx context.Context, dc string, ops api.TxnOps) error {
	p := v.pointer
	rctx, cancel := context.WithTimeout(ctx, requestTimeout(0))
	defer cancel()
	ok, resp, _, err := p.client.Txn().Txn(ops, (&api.QueryOptions{Datacenter: dc}).WithContext(rctx))
	switch {
	case err != nil:
		msg := strings.ToLower(err.Error())
		if strings.Contains(msg, "permission denied") || strings.Contains(msg, "acl not found") {
			return fmt.Errorf("%w (at %s)", ErrPermission, p.addr)
		}
		return p.fail(dc, err)
	case !ok && denied(resp):
		return fmt.Errorf("%w (at %s)", ErrPermission, p.addr)
	case !ok:
		var keys []string
		for _, e := range resp.Errors {
			if e != nil && e.OpIndex >= 0 && e.OpIndex < len(ops) && ops[e.OpIndex].KV != nil {
				keys = append(keys, ops[e.OpIndex].KV.Key)
			}
		}
		return fmt.Errorf("%w (at %s)", ErrConflict, strings.Join(keys, ", "))
	}
	return nil
}
