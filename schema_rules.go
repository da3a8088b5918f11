package strata

import (
	"encoding"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// rules are the validate tag of one field, split at "dive": rules before
// it apply to the field, rules after it to each element.
type rules struct {
	required      bool
	omitempty     bool
	container     [][2]string // rule name and parameter
	elem          [][2]string
	elemOmitempty bool
}

// parseRules reads a validate tag. Rules it cannot represent are kept and
// ignored by applyRules; or-groups ("a|b") and keys…endkeys are dropped.
func parseRules(tag string) rules {
	var r rules
	dived, inKeys := false, false
	for _, part := range strings.Split(tag, ",") {
		name, param, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case name == "" || strings.Contains(part, "|"):
		case name == "keys":
			inKeys = true
		case name == "endkeys":
			inKeys = false
		case inKeys:
		case name == "dive":
			dived = true
		case name == "required" && !dived:
			r.required = true
		case name == "omitempty" && !dived:
			r.omitempty = true
		case name == "omitempty":
			r.elemOmitempty = true
		case dived:
			r.elem = append(r.elem, [2]string{name, param})
		default:
			r.container = append(r.container, [2]string{name, param})
		}
	}
	return r
}

// formatOf maps a validator rule to the JSON Schema format it means, or "".
func formatOf(rule string) string {
	switch rule {
	case "url", "uri", "http_url":
		return "uri"
	case "hostname", "hostname_rfc1123", "fqdn":
		return "hostname"
	case "ipv4", "ip4_addr":
		return "ipv4"
	case "ipv6", "ip6_addr":
		return "ipv6"
	case "email", "uuid":
		return rule
	}
	return ""
}

// hostPortPattern accepts "host:port", "[v6]:port" and ":port"; strata's
// hostname_port check is stricter on the host.
const hostPortPattern = `^([A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$`

// applyRules adds to s the constraints of the validator rules that mean
// the same in JSON Schema for a value of type t. With omitempty the
// constraints hold only for a non-empty value, as in the validator.
func applyRules(s schema, t reflect.Type, list [][2]string, omitempty bool) {
	c := schema{}
	for _, r := range list {
		ruleSchema(c, t, r[0], r[1])
	}
	if len(c) == 0 {
		return
	}
	if !omitempty {
		for k, v := range c {
			s[k] = v
		}
		return
	}
	if empty, ok := emptyOf(t); ok {
		s["anyOf"] = []any{empty, c}
	}
}

// emptyOf describes the zero value of t, which omitempty lets through.
func emptyOf(t reflect.Type) (schema, bool) {
	switch kindOf(t) {
	case "string":
		return schema{"const": ""}, true
	case "number":
		return schema{"const": 0}, true
	case "array":
		return schema{"maxItems": 0}, true
	case "object":
		return schema{"maxProperties": 0}, true
	}
	return nil, false
}

// kindOf classifies t as strata's schema types it: "number", "string",
// "array", "object", or "" for types whose rules do not translate
// (durations, TextUnmarshalers, bools, structs).
func kindOf(t reflect.Type) string {
	if t == reflect.TypeFor[time.Duration]() || t.Kind() != reflect.String && implements(t, reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return ""
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map:
		return "object"
	}
	return ""
}

// boundsOf names the keywords bounding a value or size of kind.
func boundsOf(kind string) ([2]string, bool) {
	switch kind {
	case "number":
		return [2]string{"minimum", "maximum"}, true
	case "string":
		return [2]string{"minLength", "maxLength"}, true
	case "array":
		return [2]string{"minItems", "maxItems"}, true
	case "object":
		return [2]string{"minProperties", "maxProperties"}, true
	}
	return [2]string{}, false
}

func ruleSchema(c schema, t reflect.Type, name, param string) {
	kind := kindOf(t)
	if f := formatOf(name); f != "" && kind == "string" {
		c["format"] = f
		return
	}
	switch name {
	case "ip", "ip_addr":
		if kind == "string" {
			c["anyOf"] = []any{schema{"format": "ipv4"}, schema{"format": "ipv6"}}
		}
		return
	case "hostname_port":
		if kind == "string" {
			c["pattern"] = hostPortPattern
		}
		return
	case "startswith", "endswith", "contains":
		if kind == "string" {
			q := regexp.QuoteMeta(param)
			c["pattern"] = map[string]string{"startswith": "^" + q, "endswith": q + "$", "contains": q}[name]
		}
		return
	case "oneof":
		if kind == "string" || kind == "number" {
			if enum, ok := enumOf(kind, param); ok {
				c["enum"] = enum
			}
		}
		return
	}
	b, ok := boundsOf(kind)
	if !ok {
		return
	}
	n, err := strconv.ParseFloat(param, 64)
	if err != nil {
		return
	}
	var num any = n
	if n == float64(int64(n)) {
		num = int64(n)
	}
	sized := kind != "number" // lengths and counts are whole
	switch name {
	case "min", "gte":
		c[b[0]] = num
	case "max", "lte":
		c[b[1]] = num
	case "len":
		c[b[0]], c[b[1]] = num, num
	case "eq":
		if !sized {
			c["const"] = num
		}
	case "gt":
		if sized {
			c[b[0]] = int64(n) + 1
		} else {
			c["exclusiveMinimum"] = num
		}
	case "lt":
		if sized {
			c[b[1]] = int64(n) - 1
		} else {
			c["exclusiveMaximum"] = num
		}
	}
}

// enumOf turns oneof's space-separated values (quoted with ' when they
// contain spaces) into an enum of kind.
func enumOf(kind, param string) ([]any, bool) {
	var out []any
	for _, m := range regexp.MustCompile(`'[^']*'|\S+`).FindAllString(param, -1) {
		m = strings.Trim(m, "'")
		if kind == "string" {
			out = append(out, m)
			continue
		}
		n, err := strconv.ParseFloat(m, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

// elemSchema returns the schema of s's elements: items of an array,
// additionalProperties of a map.
func elemSchema(s schema) (schema, bool) {
	if e, ok := s["items"].(schema); ok {
		return e, true
	}
	e, ok := s["additionalProperties"].(schema)
	return e, ok
}
