package providertest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider/providertest"
)

// TestHandlesInUse: each subtest uses the handles it needs and only
// those: a harness without Recover runs every subtest that needs only
// Fail (leaving the outage to end with the test), one without Attempts
// lets the watcher work for Harness.Settle instead of counting its reads,
// and with every handle the subtests that need Recover do run.
func TestHandlesInUse(t *testing.T) {
	tests := []struct {
		name string
		drop func(*providertest.Backend)
	}{
		{"every handle", func(*providertest.Backend) {}},
		{"no Recover", func(b *providertest.Backend) { b.Recover = nil }},
		{"no Attempts", func(b *providertest.Backend) { b.Attempts = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var recovered []string
			h := harness("")
			h.Settle = 20 * time.Millisecond // the fake polls every millisecond
			inner := h.New
			h.New = func(t *testing.T, seed map[string]string) providertest.Backend {
				b := inner(t, seed)
				tt.drop(&b)
				if rec := b.Recover; rec != nil {
					name := t.Name()
					b.Recover = func() { recovered = append(recovered, name); rec() }
				}
				return b
			}
			providertest.Run(t, h)
			if tt.name == "no Recover" {
				assert.Empty(t, recovered)
				return
			}
			assert.Contains(t, recovered, t.Name()+"/Watch/retries_by_itself")
			assert.Contains(t, recovered, t.Name()+"/Watch/reports_an_outage_once_and_its_end_once")
		})
	}
}
