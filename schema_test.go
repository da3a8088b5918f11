package strata_test

import (
	"encoding/json"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/schematest"
)

type schemaBase struct {
	Region string `config:"region" validate:"oneof=eu us"`
}

type schemaTenant struct {
	Password string `config:"password" secret:"true"`
	Quota    int    `config:"quota" validate:"gte=0,lt=100"`
}

// schemaConfig uses every kind of field JSONSchema describes.
type schemaConfig struct {
	schemaBase `config:",squash"`

	Listen   string                  `config:"listen" default:":8080" validate:"required,hostname_port" doc:"address to serve on"`
	Timeout  time.Duration           `config:"timeout" default:"5s"`
	Admin    string                  `validate:"omitempty,email"` // untagged: snake_case "admin"
	HTTPPort int                     `validate:"min=1,max=65535" default:"80"`
	Peer     netip.Addr              `config:"peer"`
	Bind     string                  `config:"bind" validate:"omitempty,ip"`
	Callback string                  `config:"callback" validate:"omitempty,url"`
	Name     string                  `config:"name" validate:"required,len=3"`
	Hosts    []string                `config:"hosts" validate:"max=3,dive,hostname"`
	Ratio    float64                 `config:"ratio" validate:"gt=0,lte=1" default:"0.5"`
	Tenants  map[string]schemaTenant `config:"tenants"`
	Flags    map[string]bool         `config:"flags"`
	Ignored  string                  `config:"-"`
	DB       struct {
		DSN      string `config:"dsn" validate:"required" secret:"true"`
		MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
	} `config:"db"`
}

func schemaOf[T any](t *testing.T, opts ...strata.SchemaOptions) []byte {
	t.Helper()
	s, err := strata.JSONSchema[T](opts...)
	require.NoError(t, err)
	return s
}

