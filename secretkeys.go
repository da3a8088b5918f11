package strata

import (
	"strconv"
	"strings"

	"github.com/strata-go/strata/internal/decode"
)

// Options.Secrets patterns are dotted keys naming a subtree whose values are
// secret. A segment "*" matches any one map key or list item, and "[*]" or
// "[N]" after a name is the same as ".*" or ".N", so that
// "webhooks[*].token", "webhooks.*.token" and "tenants.*.db.password" read
// as the keys strata reports ("webhooks[0].token").

// patNode is one step of the compiled Options.Secrets patterns.
type patNode struct {
	next map[string]*patNode // literal segments
	any  *patNode            // "*"
	end  bool                // a pattern ends here: everything below is secret
}

// compileSecrets builds the pattern trie. It is cheap (linear in the
// patterns' length), so walks compile it afresh instead of keeping state.
func compileSecrets(patterns []string) *patNode {
	if len(patterns) == 0 {
		return nil
	}
	root := &patNode{}
	for _, p := range patterns {
		segs := keySegments(p)
		if len(segs) == 0 {
			continue // an empty pattern names no key, not the whole config
		}
		n := root
		for _, seg := range segs {
			if seg == "*" {
				if n.any == nil {
					n.any = &patNode{}
				}
				n = n.any
				continue
			}
			if n.next == nil {
				n.next = map[string]*patNode{}
			}
			if n.next[seg] == nil {
				n.next[seg] = &patNode{}
			}
			n = n.next[seg]
		}
		n.end = true
	}
	return root
}

// keySegments splits "servers[0].tls.cert" into servers, 0, tls, cert.
func keySegments(key string) []string {
	return strings.FieldsFunc(key, func(r rune) bool { return r == '.' || r == '[' || r == ']' })
}

// cursor is a position in a configuration tree during a walk: the decoder's
// view of the type there and the patterns still matching. Stepping costs
// O(1) per level, so a walk is linear in the size of the tree instead of
// re-parsing a dotted key at every level.
type cursor struct {
	path   decode.Path
	pats   []*patNode
	secret bool
}

func (c *Config[T]) rootCursor() cursor {
	cur := cursor{path: c.dec.Root()}
	if root := compileSecrets(c.opts.Secrets); root != nil {
		cur.pats = []*patNode{root}
	}
	return cur
}

// key steps to a map entry or struct field.
func (c cursor) key(k string) cursor {
	if c.secret {
		return c
	}
	next := cursor{path: c.path.Key(k)}
	next.secret = next.path.Secret()
	if len(c.pats) > 0 && !next.secret {
		// A map key may itself contain dots (a Consul key "extra/a.b"):
		// match it part by part, as the dotted key reads.
		next.pats = c.pats
		for _, part := range strings.Split(k, ".") {
			next.pats = stepPatterns(next.pats, part)
		}
		next.secret = patternsEnd(next.pats)
	}
	return next
}

// item steps to the i-th element of a list.
func (c cursor) item(i int) cursor {
	if c.secret {
		return c
	}
	next := cursor{path: c.path.Item()}
	next.secret = next.path.Secret()
	if len(c.pats) > 0 && !next.secret {
		next.pats = stepPatterns(c.pats, strconv.Itoa(i))
		next.secret = patternsEnd(next.pats)
	}
	return next
}

func stepPatterns(pats []*patNode, seg string) []*patNode {
	var out []*patNode
	for _, n := range pats {
		if m := n.next[seg]; m != nil {
			out = append(out, m)
		}
		if n.any != nil {
			out = append(out, n.any)
		}
	}
	return out
}

func patternsEnd(pats []*patNode) bool {
	for _, n := range pats {
		if n.end {
			return true
		}
	}
	return false
}

// matchesSecretPattern reports whether the dotted key ("webhooks[0].token",
// "extra.api_key") lies in a subtree named by one of patterns.
func matchesSecretPattern(patterns []string, key string) bool {
	root := compileSecrets(patterns)
	if root == nil {
		return false
	}
	pats := []*patNode{root}
	for _, seg := range keySegments(key) {
		if pats = stepPatterns(pats, seg); len(pats) == 0 {
			return false
		}
		if patternsEnd(pats) {
			return true
		}
	}
	return false
}
