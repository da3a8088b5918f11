package strata

import (
	"encoding/json"
	"expvar"
	"net/http"
)

// DebugView is what Handler serves: the effective configuration with
// secrets redacted, where every value came from, and the status.
type DebugView struct {
	// Config is the merged configuration as nested keys, secret values
	// replaced by "[redacted]".
	Config map[string]any `json:"config"`
	// Origins explains every key, sorted.
	Origins []Explanation `json:"origins"`
	// Status is the Config's status.
	Status Status `json:"status"`
}

// Debug returns the view Handler serves. Secret values are redacted.
func (c *Config[T]) Debug() DebugView {
	v := DebugView{Origins: c.ExplainAll(), Status: c.Status()}
	if cand := c.applied.Load(); cand != nil {
		v.Config = c.redactTree("", cand.merged)
	}
	return v
}

// redactTree copies a nested map, replacing the values of secret keys.
func (c *Config[T]) redactTree(prefix string, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		key := join(prefix, k)
		switch {
		case c.isSecret(key):
			out[k] = redacted
		case isNested(v):
			out[k] = c.redactTree(key, v.(map[string]any))
		default:
			out[k] = v
		}
	}
	return out
}

func isNested(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// Handler returns an http.Handler serving Debug as JSON, for mounting at a
// path such as /debug/config behind the service's own access control. It
// never serves a secret value.
func (c *Config[T]) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, c.Debug())
	})
}

// ReadyHandler serves 200 while Ready is nil and 503 otherwise, for a
// readiness probe.
func (c *Config[T]) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.Ready(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// Expvar returns an expvar.Func reporting Status, for
// expvar.Publish("config", cfg.Expvar()). Publishing is left to the caller
// because expvar's registry is process-wide.
func (c *Config[T]) Expvar() expvar.Func {
	return func() any { return c.Status() }
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
