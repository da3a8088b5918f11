package main

import (
	"bytes"
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
	"github.com/strata-go/strata/cli"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
	"github.com/strata-go/strata/provider/file"
)

// runPublishDemo plays the publishing half of the story, numbering its
// steps from first: a second service reads a versioned Consul layer; an
// invalid file is refused before anything is written; a 200-key change is
// published and applied in one callback; a rollback brings the previous
// version back in one callback.
func runPublishDemo(ctx context.Context, out io.Writer, log *slog.Logger, client *api.Client, path string, first int) error {
	dir, err := os.MkdirTemp("", "strata-demo-publish-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	step := func(title string) { fmt.Fprintf(out, "\n== %d. %s\n", first, title); first++ }
	const base = "services/payments/"
	layers := []provider.Provider{file.New(path, file.Options{}), consul.NewVersioned(consul.Options{Prefix: base, Client: client, Optional: true})}
	config := func(args ...string) (int, string) {
		var buf bytes.Buffer
		code := cli.Run[Config](ctx, args, &buf, &buf, layers...)
		return code, buf.String()
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			panic(err) // a temp dir we just made
		}
		return p
	}

	step("publish v1 to a versioned layer (" + base + "): checked, then one pointer flip")
	code, text := config("publish", "-note", "first", write("v1.yaml", "db:\n  max_conns: 30\n"))
	fmt.Fprint(out, indent(text))
	if code != cli.ExitOK {
		return fmt.Errorf("publish v1: exit %d", code)
	}

	callbacks := make(chan string, 16)
	opts := optionsFor(log)
	opts.OnApply = func(ch strata.Change) {
		callbacks <- fmt.Sprintf("applied generation %d: %d key(s) changed in one callback", ch.Generation, len(ch.Keys))
	}
	cfg, err := strata.LoadWith[Config](ctx, opts, layers...)
	if err != nil {
		return err
	}
	defer cfg.Close()
	fmt.Fprintf(out, "   payments service running: max_conns=%d features=%d\n", cfg.Get().DB.MaxConns, len(cfg.Get().Features))

	step("config publish bad.yaml (max_conns: 0): refused, nothing written")
	code, text = config("publish", write("bad.yaml", "db:\n  max_conns: 0\n"))
	fmt.Fprint(out, indent(lastLines(text, 2)))
	fmt.Fprintf(out, "   exit code %d; service still at max_conns=%d\n", code, cfg.Get().DB.MaxConns)

	step("publish a 200-key change (200 feature flags + max_conns) as version 2")
	var b strings.Builder
	b.WriteString("db:\n  max_conns: 80\nfeatures:\n")
	for i := range 199 {
		fmt.Fprintf(&b, "  flag_%03d: true\n", i)
	}
	code, text = config("publish", "-note", "200 keys", write("v2.yaml", b.String()))
	fmt.Fprint(out, indent(lastLines(text, 2)))
	if code != cli.ExitOK {
		return fmt.Errorf("publish v2: exit %d", code)
	}
	if err := await(ctx, out, callbacks); err != nil {
		return err
	}
	fmt.Fprintf(out, "   now: max_conns=%d features=%d\n", cfg.Get().DB.MaxConns, len(cfg.Get().Features))

	step("config history, then rollback to version 1 (validated again)")
	_, text = config("history")
	fmt.Fprint(out, indent(text))
	code, text = config("rollback", "0000000001")
	fmt.Fprint(out, indent(text))
	if code != cli.ExitOK {
		return fmt.Errorf("rollback: exit %d", code)
	}
	if err := await(ctx, out, callbacks); err != nil {
		return err
	}
	fmt.Fprintf(out, "   now: max_conns=%d features=%d\n", cfg.Get().DB.MaxConns, len(cfg.Get().Features))
	select {
	case extra := <-callbacks:
		return fmt.Errorf("a second callback for one change: %s", extra)
	default:
	}
	return nil
}

// await prints the next callback and checks no other follows for the
// same change (the next change's callback would come later, by design).
func await(ctx context.Context, out io.Writer, callbacks <-chan string) error {
	select {
	case ev := <-callbacks:
		fmt.Fprintln(out, "  ", ev)
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("no change observed within 10s")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "   " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n   ") + "\n"
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
