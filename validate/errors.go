package validate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxValueLen is how many characters of a value a message quotes.
const maxValueLen = 64

// FieldError is one failed rule. Message never contains the value of a
// secret key and quotes at most 64 characters of any other value.
type FieldError struct {
	// Key is the dotted config key ("db.max_conns", "features.beta",
	// "servers[0].port"), or "" for a problem with the whole value.
	Key string
	// Rule is the failed validator tag ("min", "required"), or "Validate"
	// for an error returned by the configuration's Validate method.
	Rule string
	// Message says what is wrong, e.g. "must be at least 1, got 0".
	Message string
}

// Error renders as "db.max_conns: must be at least 1, got 0".
func (e *FieldError) Error() string {
	if e.Key == "" {
		return e.Message
	}
	return e.Key + ": " + e.Message
}

// Errors is every problem found in one Struct call, sorted by Key.
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

func (es Errors) sorted() Errors {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Key < es[j].Key })
	return es
}

// truncate shortens s to n characters plus "…".
func truncate(s string, n int) string {
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

// render shows a value in a message: strings quoted, both truncated.
func render(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(truncate(s, maxValueLen))
	}
	return truncate(fmt.Sprint(v), maxValueLen)
}