// TestJSONSchemaValidates runs a real JSON Schema validator over documents
// strata accepts and documents it rejects.
func TestJSONSchemaValidates(t *testing.T) {
	schema := schemaOf[schemaConfig](t)
	valid := "name: abc\nregion: eu\ndb: {dsn: 'postgres://x', max_conns: 20}\n"
	tests := []struct {
		name string
		doc  string
		ok   bool
	}{
		{"minimal", valid, true},
		{"everything", valid + "listen: 'localhost:9000'\ntimeout: 1m30s\nadmin: ops@example.com\nhttp_port: 8081\npeer: 10.0.0.1\nbind: '::1'\ncallback: https://x.example/cb\nhosts: [a.example, b]\nratio: 1\ntenants: {acme: {password: p, quota: 5}}\nflags: {beta: true}\nunknown_key: 1\n", true},
		{"empty omitempty values", valid + "admin: ''\nbind: ''\n", true},
		{"duration as nanoseconds", valid + "timeout: 1000\n", true},
		{"missing required nested", "name: abc\ndb: {max_conns: 2}\n", false},
		{"missing required top", "db: {dsn: x}\n", false},
		{"below min", valid + "db: {dsn: x, max_conns: 0}\n", false},
		{"above max", "name: abc\ndb: {dsn: x, max_conns: 501}\n", false},
		{"wrong type", "name: abc\ndb: {dsn: x, max_conns: ten}\n", false},
		{"bad duration", valid + "timeout: soon\n", false},
		{"bad host port", valid + "listen: localhost\n", false},
		{"oneof", valid + "region: mars\n", false},
		{"len", "name: abcd\ndb: {dsn: x}\n", false},
		{"email", valid + "admin: not-an-email\n", false},
		{"ip", valid + "bind: 999.1.1.1\n", false},
		{"url", valid + "callback: '::'\n", false},
		{"list max", valid + "hosts: [a, b, c, d]\n", false},
		{"dive", valid + "hosts: ['bad host!']\n", false},
		{"exclusive min", valid + "ratio: 0\n", false},
		{"lte", valid + "ratio: 1.5\n", false},
		{"map element lt", valid + "tenants: {acme: {quota: 100}}\n", false},
		{"map value type", valid + "flags: {beta: maybe}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := schematest.Validate(schema, []byte(tt.doc))
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// TestJSONSchemaKeywords checks the annotations a validator does not
// enforce: defaults, descriptions, writeOnly, key names.
func TestJSONSchemaKeywords(t *testing.T) {
	var s map[string]any
	require.NoError(t, json.Unmarshal(schemaOf[schemaConfig](t), &s))
	props := s["properties"].(map[string]any)
	prop := func(path ...string) map[string]any {
		p := props
		var out map[string]any
		for i, k := range path {
			out = p[k].(map[string]any)
			if i < len(path)-1 {
				p = out["properties"].(map[string]any)
			}
		}
		return out
	}
	assert.Equal(t, strata.SchemaDialect, s["$schema"])
	assert.NotContains(t, props, "Ignored")
	assert.NotContains(t, props, "-")
	assert.Contains(t, props, "region", "squashed fields sit at the parent's level")
	assert.Contains(t, props, "http_port", "untagged fields are snake_case")
	assert.Equal(t, "5s", prop("timeout")["default"])
	assert.Equal(t, 0.5, prop("ratio")["default"])
	assert.Equal(t, float64(10), prop("db", "max_conns")["default"])
	assert.Equal(t, "address to serve on", prop("listen")["description"])
	assert.Equal(t, true, prop("db", "dsn")["writeOnly"])
	assert.Equal(t, "string", prop("peer")["type"], "TextUnmarshalers are strings")
	tenant := prop("tenants")["additionalProperties"].(map[string]any)
	assert.Equal(t, true, tenant["properties"].(map[string]any)["password"].(map[string]any)["writeOnly"])
	assert.ElementsMatch(t, []any{"db", "name"}, s["required"], "listen has a default, so it is not required")
	assert.NotContains(t, s, "additionalProperties")
}

func TestJSONSchemaOptions(t *testing.T) {
	type yamlTagged struct {
		Port  int    `yaml:"port" validate:"required"`
		Token string `yaml:"token"`
	}
	schema := schemaOf[yamlTagged](t, strata.SchemaOptions{
		Options: strata.Options{TagName: "yaml", Strict: true, Secrets: []string{"token"}},
		ID:      "https://example.com/config.schema.json",
	})
	assert.NoError(t, schematest.Validate(schema, []byte("port: 1\n")))
	assert.Error(t, schematest.Validate(schema, []byte("port: 1\nprot: 2\n")), "Strict: unknown keys are errors")
	assert.Error(t, schematest.Validate(schema, []byte("token: x\n")), "port is required")

	var s map[string]any
	require.NoError(t, json.Unmarshal(schema, &s))
	assert.Equal(t, "https://example.com/config.schema.json", s["$id"])
	assert.Equal(t, true, s["properties"].(map[string]any)["token"].(map[string]any)["writeOnly"])

	partial := schemaOf[yamlTagged](t, strata.SchemaOptions{Options: strata.Options{TagName: "yaml"}, Partial: true})
	assert.NoError(t, schematest.Validate(partial, []byte("token: x\n")), "Partial: nothing is required")

	_, err := strata.JSONSchema[int]()
	assert.Error(t, err)
}

// TestJSONSchemaRecursive: a recursive type is described without looping.
func TestJSONSchemaRecursive(t *testing.T) {
	type node struct {
		Name string `config:"name"`
		Next *node  `config:"next"`
	}
	type cfg struct {
		Root node `config:"root"`
	}
	schema := schemaOf[cfg](t)
	assert.NoError(t, schematest.Validate(schema, []byte("root: {name: a, next: {name: b}}\n")))
}

// TestJSONSchemaExampleFile: the example documents of this repository
// conform to the schema of their type.
func TestJSONSchemaExampleFile(t *testing.T) {
	doc, err := os.ReadFile("examples/consul-reload/config.yaml")
	require.NoError(t, err)
	assert.NoError(t, schematest.Validate(schemaOf[ExampleConfig](t, strata.SchemaOptions{Partial: true}), doc))
}
