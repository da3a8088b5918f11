package providertest_test

import (
	"testing"

	"github.com/strata-go/strata/provider/memory"
	"github.com/strata-go/strata/provider/providertest"
)

// A layer's own test runs the suite with a harness over its backend. This
// one tests provider/memory; a Consul layer's harness would start a server
// once, give each New a fresh prefix, and stop and restart the server in
// Fail and Recover.
func Example() {
	testConformance := func(t *testing.T) {
		providertest.Run(t, providertest.Harness{
			New: func(t *testing.T, seed map[string]string) providertest.Backend {
				l := memory.New("test", nil)
				for k, v := range seed {
					l.Set(k, v)
				}
				return providertest.Backend{
					Provider: l,
					Set:      func(k, v string) { l.Set(k, v) },
					Delete:   l.Delete,
					Fail:     func() { l.Fail(nil) },
					Recover:  l.Recover,
					Attempts: l.Reads,
				}
			},
		})
	}
	_ = testConformance // in a _test.go file: func TestConformance(t *testing.T)
}
