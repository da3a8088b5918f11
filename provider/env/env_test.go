package env_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/env"
)

// environ returns an Options.Environ serving vars.
func environ(vars ...string) func() []string {
	return func() []string { return vars }
}

var schema = provider.Schema{
	Keys: []string{"listen", "db.max_conns", "db.dsn", "db.pool.idle", "features", "limits"},
	Maps: []string{"features", "limits"},
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		vars    []string
		schema  *provider.Schema
		sep     string
		want    map[string]any
		origins map[string]string // key -> variable
	}{
		{
			name: "nesting without a schema",
			vars: []string{"ORDERS_DB__MAX_CONNS=7", "ORDERS_LISTEN=:8080", "PATH=/bin", "ORDERSX=1"},
			want: map[string]any{
				"db":     map[string]any{"max_conns": "7"},
				"listen": ":8080",
			},
			origins: map[string]string{"db.max_conns": "ORDERS_DB__MAX_CONNS", "listen": "ORDERS_LISTEN"},
		},
		{
			name: "case-insensitive prefix and names",
			vars: []string{"orders_Db__Host=h", "Orders_Debug=true"},
			want: map[string]any{"db": map[string]any{"host": "h"}, "debug": "true"},
		},
		{
			name: "values stay strings, even empty or with '='",
			vars: []string{"ORDERS_A=", "ORDERS_B=x=y", "ORDERS_C=  spaced  "},
			want: map[string]any{"a": "", "b": "x=y", "c": "  spaced  "},
		},
		{
			name: "single underscores without a schema stay in the key",
			vars: []string{"ORDERS_DB_MAX_CONNS=7"},
			want: map[string]any{"db_max_conns": "7"},
		},
		{
			name:    "single underscores with a schema",
			vars:    []string{"ORDERS_DB_MAX_CONNS=7", "ORDERS_DB_POOL_IDLE=2", "ORDERS_LISTEN=:1"},
			schema:  &schema,
			want:    map[string]any{"db": map[string]any{"max_conns": "7", "pool": map[string]any{"idle": "2"}}, "listen": ":1"},
			origins: map[string]string{"db.max_conns": "ORDERS_DB_MAX_CONNS", "db.pool.idle": "ORDERS_DB_POOL_IDLE"},
		},
		{
			name:   "a parent spelled with single underscores, then __",
			vars:   []string{"ORDERS_DB_POOL__IDLE=2"},
			schema: &schema,
			want:   map[string]any{"db": map[string]any{"pool": map[string]any{"idle": "2"}}},
		},
		{
			name:    "below a map, the rest is one key",
			vars:    []string{"ORDERS_FEATURES_NEW_UI=true", "ORDERS_LIMITS__BURST_SIZE=9", "ORDERS_LIMITS_PER_USER__MAX=3"},
			schema:  &schema,
			want:    map[string]any{"features": map[string]any{"new_ui": "true"}, "limits": map[string]any{"burst_size": "9", "per_user": map[string]any{"max": "3"}}},
			origins: map[string]string{"features.new_ui": "ORDERS_FEATURES_NEW_UI"},
		},
		{
			name:   "names the schema does not know still load",
			vars:   []string{"ORDERS_TYPO_KEY=1", "ORDERS_DB__TYPO=2"},
			schema: &schema,
			want:   map[string]any{"typo_key": "1", "db": map[string]any{"typo": "2"}},
		},
		{
			name:   "explicit __ wins over a single-underscore reading",
			vars:   []string{"ORDERS_DB__MAX_CONNS=7"},
			schema: &provider.Schema{Keys: []string{"db.max_conns", "db_max.conns"}},
			want:   map[string]any{"db": map[string]any{"max_conns": "7"}},
		},
		{
			name:   "schema spelling is kept",
			vars:   []string{"ORDERS_HTTP_READTIMEOUT=5s"},
			schema: &provider.Schema{Keys: []string{"http.readTimeout"}},
			want:   map[string]any{"http": map[string]any{"readTimeout": "5s"}},
		},
		{
			name:   "separator _ nests on every underscore and ignores the schema",
			vars:   []string{"ORDERS_DB_MAX=7"},
			sep:    "_",
			schema: &schema,
			want:   map[string]any{"db": map[string]any{"max": "7"}},
		},
		{
			name: "custom separator",
			vars: []string{"ORDERS_DB-HOST=h", "ORDERS_MAX_CONNS=1"},
			sep:  "-",
			want: map[string]any{"db": map[string]any{"host": "h"}, "max_conns": "1"},
		},
		{
			name: "malformed entries are skipped; the first duplicate wins",
			vars: []string{"NOEQUALS", "=C:=C:\\", "ORDERS_A=1", "ORDERS_A=2"},
			want: map[string]any{"a": "1"},
		},
		{
			name: "no match is an empty layer",
			vars: []string{"HOME=/root"},
			want: map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p provider.Provider = env.New("ORDERS_", env.Options{Environ: environ(tt.vars...), Separator: tt.sep})
			if tt.schema != nil {
				p = p.(provider.SchemaUser).WithSchema(*tt.schema)
			}
			assert.Equal(t, "env ORDERS_*", p.Name())

			snap, err := p.Load(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, snap.Data)
			assert.Regexp(t, `^sha256:[0-9a-f]{12}$`, snap.Version)
			assert.Equal(t, provider.Origin{Kind: "env", Ref: "ORDERS_*"}, snap.Source)
			assert.False(t, snap.ReadAt.IsZero())
			for key, name := range tt.origins {
				assert.Equal(t, provider.Origin{Kind: "env", Ref: name}, snap.OriginOf(key), key)
			}
			provider.Leaves(snap.Data, func(key string, _ any) {
				assert.Equal(t, "env", snap.OriginOf(key).Kind, key)
				assert.NotEqual(t, "ORDERS_*", snap.OriginOf(key).Ref, "%s has no origin of its own", key)
			})
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name     string
		vars     []string
		schema   *provider.Schema
		contains []string
	}{
		{name: "nothing after the prefix", vars: []string{"ORDERS_=" + secret}, contains: []string{"ORDERS_: nothing after the prefix"}},
		{name: "leading separator", vars: []string{"ORDERS___X=" + secret}, contains: []string{"ORDERS___X: empty key"}},
		{name: "leading underscore", vars: []string{"ORDERS__X=" + secret}, contains: []string{"ORDERS__X: leading, trailing or repeated underscore"}},
		{name: "triple underscore", vars: []string{"ORDERS_A___B=" + secret}, contains: []string{"ORDERS_A___B: leading, trailing or repeated underscore"}},
		{name: "trailing underscore", vars: []string{"ORDERS_A_=" + secret}, contains: []string{"ORDERS_A_: leading"}},
		{name: "trailing separator", vars: []string{"ORDERS_A__=" + secret}, contains: []string{"ORDERS_A__: empty key"}},
		{name: "dot", vars: []string{"ORDERS_A.B=" + secret}, contains: []string{`ORDERS_A.B: contains "."`}},
		{
			name:     "leaf and parent",
			vars:     []string{"ORDERS_DB=" + secret, "ORDERS_DB__HOST=" + secret},
			contains: []string{"ORDERS_DB: sets db, which ORDERS_DB__HOST uses as the parent of db.host"},
		},
		{
			name:     "same key twice",
			vars:     []string{"ORDERS_DB__MAX_CONNS=" + secret, "ORDERS_DB_MAX_CONNS=" + secret},
			schema:   &schema,
			contains: []string{"ORDERS_DB_MAX_CONNS: sets db.max_conns, as does ORDERS_DB__MAX_CONNS"},
		},
		{
			name:     "same key in two cases",
			vars:     []string{"ORDERS_A=" + secret, "orders_a=" + secret},
			contains: []string{"ORDERS_A: sets a, as does orders_a"},
		},
		{
			name:   "two leaves",
			vars:   []string{"ORDERS_DB_MAX_CONNS=" + secret},
			schema: &provider.Schema{Keys: []string{"db.max_conns", "db_max.conns"}},
			contains: []string{
				"ORDERS_DB_MAX_CONNS: ambiguous: could be db.max_conns or db_max.conns; " +
					"write ORDERS_DB__MAX_CONNS for db.max_conns or ORDERS_DB_MAX__CONNS for db_max.conns",
			},
		},
		{
			name:     "a leaf and a map",
			vars:     []string{"ORDERS_LOG_LEVEL=" + secret},
			schema:   &provider.Schema{Keys: []string{"log_level", "log"}, Maps: []string{"log"}},
			contains: []string{"ORDERS_LOG_LEVEL: ambiguous: could be log.level or log_level; write ORDERS_LOG__LEVEL for log.level"},
		},
		{
			name:     "three readings",
			vars:     []string{"ORDERS_A_B_C=" + secret},
			schema:   &provider.Schema{Keys: []string{"a.b_c", "a_b.c", "a_b_c"}},
			contains: []string{"ORDERS_A_B_C: ambiguous: could be a.b_c, a_b.c or a_b_c; write ORDERS_A__B_C for a.b_c or ORDERS_A_B__C for a_b.c"},
		},
		{
			name:     "every problem is reported",
			vars:     []string{"ORDERS_=" + secret, "ORDERS_A_=" + secret},
			contains: []string{"ORDERS_: nothing", "ORDERS_A_: leading"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p provider.Provider = env.New("ORDERS_", env.Options{Environ: environ(tt.vars...)})
			if tt.schema != nil {
				p = p.(provider.SchemaUser).WithSchema(*tt.schema)
			}
			_, err := p.Load(context.Background())
			require.Error(t, err)
			t.Log(err)
			var pe *provider.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "env ORDERS_*", pe.Layer)
			assert.NotEmpty(t, pe.Key)
			for _, c := range tt.contains {
				assert.Contains(t, err.Error(), "env ORDERS_*: "+c)
			}
			assert.NotContains(t, err.Error(), secret)
			reliability.Record(t, "env/odd-names")
		})
	}
}

