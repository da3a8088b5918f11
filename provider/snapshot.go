package provider

import (
	"fmt"
	"strconv"
	"time"
)

// Snapshot is the whole content of one layer at one moment. Snapshots are
// treated as immutable once returned: neither strata nor the provider may
// modify Data or Origins afterwards.
type Snapshot struct {
	// Data is the layer's content as a nested map. Nested maps are
	// map[string]any; leaves are strings, numbers, bools, or []any.
	Data map[string]any

	// Version identifies the content, for example a Consul index or a hash
	// of a file. It is shown in Status; strata does not interpret it.
	Version string

	// Origins maps a dotted leaf key ("db.max_conns") to where its value
	// came from. A key missing here falls back to Source.
	Origins map[string]Origin

	// Source is the origin used for keys that have no entry in Origins, for
	// example the file every key of a document came from.
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
}

// OriginOf returns where the value at the dotted key came from.
func (s Snapshot) OriginOf(key string) Origin {
	if o, ok := s.Origins[key]; ok {
		return o
	}
	return s.Source
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
