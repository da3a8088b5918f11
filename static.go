package strata

import (
	"sync"
)

// StaticConfig is a Config holding values set by code rather than read from
// layers, for tests: hand Config() to the code under test, and push new
// values with Update to exercise its OnChange handling without files or
// Consul. Only a StaticConfig can push a value; a Config returned by Load
// offers no way to, so production configuration cannot be set by accident.
// Its methods are safe for concurrent use.
type StaticConfig[T any] struct {
	c  *Config[T]
	mu sync.Mutex // serialises Update, as the reload goroutine serialises changes
}

// NewStatic returns a StaticConfig whose Config holds v (nil means the zero
// T), as is: no defaults are applied and nothing is validated, so a test
// gets exactly the value it wrote. The caller must not modify *v
// afterwards. It fails only if T is not a struct.
func NewStatic[T any](v *T) (*StaticConfig[T], error) {
	c, err := newConfig[T](Options{}, nil)
	if err != nil {
		return nil, err
	}
	// No layers at all: Status lists none and Explain finds nothing.
	c.layers, c.names = nil, nil
	c.status = statusBoard{}
	c.publish(c.staticCandidate(v))
	return &StaticConfig[T]{c: c}, nil
}

// Static returns a Config holding v, for tests that need a fixed value; see
// NewStatic to push changes. It panics if T is not a struct, a programming
// error, as regexp.MustCompile panics on a constant pattern.
func Static[T any](v *T) *Config[T] {
	s, err := NewStatic(v)
	if err != nil {
		panic(err)
	}
	return s.Config()
}

// Config returns the Config to hand to the code under test.
func (s *StaticConfig[T]) Config() *Config[T] { return s.c }

// Update publishes v (nil means the zero T) as a watched change would be
// applied, but without validation: if it differs from the current value
// (reflect.DeepEqual), Get returns it and the OnChange callbacks run, in
// registration order, on the caller's goroutine, before Update returns, so a
// test can assert their effects right after. Concurrent Updates are
// serialised. Update returns ErrClosed after the Config is closed. It must
// not be called from an OnChange callback. The caller must not modify *v
// afterwards.
func (s *StaticConfig[T]) Update(v *T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c.closed.Load() {
		return ErrClosed
	}
	s.c.publish(s.c.staticCandidate(v))
	return nil
}

func (c *Config[T]) staticCandidate(v *T) *candidate[T] {
	if v == nil {
		v = new(T)
	}
	return &candidate[T]{value: v, merged: map[string]any{}}
}
