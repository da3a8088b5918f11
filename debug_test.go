package strata_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
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
	srv := httptest.NewServer(cfg.Handler())
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
