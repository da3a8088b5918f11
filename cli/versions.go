package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// versioned finds the versioned Consul layer history, rollback and gc
// work on.
func (r *runner[T]) versioned() (target, int) {
	t, err := r.target()
	if err == nil && t.versioned == nil {
		err = fmt.Errorf("%s is not in versioned mode (consul.NewVersioned)", t.name())
	}
	if err != nil {
		return target{}, r.usageError(err.Error())
	}
	return t, ExitOK
}

// history lists the published versions, newest first.
func (r *runner[T]) history(ctx context.Context, args []string) int {
	if len(args) > 0 {
		return r.usageError("history takes no arguments")
	}
	t, code := r.versioned()
	if code != ExitOK {
		return code
	}
	list, err := t.versioned.History(ctx)
	if err != nil {
		return r.fail(result{Layer: t.name()}, err, ExitFailure)
	}
	if r.json {
		return r.emit(list, ExitOK)
	}
	for _, v := range list {
		live := " "
		if v.Live {
			live = "*"
		}
		fmt.Fprintf(r.out, "%s %s  %s  %d keys  %s\n", live, v.ID, v.Time.Format(time.RFC3339), v.Keys, v.Note)
	}
	return ExitOK
}

// rollback makes an earlier version live again after checking it with
// the application's current type and other layers.
func (r *runner[T]) rollback(ctx context.Context, args []string) int {
	if len(args) != 1 {
		return r.usageError("expected one VERSION (see history)")
	}
	t, code := r.versioned()
	if code != ExitOK {
		return code
	}
	res := result{Layer: t.name(), Version: args[0]}
	var invalid error
	err := t.versioned.Rollback(ctx, args[0], consul.RollbackOptions{
		Validate: func(ctx context.Context, l provider.Provider) error {
			invalid = strata.CheckWith[T](ctx, r.opts.Strata, r.withLayer(t, l)...)
			return invalid
		},
	})
	switch {
	case invalid != nil:
		cr := checkResult(invalid)
		res.Problems, res.Error = cr.Problems, cr.Error
		if r.json {
			return r.emit(res, codeOf(invalid))
		}
		fmt.Fprintln(r.errOut, "refused: version", args[0], "is invalid under the current rules; nothing was changed")
		fmt.Fprintln(r.errOut, invalid)
		return codeOf(invalid)
	case errors.Is(err, consul.ErrNoVersion):
		return r.fail(res, err, ExitUsage)
	case errors.Is(err, consul.ErrConflict):
		return r.fail(res, err, ExitConflict)
	case err != nil:
		return r.fail(res, err, ExitFailure)
	}
	res.Valid, res.Published = true, true
	if r.json {
		return r.emit(res, ExitOK)
	}
	fmt.Fprintf(r.out, "version %s is live on %s\n", args[0], t.name())
	return ExitOK
}

// gc deletes old versions.
func (r *runner[T]) gc(ctx context.Context, args []string) int {
	if len(args) != 0 {
		return r.usageError("gc takes no arguments")
	}
	t, code := r.versioned()
	if code != ExitOK {
		return code
	}
	removed, err := t.versioned.GC(ctx, r.keep)
	if err != nil {
		return r.fail(result{Layer: t.name()}, err, ExitFailure)
	}
	if r.json {
		return r.emit(map[string]any{"removed": removed}, ExitOK)
	}
	fmt.Fprintf(r.out, "removed %s version(s) from %s\n", strconv.Itoa(len(removed)), t.name())
	return ExitOK
}
