// Command consul-reload is a service whose configuration layers Consul KV
// over a local YAML file (and ORDERS_* environment variables over both),
// logging every change it applies and every one it rejects.
//
// Against your own Consul (the standard CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN,
// … variables are honoured):
//
//	go run ./examples/consul-reload -prefix services/orders/
//	consul kv put services/orders/db/max_conns 50    # applied
//	consul kv put services/orders/db/max_conns ten   # rejected, last good kept
//	kill -HUP <pid>                                  # re-read every layer now
//	kill <pid>                                       # SIGTERM: clean shutdown, exit 0
//
// `consul-reload config check|schema|diff|publish|explain` checks and
// publishes the service's configuration with its own type (package cli).
//
// With -demo it starts a throwaway Consul dev agent (STRATA_CONSUL_BIN or
// `make consul`), plays a scripted story of changes against it and exits;
// `make demo` runs that.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "config" { // check|schema|diff|publish|explain
		os.Exit(configCommand(context.Background(), os.Args[2:], os.Stdout, os.Stderr, nil, nil))
	}
	demo := flag.Bool("demo", false, "start a Consul dev agent and play a scripted series of changes")
	prefix := flag.String("prefix", "services/orders/", "Consul KV prefix")
	path := flag.String("config", "", "YAML file (default: config.yaml beside this program's source)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // keep the story readable
			}
			return a
		},
	}))
	// SIGTERM is what systemd, Kubernetes and docker stop send; without it
	// the process dies by the signal and the deferred Close never runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	file := *path
	if file == "" {
		file = exampleFile()
	}
	var err error
	if *demo {
		var bin string
		if bin, err = consulBinary(); err == nil {
			err = runDemo(ctx, os.Stdout, log, bin, file)
		}
	} else {
		err = serve(ctx, log, settings{prefix: *prefix, path: file})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "consul-reload:", err)
		os.Exit(1)
	}
}

// serve runs until interrupted, logging changes as they are applied. SIGHUP
// re-reads every layer at once (the environment included, which cannot be
// watched); shutting down waits at most five seconds for a callback.
func serve(ctx context.Context, log *slog.Logger, s settings) error {
	cfg, err := load(ctx, s, optionsFor(log))
	if err != nil {
		return err
	}
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := cfg.Shutdown(shutdown); err != nil {
			log.Warn("config shutdown", "error", err)
		}
	}()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	log.Info("running; change keys under the prefix to see them applied", "prefix", s.prefix)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			if err := cfg.Reload(ctx); err != nil {
				log.Warn("reload on SIGHUP", "error", err) // the last good config stays
				continue
			}
			log.Info("reloaded on SIGHUP")
		}
	}
}
