package env_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/providertest"
)

// fakeEnv is an injected environment that a test can change; safe for
// concurrent use.
type fakeEnv struct {
	mu   sync.Mutex
	vars map[string]string
}

func (e *fakeEnv) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

func (e *fakeEnv) set(name, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vars[name] = value
}

func (e *fakeEnv) unset(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.vars, name)
}

// varName is the variable for a dotted key: db.host is APP_DB__HOST.
func varName(key string) string {
	return "APP_" + strings.ToUpper(strings.ReplaceAll(key, ".", "__"))
}

// TestConformance runs the Load half of the contract: the environment does
// not change while a process runs, so the layer has no Watch. A variable
// whose name is malformed after the prefix stands in for an outage.
func TestConformance(t *testing.T) {
	const malformed = "APP__LEADING_UNDERSCORE"
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			e := &fakeEnv{vars: map[string]string{"OTHER_VAR": "ignored"}}
			for k, v := range seed {
				e.set(varName(k), v)
			}
			return providertest.Backend{
				Provider: env.New("APP_", env.Options{Environ: e.list}),
				Set:      func(k, v string) { e.set(varName(k), v) },
				Delete:   func(k string) { e.unset(varName(k)) },
				Fail:     func() { e.set(malformed, "x") },
				Recover:  func() { e.unset(malformed) },
			}
		},
	})
}
