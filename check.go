package strata

import (
	"context"

	"github.com/strata-go/strata/provider"
)

// Check reads every layer once, merges, decodes and validates exactly as
// Load does, and returns nil when the result is a valid T. It starts no
// watcher and keeps nothing: it is for CI jobs, --check-config flags and
// for validating a candidate layer before it is published.
//
// On failure it returns the *Error Load would return for the same layers
// (every problem, each naming its layer and key, secret values redacted),
// with Op "check".
func Check[T any](ctx context.Context, layers ...provider.Provider) error {
	return CheckWith[T](ctx, Options{}, layers...)
}

// CheckWith is Check with options. Of Options only those that change the
// result are used (Strict, TagName, Secrets, Converters); hooks and the
// logger are not called, since nothing is applied.
func CheckWith[T any](ctx context.Context, opts Options, layers ...provider.Provider) error {
	c, err := newConfig[T](opts, layers)
	if err != nil {
		return err
	}
	snaps, problems := c.loadAll(ctx)
	if len(problems) > 0 {
		return c.redactError(&Error{Op: "check", Problems: problems}, snaps)
	}
	_, err = c.build("check", snaps)
	return err
}

// SecretKeys returns a function that reports whether a dotted key (as in
// Problem.Key) holds a secret of T under opts: a field tagged
// secret:"true", a key in Options.Secrets, or a key below either. Tools
// that show values of T (a diff before publishing) use it to redact them.
// The function is safe for concurrent use.
func SecretKeys[T any](opts Options) (func(key string) bool, error) {
	c, err := newConfig[T](opts, nil)
	if err != nil {
		return nil, err
	}
	return c.isSecret, nil
}
