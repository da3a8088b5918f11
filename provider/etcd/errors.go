package etcd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/strata-go/strata/provider"
)

// Class says what kind of failure an Error is, and so how the watcher
// reacts to it.
type Class int

const (
	// ClassUnavailable: etcd could not be reached or could not answer in
	// time (connection refused, deadline exceeded, no leader). Transient:
	// retried with backoff, and a reason to fall back to the cache.
	ClassUnavailable Class = iota + 1
	// ClassPermission: the user's roles may not read the prefix or key. A
	// configuration error: reported loudly, retried slowly, never answered
	// from the cache.
	ClassPermission
	// ClassAuth: authentication failed (wrong user or password, auth not
	// enabled on the server). A configuration error, like ClassPermission.
	ClassAuth
	// ClassTLS: the TLS handshake failed (unknown CA, bad or missing client
	// certificate). A configuration error, like ClassPermission.
	ClassTLS
	// ClassNotFound: the document key does not exist and the layer is not
	// Optional. Wraps provider.ErrNotFound.
	ClassNotFound
	// ClassInvalidData: the keys were read but do not form a valid layer
	// (malformed document, a key that is both a value and a folder).
	ClassInvalidData
	// ClassInvalidOptions: Options cannot work; nothing was sent.
	ClassInvalidOptions
	// ClassWatch: the server ended a watch for a reason not covered above.
	ClassWatch
)

// String names the class in a few words.
func (c Class) String() string {
	switch c {
	case ClassUnavailable:
		return "unavailable"
	case ClassPermission:
		return "permission denied (check the user's role grants read on the prefix)"
	case ClassAuth:
		return "authentication failed (check the user name and password)"
	case ClassTLS:
		return "tls handshake failed (check the CA and client certificate)"
	case ClassNotFound:
		return "not found"
	case ClassInvalidData:
		return "invalid data"
	case ClassInvalidOptions:
		return "invalid options"
	case ClassWatch:
		return "watch cancelled"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// transient reports whether a retry or the cache may help.
func (c Class) transient() bool { return c == ClassUnavailable || c == ClassWatch }

// slow reports whether the class is a configuration error, retried slowly.
func (c Class) slow() bool { return c == ClassPermission || c == ClassAuth || c == ClassTLS }

// Error is a failed read or watch of one layer. Providers return it wrapped
// in a *provider.Error naming the layer, so its own text leaves Layer out:
// `etcd: permission denied (…) reading prefix "app/" at
// https://127.0.0.1:2379: etcdserver: permission denied`. It never contains
// a password or a value.
type Error struct {
	// Layer is the Provider's Name.
	Layer string
	// What names what was being read: `prefix "app/"` or `key "app.yaml"`.
	What string
	// Endpoints are the client's endpoints, comma separated.
	Endpoints string
	// Class says what kind of failure this is.
	Class Class
	// Err is the cause.
	Err error
}

// Error renders the class, what was read, where, and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("etcd: ")
	b.WriteString(e.Class.String())
	if e.What != "" {
		b.WriteString(" reading " + e.What)
	}
	if e.Endpoints != "" {
		b.WriteString(" at " + e.Endpoints)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// classify maps a client error onto a Class.
func classify(err error) Class {
	var (
		uae x509.UnknownAuthorityError
		cie x509.CertificateInvalidError
		hne x509.HostnameError
		rhe tls.RecordHeaderError
		ae  tls.AlertError
	)
	switch {
	case errors.Is(err, rpctypes.ErrPermissionDenied):
		return ClassPermission
	case errors.Is(err, rpctypes.ErrAuthFailed), errors.Is(err, rpctypes.ErrAuthNotEnabled),
		errors.Is(err, rpctypes.ErrUserEmpty), errors.Is(err, rpctypes.ErrUserNotFound),
		errors.Is(err, rpctypes.ErrInvalidAuthToken):
		return ClassAuth
	case errors.As(err, &uae), errors.As(err, &cie), errors.As(err, &hne),
		errors.As(err, &rhe), errors.As(err, &ae):
		return ClassTLS
	}
	// A watch cancelled by the server carries its reason as text only.
	msg := err.Error()
	switch {
	case strings.Contains(msg, rpctypes.ErrPermissionDenied.Error()):
		return ClassPermission
	case strings.Contains(msg, rpctypes.ErrInvalidAuthToken.Error()),
		strings.Contains(msg, rpctypes.ErrAuthFailed.Error()):
		return ClassAuth
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.PermissionDenied:
			return ClassPermission
		case codes.Unauthenticated:
			return ClassAuth
		}
		// gRPC flattens the handshake error into the status text.
		msg := s.Message()
		if strings.Contains(msg, "authentication handshake failed") || strings.Contains(msg, "tls: ") ||
			strings.Contains(msg, "x509: ") {
			return ClassTLS
		}
	}
	return ClassUnavailable
}

// fail wraps a client error as the layer's error. An unanswered request
// over TLS is diagnosed with one handshake of our own, because the client
// waits for a connection and reports only the deadline, hiding a rejected
// certificate behind "context deadline exceeded".
func (p *Provider) fail(err error) error {
	c := classify(err)
	if c == ClassUnavailable && p.opts.TLS != nil && p.opts.Client == nil {
		if terr := p.diagnoseTLS(); terr != nil {
			return p.failClass(ClassTLS, terr)
		}
	}
	return p.failClass(c, err)
}

// failClass wraps err, of class c, as a *provider.Error holding an *Error.
func (p *Provider) failClass(c Class, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && c == ClassUnavailable {
		err = fmt.Errorf("no answer within the deadline: %w", err)
	}
	return &provider.Error{Layer: p.name, Err: &Error{
		Layer: p.name, What: p.what(), Endpoints: p.endpoints, Class: c, Err: err,
	}}
}

// what names what the layer reads, for errors.
func (p *Provider) what() string {
	if p.key != "" {
		return fmt.Sprintf("key %q", p.key)
	}
	if p.prefix == "" {
		return ""
	}
	return fmt.Sprintf("prefix %q", p.prefix)
}

// errClass returns the Class of an error made by failClass, or 0.
func errClass(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return 0
}
