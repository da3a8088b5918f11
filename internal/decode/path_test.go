package decode

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type pathEmbedded struct {
	Key string `config:"key" secret:"true"`
}

type pathCfg struct {
	Servers []struct {
		Host     string `config:"host"`
		Password string `config:"password" secret:"true"`
	} `config:"servers"`
	Tenants map[string]*struct {
		Replicas []struct {
			Key string `config:"key" secret:"true"`
		} `config:"replicas"`
	} `config:"tenants"`
	Creds        map[string]string `config:"creds" secret:"true"`
	pathEmbedded `config:",squash"`
}

// TestPathAgreesWithIsSecret: walking a Path step by step answers as
// IsSecret does for the whole key, at every depth.
func TestPathAgreesWithIsSecret(t *testing.T) {
	d, err := New(reflect.TypeFor[pathCfg](), Options{})
	require.NoError(t, err)
	root := d.Root()
	tests := []struct {
		key  string
		path Path
		want bool
	}{
		{"servers[0].password", root.Key("servers").Item().Key("password"), true},
		{"servers[0].host", root.Key("servers").Item().Key("host"), false},
		{"tenants.acme.replicas[2].key", root.Key("tenants").Key("acme").Key("replicas").Item().Key("key"), true},
		{"creds.x", root.Key("creds").Key("x"), true},
		{"key", root.Key("key"), true},
		{"unknown.x", root.Key("unknown").Key("x"), false},
		{"servers.password", root.Key("servers").Key("password"), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.path.Secret(), tt.key)
		assert.Equal(t, d.IsSecret(tt.key), tt.path.Secret(), "IsSecret(%q)", tt.key)
	}
	assert.False(t, Path{}.Key("x").Item().Secret(), "the zero Path is below no field")
}
