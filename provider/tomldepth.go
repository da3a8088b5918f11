package provider

import (
	"bytes"
	"strings"
)

// tomlDepth scans TOML text for the nesting depth its parsed content would
// have, stopping with a *DepthError at the first value deeper than limit.
// It exists because go-toml has no depth limit of its own: it spends about
// a kilobyte per level and recurses once per level, so a 16 MiB file of
// brackets could exhaust memory or overflow the stack before any check on
// the parsed tree runs.
//
// This is not a parser. It follows only what decides depth: comments,
// strings (which may hold brackets and dots), table headers with the
// arrays of tables declared so far, dotted keys, and the arrays and inline
// tables of values. On valid TOML its figure is the parsed depth, except
// that a header naming an array of tables with a different quoting ("a"
// for a) counts one level less for it; on invalid TOML it may be anything,
// and the parser rejects the text anyway. So what passes the scan parses
// into at most about twice limit levels, which CheckDepth then bounds
// exactly.
//
// It returns the deepest path length seen, up to the first one over limit.
func tomlDepth(b []byte, limit int) (int, error) {
	s := tomlScan{b: b, line: 1, limit: limit, names: map[tomlName]int{}, aot: map[int]bool{}, keyMode: true}
	err := s.run()
	return s.deepest, err
}

type tomlFrame struct {
	table bool // an inline table ({), else an array ([)
	base  int  // path length of the container's elements or keys
}

// tomlName is a header path: the number of its parent path and its last
// segment as written.
type tomlName struct {
	parent int
	seg    string
}

type tomlScan struct {
	b     []byte
	i     int
	line  int
	limit int

	deepest int // the deepest path length seen

	// names numbers each header path seen, one segment at a time, so that
	// looking a path up costs its length, not its length times its depth.
	names map[tomlName]int
	aot   map[int]bool // the header paths declared as [[arrays of tables]]
	table int          // path length of the current [table]
	stack []tomlFrame  // open arrays and inline tables of a value

	keyMode bool // reading a key, else a value
	segs    int  // segments of the key read so far
	cur     int  // path length of the value being read
}

func (s *tomlScan) tooDeep(depth int) error {
	s.deepest = max(s.deepest, depth)
	if depth > s.limit {
		return &DepthError{Line: s.line}
	}
	return nil
}

func (s *tomlScan) run() error {
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '\n':
			s.line++
			s.i++
			if len(s.stack) == 0 {
				s.keyMode, s.segs = true, 0
			}
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
		case c == '#':
			s.skipComment()
		case c == '"' || c == '\'':
			s.skipString()
			if err := s.token(); err != nil {
				return err
			}
		case s.keyMode:
			if err := s.key(c); err != nil {
				return err
			}
		default:
			if err := s.value(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// token notes that a key segment or a scalar value started.
func (s *tomlScan) token() error {
	if s.keyMode {
		s.segs = max(s.segs, 1)
		return nil
	}
	if len(s.stack) > 0 && !s.stack[len(s.stack)-1].table {
		// An element of an array.
		return s.tooDeep(s.stack[len(s.stack)-1].base)
	}
	return nil
}

func (s *tomlScan) key(c byte) error {
	switch c {
	case '[':
		if len(s.stack) == 0 && s.segs == 0 {
			return s.header()
		}
		s.i++
	case '.':
		s.segs++
		s.i++
	case '=':
		s.i++
		base := s.table
		if len(s.stack) > 0 {
			base = s.stack[len(s.stack)-1].base
		}
		s.keyMode, s.cur = false, base+s.segs
		return s.tooDeep(s.cur)
	case '}', ',':
		// An empty inline table, or a stray comma: no key follows.
		s.keyMode = false
		return s.value(c)
	default:
		s.segs = max(s.segs, 1)
		s.i++
	}
	return nil
}

func (s *tomlScan) value(c byte) error {
	top := len(s.stack) - 1
	switch c {
	case '[':
		if err := s.token(); err != nil {
			return err
		}
		s.i++
		s.cur++
		s.stack = append(s.stack, tomlFrame{base: s.cur})
	case '{':
		if err := s.token(); err != nil {
			return err
		}
		s.i++
		s.stack = append(s.stack, tomlFrame{table: true, base: s.cur})
		s.keyMode, s.segs = true, 0
	case ',':
		s.i++
		if top >= 0 {
			if s.stack[top].table {
				s.keyMode, s.segs = true, 0
			} else {
				s.cur = s.stack[top].base
			}
		}
	case ']', '}':
		s.i++
		if top >= 0 {
			s.stack = s.stack[:top]
		}
	default:
		// A bare scalar: a number, bool, date or time. Skip the rest of
		// it so that a float's dot or a time's colons are not read again.
		if err := s.token(); err != nil {
			return err
		}
		for s.i < len(s.b) && !strings.ContainsRune(" \t\r\n#,[]{}\"'", rune(s.b[s.i])) {
			s.i++
		}
	}
	return nil
}

// header reads a [table] or [[array of tables]] header line.
func (s *tomlScan) header() error {
	s.i++
	array := s.i < len(s.b) && s.b[s.i] == '['
	if array {
		s.i++
	}
	var (
		depth int
		name  int // the number of the path read so far; 0 for none
		start = s.i
	)
	// Each level below an array of tables declared earlier adds one: the
	// header names a key of that array's last element.
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' || c == '\'' {
			s.skipString()
			continue
		}
		if c == '.' || c == ']' || c == '\n' {
			if name != 0 && s.aot[name] {
				depth++
			}
			depth++
			if err := s.tooDeep(depth); err != nil {
				return err
			}
			n := tomlName{parent: name, seg: string(bytes.TrimSpace(s.b[start:s.i]))}
			if name = s.names[n]; name == 0 {
				name = len(s.names) + 1
				s.names[n] = name
			}
			if c != '.' {
				break
			}
			start = s.i + 1
		}
		s.i++
	}
	if array {
		// The table is an element of the array.
		depth++
		s.aot[name] = true
	}
	s.table = depth
	s.keyMode, s.segs = true, 0
	// The rest of the line is "]", "]]", and perhaps a comment.
	for s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
	}
	return s.tooDeep(depth)
}

func (s *tomlScan) skipComment() {
	for s.i < len(s.b) && s.b[s.i] != '\n' {
		s.i++
	}
}

// skipString skips a basic, literal or multi-line string starting at s.i.
// A single-line string ends at a newline as well, where TOML says it is
// invalid, so one bad quote cannot hide the rest of the file from the scan.
func (s *tomlScan) skipString() {
	q := s.b[s.i]
	triple := bytes.HasPrefix(s.b[s.i:], []byte{q, q, q})
	if triple {
		s.i += 3
	} else {
		s.i++
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '\\' && q == '"':
			if s.i+1 < len(s.b) && s.b[s.i+1] == '\n' {
				s.line++
			}
			s.i += 2
			continue
		case c == '\n':
			if !triple {
				return
			}
			s.line++
		case c == q && !triple:
			s.i++
			return
		case c == q && bytes.HasPrefix(s.b[s.i:], []byte{q, q, q}):
			// Up to two more quotes may end the string's content.
			s.i += 3
			for n := 0; n < 2 && s.i < len(s.b) && s.b[s.i] == q; n++ {
				s.i++
			}
			return
		}
		s.i++
	}
}
