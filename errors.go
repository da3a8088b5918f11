package strata

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-go/strata/provider"
)

// Problem is one thing wrong with a configuration: a layer that could not be
// read, a value that does not decode, a value that fails validation, or an
// unknown key in strict mode. Its text never contains a secret value.
type Problem struct {
	// Key is the dotted config key ("db.max_conns"), or empty for a
	// problem with a whole layer or the whole config.
	Key string
	// Layer names the layer the offending value came from, when known.
	Layer string
	// Origin is where the offending value came from, when known.
	Origin provider.Origin
	// Message says what is wrong, e.g. `"ten" is not an int`.
	Message string
	// Err is the underlying error of a layer problem, for errors.Is and
	// errors.As (e.g. provider.ErrNotFound); nil otherwise. If the error
	// would show a secret value (in its text, %+v, or any error it
	// wraps), Err is a scrubbed stand-in instead: errors.Is still matches
	// the original's sentinels and errors.As still finds a scrubbed
	// *provider.Error, but nothing unwraps to the original.
	Err error
}

// String renders the problem as
// `db.max_conns: "ten" is not an int (from consul key services/orders/db/max_conns)`.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Key != "":
		b.WriteString(p.Key)
		b.WriteString(": ")
	case p.Layer != "":
		b.WriteString(p.Layer)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	switch {
	case p.Key == "":
	case p.Origin != (provider.Origin{}):
		fmt.Fprintf(&b, " (from %s)", p.Origin)
	case p.Layer != "":
		fmt.Fprintf(&b, " (from %s)", p.Layer)
	}
	return b.String()
}

// Error reports every problem that kept a configuration from being applied:
// Load returns it when the first value cannot be built, and the reload loop
// hands it to Options.OnError and Status when a change is rejected.
type Error struct {
	// Op is "load", "reload" or "check".
	Op string
	// Problems lists every problem found, in a stable order.
	Problems []Problem
}

// Error lists every problem, one per line after the first.
func (e *Error) Error() string {
	switch len(e.Problems) {
	case 0:
		return "strata: " + e.Op + ": invalid configuration"
	case 1:
		return "strata: " + e.Op + ": " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "strata: %s: %d problems:", e.Op, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns the underlying errors of layer problems, so that
// errors.Is(err, provider.ErrNotFound) and errors.As work through Error
// (see Problem.Err for errors that had to be scrubbed of secrets).
func (e *Error) Unwrap() []error {
	var errs []error
	for _, p := range e.Problems {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// layerMessage renders a layer's error without repeating the layer's name,
// which the Problem already carries.
func layerMessage(layer string, err error) string {
	var pe *provider.Error
	if errors.As(err, &pe) && pe.Layer == layer {
		if pe.Key == "" {
			return pe.Err.Error()
		}
		return pe.Key + ": " + pe.Err.Error()
	}
	return err.Error()
}
