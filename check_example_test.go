package strata_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/file"
)

func ExampleCheck() {
	dir, _ := os.MkdirTemp("", "strata-example")
	defer os.RemoveAll(dir)
	path := writeFile(dir, "db:\n  dsn: postgres://user:hunter2@db/orders\n  max_conns: 0\n")

	// In CI, or behind a --check-config flag: no watcher is started.
	err := strata.Check[ExampleConfig](context.Background(), file.New(path, file.Options{}))
	var serr *strata.Error
	fmt.Println(errors.As(err, &serr))
	// (The example's temporary directory is shown as /etc/orders.)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "/etc/orders"))
	// Output:
	// true
	// strata: check: db.max_conns: must be at least 1, got 0 (from file /etc/orders/config.yaml:3)
}
