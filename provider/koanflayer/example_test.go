package koanflayer_test

import (
	"context"
	"fmt"

	"github.com/knadh/koanf/providers/confmap"

	"github.com/strata-go/strata/provider/koanflayer"
)

func Example() {
	// Any koanf provider works; confmap keeps the example self-contained.
	src := confmap.Provider(map[string]any{
		"db.host": "localhost",
		"db":      map[string]any{"port": 5432},
	}, "")
	layer := koanflayer.New("defaults map", src, koanflayer.Options{})

	snap, err := layer.Load(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(snap.Data)
	fmt.Println(snap.OriginOf("db.host"))
	// Output:
	// map[db:map[host:localhost port:5432]]
	// koanf defaults map
}
