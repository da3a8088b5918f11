package provider

import (
	"encoding/json"
	"errors"
	"strings"
)

// parseError is a parser's error with the parts of its message that may
// repeat the document removed. The parser's own error stays reachable
// through Unwrap, for its position.
type parseError struct {
	msg string
	err error
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.err }

// scrub rewrites a parser's error so that it does not repeat the text it
// failed on, which may be a secret: a number out of range (a PIN, an
// account number) in JSON's and go-toml's messages, a `…`-quoted value in
// YAML's, and for YAML also a tag other than YAML's own (a document that
// is just "!hunter2" is a tagged scalar), an anchor's name and a map key.
// What kind of thing failed, and where, stays.
func scrub(format string, err error) error {
	msg := err.Error()
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		// Value reads "number 1e999": keep the kind, drop the number.
		kind, _, _ := strings.Cut(typ.Value, " ")
		msg = strings.Replace(msg, typ.Value, kind, 1)
	}
	msg = dropNumError(msg)
	if format == "yaml" {
		msg = scrubYAML(msg)
	}
	return &parseError{msg: msg, err: err}
}

// dropNumError removes what a strconv.NumError adds to a message, which
// quotes the input: `strconv.ParseFloat: parsing "1e999": ` before "value
// out of range". The input is a number token, which holds no quote.
func dropNumError(s string) string {
	for {
		i := strings.Index(s, "strconv.")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], `": `)
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+len(`": `):]
	}
}

// scrubYAML removes `…`-quoted values, tags other than YAML's own, anchor
// names and the key printed after "invalid map key" from a YAML message.
func scrubYAML(s string) string {
	s = stripQuoted(s)
	if i := strings.Index(s, "invalid map key: "); i >= 0 {
		s = s[:i+len("invalid map key")]
	}
	if i := strings.Index(s, "anchor '"); i >= 0 {
		if j := strings.LastIndex(s, "' "); j > i {
			s = s[:i] + "anchor" + s[j+1:]
		}
	}
	lines := strings.Split(s, "\n")
	for n, l := range lines {
		words := strings.Split(l, " ")
		for i, w := range words {
			// "cannot unmarshal TAG …" names the node's tag, which a
			// verbatim tag (!<…>) prints without its "!".
			tag := strings.HasPrefix(w, "!") || (i >= 2 && words[i-2] == "cannot" && words[i-1] == "unmarshal")
			if tag && !yamlTags[w] {
				words[i] = "!tag"
			}
		}
		lines[n] = strings.Join(words, " ")
	}
	return strings.Join(lines, "\n")
}

// yamlTags are YAML's own tags, which errors may name.
var yamlTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true,
	"!!map": true, "!!seq": true, "!!binary": true, "!!timestamp": true, "!!merge": true,
}

// stripQuoted replaces each `…`-quoted span with the word "value".
func stripQuoted(s string) string {
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '`')
		if j < 0 {
			break
		}
		sb.WriteString(s[:i])
		sb.WriteString("value")
		s = s[i+1+j+1:]
	}
	sb.WriteString(s)
	return sb.String()
}
