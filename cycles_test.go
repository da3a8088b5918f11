package strata_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/file"
)

// TestLoadCloseCyclesLeakNothing loads a Config over a watched file, a
// real Consul agent and the environment and closes it, 100 times. Nothing
// may outlive its Close: no watcher, no parked blocking query, no reader
// of an idle HTTP connection. goleak's TestMain would catch a leak only
// once, after every test; this counts them per cycle's worth of Loads.
func TestLoadCloseCyclesLeakNothing(t *testing.T) {
	agent := consultest.Start(t, consultest.Options{})
	agent.Put(t, "app/db/max_conns", "20")
	path := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(path, []byte("db:\n  dsn: postgres://file\n"), 0o600))
	environ := func() []string { return []string{"APP_TIMEOUT=3s"} }
	before := goleak.IgnoreCurrent()

	const cycles = 100
	for i := range cycles {
		cfg, err := strata.Load[Service](context.Background(),
			file.New(path, file.Options{}),
			consul.New(consul.Options{Prefix: "app/", Config: agent.Config()}),
			env.New("APP_", env.Options{Environ: environ}),
		)
		require.NoError(t, err, "cycle %d", i)
		require.Equal(t, 20, cfg.Get().DB.MaxConns)
		require.NoError(t, cfg.Close(), "cycle %d", i)
	}
	// A closed connection's reader exits a moment after Close; on a loaded
	// machine that can outlast goleak's own retries (about half a second).
	leak := goleak.Find(before)
	for deadline := time.Now().Add(10 * time.Second); leak != nil && time.Now().Before(deadline); {
		leak = goleak.Find(before)
	}
	require.NoError(t, leak, "goroutines left after %d Load/Close cycles", cycles)
	reliability.Record(t, "strata/load-close-cycles", reliability.Count("cycles", cycles), reliability.Count("goroutines left", 0))
}
