package main

import (
	"context"
	"flag"
	"io"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata/cli"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/file"
)

// configCommand runs `consul-reload config [-prefix P] [-config FILE]
// check|schema|diff|publish|explain …` against the service's own layers
// and type, and returns the exit code (see package cli). A nil client and
// environ mean the process's CONSUL_* and ORDERS_* environment.
func configCommand(ctx context.Context, args []string, stdout, stderr io.Writer, client *api.Client, environ func() []string) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	prefix := fs.String("prefix", "services/orders/", "Consul KV prefix")
	path := fs.String("config", "", "YAML file (default: config.yaml beside this program's source)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if *path == "" {
		*path = exampleFile()
	}
	layers := []provider.Provider{
		file.New(*path, file.Options{}),
		consul.New(consul.Options{Prefix: *prefix, Client: client}),
		env.New("ORDERS_", env.Options{Environ: environ}),
	}
	return cli.Run[Config](ctx, fs.Args(), stdout, stderr, layers...)
}
