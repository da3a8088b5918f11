package consul

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// History lists the published versions, newest first, marking the live one.
func (v *Versioned) History(ctx context.Context) ([]VersionInfo, error) {
	if v.initErr != nil {
		return nil, v.invalid()
	}
	defer v.pointer.begin()()
	st, err := v.read(ctx, v.pointer.dcs[0])
	if err != nil {
		return nil, v.rename(err)
	}
	out := slices.Collect(maps.Values(st.versions))
	slices.SortFunc(out, func(a, b VersionInfo) int { return strings.Compare(b.ID, a.ID) })
	return out, nil
}

// ErrNoVersion: Rollback was asked for a version that does not exist.
var ErrNoVersion = errors.New("no such version")

// RollbackOptions tunes Rollback.
type RollbackOptions struct {
	// Validate, when set, is called with a layer serving the version's
	// content before the pointer moves; an error refuses the rollback (see
	// PublishOptions.Validate: the rules may have changed since the
	// version was published).
	Validate func(ctx context.Context, layer provider.Provider) error
}

// Rollback makes version id live again: it reads the version, validates
// it, and flips the pointer to it with check-and-set (ErrConflict if the
// pointer moved meanwhile). Nothing is copied: versions are immutable.
func (v *Versioned) Rollback(ctx context.Context, id string, opts RollbackOptions) error {
	if v.initErr != nil {
		return v.invalid()
	}
	p := v.pointer
	defer p.begin()()
	dc := p.dcs[0]
	st, err := v.read(ctx, dc)
	if err != nil {
		return v.rename(err)
	}
	if _, ok := st.versions[id]; !ok || !slices.Contains(st.dirs, id) {
		return provider.WrapError(v.name, "", fmt.Errorf("consul: rollback to %q: %w", id, ErrNoVersion))
	}
	c := v.content(id)
	snap, err := c.Load(ctx)
	if err != nil {
		return v.rename(err)
	}
	if opts.Validate != nil {
		if err := opts.Validate(ctx, planLayer{name: v.name, snap: snap}); err != nil {
			return provider.WrapError(v.name, "", fmt.Errorf("consul: rollback to %s: %w: %w", id, ErrInvalid, err))
		}
	}
	if id == st.live {
		return nil
	}
	if err := v.txn(ctx, dc, api.TxnOps{kvOp(api.KVCAS, v.base+pointerKey, pointerValue(id), st.pointerIndex)}); err != nil {
		return provider.WrapError(v.name, "", fmt.Errorf("consul: rollback to %s: %w", id, err))
	}
	return nil
}

// GC deletes every version but the newest keep (at least 1, so that a
// publish in flight, whose version is the newest, is never collected) and
// the live one, and returns the IDs removed. Versions a failed publish left
// unreferenced are collected like any other once keep newer ones exist. Each transaction checks the pointer has not
// moved, so a version that became live meanwhile is never deleted.
func (v *Versioned) GC(ctx context.Context, keep int) ([]string, error) {
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
	all := slices.Sorted(maps.Keys(st.versions))
	all = slices.Compact(slices.Sorted(slices.Values(slices.Concat(all, st.dirs))))
	var doomed []string
	for i, id := range all {
		if id != st.live && i < len(all)-max(keep, 1) {
			doomed = append(doomed, id)
		}
	}
	guard := kvOp(api.KVCheckIndex, v.base+pointerKey, nil, st.pointerIndex)
	if st.pointerIndex == 0 {
		guard = kvOp(api.KVCheckNotExists, v.base+pointerKey, nil, 0)
	}
	var removed []string
	for chunk := range slices.Chunk(doomed, (MaxTxnOps-1)/2) {
		ops := api.TxnOps{guard}
		for _, id := range chunk {
			ops = append(ops,
				kvOp(api.KVDeleteTree, v.base+versionsDir+id+"/", nil, 0),
				kvOp(api.KVDelete, v.base+metaDir+id, nil, 0))
		}
		if err := v.txn(ctx, dc, ops); err != nil {
			return removed, provider.WrapError(v.name, "", fmt.Errorf("consul: gc: %w", err))
		}
		removed = append(removed, chunk...)
	}
	return removed, nil
}
