package env_test

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/env"
)

// planted is in every value: it must never appear in an error.
const planted = "S3CR3T-9081726354"

// FuzzLoad feeds odd variable names and values to the layer, with and
// without a schema and with each kind of separator. names is split on
// newlines into at most 32 variables, each NAME=planted+value. Load must
// not panic; it fails with errors that name variables but never quote a
// value, or returns a snapshot no deeper than provider.MaxDepth in which
// every key's origin is a variable whose value is at that key, and the
// same snapshot again on a second Load.
func FuzzLoad(f *testing.F) {
	f.Add("ORDERS_", "ORDERS_DB__MAX_CONNS\nORDERS_LISTEN\nPATH", "7", uint8(0))
	f.Add("ORDERS_", "ORDERS_DB_MAX_CONNS\nORDERS_FEATURES_NEW_UI\nORDERS_DB__POOL_IDLE", "", uint8(1))
	f.Add("ORDERS_", "ORDERS_A\nORDERS_A__B\nORDERS_A", "x", uint8(0))
	f.Add("ORDERS_", "ORDERS_\nORDERS__A\nORDERS_A__\nORDERS_A___B\nORDERS_A.B", "x", uint8(1))
	f.Add("ORDERS_", "orders_db__host\nOrders_Db__Host", "=", uint8(0))
	f.Add("ORDERS_", "ORDERS_DB_HOST\nORDERS_DB__HOST", "x", uint8(2))
	f.Add("ORDERS_", "ORDERS_"+strings.Repeat("A__", 100)+"B", "deep", uint8(0))
	f.Add("ORDERS_", "ORDERS_"+strings.Repeat("A_", 100)+"B", "deep", uint8(2))
	f.Add("ORDERS_", "ORDERS_FEATURES_"+strings.Repeat("X_", 80)+"Y", "deep", uint8(1))
	f.Add("O", "O\xff\x00\nO\u00e9\nO=\nO ", "\x00\n", uint8(0))
	f.Add("", "A\nB", "x", uint8(0))
	f.Add("ORDERS_", "ORDERS_X", strings.Repeat("v", 8<<10), uint8(0))
	f.Add("ORDERS-", "ORDERS-A-B\nORDERS-A--B", "x", uint8(3))
	f.Fuzz(func(t *testing.T, prefix, names, value string, mode uint8) {
		var vars []string
		for _, n := range strings.SplitN(names, "\n", 32) {
			vars = append(vars, n+"="+planted+value)
		}
		opts := env.Options{Environ: func() []string { return vars }}
		switch mode % 4 {
		case 2:
			opts.Separator = "_"
		case 3:
			opts.Separator = "-"
		}
		var p provider.Provider = env.New(prefix, opts)
		if mode%4 == 1 || mode%4 == 2 {
			p = p.(provider.SchemaUser).WithSchema(provider.Schema{
				Keys: []string{"listen", "db.max_conns", "db.pool.idle", "db.host", "features", "a.b"},
				Maps: []string{"features"},
			})
		}
		snap, err := p.Load(context.Background())
		if err != nil {
			if strings.Contains(err.Error(), "9081726354") {
				t.Fatalf("the error quotes a value: %v", err)
			}
			return
		}
		if err := provider.CheckDepth(snap.Data); err != nil {
			t.Fatalf("accepted too deep: %v", err)
		}
		byName := map[string]string{}
		for _, kv := range vars {
			n, v, _ := strings.Cut(kv, "=")
			if _, seen := byName[n]; !seen {
				byName[n] = v
			}
		}
		provider.Leaves(snap.Data, func(key string, v any) {
			o := snap.OriginOf(key)
			want, ok := byName[o.Ref]
			if o.Kind != "env" || !ok {
				t.Fatalf("key %q: origin %+v is no variable", key, o)
			}
			if v != want {
				t.Fatalf("key %q from %s holds %q, not the variable's value", key, o.Ref, v)
			}
		})
		again, err := p.Load(context.Background())
		if err != nil || again.Version != snap.Version {
			t.Fatalf("a second Load gave version %q (error %v), the first %q", again.Version, err, snap.Version)
		}
	})
}
