package consul

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLearnClient pins what learnClient reads from a user's client by
// reflection to the consul/api version in go.mod: a renamed field fails
// here rather than silently leaving a token unscrubbed.
func TestLearnClient(t *testing.T) {
	t.Parallel()
	if os.Getenv(api.HTTPTokenEnvName) != "" || os.Getenv(api.HTTPTokenFileEnvName) != "" {
		t.Skip("api.NewClient adds the token of CONSUL_HTTP_TOKEN(_FILE), set in this environment")
	}
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte("file-token\n"), 0o600))

	for _, tc := range []struct {
		name    string
		cfg     api.Config
		headers map[string]string
		want    clientSettings
	}{
		{
			name: "config token",
			cfg:  api.Config{Address: "10.0.0.1:8500", Scheme: "http", Token: "cfg-token"},
			want: clientSettings{token: "cfg-token", addr: "http://10.0.0.1:8500", known: true},
		},
		{
			name: "token file",
			cfg:  api.Config{Address: "10.0.0.1:8501", Scheme: "https", TokenFile: file},
			want: clientSettings{token: "file-token", tokenFile: file, addr: "https://10.0.0.1:8501", known: true},
		},
		{
			name: "no token",
			cfg:  api.Config{Address: "10.0.0.1:8500", Scheme: "http"},
			want: clientSettings{addr: "http://10.0.0.1:8500", known: true},
		},
		{
			name:    "header token",
			cfg:     api.Config{Address: "10.0.0.1:8500", Scheme: "http"},
			headers: map[string]string{"X-Consul-Token": "header-token"},
			want:    clientSettings{token: "header-token", addr: "http://10.0.0.1:8500", known: true},
		},
		{
			name:    "bearer token",
			cfg:     api.Config{Address: "10.0.0.1:8500", Scheme: "http"},
			headers: map[string]string{"Authorization": "Bearer bearer-token"},
			want:    clientSettings{token: "bearer-token", addr: "http://10.0.0.1:8500", known: true},
		},
		{
			name:    "config token over header, basic auth",
			cfg:     api.Config{Address: "10.0.0.1:8500", Scheme: "http", Token: "cfg-token", HttpAuth: &api.HttpBasicAuth{Username: "u", Password: "pw"}},
			headers: map[string]string{"X-Consul-Token": "header-token"},
			want: clientSettings{token: "cfg-token", addr: "http://10.0.0.1:8500", known: true,
				secrets: []string{"header-token", "pw"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := api.NewClient(&tc.cfg)
			require.NoError(t, err)
			for k, v := range tc.headers {
				c.AddHeader(k, v)
			}
			assert.Equal(t, tc.want, learnClient(c))
		})
	}
}
