package strata

import (
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
// problems' text. The decoder and validator already leave secret values
// out; this is the backstop for text that quotes input in ways they cannot
// see (a parse error quoting a line, a user's Validate message).
func (c *Config[T]) redactError(e *Error, snaps []provider.Snapshot) error {
	secrets := c.secretValues(snaps)
	if len(secrets) == 0 {
		return e
	}
	for i := range e.Problems {
		e.Problems[i].Message = scrub(e.Problems[i].Message, secrets)
		if e.Problems[i].Err != nil {
			e.Problems[i].Err = scrubbedError{msg: scrub(e.Problems[i].Err.Error(), secrets), err: e.Problems[i].Err}
		}
	}
	return e
}

// secretValues lists the text of every secret value in the snapshots,
// longest first so that a secret containing another is replaced whole.
func (c *Config[T]) secretValues(snaps []provider.Snapshot) []string {
	var out []string
	for _, s := range snaps {
		provider.Leaves(s.Data, func(key string, v any) {
			if c.isSecret(key) {
				if text := fmt.Sprint(v); len(text) >= minSecretLen {
					out = append(out, text)
				}
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

// scrubbedError keeps errors.Is/As working on a cause whose text had to be
// scrubbed.
type scrubbedError struct {
	msg string
	err error
}

func (e scrubbedError) Error() string { return e.msg }
func (e scrubbedError) Unwrap() error { return e.err }
