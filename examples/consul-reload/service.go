package main

import (
	"context"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/env"
	"github.com/strata-go/strata/provider/file"
)

// Config is the orders service's configuration.
type Config struct {
	Listen  string        `config:"listen" default:":8080" validate:"required,hostname_port"`
	Timeout time.Duration `config:"timeout" default:"5s" validate:"gt=0"`
	DB      struct {
		DSN      string `config:"dsn" validate:"required" secret:"true"`
		MaxConns int    `config:"max_conns" default:"10" validate:"min=1,max=500"`
	} `config:"db"`
	Features map[string]bool `config:"features"`
}

// settings are where the service reads its configuration from.
type settings struct {
	client    *api.Client     // nil: the standard CONSUL_* environment
	prefix    string          // Consul KV prefix
	path      string          // YAML file
	cacheFile string          // last-known-good copy of the Consul layer
	environ   func() []string // nil: the process environment
}

// load builds the service's config, lowest layer first: the YAML file,
// Consul KV, then ORDERS_* environment variables. opts carries the logger
// and hooks.
func load(ctx context.Context, s settings, opts strata.Options) (*strata.Config[Config], error) {
	cfg, err := strata.LoadWith[Config](ctx, opts,
		file.New(s.path, file.Options{}),
		consul.New(consul.Options{Prefix: s.prefix, Client: s.client, CacheFile: s.cacheFile}),
		env.New("ORDERS_", env.Options{Environ: s.environ}),
	)
	if err != nil {
		return nil, err
	}
	strata.OnChangeOf(cfg, func(c *Config) int { return c.DB.MaxConns }, func(old, new int) {
		opts.Logger.Info("resizing the DB pool", "from", old, "to", new)
	})
	return cfg, nil
}
