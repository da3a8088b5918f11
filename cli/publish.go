package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/file"
)

// diff shows what publishing a file would change and checks the result.
func (r *runner[T]) diff(ctx context.Context, args []string) int {
	pl, res, code := r.plan(ctx, args)
	if pl == nil || code != ExitOK {
		return code
	}
	if r.exitCode && !pl.empty {
		code = ExitChanges
	}
	if r.json {
		return r.emit(res, code)
	}
	writePlan(r.out, pl, res.Layer)
	return code
}

// publish checks a file's content and writes it atomically.
func (r *runner[T]) publish(ctx context.Context, args []string) int {
	pl, res, code := r.plan(ctx, args)
	if pl == nil || code != ExitOK {
		return code
	}
	if !r.json {
		writePlan(r.out, pl, res.Layer)
	}
	if !pl.empty {
		if err := pl.apply(ctx); err != nil {
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
	if pl.empty {
		fmt.Fprintln(r.out, "nothing to publish")
	} else {
		fmt.Fprintf(r.out, "published %d change(s) to %s\n", len(pl.Changes), res.Layer)
		if pl.Version != "" {
			fmt.Fprintf(r.out, "version %s is live\n", pl.Version)
		}
	}
	return ExitOK
}

// plan reads FILE, plans it against the Consul layer and validates the
// result: the application's layers with the planned content in the Consul
// layer's place, checked by strata.Check. A nil plan or a code other than
// ExitOK means the caller stops (the problem is already reported).
func (r *runner[T]) plan(ctx context.Context, args []string) (*plan, result, int) {
	if len(args) != 1 {
		return nil, result{}, r.usageError("expected one FILE (YAML, JSON or TOML) with the layer's whole content")
	}
	target, err := r.target()
	if err != nil {
		return nil, result{}, r.usageError(err.Error())
	}
	res := result{Layer: target.name()}
	snap, err := file.New(args[0], file.Options{}).Load(ctx)
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	isSecret, err := strata.SecretKeys[T](r.opts.Strata)
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	// A document-mode layer gets the file as written, comments and all.
	raw, err := os.ReadFile(args[0])
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	popts := consul.PlanOptions{Secret: isSecret, Note: r.note, Document: raw, DocumentFormat: strings.TrimPrefix(filepath.Ext(args[0]), ".")}
	pl, err := target.plan(ctx, snap.Data, popts)
	if err != nil {
		return nil, res, r.fail(res, err, ExitFailure)
	}
	res.Changes, res.Version = pl.Changes, pl.Version

	err = strata.CheckWith[T](ctx, r.opts.Strata, r.withLayer(target, pl.layer)...)
	res.Valid = err == nil
	if err != nil {
		code := codeOf(err)
		cr := checkResult(err)
		res.Problems, res.Error = cr.Problems, cr.Error
		if r.json {
			return nil, res, r.emit(res, code)
		}
		writePlan(r.out, pl, res.Layer)
		fmt.Fprintln(r.errOut, "refused: the result would be invalid; nothing was written")
		fmt.Fprintln(r.errOut, err)
		return nil, res, code
	}
	return pl, res, ExitOK
}

func (r *runner[T]) fail(res result, err error, code int) int {
	if r.json {
		res.Error = err.Error()
		return r.emit(res, code)
	}
	fmt.Fprintln(r.errOut, err)
	return code
}

// writePlan renders a plan as a readable diff: one line per key, "+"
// added, "~" changed, "-" deleted.
func writePlan(w io.Writer, pl *plan, layer string) {
	if pl.empty {
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
