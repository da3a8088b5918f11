package strata_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/decoder"
	"github.com/strata-go/strata/internal/memlayer"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
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

	srv := httptest.NewServer(cfg.DebugHandler())
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
	reliability.Record(t, "strata/secrets", reliability.Count("secrets planted", len(planted)), reliability.Count("secrets found", 0))
}

// DeepSecrets hides secrets at every depth strata must look: a struct in a
// list, a struct in a list in a map in a struct, behind a pointer, in an
// embedded struct, and (via Options.Secrets wildcards) in map entries and
// list items the type does not declare.
type DeepSecrets struct {
	Servers []struct {
		Host     string `config:"host"`
		Password string `config:"password" secret:"true"`
	} `config:"servers"`
	Tenants map[string]struct {
		Replicas []struct {
			Addr string `config:"addr"`
			Key  string `config:"key" secret:"true"`
		} `config:"replicas"`
	} `config:"tenants"`
	Vault *struct {
		Token string `config:"token" secret:"true"`
	} `config:"vault"`
	EmbeddedSecret `config:",squash"`
	Plugins        map[string]map[string]string `config:"plugins"`
	Webhooks       []map[string]string          `config:"webhooks"`
}

// EmbeddedSecret is squashed into DeepSecrets.
type EmbeddedSecret struct {
	APIKey string `config:"api_key" secret:"true"`
}

// Validate quotes a password, as a careless user's Validate might.
func (d DeepSecrets) Validate() error {
	for _, s := range d.Servers {
		if s.Host == "reject" {
			return fmt.Errorf("server %s: password %q is on the deny list", s.Host, s.Password)
		}
	}
	return nil
}

// leakyError is a typed error carrying a secret in a field Error() does not
// print: errors.As must never hand it to a caller.
type leakyError struct{ Secret string }

func (e *leakyError) Error() string { return "dial failed: " + e.Secret }

// deepData builds a layer's content with each planted value in place.
func deepData(host string, p []string) map[string]any {
	return map[string]any{
		"servers": []any{
			map[string]any{"host": host, "password": p[0]},
			map[string]any{"host": "b", "password": p[1]},
		},
		"tenants": map[string]any{"acme": map[string]any{"replicas": []any{
			map[string]any{"addr": "r1", "key": p[2]},
		}}},
		"vault":    map[string]any{"token": p[3]},
		"api_key":  p[4],
		"plugins":  map[string]any{"s3": map[string]any{"region": "eu", "secret_key": p[5]}},
		"webhooks": []any{map[string]any{"url": "https://hook", "token": p[6]}},
	}
}

// errorTexts renders everything a caller can reach from err: Error, %+v and
// %#v of every error in its tree (errors.Unwrap, single and multi), and of
// whatever errors.As yields for every type seen in the tree and for the
// typed errors a caller is likely to ask for.
func errorTexts(err error) []string {
	var out []string
	types := map[reflect.Type]bool{
		reflect.TypeFor[*provider.Error](): true,
		reflect.TypeFor[*leakyError]():     true,
		reflect.TypeFor[*strata.Error]():   true,
		reflect.TypeFor[*fs.PathError]():   true,
		reflect.TypeFor[decoder.Errors]():  true, // validate.Errors is the same type
	}
	var walk func(error, int)
	walk = func(e error, depth int) {
		if e == nil || depth > 50 {
			return
		}
		types[reflect.TypeOf(e)] = true
		out = append(out, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c, depth+1)
			}
		}
	}
	walk(err, 0)
	for typ := range types {
		target := reflect.New(typ)
		if errors.As(err, target.Interface()) {
			got := target.Elem().Interface()
			out = append(out, fmt.Sprintf("%+v", got), fmt.Sprintf("%#v", got))
			if ge, ok := got.(error); ok && !target.Elem().IsZero() {
				out = append(out, ge.Error())
			}
			if le, ok := got.(*leakyError); ok && le != nil {
				out = append(out, le.Secret)
			}
		}
	}
	return out
}

