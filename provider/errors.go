package provider

import "errors"

// ErrNotFound reports that a layer's source (file, Consul key or prefix)
// does not exist. Providers with an Optional setting turn it into an empty
// snapshot instead; callers branch on it with errors.Is.
var ErrNotFound = errors.New("not found")

// Error is a failure in one layer, naming the layer and, where one is
// known, the key or source it concerns. It never contains a value that could
// be secret.
type Error struct {
	// Layer is the Provider's Name.
	Layer string
	// Key is the key, variable or path concerned, or empty.
	Key string
	// Err is the cause.
	Err error
}

// Error renders as "layer: key: cause", omitting an empty key.
func (e *Error) Error() string {
	if e.Key == "" {
		return e.Layer + ": " + e.Err.Error()
	}
	return e.Layer + ": " + e.Key + ": " + e.Err.Error()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// WrapError wraps err as an *Error naming layer and key, or returns nil
// when err is nil, so a provider can wrap whatever a read returned.
func WrapError(layer, key string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Layer: layer, Key: key, Err: err}
}
