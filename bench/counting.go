package bench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
)

// CountingTransport counts the requests sent through it (including the
// ones that fail) before passing them to a transport of its own.
type CountingTransport struct {
	n    atomic.Int64
	base *http.Transport
}

// NewCountingTransport returns a counter over a pooled transport with the
// consul/api defaults.
func NewCountingTransport() *CountingTransport {
	return &CountingTransport{base: cleanhttp.DefaultPooledTransport()}
}

// RoundTrip implements http.RoundTripper.
func (t *CountingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return t.base.RoundTrip(r)
}

// Count returns the number of requests so far.
func (t *CountingTransport) Count() int64 { return t.n.Load() }

// Close drops idle connections.
func (t *CountingTransport) Close() { t.base.CloseIdleConnections() }

// Proxy is a counting HTTP reverse proxy on a loopback port, for clients
// whose transport cannot be injected (koanf's watch and viper's remote
// build their own Consul clients from an address).
type Proxy struct {
	Addr string // "127.0.0.1:PORT"
	n    atomic.Int64
	srv  *http.Server
	tr   *http.Transport
}

// NewProxy starts a proxy forwarding to target ("127.0.0.1:PORT").
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: ln.Addr().String(), tr: cleanhttp.DefaultPooledTransport()}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	rp.Transport = p.tr
	rp.FlushInterval = -1
	rp.ErrorLog = nil
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
		w.WriteHeader(http.StatusBadGateway)
	}
	p.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.n.Add(1)
			rp.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err) // a loopback listener failing is a broken machine
		}
	}()
	return p, nil
}

// Count returns the number of requests received so far.
func (p *Proxy) Count() int64 { return p.n.Load() }

// Close stops the proxy, cutting any blocking query still in flight.
func (p *Proxy) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = p.srv.Shutdown(ctx)
	_ = p.srv.Close()
	p.tr.CloseIdleConnections()
}
