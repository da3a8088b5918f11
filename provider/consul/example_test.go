package consul_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// A tree-mode layer: every key below services/orders/ is one value, read
// from dc1 or, when dc1 is down, dc2, with a last-known-good cache.
func ExampleNew() {
	p := consul.New(consul.Options{
		Prefix:      "services/orders/",
		Config:      &api.Config{Address: "127.0.0.1:8500"},
		Datacenters: []string{"dc1", "dc2"},
		Consistency: consul.ConsistencyStale,
		MaxStale:    2 * time.Second,
		CacheFile:   filepath.Join(os.TempDir(), "orders-consul.json"),
	})
	fmt.Println(p.Name())
	// Output: consul services/orders/@dc1,dc2
}

// Load once, then follow changes until the context ends. strata's reload
// package does this for every layer; this is what it amounts to.
func ExampleProvider_Watch() {
	p := consul.New(consul.Options{Prefix: "services/orders/"}) // CONSUL_HTTP_ADDR etc.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	snap, err := p.Load(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("db.max_conns =", snap.Data["db"].(map[string]any)["max_conns"])

	_ = p.Watch(ctx, snap, func(ev provider.Event) {
		switch {
		case ev.Snapshot != nil:
			fmt.Println("new content at index", ev.Snapshot.Version)
		case ev.Err != nil:
			fmt.Println("layer failing:", ev.Err)
		default:
			fmt.Println("layer healthy again")
		}
	})
}
