package provider

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff computes capped, jittered exponential delays between retries.
// Its zero value waits between 100 ms and 30 s. A Backoff is owned by one
// goroutine (a watcher's loop); it is not safe for concurrent use.
type Backoff struct {
	// Min is the first delay's upper bound (default 100 ms).
	Min time.Duration
	// Max caps every delay (default 30 s).
	Max time.Duration

	attempt int
}

// Next returns the delay before the next attempt and advances the sequence.
// The delay is drawn uniformly from [d/2, d], where d doubles from Min up to
// Max, so watchers that failed together do not retry together.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 100 * time.Millisecond
	}
	if hi <= 0 {
		hi = 30 * time.Second
	}
	d := lo
	for i := 0; i < b.attempt && d < hi; i++ {
		d += min(d, hi-d) // doubles up to hi; d*2 could overflow when Max is huge
	}
	d = min(d, hi)
	if b.attempt < 62 {
		b.attempt++
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// NextAtLeast is Next for an error that retrying soon will not fix, such
// as a permission or TLS error: the delay is at least floor (or Max, when
// Max is set and smaller), jittered by up to a quarter of it so layers
// denied together do not retry together. It advances the sequence as Next
// does.
func (b *Backoff) NextAtLeast(floor time.Duration) time.Duration {
	d := b.Next()
	if b.Max > 0 {
		floor = min(floor, b.Max)
	}
	if d < floor {
		d = floor + rand.N(floor/4+1)
	}
	return d
}

// Reset starts the sequence again; call it after a success.
func (b *Backoff) Reset() { b.attempt = 0 }

// Attempts returns how many delays were handed out since the last Reset,
// that is the number of consecutive failures.
func (b *Backoff) Attempts() int { return b.attempt }

// Sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
