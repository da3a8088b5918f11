package env

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/strata-go/strata/provider"
)

// keyOf returns the dotted key for a matching variable name.
func (p *Provider) keyOf(name string) (string, error) {
	rest := strings.ToLower(name[len(p.prefix):])
	if rest == "" {
		return "", errors.New("nothing after the prefix")
	}
	// Checked first, so that nothing after grows with a name's depth: a
	// variable may be 128 KiB long.
	if n := strings.Count(rest, p.sep) + 1; n > provider.MaxDepth {
		return "", tooDeep(n)
	}
	segs := strings.Split(rest, p.sep)
	for _, s := range segs {
		switch {
		case s == "":
			return "", fmt.Errorf("empty key: leading, trailing or repeated %q", p.sep)
		case strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_"):
			return "", errors.New("leading, trailing or repeated underscore")
		case strings.Contains(s, "."):
			return "", errors.New(`contains ".", which separates keys`)
		}
	}
	if p.schema == nil || p.sep == "_" {
		return strings.Join(segs, "."), nil
	}
	key, all := p.schema.resolve(segs)
	if len(all) > 1 {
		return "", p.ambiguous(name, all)
	}
	// Single underscores may stand for more levels than "__" gave.
	if n := strings.Count(key, ".") + 1; n > provider.MaxDepth {
		return "", tooDeep(n)
	}
	return key, nil
}

func tooDeep(levels int) error {
	return fmt.Errorf("nests %d levels deep, more than %d (provider.MaxDepth)", levels, provider.MaxDepth)
}

// maxNameInError bounds how much of a variable's name an error repeats: a
// name may be 128 KiB long.
const maxNameInError = 200

// shorten cuts a long variable name for an error.
func shorten(name string) string {
	if len(name) <= maxNameInError {
		return name
	}
	return name[:maxNameInError] + "…"
}

// ambiguous explains which keys name could mean and, for each key that has
// one, the explicit spelling that selects it.
func (p *Provider) ambiguous(name string, keys []string) error {
	last := len(keys) - 1
	msg := "ambiguous: could be " + strings.Join(keys[:last], ", ") + " or " + keys[last]
	var hints []string
	for _, k := range keys {
		if s := p.spell(k); !strings.EqualFold(s, name) {
			hints = append(hints, s+" for "+k)
		}
	}
	if len(hints) > 0 {
		msg += "; write " + strings.Join(hints, " or ")
	}
	return errors.New(msg)
}

// spell returns the variable name that selects key explicitly.
func (p *Provider) spell(key string) string {
	return p.prefix + strings.ToUpper(strings.ReplaceAll(key, ".", p.sep))
}

// conflicts reports two variables with the same key, and a key that is
// both a value and a parent of another. entries are sorted by name.
func (p *Provider) conflicts(entries []entry) []error {
	byKey := make(map[string]string, len(entries))
	var errs []error
	for _, e := range entries {
		if other, ok := byKey[e.key]; ok {
			errs = append(errs, p.errorf(other, "sets %s, as does %s", e.key, e.name))
			continue
		}
		byKey[e.key] = e.name
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for i := range len(k) {
			if k[i] != '.' {
				continue
			}
			if parent, ok := byKey[k[:i]]; ok {
				errs = append(errs, p.errorf(parent, "sets %s, which %s uses as the parent of %s",
					k[:i], byKey[k], k))
			}
		}
	}
	return errs
}

func (p *Provider) errorf(name, format string, args ...any) error {
	return provider.WrapError(p.Name(), name, fmt.Errorf(format, args...))
}
