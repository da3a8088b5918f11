package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/strata-go/strata"
)

// runDemo plays the whole story against a throwaway dev agent: a change
// applied, an invalid value rejected, a fix, a multi-key transaction
// applied as one change, and a deleted key falling back to the file.
//
// The story is written to out; bin is the Consul binary to start.
func runDemo(ctx context.Context, out io.Writer, log *slog.Logger, bin, path string) error {
	dir, err := os.MkdirTemp("", "strata-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	step := func(n int, title string) { fmt.Fprintf(out, "\n== %d. %s\n", n, title) }
	step(1, "start a Consul dev agent")
	agent, err := startAgent(ctx, bin, dir)
	if err != nil {
		return err
	}
	defer agent.stop()
	client, err := api.NewClient(&api.Config{Address: agent.addr})
	if err != nil {
		return err
	}
	const prefix = "services/orders/"
	kv := client.KV()
	if _, err := kv.Put(&api.KVPair{Key: prefix + "db/max_conns", Value: []byte("20")}, nil); err != nil {
		return err
	}
	fmt.Fprintf(out, "   consul at %s; seeded %sdb/max_conns = 20\n", agent.addr, prefix)

	step(2, "load: defaults < config.yaml < consul < env (ORDERS_TIMEOUT=3s)")
	events := make(chan string, 16)
	opts := optionsFor(log)
	opts.OnApply = func(ch strata.Change) {
		events <- fmt.Sprintf("applied generation %d: %d key(s) changed", ch.Generation, len(ch.Keys))
	}
	opts.OnError = func(err error) { events <- "rejected: " + err.Error() }
	cfg, err := load(ctx, settings{
		client: client, prefix: prefix, path: path,
		cacheFile: filepath.Join(dir, "consul-cache.json"),
		environ:   func() []string { return []string{"ORDERS_TIMEOUT=3s"} },
	}, opts)
	if err != nil {
		return err
	}
	defer cfg.Close()
	fmt.Fprintf(out, "   max_conns=%d timeout=%s listen=%s\n", cfg.Get().DB.MaxConns, cfg.Get().Timeout, cfg.Get().Listen)

	step(3, "where does each value come from? (Explain)")
	for _, key := range []string{"db.max_conns", "listen", "timeout", "features.new_checkout", "db.dsn"} {
		if e, ok := cfg.Explain(key); ok {
			fmt.Fprintln(out, "  ", e)
		}
	}

	put := func(key, value string) error {
		_, err := kv.Put(&api.KVPair{Key: prefix + key, Value: []byte(value)}, nil)
		return err
	}
	steps := []struct {
		title string
		do    func() error
	}{
		{"PUT db/max_conns = 50 (valid)", func() error { return put("db/max_conns", "50") }},
		{"PUT db/max_conns = ten (invalid: rejected, 50 stays)", func() error { return put("db/max_conns", "ten") }},
		{"PUT db/max_conns = 40 (the fix)", func() error { return put("db/max_conns", "40") }},
		{"one /v1/txn writing three keys: applied as one change", func() error {
			ops := api.KVTxnOps{}
			for k, v := range map[string]string{"db/max_conns": "60", "features/new_checkout": "true", "features/fast_refunds": "true"} {
				ops = append(ops, &api.KVTxnOp{Verb: api.KVSet, Key: prefix + k, Value: []byte(v)})
			}
			ok, resp, _, err := kv.Txn(ops, nil)
			if err == nil && !ok {
				err = fmt.Errorf("txn failed: %v", resp.Errors)
			}
			return err
		}},
		{"DELETE db/max_conns: falls back to config.yaml's 10", func() error {
			_, err := kv.Delete(prefix+"db/max_conns", nil)
			return err
		}},
	}
	for i, s := range steps {
		step(4+i, s.title)
		if err := s.do(); err != nil {
			return err
		}
		select {
		case ev := <-events:
			fmt.Fprintln(out, "  ", firstLine(ev))
		case <-time.After(10 * time.Second):
			return errors.New("no change observed within 10s")
		case <-ctx.Done():
			return ctx.Err()
		}
		fmt.Fprintf(out, "   now: max_conns=%d features=%v\n", cfg.Get().DB.MaxConns, cfg.Get().Features)
	}

	step(4+len(steps), "status")
	st := cfg.Status()
	fmt.Fprintf(out, "   generation %d, %d applied, %d rejected\n", st.Generation, st.Applied, st.Rejected)
	width := 0
	for _, l := range st.Layers {
		width = max(width, len(l.Name))
	}
	for _, l := range st.Layers {
		fmt.Fprintf(out, "   %-*s  version=%-20s healthy=%t stale=%t\n", width, l.Name, l.Version, l.Healthy, l.Stale)
	}
	return runPublishDemo(ctx, out, log, client, path, 5+len(steps))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// optionsFor is the service's strata options: a logger, nothing else.
func optionsFor(log *slog.Logger) strata.Options { return strata.Options{Logger: log} }

// exampleFile finds config.yaml whether run from the repository root or
// from this directory.
func exampleFile() string {
	for _, p := range []string{"config.yaml", filepath.Join("examples", "consul-reload", "config.yaml")} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "config.yaml"
}
