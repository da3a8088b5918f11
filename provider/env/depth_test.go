package env_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/env"
)

// deepName is ORDERS_A__A__…__A with n segments.
func deepName(n int) string {
	return "ORDERS_" + strings.TrimSuffix(strings.Repeat("A__", n), "__")
}

// TestLoadTooDeep checks names against provider.MaxDepth: "__" nests, so
// a name can ask for any depth. 64 segments load; 65 are an error naming
// the variable but not its value; and a name of 40,000 segments (a
// 128 KiB variable, the most Linux passes) is refused as cheaply, before
// any work that grows with its depth.
func TestLoadTooDeep(t *testing.T) {
	for _, tt := range []struct {
		name  string
		segs  int
		sep   string
		wantE bool
	}{
		{name: "at the limit", segs: provider.MaxDepth},
		{name: "over the limit", segs: provider.MaxDepth + 1, wantE: true},
		{name: "far over the limit", segs: 40_000, wantE: true},
		{name: "with single underscores nesting", segs: provider.MaxDepth + 1, sep: "_", wantE: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := deepName(tt.segs)
			if tt.sep == "_" {
				name = "ORDERS_" + strings.TrimSuffix(strings.Repeat("A_", tt.segs), "_")
			}
			for _, schema := range []bool{false, true} {
				p := provider.Provider(env.New("ORDERS_", env.Options{
					Environ:   environ(name+"=hunter2", "ORDERS_OK=1"),
					Separator: tt.sep,
				}))
				if schema {
					p = p.(provider.SchemaUser).WithSchema(provider.Schema{Keys: []string{"ok", "a.b"}})
				}
				_, err := p.Load(context.Background())
				if !tt.wantE {
					require.NoError(t, err)
					continue
				}
				require.Error(t, err)
				var pe *provider.Error
				require.ErrorAs(t, err, &pe)
				if len(name) > 200 {
					assert.Equal(t, name[:200]+"…", pe.Key)
				} else {
					assert.Equal(t, name, pe.Key)
				}
				assert.Equal(t, fmt.Sprintf("nests %d levels deep, more than 64 (provider.MaxDepth)", tt.segs), pe.Err.Error())
				assert.NotContains(t, err.Error(), "hunter2")
			}
			reliability.Record(t, "env/deep")
		})
	}
}

// TestLoadTooDeepThroughSchema checks the key a name resolves to, which
// single underscores can make deeper than its "__" count: below a map
// 63 levels down, ORDERS_A_…_A_X__Y is 65 levels deep with one "__".
func TestLoadTooDeepThroughSchema(t *testing.T) {
	mapKey := strings.TrimSuffix(strings.Repeat("a.", provider.MaxDepth-1), ".")
	name := "ORDERS_" + strings.ToUpper(strings.ReplaceAll(mapKey, ".", "_")) + "_X__Y"
	p := env.New("ORDERS_", env.Options{Environ: environ(name + "=hunter2")}).
		WithSchema(provider.Schema{Keys: []string{mapKey}, Maps: []string{mapKey}})
	_, err := p.Load(context.Background())
	require.Error(t, err)
	assert.Equal(t, "env ORDERS_*: "+name+": nests 65 levels deep, more than 64 (provider.MaxDepth)", err.Error())
}
