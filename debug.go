package strata

import (
	"bufio"
	"encoding/json"
	"expvar"
	"io"
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

// Debug returns the view Handler serves. Secret values are redacted at any
// depth, inside lists and maps included.
func (c *Config[T]) Debug() DebugView {
	v := DebugView{Origins: c.ExplainAll(), Status: c.Status()}
	if cand := c.applied.Load(); cand != nil {
		v.Config, _ = redactValue(c.rootCursor(), cand.mergedTree(), 0).(map[string]any)
	}
	return v
}

// DebugHandler returns an http.Handler serving Debug as JSON, for mounting at a
// path such as /debug/config behind the service's own access control. It
// never serves a secret value. The JSON is compact; add ?pretty to the URL
// for an indented body. It answers GET and HEAD only (405 with an
// Allow header otherwise, so a crawler or a mistaken POST is refused), and
// marks the body nosniff so no browser reads it as anything but JSON.
func (c *Config[T]) DebugHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		switch r.Method {
		case http.MethodGet:
			// Compact and streamed unless asked: indenting cost more than
			// building the view at 10k keys, and browsers and jq indent
			// for themselves.
			if r.URL.Query().Has("pretty") {
				writeJSON(w, http.StatusOK, c.Debug(), true)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			_ = c.Debug().stream(w)
		case http.MethodHead:
			// The same headers as GET, without building the view.
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// stream writes v as json.Marshal would (up to whitespace), one
// explanation at a time through a small buffer, so that a large view is
// never held twice in memory as JSON.
func (v DebugView) stream(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	_, _ = bw.WriteString(`{"config":`)
	if err := enc.Encode(v.Config); err != nil {
		return err
	}
	_, _ = bw.WriteString(`,"origins":[`)
	for i := range v.Origins {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		if err := enc.Encode(&v.Origins[i]); err != nil {
			return err
		}
	}
	_, _ = bw.WriteString(`],"status":`)
	if err := enc.Encode(v.Status); err != nil {
		return err
	}
	_, _ = bw.WriteString("}\n")
	return bw.Flush()
}

// ReadyHandler serves 200 while Ready is nil and 503 otherwise, for a
// readiness probe.
func (c *Config[T]) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.Ready(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()}, true)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"}, true)
	})
}

// Expvar returns an expvar.Func reporting Status, for
// expvar.Publish("config", cfg.Expvar()). Publishing is left to the caller
// because expvar's registry is process-wide.
func (c *Config[T]) Expvar() expvar.Func {
	return func() any { return c.Status() }
}

func writeJSON(w http.ResponseWriter, code int, v any, indent bool) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	if indent {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(v)
}
