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
// Quoted values and tags may hold backticks, spaces and newlines (a tag
// may spell them %60, %20, %0A), so whole spans are cut, not words.
func scrubYAML(s string) string {
	if i, j := strings.IndexByte(s, '`'), strings.LastIndexByte(s, '`'); j > i {
		s = s[:i] + "value" + s[j+1:]
	}
	if i := strings.Index(s, "invalid map key: "); i >= 0 {
		s = s[:i+len("invalid map key")]
	}
	if i := strings.Index(s, "anchor '"); i >= 0 {
		if j := strings.LastIndex(s, "' "); j > i {
			s = s[:i] + "anchor" + s[j+1:]
		}
	}
	// "cannot unmarshal TAG[ value] into TYPE": everything up to the last
	// " into " may be the tag; only YAML's own tags are kept.
	if i := strings.Index(s, "cannot unmarshal "); i >= 0 {
		i += len("cannot unmarshal ")
		if k := strings.LastIndex(s, " into "); k >= i {
			tag, rest := "!tag", s[i:k]
			for std := range yamlTags {
				if rest == std || strings.HasPrefix(rest, std+" ") {
					tag = std
				}
			}
			if strings.HasSuffix(rest, " value") {
				tag += " value"
			}
			s = s[:i] + tag + s[k:]
		}
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		if strings.HasPrefix(w, "!") && !yamlTags[w] {
			words[i] = "!tag"
		}
	}
	return strings.Join(words, " ")
}

// yamlTags are YAML's own tags, which errors may name.
var yamlTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true,
	"!!map": true, "!!seq": true, "!!binary": true, "!!timestamp": true, "!!merge": true,
}
