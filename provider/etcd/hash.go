package etcd

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
)

// contentHash identifies a layer's content so that unchanged data is never
// delivered twice: the same nested map, whatever the revision or key order,
// hashes the same.
func contentHash(data map[string]any) [32]byte {
	return sha256.Sum256(appendCanonical(nil, data))
}

// appendCanonical appends an unambiguous encoding of v: a type tag and a
// length, then the content, maps in key order.
func appendCanonical(b []byte, v any) []byte {
	switch t := v.(type) {
	case map[string]any:
		b = appendTag(b, 'm', len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			b = append(appendTag(b, 'k', len(k)), k...)
			b = appendCanonical(b, t[k])
		}
	case []any:
		b = appendTag(b, 'l', len(t))
		for _, e := range t {
			b = appendCanonical(b, e)
		}
	case string:
		b = append(appendTag(b, 's', len(t)), t...)
	default:
		s := fmt.Sprintf("%T:%v", t, t)
		b = append(appendTag(b, 'v', len(s)), s...)
	}
	return b
}

func appendTag(b []byte, tag byte, n int) []byte {
	return binary.AppendUvarint(append(b, tag), uint64(n))
}
