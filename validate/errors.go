package validate

import "github.com/strata-go/strata/internal/fielderr"

// FieldError is one problem with one key: Key is the dotted config key
// ("db.max_conns", "servers[0].port", "features.beta", or "" for the whole
// value), Rule the failed rule ("min", "required", "Validate" for the
// configuration's Validate method, "" for a value that did not decode), and
// Message what is wrong, as in `"ten" is not an int` or "must be at least
// 1, got 0". Error renders "key: message". Message never contains the value
// of a secret key and quotes at most 64 characters of any other value.
// decoder.FieldError and validate.FieldError are one type.
type FieldError = fielderr.FieldError

// Errors is every problem found in one call, sorted by Key. Error joins
// them with "; "; Unwrap returns them, so errors.As finds a *FieldError.
// decoder.Errors and validate.Errors are one type: a caller branches on
// one type whichever step failed.
type Errors = fielderr.Errors

func truncate(s string, n int) string { return fielderr.Truncate(s, n) }

// render shows a value in a message: strings quoted, both truncated.
func render(v any) string { return fielderr.Render(v, true) }
