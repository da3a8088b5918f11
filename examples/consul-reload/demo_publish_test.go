package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
)

// TestPublishDemo checks the claims of the demo's publishing scenes: an
// invalid file refused with nothing written, a 200-key versioned publish
// applied in one callback, a rollback in one callback.
func TestPublishDemo(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	require.NoError(t, runPublishDemo(ctx, &out, log, a.Client(t), "config.yaml", 1), out.String())
	story := out.String()
	for _, want := range []string{
		"refused: the result would be invalid; nothing was written",
		"exit code 1; service still at max_conns=30",
		"200 key(s) changed in one callback",
		"now: max_conns=80 features=201",
		"version 0000000001 is live",
		"now: max_conns=30 features=2",
	} {
		assert.Contains(t, story, want)
	}
	assert.Equal(t, 2, strings.Count(story, "in one callback"), story)
}
