package validate

import "github.com/strata-go/strata/internal/fielderr"

const maxValueLen = fielderr.MaxValueLen

// FieldError is one failed rule. Message never contains the value of a
// secret key and quotes at most 64 characters of any other value. It is
// the same type as decoder.FieldError: a Validate method may return one (or
// an Errors, or errors.Join of them) to name the key it refers to.
type FieldError = fielderr.FieldError

// Errors is every problem found in one Struct call, sorted by Key. It is
// the same type as decoder.Errors, so a caller branches on one type.
type Errors = fielderr.Errors

func truncate(s string, n int) string { return fielderr.Truncate(s, n) }

// render shows a value in a message: strings quoted, both truncated.
func render(v any) string { return fielderr.Render(v, true) }
