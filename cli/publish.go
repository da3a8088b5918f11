package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/file"
)

// diff shows what publishing a file would change and checks the result.
func (r *runner[T]) diff(ctx context.Context, args []string) int {
	pl, res, code := r.plan(ctx, args)
	if pl == nil || code != ExitOK {
		return code
	}
	if r.exitCode && !pl.Empty() {
		code = ExitChanges
	}
	if r.json {
		return r.emit(res, code)
	}
	r.printPlan(pl, res)
	return code
}

// publish checks a file's content and writes it atomically.
func (r *runner[T]) publish(ctx context.Context, args []string) int {
	pl, res, code := r.plan(ctx, args)
	if pl == nil || code != ExitOK {
		return code
	}
	if !r.json {
		r.printPlan(pl, res)
	}
	if !pl.Empty() {
		if err := pl.Apply(ctx); err != nil {
			res.Error = err.Error()
			code = ExitFailure
			if errors.Is(err, consul.ErrConflict) {
				code = ExitConflict
			}
			if r.json {
				return r.emit(res, code)
			}
			fmt.Fprintln(r.errOut, "not published:", err)
			return code
		}
		res.Published = true
	}
	if r.json {
		return r.emit(res, ExitOK)
	}
	if pl.Empty() {
		fmt.Fprintln(r.out, "nothing to publish")
	} else {
		fmt.Fprintf(r.out, "published %d change(s) to %s\n", len(pl.Changes), res.Layer)
	}
	return ExitOK
}

// plan reads FILE, plans it against the Consul layer and validates the
// result: the application's layers with the planned content in the Consul
// layer's place, checked by strata.Check. A nil plan or a code other than
// ExitOK means the caller stops (the problem is already reported).
func (r *runner[T]) plan(ctx context.Context, args []string) (*consul.Plan, result, int) {
	if len(args) != 1 {
		return nil, result{}, r.usageError("expected one FILE (YAML, JSON or TOML) with the layer's whole content")
	}
	target, err := r.target()
	if err != nil {
		return nil, result{}, r.usageError(err.Error())
	}
	res := result{Layer: target.Name()}
	snap, err := file.New(args[0]).Load(ctx)
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	isSecret, err := strata.SecretKeys[T](r.opts.Strata)
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	pl, err := target.Plan(ctx, snap.Data, consul.PlanOptions{Secret: isSecret, Note: r.note})
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	res.Changes = pl.Changes

	layers := make([]provider.Provider, len(r.layers))
	for i, l := range r.layers {
		layers[i] = l
		if l == provider.Provider(target) {
			layers[i] = pl.Layer()
		}
	}
	err = strata.CheckWith[T](ctx, r.opts.Strata, layers...)
	res.Valid = err == nil
	if err != nil {
		code := codeOf(err)
		cr := checkResult(err)
		res.Problems, res.Error = cr.Problems, cr.Error
		if r.json {
			return nil, res, r.emit(res, code)
		}
		r.printPlan(pl, res)
		fmt.Fprintln(r.errOut, "refused: the result would be invalid; nothing was written")
		fmt.Fprintln(r.errOut, err)
		return nil, res, code
	}
	return pl, res, ExitOK
}

// target finds the Consul layer to publish to.
func (r *runner[T]) target() (*consul.Provider, error) {
	var found []*consul.Provider
	for _, l := range r.layers {
		if c, ok := l.(*consul.Provider); ok && (r.opts.Layer == "" || c.Name() == r.opts.Layer) {
			found = append(found, c)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && r.opts.Layer != "":
		return nil, fmt.Errorf("no Consul layer named %q", r.opts.Layer)
	case len(found) == 0:
		return nil, errors.New("no Consul layer to publish to")
	}
	return nil, errors.New("several Consul layers: set Options.Layer to the one to publish to")
}

func (r *runner[T]) fail(res result, err error, code int) int {
	if r.json {
		res.Error = err.Error()
		return r.emit(res, code)
	}
	fmt.Fprintln(r.errOut, err)
	return code
}

// printPlan renders a plan as a readable diff: one line per key, "+"
// added, "~" changed, "-" deleted.
func (r *runner[T]) printPlan(pl *consul.Plan, res result) {
	writePlan(r.out, pl, res.Layer)
}

func writePlan(w io.Writer, pl *consul.Plan, layer string) {
	if pl.Empty() {
		fmt.Fprintf(w, "no changes to %s (%d keys unchanged)\n", layer, pl.Unchanged)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "changes to %s (%d keys unchanged):\n", layer, pl.Unchanged)
	for _, c := range pl.Changes {
		switch c.Kind {
		case consul.Added:
			fmt.Fprintf(&b, "  + %s = %s\n", c.Key, c.New)
		case consul.Changed:
			fmt.Fprintf(&b, "  ~ %s: %s -> %s\n", c.Key, c.Old, c.New)
		case consul.Deleted:
			fmt.Fprintf(&b, "  - %s (was %s)\n", c.Key, c.Old)
		}
	}
	io.WriteString(w, b.String())
}
