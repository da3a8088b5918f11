package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// TestEditingTheFileChangesWhatIsServed is the quick start's promise:
// edit config.yaml while the service runs and the next request sees it; an
// invalid edit is rejected and the service keeps serving the last good one.
func TestEditingTheFileChangesWhatIsServed(t *testing.T) {
	shipped, err := os.ReadFile("config.yaml")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, shipped, 0o600))

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, handler, err := newService(context.Background(), path, log, func() []string { return []string{"QS_DB_MAX_CONNS=12"} })
	require.NoError(t, err)
	defer cfg.Close()
	srv := httptest.NewServer(handler)
	defer srv.Close()

	assert.Equal(t, "hello from config.yaml (max_conns=12, new_checkout=false)\n", get(t, srv.URL))

	edited := strings.Replace(string(shipped), "new_checkout: false", "new_checkout: true", 1)
	edited = strings.Replace(edited, "hello from config.yaml", "hello again", 1)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o600))
	require.Eventually(t, func() bool {
		return get(t, srv.URL) == "hello again (max_conns=12, new_checkout=true)\n"
	}, 10*time.Second, 20*time.Millisecond)

	require.NoError(t, os.WriteFile(path, []byte("greeting: \"\"\n"), 0o600))
	require.Eventually(t, func() bool { return cfg.Status().Rejected == 1 }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, "hello again (max_conns=12, new_checkout=true)\n", get(t, srv.URL), "an invalid edit never goes live")
	assert.NotContains(t, get(t, srv.URL+"/debug/config"), "example-password")
}
