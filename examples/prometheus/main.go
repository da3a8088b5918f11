// Command prometheus shows how to export strata's metrics to Prometheus
// without strata depending on the Prometheus client: Status already holds
// every counter a dashboard needs, so a few CounterFunc/GaugeFunc read it
// on each scrape. This example is its own Go module for that reason.
//
//	go run . &   curl -s localhost:9100/metrics | grep strata_
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/env"
)

type Config struct {
	Greeting string `config:"greeting" default:"hello"`
}

// register exports cfg's Status as Prometheus metrics: the ten lines this
// example is about.
func register[T any](reg prometheus.Registerer, cfg *strata.Config[T]) {
	f := func(get func(strata.Status) float64) func() float64 {
		return func() float64 { return get(cfg.Status()) }
	}
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "strata_changes_applied_total", Help: "Config changes applied."}, f(func(s strata.Status) float64 { return float64(s.Applied) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "strata_changes_rejected_total", Help: "Config changes rejected as invalid."}, f(func(s strata.Status) float64 { return float64(s.Rejected) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "strata_last_change_timestamp_seconds", Help: "When the current config was applied."}, f(func(s strata.Status) float64 { return float64(s.AppliedAt.Unix()) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "strata_watch_lag_seconds", Help: "Age of the newest layer content when applied."}, f(func(s strata.Status) float64 { return s.WatchLag.Seconds() })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "strata_layers_unhealthy", Help: "Layers whose latest read failed."}, f(func(s strata.Status) float64 {
			n := 0
			for _, l := range s.Layers {
				if !l.Healthy {
					n++
				}
			}
			return float64(n)
		})),
	)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9100", "address to serve /metrics on")
	flag.Parse()
	if err := run(*addr); err != nil {
		log.Fatal(err)
	}
}

// run serves until SIGINT or SIGTERM (what systemd, Kubernetes and docker
// stop send), then shuts the server down and closes the Config.
func run(addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := strata.Load[Config](ctx, env.New("APP_", env.Options{}))
	if err != nil {
		return err
	}
	defer cfg.Close()

	reg := prometheus.NewRegistry()
	register(reg, cfg)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/debug/config", cfg.DebugHandler())
	log.Printf("serving on %s", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
