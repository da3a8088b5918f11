package consul

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/strata-go/strata/provider"
)

// listEntry is the part of one entry of a recursive KV List answer that a
// tree layer uses; the other fields (CreateIndex, LockIndex, Session,
// Namespace, Partition) are skipped by the decoder without being stored.
// Value stays raw: its buffer is reused from one entry to the next, and
// base64 is decoded once, straight into the leaf's string.
type listEntry struct {
	Key         string
	Flags       uint64
	ModifyIndex uint64
	Value       json.RawMessage
}

// decodeList reads a recursive KV List answer (a JSON array of entries,
// Value in base64 or null) from r one entry at a time and returns the
// tree and origins buildTree would return for the same pairs, without an
// intermediate []*api.KVPair. It returns an error for an answer that is
// not such an array, naming the offending key when there is one.
func decodeList(prefix string, r io.Reader) (map[string]any, map[string]provider.Origin, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the list answer: %w", err)
	}
	if tok == nil { // "null": no entries
		return buildTreeFrom(prefix, nil, true)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, nil, fmt.Errorf("decoding the list answer: want an array, got %v", tok)
	}
	var (
		e    listEntry
		buf  []byte
		keys []string
		vals []string
	)
	for dec.More() {
		e = listEntry{Value: e.Value[:0]}
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("decoding the list answer: %w", err)
		}
		val := ""
		if len(e.Value) > 0 && string(e.Value) != "null" {
			if val, err = decodeValue(e.Value, &buf); err != nil {
				return nil, nil, fmt.Errorf("key %q: %w", bounded(e.Key), err)
			}
		}
		keys, vals = append(keys, e.Key), append(vals, val)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("decoding the list answer: %w", err)
	}
	return buildTreeFrom(prefix, pairList{keys: keys, vals: vals}, true)
}

// decodeValue decodes a List entry's Value, a JSON string holding base64,
// into a string, through buf (reused between entries).
func decodeValue(raw json.RawMessage, buf *[]byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", errors.New("value is not a base64 string")
	}
	s := raw[1 : len(raw)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		// An escaped character: let encoding/json unquote it (Consul
		// itself never escapes base64).
		var b []byte
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", fmt.Errorf("value is not base64: %w", err)
		}
		return string(b), nil
	}
	var err error
	*buf, err = base64.StdEncoding.AppendDecode((*buf)[:0], s)
	if err != nil {
		return "", fmt.Errorf("value is not base64: %w", err)
	}
	return string(*buf), nil
}
