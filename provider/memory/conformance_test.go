package memory_test

import (
	"testing"

	"github.com/strata-go/strata/provider/memory"
	"github.com/strata-go/strata/provider/providertest"
)

func TestConformance(t *testing.T) {
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
