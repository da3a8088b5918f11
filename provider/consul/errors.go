package consul

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
)

// Class says what kind of failure an Error is, and so how the watcher
// reacts to it (rule 6).
type Class int

const (
	// ClassUnavailable: Consul could not be reached or could not answer
	// (connection refused, timeout, 5xx, "No cluster leader", "rpc
	// error"). Transient: retried with backoff, a reason to fail over to
	// the next datacenter and to fall back to the cache.
	ClassUnavailable Class = iota + 1
	// ClassPermission: the token may not read the keys (403, "ACL not
	// found", results filtered by ACLs). A configuration error: surfaced
	// loudly, retried slowly, never answered from the cache.
	ClassPermission
	// ClassTLS: the TLS handshake failed (unknown CA, bad or missing client
	// certificate). A configuration error, like ClassPermission.
	ClassTLS
	// ClassRateLimited: 429, too many connections from this client.
	ClassRateLimited
	// ClassBadRequest: 400 or another 4xx, for example a bad key.
	ClassBadRequest
	// ClassNotFound: the document key does not exist and the layer is not
	// Optional. Wraps provider.ErrNotFound.
	ClassNotFound
	// ClassInvalidData: the keys were read but do not form a valid layer
	// (malformed document, a key that is both a value and a folder).
	ClassInvalidData
	// ClassInvalidOptions: Options cannot work; nothing was sent.
	ClassInvalidOptions
)

// String names the class in a few words.
func (c Class) String() string {
	switch c {
	case ClassUnavailable:
		return "unavailable"
	case ClassPermission:
		return "permission denied (check the token's key_prefix read policy)"
	case ClassTLS:
		return "tls handshake failed (check the CA and client certificate)"
	case ClassRateLimited:
		return "rate limited (too many connections from this client)"
	case ClassBadRequest:
		return "bad request"
	case ClassNotFound:
		return "not found"
	case ClassInvalidData:
		return "invalid data"
	case ClassInvalidOptions:
		return "invalid options"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// transient reports whether a retry, another datacenter or the cache may
// help.
func (c Class) transient() bool { return c == ClassUnavailable }

// Error is a failed read of one layer. Providers return it wrapped in a
// *provider.Error naming the layer, so its own text leaves Layer out:
// "consul: permission denied (…) at http://127.0.0.1:8500 dc dc1: HTTP
// 403: …". It never contains a token or a value.
type Error struct {
	// Layer is the Provider's Name.
	Layer string
	// Datacenter is the datacenter asked, or empty for the client's own.
	Datacenter string
	// Addr is the agent's address (scheme://host:port), when known.
	Addr string
	// Status is the HTTP status code, or 0 when there was no response.
	Status int
	// Class says what kind of failure this is.
	Class Class
	// Err is the cause.
	Err error

	// tokenGen identifies the token of the latest request sent when the
	// error was built, so a retry can tell whether a new token came since.
	tokenGen uint64
}

// Error renders the class, where it happened and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("consul: ")
	b.WriteString(e.Class.String())
	if e.Addr != "" {
		b.WriteString(" at " + e.Addr)
	}
	if e.Datacenter != "" {
		b.WriteString(" dc " + e.Datacenter)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// maxBody bounds how much of an error response body an error quotes.
const maxBody = 200

// classify maps a client error onto a Class and the HTTP status (0 when
// there was no response), following rule 6.
func classify(err error) (Class, int) {
	var se api.StatusError
	if errors.As(err, &se) {
		body := strings.ToLower(se.Body)
		switch {
		case se.Code == 403, strings.Contains(body, "acl not found"),
			strings.Contains(body, "permission denied"):
			return ClassPermission, se.Code
		case se.Code == 429:
			return ClassRateLimited, se.Code
		case se.Code >= 500:
			return ClassUnavailable, se.Code
		default:
			return ClassBadRequest, se.Code
		}
	}
	if isTLSError(err) {
		return ClassTLS, 0
	}
	return ClassUnavailable, 0
}

func isTLSError(err error) bool {
	var (
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		he  x509.HostnameError
		cve *tls.CertificateVerificationError
		rhe tls.RecordHeaderError
		oe  *net.OpError
	)
	// A server rejecting the client certificate answers with an alert,
	// which crypto/tls reports as a net.OpError with Op "remote error".
	return errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &he) ||
		errors.As(err, &cve) || errors.As(err, &rhe) ||
		(errors.As(err, &oe) && oe.Op == "remote error")
}

// fail wraps a failed request to dc as *provider.Error{*Error}. A
// permission error of a request that carried no token says so and wraps
// ErrNoToken: the fix is a missing setting, not a policy.
func (p *Provider) fail(dc string, err error) error {
	class, status := classify(err)
	cause := p.cause(err)
	if class == ClassPermission && p.tok.none() {
		cause = fmt.Errorf("%w: %w", ErrNoToken, cause)
	}
	return p.failClass(dc, class, status, cause)
}

// failClass builds the error for a failure whose class is already known.
func (p *Provider) failClass(dc string, class Class, status int, cause error) error {
	return &provider.Error{Layer: p.name, Err: &Error{
		Layer: p.name, Datacenter: p.dcLabel(dc), Addr: p.addr,
		Status: status, Class: class, Err: cause, tokenGen: p.tok.lastSent(),
	}}
}

// cause shortens a client error to what an operator needs: the response
// body for a status error (bounded), the network error without the
// request URL (which repeats the address), and never a token.
func (p *Provider) cause(err error) error {
	var se api.StatusError
	if errors.As(err, &se) {
		// Scrub first, cut after: cut first, a token straddling the cut
		// would survive in part.
		return fmt.Errorf("HTTP %d: %s", se.Code, bounded(p.tok.scrub(strings.TrimSpace(se.Body))))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer before the request deadline: %w", err)
	}
	if text := err.Error(); p.tok.scrub(text) != text {
		// The original stays unreachable: errors.As on the chain must not
		// hand it out.
		return errors.New(p.tok.scrub(text))
	}
	return err
}

// bounded cuts s to maxBody bytes, on a rune boundary, marking the cut.
func bounded(s string) string {
	if len(s) <= maxBody {
		return s
	}
	cut := maxBody
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// errClass returns the Class of an error built by this package, or 0.
func errClass(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return 0
}