func TestLoadRefusesEmptyPrefix(t *testing.T) {
	_, err := env.New("", env.Options{Environ: environ("A=1")}).Load(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "env *: empty prefix")
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := env.New("ORDERS_", env.Options{Environ: environ()}).Load(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestDefaultEnvironIsTheProcess(t *testing.T) {
	// Reads os.Environ (without changing it); no variable has this prefix.
	snap, err := env.New("STRATA_ENV_TEST_NO_SUCH_PREFIX_", env.Options{}).Load(context.Background())
	require.NoError(t, err)
	assert.Empty(t, snap.Data)
}

func TestVersion(t *testing.T) {
	load := func(vars ...string) string {
		snap, err := env.New("ORDERS_", env.Options{Environ: environ(vars...)}).Load(context.Background())
		require.NoError(t, err)
		assert.False(t, strings.Contains(snap.Version, "secret"))
		return snap.Version
	}
	a := load("ORDERS_A=secret1", "ORDERS_B=2", "OTHER=x")
	assert.Equal(t, a, load("OTHER=y", "ORDERS_B=2", "ORDERS_A=secret1"), "order and other variables do not matter")
	assert.NotEqual(t, a, load("ORDERS_A=secret2", "ORDERS_B=2"), "a value matters")
	assert.NotEqual(t, a, load("ORDERS_A=secret1", "ORDERS_C=2"), "a name matters")
}

func TestWithSchemaDoesNotModify(t *testing.T) {
	p := env.New("ORDERS_", env.Options{Environ: environ("ORDERS_DB_MAX_CONNS=7")})
	q := p.WithSchema(schema)
	require.NotSame(t, p, q)

	before, err := p.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"db_max_conns": "7"}, before.Data)
	after, err := q.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"db": map[string]any{"max_conns": "7"}}, after.Data)

	// An empty schema is no schema.
	snap, err := p.WithSchema(provider.Schema{}).Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, before.Data, snap.Data)
}

func TestLoadConcurrent(t *testing.T) {
	p := env.New("ORDERS_", env.Options{Environ: environ("ORDERS_A__B=1")}).WithSchema(schema)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := p.Load(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}
