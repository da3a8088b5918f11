package env_test

import (
	"context"
	"fmt"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/env"
)

func Example() {
	p := env.New("ORDERS_", env.Options{
		// Tests and examples inject the environment; the default is os.Environ.
		Environ: func() []string {
			return []string{"ORDERS_DB__MAX_CONNS=7", "ORDERS_LISTEN=:8080", "HOME=/root"}
		},
	})
	snap, err := p.Load(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(snap.Data)
	fmt.Println(snap.OriginOf("db.max_conns"))
	// Output:
	// map[db:map[max_conns:7] listen::8080]
	// env ORDERS_DB__MAX_CONNS
}

func ExampleProvider_WithSchema() {
	p := env.New("ORDERS_", env.Options{
		Environ: func() []string {
			return []string{"ORDERS_DB_MAX_CONNS=7", "ORDERS_FEATURES_NEW_UI=true"}
		},
	}).WithSchema(provider.Schema{
		Keys: []string{"db.max_conns", "features"},
		Maps: []string{"features"},
	})
	snap, err := p.Load(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(snap.Data)
	// Output:
	// map[db:map[max_conns:7] features:map[new_ui:true]]
}

func ExampleProvider_Load_ambiguous() {
	p := env.New("ORDERS_", env.Options{
		Environ: func() []string { return []string{"ORDERS_DB_MAX_CONNS=7"} },
	}).WithSchema(provider.Schema{Keys: []string{"db.max_conns", "db_max.conns"}})
	_, err := p.Load(context.Background())
	fmt.Println(err)
	// Output:
	// env ORDERS_*: ORDERS_DB_MAX_CONNS: ambiguous: could be db.max_conns or db_max.conns; write ORDERS_DB__MAX_CONNS for db.max_conns or ORDERS_DB_MAX__CONNS for db_max.conns
}
