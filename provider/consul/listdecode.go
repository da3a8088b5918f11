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
// hint is the previous answer's pairs, or empty. An entry whose key and
// value are those of hint's entry at the same position reuses hint's
// strings: a steady prefix allocates nothing per unchanged key, and
// comparing the two answers afterwards finds equal strings by pointer.
//
// An answer that is not such an array is an error naming the offending key
// when there is one. A read error of r (the connection, the context) is
// returned unwrapped by this package's words, so the caller can tell it
// from bad data with errors.Is/As on r's own error (see streamTransport).
func decodeList(r io.Reader, hint pairList) (pairList, error) {
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
	var ed entryDecoder
	for dec.PeekKind() != ']' {
		i := len(out.keys)
		var prevKey, prevVal string
		if i < len(hint.keys) {
			prevKey, prevVal = hint.keys[i], hint.vals[i]
		}
		key, val, err := ed.entry(dec, prevKey, prevVal)
		if err != nil {
			return pairList{}, err
		}
		out.keys, out.vals = append(out.keys, key), append(out.vals, val)
	}
	if _, err := dec.ReadToken(); err != nil {
		return pairList{}, listError(err)
	}
	return out, nil
}

// listError words a decoding error of the answer as a whole.
func listError(err error) error {
	return fmt.Errorf("decoding the list answer: %w", err)
}

// entryDecoder decodes one entry at a time, reusing its buffers.
type entryDecoder struct {
	key []byte // the unquoted key
	raw []byte // the quoted base64 value, kept until the key is known
	val []byte // the base64-decoded value
	tmp []byte // an unquoted value holding escapes
}

// entry decodes one object of the answer into its key and value, reusing
// prevKey and prevVal when they are equal to what was read.
func (ed *entryDecoder) entry(dec *jsontext.Decoder, prevKey, prevVal string) (string, string, error) {
	if dec.PeekKind() != '{' {
		if _, err := dec.ReadValue(); err != nil {
			return "", "", listError(err)
		}
		return "", "", errors.New("decoding the list answer: an entry is not an object")
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", "", listError(err)
	}
	var (
		key, val string
		hasVal   bool
	)
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return "", "", listError(err)
		}
		switch string(name) { // Consul never escapes its field names
		case `"Key"`:
			v, err := dec.ReadValue()
			if err != nil {
				return "", "", listError(err)
			}
			if v.Kind() != '"' {
				return "", "", errors.New("decoding the list answer: a key is not a string")
			}
			if ed.key, err = jsontext.AppendUnquote(ed.key[:0], v); err != nil {
				return "", "", listError(err)
			}
			key = reuse(ed.key, prevKey)
		case `"Value"`:
			v, err := dec.ReadValue()
			if err != nil {
				return "", "", listError(err)
			}
			switch v.Kind() {
			case 'n':
				hasVal = false
			case '"':
				// Kept raw until the key is known, to name it in an error.
				ed.raw, hasVal = append(ed.raw[:0], v...), true
			default:
				return "", "", fmt.Errorf("key %q: value is not a base64 string", bounded(key))
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return "", "", listError(err)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return "", "", listError(err)
	}
	if hasVal {
		b, err := ed.base64(ed.raw)
		if err != nil {
			return "", "", fmt.Errorf("key %q: %w", bounded(key), err)
		}
		val = reuse(b, prevVal)
	}
	return key, val, nil
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
