package file_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/strata-go/strata/provider/file"
)

func Example() {
	dir, err := os.MkdirTemp("", "strata-file-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("listen: \":8080\"\ndb:\n  max_conns: 7\n"), 0o600); err != nil {
		fmt.Println(err)
		return
	}

	snap, err := file.New(path, file.Options{}).Load(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	db := snap.Data["db"].(map[string]any)
	origin := snap.OriginOf("db.max_conns")
	fmt.Println("db.max_conns =", db["max_conns"])
	fmt.Printf("from %s line %d\n", filepath.Base(origin.Ref), origin.Line)
	// Output:
	// db.max_conns = 7
	// from config.yaml line 3
}

func ExampleOptions_optional() {
	dir, err := os.MkdirTemp("", "strata-file-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	p := file.New(filepath.Join(dir, "local.toml"), file.Options{Optional: true})
	snap, err := p.Load(context.Background())
	fmt.Println(len(snap.Data), err)
	// Output:
	// 0 <nil>
}
