package etcd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// diagnoseTLS tries a TLS handshake with each endpoint, with the layer's TLS
// configuration, and returns the first TLS failure, naming the endpoint, or
// nil when every endpoint that answered accepted it. It reads once after
// the handshake because with TLS 1.3 a server rejects a client certificate
// only after the client considers the handshake done.
func (p *Provider) diagnoseTLS() error {
	for _, ep := range p.opts.Endpoints {
		host := ep
		if u, err := url.Parse(ep); err == nil && u.Host != "" {
			host = u.Host
		}
		if err := p.handshake(host); err != nil {
			return fmt.Errorf("%s: %w", host, err)
		}
	}
	return nil
}

func (p *Provider) handshake(host string) error {
	cfg := p.opts.TLS.Clone()
	if cfg.ServerName == "" {
		if h, _, err := net.SplitHostPort(host); err == nil {
			cfg.ServerName = h
		}
	}
	cfg.NextProtos = []string{"h2"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return tlsOnly(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	// The server speaks first (its HTTP/2 settings) when it accepted us,
	// or sends an alert when it did not.
	_, err = conn.Read(make([]byte, 1))
	return tlsOnly(err)
}

// tlsOnly returns err when it is a TLS failure: a certificate that does
// not verify, a peer that does not speak TLS, or an alert from the peer
// (which arrives as a "remote error"). A refused connection or a timeout
// says nothing about TLS and gives nil.
func tlsOnly(err error) error {
	var (
		ve *tls.CertificateVerificationError
		rh tls.RecordHeaderError
		oe *net.OpError
	)
	if errors.As(err, &ve) || errors.As(err, &rh) || (errors.As(err, &oe) && oe.Op == "remote error") {
		return err
	}
	return nil
}
