package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/strata-go/strata"
)

// check validates the configuration from every layer.
func (r *runner[T]) check(ctx context.Context, args []string) int {
	if len(args) > 0 {
		return r.usageError("check takes no arguments")
	}
	err := strata.CheckWith[T](ctx, r.opts.Strata, r.layers...)
	if r.json {
		return r.emit(checkResult(err), codeOf(err))
	}
	if err != nil {
		fmt.Fprintln(r.errOut, err)
		return codeOf(err)
	}
	fmt.Fprintf(r.out, "ok: the configuration is valid (%d layers)\n", len(r.layers)+1)
	return ExitOK
}

// schema prints the JSON Schema of T.
func (r *runner[T]) schema(_ context.Context, args []string) int {
	if len(args) > 0 {
		return r.usageError("schema takes no arguments")
	}
	s, err := strata.JSONSchema[T](strata.SchemaOptions{Options: r.opts.Strata, Partial: r.partial, ID: r.id})
	if err != nil {
		fmt.Fprintln(r.errOut, err)
		return ExitFailure
	}
	fmt.Fprintln(r.out, string(s))
	return ExitOK
}

// explain shows where each key's effective value comes from. It loads
// the configuration, which briefly starts the layers' watchers, and closes
// it before returning.
func (r *runner[T]) explain(ctx context.Context, keys []string) int {
	cfg, err := strata.LoadWith[T](ctx, r.opts.Strata, r.layers...)
	if err != nil {
		if r.json {
			return r.emit(checkResult(err), codeOf(err))
		}
		fmt.Fprintln(r.errOut, err)
		return codeOf(err)
	}
	defer cfg.Close()
	var list []strata.Explanation
	if len(keys) == 0 {
		list = cfg.ExplainAll()
	}
	for _, k := range keys {
		e, ok := cfg.Explain(k)
		if !ok {
			fmt.Fprintf(r.errOut, "%s: no such key\n", k)
			return ExitUsage
		}
		list = append(list, e)
	}
	if r.json {
		return r.emit(list, ExitOK)
	}
	for _, e := range list {
		fmt.Fprintln(r.out, e)
	}
	return ExitOK
}

// result is the -json shape of check, diff and publish.
type result struct {
	Valid     bool      `json:"valid"`
	Problems  []problem `json:"problems,omitempty"`
	Error     string    `json:"error,omitempty"`
	Layer     string    `json:"layer,omitempty"`
	Changes   any       `json:"changes,omitempty"`
	Version   string    `json:"version,omitempty"`
	Published bool      `json:"published"`
}

// problem is the -json shape of a strata.Problem.
type problem struct {
	Key     string `json:"key,omitempty"`
	Layer   string `json:"layer,omitempty"`
	Origin  string `json:"origin,omitempty"`
	Message string `json:"message"`
}

func checkResult(err error) result {
	res := result{Valid: err == nil}
	var serr *strata.Error
	switch {
	case errors.As(err, &serr):
		for _, p := range serr.Problems {
			res.Problems = append(res.Problems, problem{Key: p.Key, Layer: p.Layer, Origin: p.Origin.String(), Message: p.Message})
		}
		res.Error = err.Error()
	case err != nil:
		res.Error = err.Error()
	}
	return res
}

// codeOf maps a check's error to an exit code: invalid values are 1, a
// layer that cannot be read is 4.
func codeOf(err error) int {
	var serr *strata.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &serr):
		for _, p := range serr.Problems {
			if p.Err != nil {
				return ExitFailure
			}
		}
		return ExitInvalid
	}
	return ExitFailure
}

func (r *runner[T]) emit(v any, code int) int {
	enc := json.NewEncoder(r.out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(r.errOut, err)
		return ExitFailure
	}
	return code
}

func (r *runner[T]) usageError(msg string) int {
	fmt.Fprintln(r.errOut, msg)
	return ExitUsage
}
