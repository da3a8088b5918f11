package consul

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeList reads a recursive KV List answer (a JSON array of entries,
// Value in base64 or null) from r, one token at a time, into the pairs the
// tree is built from: no []*api.KVPair, no struct per entry, and base64
// decoded once, straight into the value. The other fields of an entry
// (Flags, indexes, Session, Namespace, Partition) are skipped unread.
//
// hint is the tree delivered last for prefix, or nil. An entry whose key
// names a leaf of hint holding its value reuses the leaf's string: an
// unchanged value allocates nothing, and comparing the answer with the
// delivered tree afterwards (patchTree) finds equal strings by pointer.
// Keys are not kept between answers: the answer's keys are all in one
// string (one allocation), and keys[i] is a substring of it; buildTree
// copies the segments it keeps. The slices are sized for hint's leaves:
// an answer of the same keys grows none of them.
//
// An answer that is not such an array is an error naming the offending key
// when there is one. A read error of r (the connection, the context) is
// returned unwrapped by this package's words, so the caller can tell it
// from bad data with errors.Is/As on r's own error (see streamTransport).
func decodeList(r io.Reader, prefix string, hint *builtTree) (pairList, error) {
	dec := jsontext.NewDecoder(r)
	var out pairList
	switch dec.PeekKind() {
	case 'n': // "null": no entries
		if _, err := dec.ReadToken(); err != nil {
			return pairList{}, listError(err)
		}
		return out, nil
	case '[':
	default:
		if _, err := dec.ReadValue(); err != nil {
			return pairList{}, listError(err)
		}
		return pairList{}, errors.New("decoding the list answer: want an array")
	}
	if _, err := dec.ReadToken(); err != nil {
		return pairList{}, listError(err)
	}
	ed := entryDecoder{prefix: prefix}
	// ends[i] is where key i ends in ed.keys.
	var ends []int
	if hint != nil {
		// With room for a few folder keys ("db/"), which are no leaves.
		n := hint.leaves + hint.leaves/32 + 8
		ed.hint, ends, out.vals = hint.data, make([]int, 0, n), make([]string, 0, n)
		ed.keys = make([]byte, 0, hint.keyBytes+hint.keyBytes/32+64)
	}
	for dec.PeekKind() != ']' {
		val, err := ed.entry(dec)
		if err != nil {
			return pairList{}, err
		}
		ends, out.vals = append(ends, len(ed.keys)), append(out.vals, val)
	}
	if _, err := dec.ReadToken(); err != nil {
		return pairList{}, listError(err)
	}
	all := string(ed.keys)
	out.keys = make([]string, len(ends))
	start := 0
	for i, end := range ends {
		out.keys[i], start = all[start:end], end
	}
	return out, nil
}

// listError words a decoding error of the answer as a whole.
func listError(err error) error {
	return fmt.Errorf("decoding the list answer: %w", err)
}

// entryDecoder decodes one entry at a time, reusing its buffers.
type entryDecoder struct {
	prefix string
	hint   map[string]any // see decodeList

	keys []byte // every key so far, unquoted, one after the other
	raw  []byte // the quoted base64 value, kept until the key is known
	val  []byte // the base64-decoded value
	tmp  []byte // an unquoted value holding escapes
}

// entry decodes one object of the answer, appends its key to ed.keys and
// returns its value, the hint's string when it holds the same.
func (ed *entryDecoder) entry(dec *jsontext.Decoder) (string, error) {
	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return "", listError(err)
		}
		return "", errors.New("decoding the list answer: an entry is not an object")
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", listError(err)
	}
	var (
		key    []byte // the unquoted key, within ed.keys
		val    string
		hasVal bool
	)
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return "", listError(err)
		}
		switch string(name) { // Consul never escapes its field names
		case `"Key"`:
			v, err := dec.ReadValue()
			if err != nil {
				return "", listError(err)
			}
			if v.Kind() != '"' {
				return "", errors.New("decoding the list answer: a key is not a string")
			}
			start := len(ed.keys) - len(key) // a repeated Key field replaces the first
			if ed.keys, err = jsontext.AppendUnquote(ed.keys[:start], v); err != nil {
				return "", listError(err)
			}
			key = ed.keys[start:]
		case `"Value"`:
			v, err := dec.ReadValue()
			if err != nil {
				return "", listError(err)
			}
			switch v.Kind() {
			case 'n':
				hasVal = false
			case '"':
				// Kept raw until the key is known, to name it in an error.
				ed.raw, hasVal = append(ed.raw[:0], v...), true
			default:
				return "", fmt.Errorf("key %q: value is not a base64 string", bounded(string(key)))
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return "", listError(err)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", listError(err)
	}
	if hasVal {
		b, err := ed.base64(ed.raw)
		if err != nil {
			return "", fmt.Errorf("key %q: %w", bounded(string(key)), err)
		}
		val = reuse(b, hintLeaf(ed.hint, ed.prefix, key))
	}
	return val, nil
}

// hintLeaf returns the string leaf of tree at key, a key below prefix, or
// "" when there is none. It allocates nothing.
func hintLeaf(tree map[string]any, prefix string, key []byte) string {
	if tree == nil || len(key) < len(prefix) || string(key[:len(prefix)]) != prefix {
		return ""
	}
	rel := key[len(prefix):]
	for {
		i := bytes.IndexByte(rel, '/')
		if i < 0 {
			s, _ := tree[string(rel)].(string)
			return s
		}
		sub, ok := tree[string(rel[:i])].(map[string]any)
		if !ok {
			return ""
		}
		tree, rel = sub, rel[i+1:]
	}
}

// base64 decodes a Value, a quoted JSON string holding base64, into ed.val.
func (ed *entryDecoder) base64(quoted []byte) ([]byte, error) {
	s := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		// An escaped character (Consul itself never escapes base64).
		var err error
		if ed.tmp, err = jsontext.AppendUnquote(ed.tmp[:0], quoted); err != nil {
			return nil, fmt.Errorf("value is not base64: %w", err)
		}
		s = ed.tmp
	}
	var err error
	if ed.val, err = base64.StdEncoding.AppendDecode(ed.val[:0], s); err != nil {
		return nil, fmt.Errorf("value is not base64: %w", err)
	}
	return ed.val, nil
}

// reuse returns prev when it holds b, else b as a new string.
func reuse(b []byte, prev string) string {
	if string(b) == prev { // compared without allocating
		return prev
	}
	return string(b)
}
