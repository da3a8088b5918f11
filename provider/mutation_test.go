package provider_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider"
)

// TestBackoffExtremeBoundsStayInRange: delays stay within [d/2, d] and
// Next never panics, even for a nanosecond Min or a Max of "no cap" (found
// by mutation testing, MUTATION.md).
func TestBackoffExtremeBoundsStayInRange(t *testing.T) {
	tests := []struct {
		name     string
		b        provider.Backoff
		attempts int
		lo, hi   time.Duration // bounds of every delay
	}{
		{name: "nanosecond", b: provider.Backoff{Min: time.Nanosecond, Max: time.Nanosecond}, attempts: 5, lo: 0, hi: time.Nanosecond},
		{name: "two nanoseconds", b: provider.Backoff{Min: 2 * time.Nanosecond, Max: 2 * time.Nanosecond}, attempts: 5, lo: time.Nanosecond, hi: 2 * time.Nanosecond},
		{name: "no cap", b: provider.Backoff{Min: 20 * time.Second, Max: math.MaxInt64}, attempts: 70, lo: 10 * time.Second, hi: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b
			for i := range tt.attempts {
				var d time.Duration
				assert.NotPanics(t, func() { d = b.Next() }, "attempt %d", i)
				assert.True(t, d >= tt.lo && d <= tt.hi, "attempt %d: %v not in [%v, %v]", i, d, tt.lo, tt.hi)
			}
		})
	}
}

// TestNextAtLeastTinyFloor: for a floor under 4 ns the jitter of up to a
// quarter of it is zero, so the delay is exactly the floor, and drawing it
// never panics (found by mutation testing: floor/4-1 asked rand.N for a
// negative bound, floor*4+1 jittered far beyond a quarter).
func TestNextAtLeastTinyFloor(t *testing.T) {
	for floor := time.Duration(1); floor <= 3; floor++ {
		b := provider.Backoff{Min: time.Nanosecond, Max: floor}
		for i := range 200 {
			var d time.Duration
			if !assert.NotPanics(t, func() { d = b.NextAtLeast(floor) }, "floor %v, attempt %d", floor, i) {
				return
			}
			assert.Equal(t, floor, d, "floor %v, attempt %d", floor, i)
		}
	}
}
