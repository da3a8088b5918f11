// Package fielderr holds the one error type decoder and validate report
// problems with, so that strata (and a user of either package) branches on
// one type, and the helpers that keep values in messages short.
package fielderr

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxValueLen is how many characters of a value a message quotes.
const MaxValueLen = 64

// FieldError is one problem with one key. Message never contains the value
// of a secret key and quotes at most MaxValueLen characters of any other
// value.
type FieldError struct {
	// Key is the dotted config key ("db.max_conns", "servers[0].port",
	// "features.beta"), or "" for a problem with the whole value.
	Key string
	// Rule is the failed validation rule ("min", "required"), "Validate"
	// for an error from the configuration's Validate method, "invalid" for
	// a malformed rule, and "" for a value that did not decode.
	Rule string
	// Message says what is wrong, e.g. `"ten" is not an int` or
	// "must be at least 1, got 0".
	Message string
}

// Error renders as `db.max_conns: "ten" is not an int`.
func (e *FieldError) Error() string {
	if e.Key == "" {
		return e.Message
	}
	return e.Key + ": " + e.Message
}

// Errors is every problem found in one Decode or one Struct call, sorted
// by Key.
type Errors []*FieldError

// Error joins the problems with "; ".
func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the problems, for errors.As and errors.Is.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Sorted sorts es by Key, keeping the order of problems with one key, and
// returns it.
func Sorted(es Errors) Errors {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Key < es[j].Key })
	return es
}

// Truncate shortens s to n characters plus "…".
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}

// Render shows a value in a message, truncated to MaxValueLen characters;
// a string is quoted when quote is set.
func Render(v any, quote bool) string {
	if s, ok := v.(string); ok && quote {
		return strconv.Quote(Truncate(s, MaxValueLen))
	}
	return Truncate(fmt.Sprint(v), MaxValueLen)
}
