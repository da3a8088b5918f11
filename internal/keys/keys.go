// Package keys holds the one copy of how strata names and splits config
// keys, shared by decoder, validate and the root package so that a key
// reads the same in every error, Explain and Status.
package keys

import (
	"reflect"
	"strings"
	"unicode"
)

// SnakeCase turns a Go name into its key: MaxConns → max_conns,
// HTTPPort → http_port, DBName → db_name, ID → id, URLs → urls.
func SnakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				// A plural acronym keeps its "s": URLs → urls, UserIDs → user_ids.
				plural := i+1 < len(rs) && rs[i+1] == 's' && (i+2 == len(rs) || unicode.IsUpper(rs[i+2]))
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower && !plural) {
					b.WriteByte('_')
				}
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Step is one part of a key: a name, or a bracketed list index or map key.
type Step struct {
	Text    string
	Bracket bool
}

// Split splits "servers[0].tls.cert", mapstructure's "features[beta]" or
// validator's "DB.Servers[0].Port" into its parts. A ']' closes a bracket
// only before '.', '[' or the end, so map keys may contain brackets; an
// unclosed bracket is kept, bracket included, as a last name.
func Split(key string) []Step {
	var out []Step
	for i := 0; i < len(key); {
		switch key[i] {
		case '.':
			i++
		case '[':
			end := -1
			for j := i + 1; j < len(key); j++ {
				if key[j] == ']' && (j+1 == len(key) || key[j+1] == '.' || key[j+1] == '[') {
					end = j
					break
				}
			}
			if end < 0 {
				return append(out, Step{Text: key[i:]})
			}
			out = append(out, Step{Text: key[i+1 : end], Bracket: true})
			i = end + 1
		default:
			j := strings.IndexAny(key[i:], ".[")
			if j < 0 {
				j = len(key) - i
			}
			out = append(out, Step{Text: key[i : i+j]})
			i += j
		}
	}
	return out
}

// Deref removes every pointer from t; nil stays nil.
func Deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
