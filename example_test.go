package strata_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/file"
)

// ExampleConfig is the configuration type the examples share.
type ExampleConfig struct {
	Listen  string        `config:"listen" default:":8080" validate:"required,hostname_port"`
	Timeout time.Duration `config:"timeout" default:"5s" validate:"gt=0"`
	DB      struct {
		DSN      string `config:"dsn" validate:"required" secret:"true"`
		MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
	} `config:"db"`
}

// writeFile stands in for a config file the operator edits.
func writeFile(dir, text string) string {
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		panic(err)
	}
	return path
}

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "strata-example")
	defer os.RemoveAll(dir)
	path := writeFile(dir, "db:\n  dsn: postgres://orders\n  max_conns: 20\n")

	cfg, err := strata.Load[ExampleConfig](context.Background(),
		file.New(path, file.Options{}),
		env.New("ORDERS_", env.Options{Environ: func() []string { return []string{"ORDERS_TIMEOUT=2s"} }}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cfg.Close()

	c := cfg.Get()
	fmt.Println(c.Listen, c.Timeout, c.DB.MaxConns)
	// Output: :8080 2s 20
}

func ExampleLoad_error() {
	dir, _ := os.MkdirTemp("", "strata-example")
	defer os.RemoveAll(dir)
	path := writeFile(dir, "db:\n  dsn: postgres://user:hunter2@db/orders\n  max_conns: 0\n")

	_, err := strata.Load[ExampleConfig](context.Background(),
		file.New(path, file.Options{}),
		env.New("ORDERS_", env.Options{Environ: func() []string { return []string{"ORDERS_TIMEOUT=soon"} }}),
	)
	// (The example's temporary directory is shown as /etc/orders.)
	fmt.Println(strings.ReplaceAll(err.Error(), dir, "/etc/orders"))
	// Output:
	// strata: load: 2 problems:
	//   - db.max_conns: must be at least 1, got 0 (from file /etc/orders/config.yaml:3)
	//   - timeout: "soon" is not a duration (e.g. 5s, 250ms) (from env ORDERS_TIMEOUT)
}

func ExampleConfig_OnChange() {
	dir, _ := os.MkdirTemp("", "strata-example")
	defer os.RemoveAll(dir)
	path := writeFile(dir, "db:\n  dsn: postgres://orders\n")

	cfg, err := strata.Load[ExampleConfig](context.Background(), file.New(path, file.Options{}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cfg.Close()

	changed := make(chan string, 1)
	cfg.OnChange(func(old, new *ExampleConfig) {
		select { // a callback must not block the reload goroutine
		case changed <- fmt.Sprintf("max_conns %d -> %d", old.DB.MaxConns, new.DB.MaxConns):
		default:
		}
	})
	writeFile(dir, "db:\n  dsn: postgres://orders\n  max_conns: 50\n")
	select {
	case c := <-changed:
		fmt.Println(c)
	case <-time.After(10 * time.Second):
		fmt.Println("no change applied")
	}
	fmt.Println(cfg.Get().DB.MaxConns)
	// Output:
	// max_conns 10 -> 50
	// 50
}

func ExampleOnChangeOf() {
	dir, _ := os.MkdirTemp("", "strata-example")
	defer os.RemoveAll(dir)
	path := writeFile(dir, "db:\n  dsn: postgres://orders\n")

	cfg, err := strata.Load[ExampleConfig](context.Background(), file.New(path, file.Options{}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cfg.Close()

	resized := make(chan int, 2)
	strata.OnChangeOf(cfg, func(c *ExampleConfig) int { return c.DB.MaxConns }, func(_, n int) { resized <- n })
	all := make(chan struct{}, 2)
	cfg.OnChange(func(_, _ *ExampleConfig) { all <- struct{}{} })
	// (Each wait is bounded so that a broken build fails instead of hanging.)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	writeFile(dir, "timeout: 1s\ndb:\n  dsn: postgres://orders\n") // DB unchanged: no resize
	select {
	case <-all:
	case <-ctx.Done():
	}
	writeFile(dir, "timeout: 1s\ndb:\n  dsn: postgres://orders\n  max_conns: 30\n")
	select {
	case <-all:
	case <-ctx.Done():
	}
	select {
	case n := <-resized:
		fmt.Println("resized to", n)
	case <-ctx.Done():
		fmt.Println("not resized")
	}
	// Output: resized to 30
}

func ExampleConfig_Explain() {
	dir, _ := os.MkdirTemp("", "strata-example")
	defer os.RemoveAll(dir)
	path := writeFile(dir, "db:\n  dsn: postgres://orders\n  max_conns: 20\n")

	cfg, err := strata.Load[ExampleConfig](context.Background(),
		file.New(path, file.Options{}),
		env.New("ORDERS_", env.Options{Environ: func() []string { return []string{"ORDERS_DB_MAX_CONNS=30"} }}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cfg.Close()

	// (The example's temporary directory is shown as /etc/orders.)
	for _, key := range []string{"db.max_conns", "db.dsn", "listen"} {
		e, _ := cfg.Explain(key)
		fmt.Println(strings.ReplaceAll(e.String(), dir, "/etc/orders"))
	}
	// Output:
	// db.max_conns = 30 from env ORDERS_DB_MAX_CONNS (overrode file /etc/orders/config.yaml:3=20, default tag ExampleConfig.DB.MaxConns=10)
	// db.dsn = [redacted] from file /etc/orders/config.yaml:2
	// listen = :8080 from default tag ExampleConfig.Listen
}

// Reload re-reads every layer on demand — on SIGHUP, say — for layers that
// cannot watch, such as the environment.
func ExampleConfig_Reload() {
	environ := []string{"ORDERS_DB__DSN=postgres://orders"}
	cfg, err := strata.Load[ExampleConfig](context.Background(),
		env.New("ORDERS_", env.Options{Environ: func() []string { return environ }}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cfg.Close()
	cfg.OnChange(func(old, new *ExampleConfig) { fmt.Println("max_conns", old.DB.MaxConns, "->", new.DB.MaxConns) })

	// In a service: hup := make(chan os.Signal, 1); signal.Notify(hup, syscall.SIGHUP),
	// and call Reload for each signal received.
	environ = append(environ, "ORDERS_DB__MAX_CONNS=40")
	if err := cfg.Reload(context.Background()); err != nil {
		fmt.Println(err)
	}
	environ[1] = "ORDERS_DB__MAX_CONNS=0" // an invalid value is rejected
	fmt.Println(cfg.Reload(context.Background()))
	fmt.Println("still", cfg.Get().DB.MaxConns)
	// Output:
	// max_conns 10 -> 40
	// strata: reload: db.max_conns: must be at least 1, got 0 (from env ORDERS_DB__MAX_CONNS)
	// still 40
}
