package consul_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider/consul"
)

// The tests in this file use an httptest server standing in for a proxy
// in front of Consul that echoes the request's token in its error bodies:
// a fault a real Consul server cannot be made to produce.

const (
	plantedTokenA = "5f0c3a7e-9d1b-4c2e-8f6a-0b1c2d3e4f5a"
	plantedTokenB = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
)

// echoServer answers the first request with one key (app/x = 1) when
// firstOK is set, and every other with a 500 whose body is filler runes
// followed by the request's X-Consul-Token. last, when not nil, receives
// the token of each request.
func echoServer(t *testing.T, firstOK bool, filler int, last *atomic.Value) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if last != nil {
			last.Store(r.Header.Get("X-Consul-Token"))
		}
		if n.Add(1) == 1 && firstOK {
			w.Header().Set("X-Consul-Index", "5")
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `[{"Key":"app/x","Value":"MQ==","CreateIndex":5,"ModifyIndex":5}]`)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s%s trailing text", strings.Repeat("é", filler), r.Header.Get("X-Consul-Token"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// leaks reports the longest piece of token (8 characters or more) found
// in text, or "".
func leaks(text, token string) string {
	for n := len(token); n >= 8; n-- {
		for i := 0; i+n <= len(token); i++ {
			if strings.Contains(text, token[i:i+n]) {
				return token[i : i+n]
			}
		}
	}
	return ""
}

// TestTokenStraddlingTheCutIsScrubbed_httptest plants the token at every
// offset around the point where an error quotes no more of a body: no
// piece of it may survive, whichever side of the cut it falls on.
func TestTokenStraddlingTheCutIsScrubbed_httptest(t *testing.T) {
	t.Parallel()
	for filler := 80; filler <= 130; filler++ { // "é" is 2 bytes: offsets 160 to 260
		t.Run(fmt.Sprint(filler), func(t *testing.T) {
			srv := echoServer(t, false, filler, nil)
			p := consul.New(consul.Options{Prefix: "app/", Config: &api.Config{Address: srv.URL, Token: plantedTokenA}})
			_, err := load(t, p)
			require.Error(t, err)
			assert.Empty(t, leaks(err.Error(), plantedTokenA), "error text: %s", err)
			assert.Contains(t, err.Error(), "HTTP 500")
			reliability.Record(t, "consul/http500-scrub")
		})
	}
}

// TestUserClientTokenNeverLeaks_httptest: with the user's own *api.Client,
// strata learns the token from the client (its config, its headers, its
// token file, a token handed in later) and scrubs it from every error,
// Status and log line.
func TestUserClientTokenNeverLeaks_httptest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		client func(t *testing.T, addr string) (*api.Client, func(*consul.Provider))
	}{
		{"config token", func(t *testing.T, addr string) (*api.Client, func(*consul.Provider)) {
			return userClient(t, &api.Config{Address: addr, Token: plantedTokenA}), nil
		}},
		{"header token", func(t *testing.T, addr string) (*api.Client, func(*consul.Provider)) {
			c := userClient(t, &api.Config{Address: addr})
			c.AddHeader("X-Consul-Token", plantedTokenA)
			return c, nil
		}},
		{"token file, rotated", func(t *testing.T, addr string) (*api.Client, func(*consul.Provider)) {
			file := filepath.Join(t.TempDir(), "token")
			writeToken(t, file, plantedTokenA)
			c := userClient(t, &api.Config{Address: addr, TokenFile: file})
			return c, func(*consul.Provider) { writeToken(t, file, plantedTokenB) }
		}},
		{"token handed in", func(t *testing.T, addr string) (*api.Client, func(*consul.Provider)) {
			c := userClient(t, &api.Config{Address: addr, Token: plantedTokenA})
			return c, func(p *consul.Provider) { p.SetToken(plantedTokenB) }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sent atomic.Value
			srv := echoServer(t, true, 0, &sent)
			client, rotate := tc.client(t, srv.URL)
			var logs logBuffer
			layer := consul.New(fast(consul.Options{Prefix: "app/", Client: client, Logger: logs.logger()}))
			if rotate != nil {
				rotate(layer) // every request from now on carries token B
			}

			onError := make(chan error, 64)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cfg, err := strata.LoadWith[struct {
				X string `config:"x"`
			}](ctx, strata.Options{Logger: logs.logger(), OnError: func(err error) {
				select {
				case onError <- err:
				default:
				}
			}}, layer)
			require.NoError(t, err)
			defer func() { require.NoError(t, cfg.Close()) }()

			var texts []string
			select {
			case err := <-onError:
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
				for e := err; e != nil; e = errors.Unwrap(e) {
					texts = append(texts, e.Error())
				}
			case <-time.After(eventWait):
				t.Fatalf("no layer error within %s", eventWait)
			}
			texts = append(texts, layerErrors(cfg.Status())...)
			require.NoError(t, cfg.Close())
			_, err = layer.Load(ctx)
			require.Error(t, err)
			texts = append(texts, err.Error())
			if rotate != nil {
				assert.Equal(t, plantedTokenB, sent.Load(), "requests must carry the new token")
			} else {
				assert.Equal(t, plantedTokenA, sent.Load(), "requests must carry the client's token")
			}

			all := strings.Join(texts, "\n") + "\n" + logs.String()
			t.Logf("checked:\n%s", all)
			assert.Contains(t, all, "[redacted]", "the echoed token must have been seen and scrubbed")
			for _, tok := range []string{plantedTokenA, plantedTokenB} {
				assert.Empty(t, leaks(all, tok))
			}
			reliability.Record(t, "consul/user-client-token")
		})
	}
}

// userClient builds a client the way a user would; its idle connections
// are closed at cleanup.
func userClient(t *testing.T, cfg *api.Config) *api.Client {
	t.Helper()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	cfg.Transport = tr
	c, err := api.NewClient(cfg)
	require.NoError(t, err)
	t.Cleanup(tr.CloseIdleConnections)
	return c
}

func layerErrors(s strata.Status) []string {
	var out []string
	for _, l := range s.Layers {
		out = append(out, l.LastError)
	}
	return out
}
