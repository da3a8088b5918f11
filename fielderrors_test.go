package strata_test

import (
	"github.com/strata-go/strata/decoder"
	"github.com/strata-go/strata/validate"
)

// decoder and validate report problems with one type (internal/fielderr), so
// a caller branches on one type: these assignments compile only while that
// stays true.
var (
	_ decoder.Errors      = validate.Errors(nil)
	_ *decoder.FieldError = (*validate.FieldError)(nil)
)
