package bench

import (
	"encoding/json"
	"fmt"
)

// DB is the nested part every workload reads.
type DB struct {
	DSN      string `config:"dsn"       koanf:"dsn"       mapstructure:"dsn"`
	MaxConns int    `config:"max_conns" koanf:"max_conns" mapstructure:"max_conns" default:"10" validate:"min=1"`
}

// Config is the configuration type every library decodes into. The tags
// name the same keys for strata (config), koanf (koanf) and viper
// (mapstructure), so that every library does the same work.
type Config struct {
	Listen string            `config:"listen" koanf:"listen" mapstructure:"listen" default:":8080"`
	DB     DB                `config:"db"     koanf:"db"     mapstructure:"db"`
	Keys   map[string]string `config:"keys"   koanf:"keys"   mapstructure:"keys"`
}

// KeyName is the name of the i-th filler key below "keys".
func KeyName(i int) string { return fmt.Sprintf("k%05d", i) }

// Tree returns a nested map with n filler keys below "keys" and
// db.max_conns = maxConns. Values are strings, as Consul and environment
// variables deliver them, so every library has to convert max_conns.
func Tree(n, maxConns int) map[string]any {
	keys := make(map[string]any, n)
	for i := range n {
		keys[KeyName(i)] = fmt.Sprintf("value-%d-%d", i, maxConns)
	}
	return map[string]any{
		"listen": ":8080",
		"db":     map[string]any{"dsn": "postgres://db/orders", "max_conns": fmt.Sprint(maxConns)},
		"keys":   keys,
	}
}

// TypedTree is Tree with an int max_conns, as a YAML or JSON file would
// give it; the read benchmarks use it so that koanf and viper need no
// string conversion on every read.
func TypedTree(n, maxConns int) map[string]any {
	t := Tree(n, maxConns)
	t["db"].(map[string]any)["max_conns"] = maxConns
	return t
}

// Pairs returns the Consul keys (below prefix, which ends in "/") and
// values that make up Tree(n, maxConns) in tree mode.
func Pairs(prefix string, n, maxConns int) map[string]string {
	out := make(map[string]string, n+3)
	out[prefix+"listen"] = ":8080"
	out[prefix+"db/dsn"] = "postgres://db/orders"
	out[prefix+"db/max_conns"] = fmt.Sprint(maxConns)
	for i := range n {
		out[prefix+"keys/"+KeyName(i)] = fmt.Sprintf("value-%d-%d", i, maxConns)
	}
	return out
}

// Document returns Tree(n, maxConns) as one JSON document, the only shape
// viper's remote Consul support reads (one key holding a file).
func Document(n, maxConns int) []byte {
	b, err := json.Marshal(TypedTree(n, maxConns))
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return b
}
