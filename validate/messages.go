package validate

import (
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// format names what a value must look like for the format rules.
func format(tag string) (string, bool) {
	switch tag {
	case "hostname_port":
		return "host:port", true
	case "url":
		return "a URL", true
	case "http_url":
		return "an http(s) URL", true
	case "uri":
		return "a URI", true
	case "email":
		return "an email address", true
	case "ip", "ip_addr":
		return "an IP address", true
	case "ipv4":
		return "an IPv4 address", true
	case "ipv6":
		return "an IPv6 address", true
	case "cidr":
		return "a CIDR network (e.g. 10.0.0.0/8)", true
	case "cidrv4":
		return "an IPv4 CIDR network (e.g. 10.0.0.0/8)", true
	case "cidrv6":
		return "an IPv6 CIDR network (e.g. fd00::/8)", true
	case "uuid", "uuid_rfc4122":
		return "a UUID", true
	case "uuid4", "uuid4_rfc4122":
		return "a version 4 UUID", true
	case "hostname", "hostname_rfc1123":
		return "a hostname", true
	case "fqdn":
		return "a fully qualified domain name", true
	case "file":
		return "an existing file", true
	case "dir":
		return "an existing directory", true
	case "alpha":
		return "letters only", true
	case "alphanum":
		return "letters and digits only", true
	case "numeric", "number":
		return "a number", true
	case "boolean":
		return "a bool (true/false)", true
	case "json":
		return "valid JSON", true
	case "lowercase":
		return "lowercase", true
	case "uppercase":
		return "uppercase", true
	}
	return "", false
}

// siblingRule words the rules comparing a field with a sibling field.
func siblingRule(tag string) (string, bool) {
	switch tag {
	case "eqfield":
		return "must equal", true
	case "nefield":
		return "must differ from", true
	case "gtfield":
		return "must be greater than", true
	case "gtefield":
		return "must be at least", true
	case "ltfield":
		return "must be less than", true
	case "ltefield":
		return "must be at most", true
	}
	return "", false
}

// comparison words the ordering rules: for numbers, and for lengths.
func comparison(tag string) (number, size string, ok bool) {
	switch tag {
	case "min", "gte":
		return "must be at least", "must have at least", true
	case "max", "lte":
		return "must be at most", "must have at most", true
	case "gt":
		return "must be greater than", "must have more than", true
	case "lt":
		return "must be less than", "must have fewer than", true
	case "len", "eq":
		return "must be", "must have exactly", true
	case "ne":
		return "must not be", "must not have", true
	}
	return "", "", false
}

// lengthNoun says what a length counts for kinds whose min/max are lengths.
func lengthNoun(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "characters"
	case reflect.Slice, reflect.Array:
		return "items"
	case reflect.Map:
		return "entries"
	}
	return ""
}

func length(v any) int {
	if s, ok := v.(string); ok {
		return utf8.RuneCountInString(s)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len()
	}
	return 0
}

// durationParam shows a rule's parameter on a time.Duration field as a
// duration ("1s"), whether written as "1s" or in nanoseconds.
func durationParam(p string) string {
	if d, err := time.ParseDuration(p); err == nil {
		return d.String()
	}
	if n, err := strconv.ParseInt(p, 10, 64); err == nil {
		return time.Duration(n).String()
	}
	return p
}

// message words one failed rule. sibling names another field's key for the
// *field rules. With secret set, the value (and its length) is left out.
func message(fe validator.FieldError, secret bool, sibling func(string) string) string {
	tag, param, val := fe.Tag(), fe.Param(), fe.Value()
	got := func(shown string) string {
		if secret {
			return " (secret value redacted)"
		}
		return ", got " + shown
	}
	if fe.Type() == reflect.TypeFor[time.Duration]() {
		param = durationParam(param)
	}
	switch tag {
	case "required":
		return "is required"
	case "required_if", "required_unless", "required_with", "required_with_all", "required_without", "required_without_all":
		return "is required (" + tag + "=" + param + ")"
	case "oneof":
		return "must be one of " + param + got(render(val))
	}
	if number, size, ok := comparison(tag); ok {
		noun := lengthNoun(fe.Kind())
		if (tag == "eq" || tag == "ne") && fe.Kind() == reflect.String {
			noun = "" // validator compares strings' values here, not lengths
		}
		if noun != "" {
			return size + " " + param + " " + noun + got(strconv.Itoa(length(val)))
		}
		return number + " " + param + got(render(val))
	}
	if w, ok := siblingRule(tag); ok {
		return w + " " + sibling(param)
	}
	if f, ok := format(tag); ok {
		return "must be " + f + got(render(val))
	}
	rule := tag
	if param != "" {
		rule += "=" + param
	}
	return "failed rule " + rule + got(render(val))
}
