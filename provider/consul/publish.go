package consul

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// MaxTxnOps is the most operations Consul accepts in one transaction
// (/v1/txn), measured on Consul 1.14.11: 128 are accepted, 129 are refused
// with HTTP 413 "too many operations". A plan that needs more is refused
// rather than split into several writes that would not be atomic.
const MaxTxnOps = 128

var (
	// ErrConflict: something changed under the prefix (or the document
	// key) between Plan and Apply. Nothing was written; plan again.
	ErrConflict = errors.New("conflict: the keys changed since the plan; nothing was written")

	// ErrTooLarge: the plan needs more than MaxTxnOps operations, more
	// than one Consul transaction holds. Nothing was written.
	ErrTooLarge = errors.New("too many operations for one Consul transaction; nothing was written")

	// ErrInvalid: the validation callback refused the planned content.
	// Nothing was written. The callback's error is wrapped too.
	ErrInvalid = errors.New("the planned config is invalid; nothing was written")

	// ErrPermission: the token may not write the keys (it needs a
	// key_prefix write policy on the prefix, or key write on the document
	// key). Nothing was written.
	ErrPermission = errors.New("permission denied: the token may not write these keys (it needs a key_prefix write policy)")

	// ErrApplied: Apply was called a second time on the same plan.
	ErrApplied = errors.New("plan already applied")
)

// Apply writes the plan in one Consul transaction: every key it adds is
// written only if it still does not exist, every key it changes or deletes
// only if its ModifyIndex is still the one planned, every key it leaves
// alone is checked to be unchanged, and in tree mode the guard key (the
// prefix's own folder key, which readers ignore) is written with
// check-and-set so that two publishes planned from the same state cannot
// both succeed. If any check fails nothing is written and Apply returns
// an error wrapping ErrConflict that names the keys.
//
// An empty plan writes nothing and returns nil. A plan over MaxTxnOps
// returns ErrTooLarge without sending anything. A token that may not write
// gets an error wrapping ErrPermission. Errors never contain the token or a
// value. Apply may be called once per plan.
func (pl *Plan) Apply(ctx context.Context) error {
	p := pl.p
	if len(pl.ops) == 0 {
		return nil
	}
	if len(pl.ops) > MaxTxnOps {
		return pl.fail(fmt.Errorf("%d operations, at most %d: %w (use document mode for large configs)", len(pl.ops), MaxTxnOps, ErrTooLarge))
	}
	if pl.applied.Swap(true) {
		return pl.fail(ErrApplied)
	}
	defer p.begin()()
	rctx, cancel := context.WithTimeout(ctx, requestTimeout(0))
	defer cancel()
	ok, resp, _, err := p.client.Txn().Txn(pl.ops, (&api.QueryOptions{Datacenter: pl.dc}).WithContext(rctx))
	if err != nil {
		return pl.txnError(err)
	}
	if !ok {
		if denied(resp) {
			// ACLs are checked per operation: a token that may read but
			// not write gets a rolled-back transaction, not a 403.
			return pl.fail(fmt.Errorf("%w (at %s)", ErrPermission, p.addr))
		}
		return pl.fail(fmt.Errorf("%w (%s)", ErrConflict, pl.conflicted(resp)))
	}
	return nil
}

// conflicted names the keys whose checks failed.
func (pl *Plan) conflicted(resp *api.TxnResponse) string {
	var keys []string
	if resp != nil {
		for _, e := range resp.Errors {
			if e != nil && e.OpIndex >= 0 && e.OpIndex < len(pl.ops) && pl.ops[e.OpIndex].KV != nil {
				keys = append(keys, pl.ops[e.OpIndex].KV.Key)
			}
		}
	}
	if len(keys) == 0 {
		return "the transaction was rolled back"
	}
	return "at " + strings.Join(keys, ", ")
}

// denied reports whether an operation of a rolled-back transaction was
// refused by ACLs.
func denied(resp *api.TxnResponse) bool {
	if resp == nil {
		return false
	}
	for _, e := range resp.Errors {
		if e != nil && strings.Contains(strings.ToLower(e.What), "permission denied") {
			return true
		}
	}
	return false
}

// txnError classifies a failed transaction request. The client reports
// statuses other than 200 and 409 as plain errors carrying the body.
func (pl *Plan) txnError(err error) error {
	p := pl.p
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "permission denied"), strings.Contains(msg, "acl not found"):
		return pl.fail(fmt.Errorf("%w (at %s): %s", ErrPermission, p.addr, p.tok.scrub(p.cause(err).Error())))
	case strings.Contains(msg, "too many operations"):
		return pl.fail(fmt.Errorf("%w: %s", ErrTooLarge, p.tok.scrub(err.Error())))
	}
	return p.fail(pl.dc, err)
}

// fail wraps a publish error with the layer's name.
func (pl *Plan) fail(err error) error {
	return provider.WrapError(pl.p.name, "", fmt.Errorf("consul: publish: %w", err))
}

// PublishOptions tunes Publish.
type PublishOptions struct {
	PlanOptions

	// Validate, when set, is called with the plan's Layer (the content
	// the Provider will read once published) before anything is written;
	// an error refuses the publish. strata.Check with this layer in the
	// Provider's place among the application's layers applies the exact
	// rules the running service does.
	Validate func(ctx context.Context, layer provider.Provider) error
}

// Publish plans desired, validates the result and applies it: Plan, then
// opts.Validate, then Apply. It returns the plan (also when validation or
// Apply fails, for showing what would have changed). A refused validation
// returns an error wrapping ErrInvalid and the callback's error.
func (p *Provider) Publish(ctx context.Context, desired map[string]any, opts PublishOptions) (*Plan, error) {
	pl, err := p.Plan(ctx, desired, opts.PlanOptions)
	if err != nil {
		return nil, err
	}
	if opts.Validate != nil {
		if err := opts.Validate(ctx, pl.Layer()); err != nil {
			return pl, fmt.Errorf("consul: publish to %s: %w: %w", p.name, ErrInvalid, err)
		}
	}
	return pl, pl.Apply(ctx)
}
