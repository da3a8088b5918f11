package provider

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Snapshot is the whole content of one layer at one moment. Snapshots are
// treated as immutable once returned: neither strata nor the provider may
// modify Data or Origins afterwards. A Snapshot is a value: its methods
// only read it and may be called from any number of goroutines at once.
type Snapshot struct {
	// Data is the layer's content as a nested map. Nested maps are
	// map[string]any; leaves are strings, numbers, bools, or []any.
	Data map[string]any

	// Version identifies the content, for example a Consul index or a hash
	// of a file. It is shown in Status; strata does not interpret it.
	Version string

	// Origins maps a dotted leaf key ("db.max_conns") to where its value
	// came from. A key missing here falls back to OriginRule, then to
	// Source.
	Origins map[string]Origin

	// OriginRule, when set, derives the origin of a leaf from its key
	// instead of storing one per key in Origins: a layer whose keys map
	// one to one onto the backend's keys (a Consul or etcd prefix) sets it
	// and keeps Origins for the few keys the rule cannot name. See
	// OriginOf.
	OriginRule OriginRule

	// Source is the origin used for keys that have no entry in Origins and
	// that OriginRule does not name, for example the file every key of a
	// document came from.
	Source Origin

	// ReadAt is when the content was read from the backend.
	ReadAt time.Time

	// Stale is true when the content is not known to be current, for
	// example when it comes from a last-known-good cache or from a Consul
	// server that lost contact with its leader.
	Stale bool

	// Info carries backend facts shown in Status (for example
	// "datacenter": "dc2"). It must not contain secrets.
	Info map[string]string

	// Delta, when set, says where Data differs from an earlier snapshot's,
	// so that a reload compares only there. It is optional; see Delta.
	Delta *Delta
}

// OriginOf returns where the value at the dotted key came from: its entry
// in Origins if it has one; else, when OriginRule is set and key, split at
// every '.', is the path of a leaf (a value that is not a map) in Data, the
// origin the rule gives; else Source. It allocates only the Ref the rule
// builds.
func (s Snapshot) OriginOf(key string) Origin {
	if o, ok := s.Origins[key]; ok {
		return o
	}
	if s.OriginRule != (OriginRule{}) && isLeaf(s.Data, key) {
		return s.OriginRule.Origin(key)
	}
	return s.Source
}

// OriginRule derives a leaf's origin from its dotted key, for a layer whose
// every leaf comes from a backend key named by its path: the leaf
// "db.max_conns" of a Consul prefix "services/orders/" comes from the key
// "services/orders/db/max_conns". It is comparable, so two snapshots of the
// same layer compare equal (==) when they carry the same rule. Its zero
// value is no rule.
//
// A key segment that itself holds a '.' cannot be recovered from the dotted
// key; a layer using a rule records such leaves in Snapshot.Origins, which
// OriginOf consults first.
type OriginRule struct {
	// Kind is the Kind of every origin the rule gives ("consul key").
	Kind string
	// Prefix is prepended to the joined segments: the backend's prefix,
	// with its trailing separator.
	Prefix string
	// Sep joins the key's segments ("/").
	Sep string
}

// Origin returns the origin the rule gives the dotted key: Kind, and Ref =
// Prefix followed by key's '.'-separated segments joined with Sep. It does
// not check that the key exists; Snapshot.OriginOf does.
func (r OriginRule) Origin(key string) Origin {
	path := key
	if r.Sep != "." {
		path = strings.ReplaceAll(key, ".", r.Sep)
	}
	return Origin{Kind: r.Kind, Ref: r.Prefix + path}
}

// isLeaf reports whether key, split at every '.', leads through maps of
// data to a value that is not a map. Walked in place: no slice per call.
func isLeaf(data map[string]any, key string) bool {
	node := data
	for {
		seg, rest, more := strings.Cut(key, ".")
		v, ok := node[seg]
		if !ok {
			return false
		}
		m, isMap := v.(map[string]any)
		if !more {
			return !isMap
		}
		if !isMap {
			return false
		}
		node, key = m, rest
	}
}

// Origin says where one value came from, in the words an operator uses.
type Origin struct {
	// Kind names the kind of source: "file", "env", "consul key",
	// "default tag", or the name a custom layer chooses.
	Kind string `json:"kind"`
	// Ref names the exact source: a file path, an environment variable, a
	// Consul key, a struct field.
	Ref string `json:"ref"`
	// Line is the 1-based line in a file, or 0 when unknown.
	Line int `json:"line,omitempty"`
}

// String renders the origin as "consul key services/orders/db/max_conns",
// "env ORDERS_DB__MAX_CONNS" or "file config.yaml:12".
func (o Origin) String() string {
	switch {
	case o.Kind == "" && o.Ref == "":
		return "unknown"
	case o.Ref == "":
		return o.Kind
	case o.Line > 0:
		return o.Kind + " " + o.Ref + ":" + strconv.Itoa(o.Line)
	case o.Kind == "":
		return o.Ref
	default:
		return fmt.Sprintf("%s %s", o.Kind, o.Ref)
	}
}
