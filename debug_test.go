package strata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/reliability"
)

func getJSON(t *testing.T, url string, into any) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.NoError(t, json.NewDecoder(resp.Body).Decode(into))
	return resp.StatusCode
}

func TestDebugHandlerServesConfigOriginsAndStatus(t *testing.T) {
	file := memlayer.New("file", map[string]any{"db": map[string]any{"dsn": "postgres://secret", "max_conns": "20"}})
	consul := memlayer.New("consul", map[string]any{"db": map[string]any{"max_conns": "30"}, "tyop": "x"})
	cfg := load[Service](t, strata.Options{}, file, consul)
	srv := httptest.NewServer(cfg.DebugHandler())
	t.Cleanup(srv.Close)

	var view struct {
		Config  map[string]any       `json:"config"`
		Origins []strata.Explanation `json:"origins"`
		Status  strata.Status        `json:"status"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, srv.URL, &view))
	assert.Equal(t, map[string]any{"dsn": "[redacted]", "max_conns": "30"}, view.Config["db"])
	assert.Equal(t, ":8080", view.Config["listen"], "defaults are part of the effective config")

	byKey := map[string]strata.Explanation{}
	for _, e := range view.Origins {
		byKey[e.Key] = e
	}
	require.Contains(t, byKey, "db.max_conns")
	assert.Equal(t, "memory consul", byKey["db.max_conns"].Layer)
	require.Len(t, byKey["db.max_conns"].Overrode, 2)
	assert.Equal(t, "memory file", byKey["db.max_conns"].Overrode[0].Layer)
	assert.Equal(t, "defaults", byKey["db.max_conns"].Overrode[1].Layer)

	assert.True(t, view.Status.Ready)
	assert.EqualValues(t, 1, view.Status.Generation)
	assert.Equal(t, []string{"tyop"}, view.Status.Unknown)
	require.Len(t, view.Status.Layers, 3)
	assert.Equal(t, "memory consul", view.Status.Layers[2].Name)
	assert.True(t, view.Status.Layers[2].Watching)
}

func TestReadyHandlerFailsAfterClose(t *testing.T) {
	cfg := load[Service](t, strata.Options{}, memlayer.New("consul", base()))
	srv := httptest.NewServer(cfg.ReadyHandler())
	t.Cleanup(srv.Close)

	var body map[string]string
	assert.Equal(t, http.StatusOK, getJSON(t, srv.URL, &body))
	assert.NoError(t, cfg.Ready())

	require.NoError(t, cfg.Close())
	assert.Equal(t, http.StatusServiceUnavailable, getJSON(t, srv.URL, &body))
	assert.ErrorIs(t, cfg.Ready(), strata.ErrClosed)
	assert.Contains(t, body["error"], "closed")
}

func TestExpvarReportsStatus(t *testing.T) {
	cfg := load[Service](t, strata.Options{}, memlayer.New("consul", base()))
	var st strata.Status
	require.NoError(t, json.Unmarshal([]byte(cfg.Expvar().String()), &st))
	assert.EqualValues(t, 1, st.Generation)
	assert.Len(t, st.Layers, 2)
}

// TestDebugHandlerPretty: ?pretty indents the body for a person.
func TestDebugHandlerPretty(t *testing.T) {
	cfg := load[Service](t, strata.Options{}, memlayer.New("consul", base()))
	srv := httptest.NewServer(cfg.DebugHandler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "?pretty")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	assert.Contains(t, string(body), "{\n  \"config\": {")
}

// BigDebug has 10,000 keys below a map of maps and one secret.
type BigDebug struct {
	Groups map[string]map[string]string `config:"groups"`
	DSN    string                       `config:"dsn" secret:"true"`
}

// bigLayers returns two layers setting 10,000 keys, the higher one
// overriding every tenth.
func bigLayers() (low, high map[string]any) {
	low = map[string]any{"dsn": "postgres://secret"}
	high = map[string]any{}
	lg, hg := map[string]any{}, map[string]any{}
	for g := range 100 {
		lm, hm := map[string]any{}, map[string]any{}
		for k := range 100 {
			lm[fmt.Sprintf("key_%03d", k)] = fmt.Sprintf("value-%d-%d", g, k)
			if k%10 == 0 {
				hm[fmt.Sprintf("key_%03d", k)] = fmt.Sprintf("override-%d-%d", g, k)
			}
		}
		lg[fmt.Sprintf("group_%03d", g)], hg[fmt.Sprintf("group_%03d", g)] = lm, hm
	}
	low["groups"], high["groups"] = lg, hg
	return low, high
}

// BenchmarkDebugHandler10kKeys measures one GET of the debug handler on a
// configuration of 10,000 keys from two layers.
func BenchmarkDebugHandler10kKeys(b *testing.B) {
	low, high := bigLayers()
	cfg, err := strata.Load[BigDebug](context.Background(), memlayer.New("file", low), memlayer.New("consul", high))
	require.NoError(b, err)
	b.Cleanup(func() { _ = cfg.Close() })
	h := cfg.DebugHandler()
	req := httptest.NewRequest(http.MethodGet, "/debug/config", nil)
	b.ReportAllocs()
	var body int
	for b.Loop() {
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if w.code != http.StatusOK || w.n < 1<<20 {
			b.Fatalf("status %d, %d bytes", w.code, w.n)
		}
		body = w.n
	}
	b.ReportMetric(float64(body), "body-B")
}

// discardWriter is a ResponseWriter that counts the body and keeps nothing,
// so the benchmark measures the handler rather than a recorder's buffer.
type discardWriter struct {
	header http.Header
	code   int
	n      int
}

func (w *discardWriter) Header() http.Header  { return w.header }
func (w *discardWriter) WriteHeader(code int) { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

// TestDebugHandlerMethods: the handler serves GET and HEAD only, and never
// lets a browser sniff its body into something executable.
func TestDebugHandlerMethods(t *testing.T) {
	cfg := load[Service](t, strata.Options{}, memlayer.New("consul", base()))
	srv := httptest.NewServer(cfg.DebugHandler())
	t.Cleanup(srv.Close)

	tests := []struct {
		method   string
		wantCode int
		wantBody bool
	}{
		{http.MethodGet, http.StatusOK, true},
		{http.MethodHead, http.StatusOK, false},
		{http.MethodPost, http.StatusMethodNotAllowed, false},
		{http.MethodPut, http.StatusMethodNotAllowed, false},
		{http.MethodDelete, http.StatusMethodNotAllowed, false},
		{"BREW", http.StatusMethodNotAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			require.NoError(t, err)
			assert.Equal(t, tt.wantCode, resp.StatusCode)
			assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, tt.wantBody, strings.Contains(string(body), `"origins"`), "body served")
			if tt.method == http.MethodGet {
				assert.NotContains(t, string(body), "\n  ", "compact by default")
			}
			if tt.wantCode == http.StatusMethodNotAllowed {
				assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
			}
			reliability.Record(t, "strata/debug-methods")
		})
	}
}

// TestDebugHandlerStreamsWhatMarshalWould: the streamed body is the JSON of
// Debug(), field for field, at 10k keys.
func TestDebugHandlerStreamsWhatMarshalWould(t *testing.T) {
	low, high := bigLayers()
	cfg := load[BigDebug](t, strata.Options{}, memlayer.New("file", low), memlayer.New("consul", high))
	want, err := json.Marshal(cfg.Debug())
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	cfg.DebugHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var got, expect map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.NoError(t, json.Unmarshal(want, &expect))
	delete(got["status"].(map[string]any), "watch_lag_ns")
	delete(expect["status"].(map[string]any), "watch_lag_ns")
	assert.Equal(t, expect, got)
	assert.Len(t, got["origins"], 10_001)
}
