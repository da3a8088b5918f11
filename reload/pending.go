package reload

import "github.com/strata-go/strata/provider"

// pendingState is what one layer reported since the Handler last heard
// from it: its latest failure and its latest success, and which came last.
// Only the latest of each kind matters (the Handler reports outages and
// recoveries, not retries), so two slots replace a queue.
type pendingState struct {
	failure    *provider.Event // latest error event, or nil
	success    bool            // a recovery or a snapshot arrived
	snapshot   bool            // ... and at least one was a snapshot
	failedLast bool            // failure came after the latest success
}

func (p *pendingState) any() bool { return p.failure != nil || p.success }

func (p *pendingState) record(ev provider.Event) {
	if ev.Err != nil {
		p.failure = &ev
		p.failedLast = true
		return
	}
	p.success = true
	p.snapshot = p.snapshot || ev.Snapshot != nil
	p.failedLast = false
}

// events returns the events to hand the Handler, in the order they
// happened; latest is the layer's latest snapshot, carried by the success
// event when a snapshot arrived so that it reports the content in force.
func (p *pendingState) events(latest provider.Snapshot) []provider.Event {
	var success provider.Event
	if p.snapshot {
		success.Snapshot = &latest
	}
	switch {
	case p.failure == nil:
		return []provider.Event{success}
	case !p.success:
		return []provider.Event{*p.failure}
	case p.failedLast:
		return []provider.Event{success, *p.failure}
	default:
		return []provider.Event{*p.failure, success}
	}
}
