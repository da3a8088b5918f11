package strata

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-go/strata/provider"
)

// redacted replaces secret values wherever strata shows values.
const redacted = "[redacted]"

// minSecretLen is the shortest secret value scrubbed from error text:
// replacing one- or two-character values everywhere would garble messages
// without protecting anything worth protecting.
const minSecretLen = 3

// redactError scrubs every secret value present in any layer from the
// problems' text and from the errors they carry. The decoder and validator
// already leave secret values out; this is the backstop for text that
// quotes input in ways they cannot see (a parse error quoting a line, a
// user's Validate message, a layer's error).
func (c *Config[T]) redactError(e *Error, snaps []provider.Snapshot) error {
	secrets := c.secretValues(snaps)
	if len(secrets) == 0 {
		return e
	}
	for i := range e.Problems {
		e.Problems[i].Message = scrub(e.Problems[i].Message, secrets)
		e.Problems[i].Err = scrubError(e.Problems[i].Err, secrets)
	}
	return e
}

// scrubRuntimeError scrubs an error raised while watching (a layer's
// error, a callback's panic) of the secret values in force, before it
// reaches OnError, Status or the log.
func (c *Config[T]) scrubRuntimeError(err error) error {
	cand := c.applied.Load()
	if err == nil || cand == nil {
		return err
	}
	return scrubError(err, c.secretValues(cand.snaps))
}

// secretValues lists the text of every secret value in the snapshots, at
// any depth (structs in lists in maps, Options.Secrets patterns), longest
// first so that a secret containing another is replaced whole.
func (c *Config[T]) secretValues(snaps []provider.Snapshot) []string {
	var out []string
	root := c.rootCursor()
	for _, s := range snaps {
		eachSecret(root, s.Data, 0, func(v any) {
			if text := fmt.Sprint(v); len(text) >= minSecretLen {
				out = append(out, text)
			}
		})
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func scrub(text string, secrets []string) string {
	for _, s := range secrets {
		text = strings.ReplaceAll(text, s, redacted)
	}
	return text
}

// scrubError returns err itself when nothing a caller can reach from it
// quotes a secret, so errors.As keeps working in the common case. Otherwise
// it returns a scrubbedError: the text with secrets replaced, and no way
// back to the original (no Unwrap), because errors.As would hand the caller
// the error that quotes the secret. errors.Is still matches sentinels
// anywhere in the original chain (provider.ErrNotFound), and errors.As
// still finds a *provider.Error, as a copy whose text is scrubbed.
func scrubError(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 || !quotesSecret(err, secrets, 0) {
		return err
	}
	return &scrubbedError{msg: scrub(err.Error(), secrets), err: err, secrets: secrets}
}

// maxErrorDepth bounds the walk over an error tree.
const maxErrorDepth = 64

// quotesSecret reports whether err or any error it wraps renders a secret
// with Error, %+v or %#v (which shows the fields of a struct error, where a
// secret can hide without being in the message).
func quotesSecret(err error, secrets []string, depth int) bool {
	if err == nil {
		return false
	}
	if depth > maxErrorDepth {
		return true // too deep to vouch for: scrub
	}
	texts := [...]string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				return true
			}
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return quotesSecret(u.Unwrap(), secrets, depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if quotesSecret(e, secrets, depth+1) {
				return true
			}
		}
	}
	return false
}

// scrubbedError is an error whose text had to be scrubbed of secrets. It
// deliberately has no Unwrap: see scrubError.
type scrubbedError struct {
	msg     string
	err     error    // the original, consulted by Is and As only
	secrets []string // to scrub what As hands out
}

func (e *scrubbedError) Error() string { return e.msg }

// GoString keeps %#v from printing the original error's fields.
func (e *scrubbedError) GoString() string { return fmt.Sprintf("strata.scrubbedError{%q}", e.msg) }

// Is reports whether the original error matches target, so callers can
// branch on sentinels such as provider.ErrNotFound. It reveals nothing but
// the answer.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

// As yields a scrubbed copy of a *provider.Error in the original chain, so
// callers can still read which layer and key failed. Other types are not
// handed out: their fields may hold the secret.
func (e *scrubbedError) As(target any) bool {
	t, ok := target.(**provider.Error)
	if !ok {
		return false
	}
	var pe *provider.Error
	if !errors.As(e.err, &pe) || pe == nil {
		return false
	}
	*t = &provider.Error{Layer: pe.Layer, Key: scrub(pe.Key, e.secrets), Err: scrubError(pe.Err, e.secrets)}
	return true
}
