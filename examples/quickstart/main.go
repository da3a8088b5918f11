// Command quickstart is a small HTTP service on strata: defaults in struct
// tags, a YAML file, and environment variables (QS_ prefix) on top. Edit
// config.yaml while it runs and GET / shows the new values at once; an
// invalid edit is rejected and logged, and the service keeps its last good
// configuration.
//
//	go run ./examples/quickstart          # then: curl localhost:8080
//	QS_GREETING=hi go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/file"
)

// Config is everything the service can be configured with.
type Config struct {
	Listen   string        `config:"listen" default:"127.0.0.1:8080" validate:"required,hostname_port"`
	Greeting string        `config:"greeting" default:"hello" validate:"required"`
	Timeout  time.Duration `config:"timeout" default:"5s" validate:"gt=0"`
	DB       struct {
		DSN      string `config:"dsn" validate:"required" secret:"true"`
		MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
	} `config:"db"`
	Features map[string]bool `config:"features"`
}

func main() {
	path := flag.String("config", "config.yaml", "YAML config file")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*path, log); err != nil {
		log.Error("quickstart", "error", err)
		os.Exit(1)
	}
}

func run(path string, log *slog.Logger) error {
	// SIGTERM is what systemd, Kubernetes and docker stop send; without it
	// the process dies by the signal and the deferred Close never runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, handler, err := newService(ctx, path, log, nil)
	if err != nil {
		return err // names the layer, the key and why
	}
	defer cfg.Close()

	srv := &http.Server{Addr: cfg.Get().Listen, Handler: handler, ReadHeaderTimeout: cfg.Get().Timeout}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("serving", "addr", srv.Addr, "config", path)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newService loads the config (file, then QS_* variables from environ, nil
// meaning the process environment) and returns it with the service's
// handler, which reads the current config on every request.
func newService(ctx context.Context, path string, log *slog.Logger, environ func() []string) (*strata.Config[Config], http.Handler, error) {
	cfg, err := strata.LoadWith[Config](ctx, strata.Options{Logger: log},
		file.New(path, file.Options{}),
		env.New("QS_", env.Options{Environ: environ}),
	)
	if err != nil {
		return nil, nil, err
	}
	cfg.OnChange(func(old, new *Config) {
		log.Info("config changed", "greeting", new.Greeting, "max_conns", new.DB.MaxConns)
		if old.Listen != new.Listen {
			log.Warn("listen address changes take effect on restart", "listen", new.Listen)
		}
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		c := cfg.Get() // one atomic load: always a complete, valid config
		fmt.Fprintf(w, "%s (max_conns=%d, new_checkout=%t)\n", c.Greeting, c.DB.MaxConns, c.Features["new_checkout"])
	})
	mux.Handle("GET /debug/config", cfg.DebugHandler())
	return cfg, mux, nil
}
