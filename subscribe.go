package strata

import "sync"

// OnChange registers fn to run after every applied change, with the
// previous and the new value. Callbacks run on the reload goroutine, one at
// a time, in registration order; changes that arrive while they run are
// coalesced so that the next call sees the latest value. A panic in fn is
// recovered and reported to Options.OnError. fn must not modify either
// value and must not call Close.
//
// The returned function unsubscribes fn; it is idempotent and safe to call
// from any goroutine, including from within fn.
func (c *Config[T]) OnChange(fn func(old, new *T)) (unsubscribe func()) {
	return c.subs.add(fn)
}

// OnChangeOf registers fn to run only when the part of the configuration
// that sel selects changed (compared like reflect.DeepEqual, except that
// NaN equals NaN), with the old and new part. For example, to resize a
// pool only when DB settings change:
//
//	strata.OnChangeOf(cfg, func(c *Config) DBConfig { return c.DB },
//		func(old, new DBConfig) { pool.Resize(new.MaxConns) })
//
// It follows the same rules as OnChange. sel must be a pure function of its
// argument.
func OnChangeOf[T, P any](c *Config[T], sel func(*T) P, fn func(old, new P)) (unsubscribe func()) {
	return c.subs.add(func(oldT, newT *T) {
		oldP, newP := sel(oldT), sel(newT)
		if !sameValue(oldP, newP) {
			fn(oldP, newP)
		}
	})
}

// subscribers is the registration-ordered list of callbacks. The list is
// copied on write so that running callbacks never holds the lock, and a
// callback may unsubscribe itself.
type subscribers[T any] struct {
	mu   sync.Mutex
	next uint64
	list []subscriber[T]
}

type subscriber[T any] struct {
	id uint64
	fn func(old, new *T)
}

func (s *subscribers[T]) add(fn func(old, new *T)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := s.next
	s.list = append(s.list[:len(s.list):len(s.list)], subscriber[T]{id: id, fn: fn})
	return func() { s.remove(id) }
}

func (s *subscribers[T]) remove(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sub := range s.list {
		if sub.id == id {
			next := make([]subscriber[T], 0, len(s.list)-1)
			s.list = append(append(next, s.list[:i]...), s.list[i+1:]...)
			return
		}
	}
}

// each calls visit for every callback registered when each was called.
func (s *subscribers[T]) each(visit func(fn func(old, new *T))) {
	s.mu.Lock()
	list := s.list
	s.mu.Unlock()
	for _, sub := range list {
		visit(sub.fn)
	}
}
