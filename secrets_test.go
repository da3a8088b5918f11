package strata_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
)

type Secretive struct {
	DB struct {
		DSN      string `config:"dsn" validate:"required" secret:"true"`
		MaxConns int    `config:"max_conns" default:"10" validate:"min=1"`
	} `config:"db"`
	PIN   int               `config:"pin" secret:"true"`
	Token string            `config:"token" secret:"true" validate:"omitempty,len=12"`
	Extra map[string]string `config:"extra"`
}

// syncBuffer is a log sink safe for the reload goroutine to write while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPlantedSecretsNeverAppear plants secret values, drives the config
// through a load failure, applied and rejected changes and a layer outage,
// and then searches every output strata has for them.
func TestPlantedSecretsNeverAppear(t *testing.T) {
	planted := []string{
		"PLANTED-dsn-1111", "PLANTED-dsn-2222", "PLANTED-pin-notint",
		"PLANTED-tok", "PLANTED-extra-api-key", "PLANTED-extra-2",
	}
	var outputs []string
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// A load that fails on a secret field: the error must not quote it.
	_, err := strata.LoadWith[Secretive](context.Background(), strata.Options{Logger: logger},
		memlayer.New("consul", map[string]any{"db": map[string]any{"dsn": planted[0]}, "pin": planted[2], "token": planted[3]}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pin:")
	assert.Contains(t, err.Error(), "token:")
	outputs = append(outputs, err.Error())

	l := memlayer.New("consul", map[string]any{
		"db":    map[string]any{"dsn": planted[0]},
		"extra": map[string]any{"api_key": planted[4]},
	})
	errs := make(chan error, 10)
	changes := make(chan strata.Change, 10)
	cfg := load[Secretive](t, strata.Options{
		Logger:  logger,
		Secrets: []string{"extra.api_key"},
		OnError: func(err error) { errs <- err },
		OnApply: func(ch strata.Change) { changes <- ch },
	}, l)

	// An applied change of secrets.
	l.Set(map[string]any{"db": map[string]any{"dsn": planted[1]}, "extra": map[string]any{"api_key": planted[5]}})
	outputs = append(outputs, fmt.Sprint(receive(t, changes)))
	// A rejected change whose only problem is a secret value.
	l.Set(map[string]any{"db": map[string]any{"dsn": planted[1]}, "pin": planted[2], "extra": map[string]any{"api_key": planted[5]}})
	outputs = append(outputs, receive(t, errs).Error())
	// A layer outage.
	l.Fail(fmt.Errorf("connection refused"))
	outputs = append(outputs, receive(t, errs).Error())
	l.Fail(nil)

	for _, e := range cfg.ExplainAll() {
		outputs = append(outputs, e.String())
	}
	status, err := json.Marshal(cfg.Status())
	require.NoError(t, err)
	outputs = append(outputs, string(status))

	srv := httptest.NewServer(cfg.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), `"db.dsn"`, "the endpoint lists the secret key")
	outputs = append(outputs, string(body), logs.String())

	all := strings.Join(outputs, "\n")
	require.Contains(t, all, "[redacted]", "secrets are shown as redacted, so the search covered them")
	for _, secret := range planted {
		assert.NotContains(t, all, secret)
	}
}