// TestPlantedSecretsAtAnyDepth plants secrets in every shape DeepSecrets
// has and drives them through every surface: a load rejected by Validate,
// a load-time layer failure, an applied change, a rejected change, a run-time
// layer outage whose error quotes a secret, Explain, ExplainAll, Debug, the
// handler, Status, expvar, the log, and every error chain.
func TestPlantedSecretsAtAnyDepth(t *testing.T) {
	p := []string{"PLANTED-srv-a", "PLANTED-srv-b", "PLANTED-replica", "PLANTED-vault",
		"PLANTED-embedded", "PLANTED-plugin", "PLANTED-hook"}
	q := []string{"PLANTED-srv-a2", "PLANTED-srv-b2", "PLANTED-replica2", "PLANTED-vault2",
		"PLANTED-embedded2", "PLANTED-plugin2", "PLANTED-hook2"}
	secretOpts := []string{"plugins.*.secret_key", "webhooks[*].token"}
	var outputs []string
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// A load rejected by Validate quoting a secret, with a second layer
	// failing with an error that quotes one and carries it in a typed field.
	_, err := strata.LoadWith[DeepSecrets](context.Background(), strata.Options{Logger: logger, Secrets: secretOpts},
		memlayer.New("file", deepData("reject", p)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deny list")
	outputs = append(outputs, errorTexts(err)...)

	failing := memlayer.New("consul", nil)
	failing.Fail(fmt.Errorf("%w: %w", provider.ErrNotFound, &leakyError{Secret: p[0]}))
	_, err = strata.LoadWith[DeepSecrets](context.Background(), strata.Options{Logger: logger, Secrets: secretOpts},
		memlayer.New("file", deepData("a", p)), failing)
	require.Error(t, err)
	assert.ErrorIs(t, err, provider.ErrNotFound, "callers still branch on sentinels")
	var pe *provider.Error
	if assert.ErrorAs(t, err, &pe, "callers still read the layer from a provider.Error") {
		assert.Equal(t, "memory consul", pe.Layer)
	}
	outputs = append(outputs, errorTexts(err)...)

	l := memlayer.New("consul", deepData("a", p))
	errs := make(chan error, 10)
	changes := make(chan strata.Change, 10)
	cfg := load[DeepSecrets](t, strata.Options{
		Logger:  logger,
		Secrets: secretOpts,
		OnError: func(err error) { errs <- err },
		OnApply: func(ch strata.Change) { changes <- ch },
	}, l)
	require.Len(t, cfg.Get().Servers, 2)
	// A callback that panics quoting a secret.
	unsubscribe := cfg.OnChange(func(_, n *DeepSecrets) { panic("cannot use " + n.Servers[1].Password) })

	// An applied change of every secret.
	l.Set(deepData("a", q))
	outputs = append(outputs, fmt.Sprintf("%+v", receive(t, changes)))
	err = receive(t, errs)
	assert.Contains(t, err.Error(), "panicked")
	outputs = append(outputs, errorTexts(err)...)
	unsubscribe()
	// A change rejected by Validate quoting a secret.
	l.Set(deepData("reject", q))
	err = receive(t, errs)
	assert.Contains(t, err.Error(), "deny list")
	outputs = append(outputs, errorTexts(err)...)
	// A run-time outage whose error quotes a secret in force.
	l.Fail(fmt.Errorf("%w: %w", provider.ErrNotFound, &leakyError{Secret: q[3]}))
	err = receive(t, errs)
	assert.ErrorIs(t, err, provider.ErrNotFound, "callers still branch on sentinels at run time")
	outputs = append(outputs, errorTexts(err)...)
	status := cfg.Status()
	require.NotEmpty(t, status.Layers[1].LastError, "the outage reached Status")
	l.Fail(nil)

	for _, e := range cfg.ExplainAll() {
		outputs = append(outputs, e.String(), fmt.Sprintf("%+v", e))
	}
	for _, key := range []string{"servers", "tenants.acme.replicas", "vault.token", "api_key", "plugins.s3.secret_key", "webhooks"} {
		e, ok := cfg.Explain(key)
		assert.Truef(t, ok, "Explain(%q)", key)
		outputs = append(outputs, e.String(), fmt.Sprintf("%+v", e))
	}
	debug, err := json.Marshal(cfg.Debug())
	require.NoError(t, err)
	outputs = append(outputs, string(debug))
	st, err := json.Marshal(cfg.Status())
	require.NoError(t, err)
	outputs = append(outputs, string(st), cfg.Expvar().String())

	srv := httptest.NewServer(cfg.DebugHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "r1", "the endpoint shows the non-secret parts of lists")
	outputs = append(outputs, string(body), logs.String())

	all := strings.Join(outputs, "\n")
	require.Contains(t, all, "[redacted]", "secrets are shown as redacted, so the search covered them")
	for _, secret := range append(p, q...) {
		assert.NotContains(t, all, secret)
	}
	reliability.Record(t, "strata/secrets-deep", reliability.Count("secrets planted", len(p)+len(q)), reliability.Count("secrets found", 0))
}
