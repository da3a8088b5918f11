package consul

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoToken is wrapped by the permission error of a read that carried no
// ACL token at all (a forgotten CONSUL_HTTP_TOKEN) and was denied, so an
// application can tell the operator which setting is missing.
var ErrNoToken = errors.New("no ACL token was sent (set CONSUL_HTTP_TOKEN, Config.Token or Config.TokenFile)")

const (
	// tokenFilePoll is how often a watcher waiting to retry after an error
	// looks at the token file, so that a rotated token is used within
	// about this long instead of after a slow retry (30 s).
	tokenFilePoll = time.Second
	// maxSecrets bounds how many tokens are remembered for scrubbing:
	// the current one and those it replaced, which a proxy's error body
	// may still echo. Older ones have long been revoked.
	maxSecrets = 32
)

// SetToken makes token the ACL token of every request from now on, for
// Load and Watch alike, replacing the one configured (Config.Token, the
// token file, the client's own). A watcher waiting to retry after an error
// retries at once. An empty token is ignored. A later change of the token
// file's content replaces token in turn: the last one handed in wins.
//
// SetToken is safe for concurrent use with Load, Watch and itself. The
// token is never logged nor rendered in an error; it is scrubbed from any
// error text a server or proxy echoes it in.
func (p *Provider) SetToken(token string) {
	p.tok.set(strings.TrimSpace(token))
}

// tokenSource is the ACL token requests carry: the configured one,
// replaced by SetToken and by changes of the token file. It also keeps
// every token seen, to scrub them from error text. Safe for concurrent
// use; the methods used to build errors accept a nil source (a Provider
// not made by New, as in internal tests).
type tokenSource struct {
	mu      sync.Mutex
	token   string
	gen     uint64        // counts changes of token
	changed chan struct{} // closed, and replaced, when token changes
	file    string        // the token file, "" if none
	stat    os.FileInfo   // of the file when last read; nil if unread
	secrets []string      // tokens to scrub, oldest first

	// known is false when the token could not be learned from a user's
	// client: requests may then carry a token strata does not know.
	known bool
	// sent is the gen of the token the latest request carried.
	sent atomic.Uint64
}

// newTokenSource starts from token, as configured, and file, the token
// file it came from ("" if none), whose current state is its baseline:
// only later changes of the file replace the token.
func newTokenSource(token, file string, known bool, secrets ...string) *tokenSource {
	s := &tokenSource{token: token, file: file, known: known, changed: make(chan struct{})}
	s.remember(token)
	for _, sec := range secrets {
		s.remember(sec)
	}
	if file != "" {
		if st, err := os.Stat(file); err == nil {
			s.stat = st
			if t, err := readToken(file); err == nil {
				s.remember(t)
			}
		}
	}
	return s
}

// forRequest returns the token for a request about to be sent ("" when
// none is managed here, so the client's own applies), first taking in a
// change of the token file.
func (s *tokenSource) forRequest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reloadLocked(false)
	s.sent.Store(s.gen)
	return s.token
}

// lastSent returns the gen of the token the latest request carried.
func (s *tokenSource) lastSent() uint64 {
	if s == nil {
		return 0
	}
	return s.sent.Load()
}

// none reports whether requests are known to carry no token at all.
func (s *tokenSource) none() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known && s.token == ""
}

func (s *tokenSource) set(token string) {
	if token == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaceLocked(token)
}

// reload re-reads the token file: when force is set whatever its stat
// says (after a 403, in case a change kept size and time), otherwise only
// when it changed.
func (s *tokenSource) reload(force bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reloadLocked(force)
}

func (s *tokenSource) reloadLocked(force bool) {
	if s.file == "" {
		return
	}
	st, err := os.Stat(s.file)
	if err != nil {
		return // mid-rotation, perhaps: keep the token, look again next time
	}
	if !force && s.stat != nil && os.SameFile(st, s.stat) &&
		st.ModTime().Equal(s.stat.ModTime()) && st.Size() == s.stat.Size() {
		return
	}
	t, err := readToken(s.file)
	if err != nil || t == "" {
		return // a half-written file: look again next time
	}
	s.stat = st
	if t != s.token {
		s.replaceLocked(t)
	}
}

func (s *tokenSource) replaceLocked(token string) {
	if token == s.token {
		return
	}
	s.token, s.known = token, true
	s.gen++
	s.remember(token)
	close(s.changed)
	s.changed = make(chan struct{})
}

// remember adds token to the secrets to scrub, dropping the oldest beyond
// maxSecrets.
func (s *tokenSource) remember(token string) {
	if token == "" || slices.Contains(s.secrets, token) {
		return
	}
	if len(s.secrets) == maxSecrets {
		s.secrets = s.secrets[1:]
	}
	s.secrets = append(s.secrets, token)
}

// scrub replaces every token seen in text with "[redacted]", longest
// first so that a token containing another is replaced whole.
func (s *tokenSource) scrub(text string) string {
	if s == nil {
		return text
	}
	s.mu.Lock()
	secrets := slices.Clone(s.secrets)
	s.mu.Unlock()
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range secrets {
		text = strings.ReplaceAll(text, sec, "[redacted]")
	}
	return text
}

func readToken(file string) (string, error) {
	b, err := os.ReadFile(file)
	return strings.TrimSpace(string(b)), err
}

// retryWait waits d before a watcher retries after failed, or less: it
// returns at once when the token changed since the failed request was
// sent (after a permission error the token file is re-read first), and as
// soon as SetToken or a change of the token file, looked at every
// tokenFilePoll, brings a new one. It returns ctx.Err() when ctx ends.
func (p *Provider) retryWait(ctx context.Context, d time.Duration, failed error) error {
	s := p.tok
	sent := s.sent.Load()
	var e *Error
	if errors.As(failed, &e) {
		sent = e.tokenGen
	}
	s.reload(errClass(failed) == ClassPermission)
	s.mu.Lock()
	gen, changed := s.gen, s.changed
	s.mu.Unlock()
	if gen != sent {
		return ctx.Err()
	}

	timer := time.NewTimer(d)
	defer timer.Stop()
	var poll <-chan time.Time
	if s.file != "" {
		tick := time.NewTicker(tokenFilePoll)
		defer tick.Stop()
		poll = tick.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return nil
		case <-changed:
			return nil
		case <-poll:
			s.reload(false) // closes changed when the file brought a new token
		}
	}
}
