package provider

import "reflect"

// Emitter turns the outcome of each attempt a watcher makes into exactly
// the events the Watcher contract allows, so that a backend gets dedupe and
// outage reporting right by construction:
//
//   - a successful attempt whose snapshot is the same as the last one
//     delivered (see Equal) emits nothing, however often the backend
//     answers;
//   - the first failed attempt of an outage emits its error; further
//     failures of the same outage (see SameOutage) emit nothing, so an
//     outage is one event, not one per retry;
//   - the first successful attempt after an outage emits either the new
//     snapshot or, when the content is unchanged, one recovery event.
//
// It is modelled on consul/api's watch.BlockingParamVal: the watcher keeps
// the state of what it delivered (Last), and Equal decides whether a new
// answer is worth delivering.
//
// An Emitter is owned by the goroutine running one Watch call: it calls emit
// from that goroutine only, so events are never concurrent. It is not safe
// for concurrent use. Create it with NewEmitter.
type Emitter struct {
	// Equal reports whether next holds the same content as last, the
	// snapshot delivered before, so that next need not be delivered. Nil
	// means SameContent. Set it before the first Snapshot call.
	Equal func(last, next Snapshot) bool

	// SameOutage reports whether err, from a failed attempt, belongs to the
	// outage that prev (the error reported last) began, so that it is not
	// reported again. Nil means every failure until the next success is the
	// same outage. A backend whose errors differ in kind (an outage versus a
	// permission error) can report a change of kind by returning false.
	// Set it before the first Error call.
	SameOutage func(prev, err error) bool

	emit      func(Event)
	last      Snapshot
	delivered bool  // last holds a delivered (or initial) snapshot
	failing   bool  // the latest attempt failed
	lastErr   error // the error reported last, while failing
}

// NewEmitter returns an Emitter that reports through emit (nil discards
// events). last is the snapshot the watcher starts from, usually the one
// Load returned and Watch was given: it counts as delivered, so the same
// content is not delivered again. A zero Snapshot means nothing was
// delivered yet, and the first successful attempt is delivered whatever
// it holds.
func NewEmitter(last Snapshot, emit func(Event)) *Emitter {
	if emit == nil {
		emit = func(Event) {}
	}
	return &Emitter{
		emit:      emit,
		last:      last,
		delivered: last.Data != nil || last.Version != "",
	}
}

// Report hands the outcome of one attempt to Snapshot (when err is nil) or
// Error, so a polling loop can write e.Report(p.Load(ctx)). It reports
// whether an event was emitted.
func (e *Emitter) Report(s Snapshot, err error) bool {
	if err != nil {
		return e.Error(err)
	}
	return e.Snapshot(s)
}

// Snapshot records a successful attempt that read s. It emits s when s is
// not Equal to the last snapshot delivered (or when nothing was delivered
// yet), or an empty recovery Event when the attempt ends an outage with
// the content unchanged, and nothing otherwise. It reports whether an event
// was emitted. s must not be modified afterwards.
func (e *Emitter) Snapshot(s Snapshot) bool {
	wasFailing := e.failing
	e.failing, e.lastErr = false, nil
	if !e.delivered || !e.equal(e.last, s) {
		e.last, e.delivered = s, true
		e.last.Delta = nil // its Base would keep the tree before s alive
		e.emit(Event{Snapshot: &s})
		return true
	}
	if wasFailing {
		e.emit(Event{})
		return true
	}
	return false
}

// Error records a failed attempt. It emits err when it starts an outage,
// or when SameOutage says it is not part of the current one, and nothing
// otherwise; it reports whether it emitted. A nil err is not a failure: it
// does nothing and reports false.
func (e *Emitter) Error(err error) bool {
	if err == nil {
		return false
	}
	if e.failing && e.sameOutage(e.lastErr, err) {
		return false
	}
	e.failing, e.lastErr = true, err
	e.emit(Event{Err: err})
	return true
}

// Failing reports whether the latest attempt failed, that is whether an
// outage is in progress. A watcher uses it to choose between its normal
// wait and its retry backoff.
func (e *Emitter) Failing() bool { return e.failing }

// Last returns the snapshot delivered last (or the one given to
// NewEmitter), for example to take the next blocking query's index from
// its Version.
func (e *Emitter) Last() Snapshot { return e.last }

func (e *Emitter) equal(last, next Snapshot) bool {
	if e.Equal != nil {
		return e.Equal(last, next)
	}
	return SameContent(last, next)
}

func (e *Emitter) sameOutage(prev, err error) bool {
	if e.SameOutage != nil {
		return e.SameOutage(prev, err)
	}
	return true
}

// SameContent reports whether a and b differ at most in Version and
// ReadAt: the same Data, Origins, OriginRule, Source, Stale and Info. It is Emitter's
// default Equal. Versions are not compared because some backends (a Consul
// index) move them on writes that change nothing in the layer; Origins
// are, because a value that moved (a line inserted above it in a file) must
// be explained from where it is now. An empty map and a nil one are the
// same. When b's Delta is relative to a's Data, the Data are compared only
// at the Delta's paths: the cost of a change, not of the layer.
func SameContent(a, b Snapshot) bool {
	return a.Stale == b.Stale &&
		a.Source == b.Source &&
		a.OriginRule == b.OriginRule &&
		sameData(a.Data, b) &&
		sameMap(a.Origins, b.Origins) &&
		sameMap(a.Info, b.Info)
}

// sameData reports whether a holds b's Data, trusting b's Delta when it is
// relative to a.
func sameData(a map[string]any, b Snapshot) bool {
	d := b.Delta
	if d == nil || reflect.ValueOf(d.Base).UnsafePointer() != reflect.ValueOf(a).UnsafePointer() {
		return sameMap(a, b.Data)
	}
	for _, p := range d.Paths {
		av, aok := valueAt(a, p)
		bv, bok := valueAt(b.Data, p)
		if aok != bok || !reflect.DeepEqual(av, bv) {
			return false
		}
	}
	return true
}

// valueAt returns the value at path in m; the empty path is m itself.
func valueAt(m map[string]any, path []string) (any, bool) {
	var v any = m
	for _, seg := range path {
		node, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = node[seg]; !ok {
			return nil, false
		}
	}
	return v, true
}

func sameMap[M ~map[string]V, V any](a, b M) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}
