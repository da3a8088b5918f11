package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata/internal/consultest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemoTellsTheWholeStory runs `make demo`'s story and checks each of
// its claims, so the README's main command keeps working.
func TestDemoTellsTheWholeStory(t *testing.T) {
	bin := consultest.Binary(t)
	var out, logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	require.NoError(t, runDemo(ctx, &out, log, bin, "config.yaml"), out.String())

	story := out.String()
	for _, want := range []string{
		"max_conns=20 timeout=3s listen=:8080",
		"db.max_conns = 20 from consul key services/orders/db/max_conns",
		"listen = :8080 from default tag Config.Listen",
		"timeout = 3s from env ORDERS_TIMEOUT",
		"features.new_checkout = false from file config.yaml",
		"db.dsn = [redacted] from file config.yaml",
		"applied generation 2: 1 key(s) changed",
		`rejected: strata: reload: db.max_conns: "ten" is not an int (from consul key services/orders/db/max_conns)`,
		"applied generation 4: 3 key(s) changed",
		"now: max_conns=60 features=map[fast_refunds:true new_checkout:true]",
		"now: max_conns=10 features=map[fast_refunds:true new_checkout:true]",
		"generation 5, 4 applied, 1 rejected",
	} {
		assert.Contains(t, story, want)
	}
	assert.NotContains(t, story+logs.String(), "local-dev-password", "the secret DSN never appears")
	assert.Contains(t, logs.String(), "resizing the DB pool")
}
