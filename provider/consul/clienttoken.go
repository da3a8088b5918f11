package consul

import (
	"reflect"
	"strings"

	"github.com/hashicorp/consul/api"
)

// clientSettings is what a user's *api.Client sends with each request
// that strata must know: the token, to scrub it from error text and to
// tell "no token" from "a token without read"; the token file, to follow
// its rotation; the address, for error text.
type clientSettings struct {
	token     string
	tokenFile string
	addr      string
	// secrets are other credentials the client sends (a header token the
	// config token overrides, a basic-auth password): scrubbed too.
	secrets []string
	// known is false when the client's config could not be read.
	known bool
}

// learnClient reads a user's client's settings. api.Client keeps its
// Config unexported and offers no accessor, and a token strata does not
// know is a token it cannot scrub, so the config is read by reflection,
// read-only; TestLearnClient pins the field names to the consul/api
// version in go.mod. Headers set with AddHeader or SetHeaders are read
// through Headers.
func learnClient(c *api.Client) clientSettings {
	var s clientSettings
	h := c.Headers()
	headerToken := h.Get("X-Consul-Token")
	if b, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer "); ok && headerToken == "" {
		headerToken = strings.TrimSpace(b)
	}
	s.token = headerToken

	cfg := reflect.ValueOf(c).Elem().FieldByName("config")
	str := func(name string) (string, bool) {
		f := cfg.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.String {
			return "", false
		}
		return f.String(), true
	}
	if !cfg.IsValid() || cfg.Kind() != reflect.Struct {
		s.known = headerToken != ""
		return s
	}
	token, okToken := str("Token")
	file, okFile := str("TokenFile")
	scheme, _ := str("Scheme")
	addr, _ := str("Address")
	s.known = okToken && okFile || headerToken != ""
	// newRequest sets the config's token over any header.
	if token != "" {
		if headerToken != "" {
			s.secrets = append(s.secrets, headerToken)
		}
		s.token = token
	}
	s.tokenFile = file
	if addr != "" && scheme != "" {
		s.addr = scheme + "://" + addr
	}
	if auth := cfg.FieldByName("HttpAuth"); auth.IsValid() && auth.Kind() == reflect.Pointer && !auth.IsNil() {
		if pw := auth.Elem().FieldByName("Password"); pw.IsValid() && pw.Kind() == reflect.String && pw.String() != "" {
			s.secrets = append(s.secrets, pw.String())
		}
	}
	return s
}
