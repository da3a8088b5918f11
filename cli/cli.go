// Package cli is a command line for an application's configuration that
// uses the application's own type, so checks are exact: an application
// mounts it as, say, `myservice config …`:
//
//	func main() {
//		if len(os.Args) > 1 && os.Args[1] == "config" {
//			os.Exit(cli.Run[Config](ctx, os.Args[2:], os.Stdout, os.Stderr, layers...))
//		}
//		…
//	}
//
// Commands:
//
//	check                    read every layer, merge, decode, validate (strata.Check)
//	schema [-partial] [-id URL]   print the JSON Schema of the type
//	diff FILE                what publishing FILE to the Consul layer would change, and whether the result is valid
//	publish FILE             the same, then write it in one check-and-set transaction
//	explain [KEY…]           where each key's effective value comes from
//	history                  the published versions (versioned mode: consul.NewVersioned)
//	rollback VERSION         check VERSION with today's type and layers, then make it live
//	gc [-keep N]             delete all but the N newest versions (default 10) and the live one
//
// Every command takes -json for output a CI job can parse. Values of secret
// keys are never printed. Exit codes:
//
//	0  success (valid; published; nothing to publish)
//	1  the configuration is invalid: nothing was written
//	2  usage error
//	3  conflict: the keys changed since the plan; nothing was written
//	4  failure: a layer could not be read or Consul refused the write
//	5  diff -exit-code: there are changes to publish
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider"
)

// Exit codes returned by Run.
const (
	ExitOK       = 0
	ExitInvalid  = 1
	ExitUsage    = 2
	ExitConflict = 3
	ExitFailure  = 4
	ExitChanges  = 5
)

// Options tunes RunWith. The zero value means defaults.
type Options struct {
	// Strata are the options the application loads with (TagName, Strict,
	// Secrets, Converters), so checks apply the same rules.
	Strata strata.Options
	// Layer names the layer diff and publish write to (its Name(), e.g.
	// "consul services/orders/"); empty means the only Consul layer.
	Layer string
}

// Run runs the command in args (without the program's name and the
// "config" word) against layers, the application's layers in the order
// it loads them, writing results to stdout and messages to stderr. It
// returns the exit code; it never calls os.Exit and starts no goroutine
// that outlives it.
func Run[T any](ctx context.Context, args []string, stdout, stderr io.Writer, layers ...provider.Provider) int {
	return RunWith[T](ctx, Options{}, args, stdout, stderr, layers...)
}

// RunWith is Run with options.
func RunWith[T any](ctx context.Context, opts Options, args []string, stdout, stderr io.Writer, layers ...provider.Provider) int {
	r := &runner[T]{opts: opts, layers: layers, out: stdout, errOut: stderr}
	if len(args) == 0 {
		r.usage()
		return ExitUsage
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&r.json, "json", false, "machine-readable JSON output")
	var run func(context.Context, []string) int
	switch cmd {
	case "check":
		run = r.check
	case "schema":
		fs.BoolVar(&r.partial, "partial", false, "describe one layer of several: nothing is required")
		fs.StringVar(&r.id, "id", "", "the schema's $id")
		run = r.schema
	case "diff":
		fs.BoolVar(&r.exitCode, "exit-code", false, "exit with 5 when there are changes to publish")
		run = r.diff
	case "publish":
		fs.StringVar(&r.note, "note", "", "a note stored with the publish")
		run = r.publish
	case "explain":
		run = r.explain
	case "history":
		run = r.history
	case "rollback":
		run = r.rollback
	case "gc":
		fs.IntVar(&r.keep, "keep", 10, "how many of the newest versions to keep (at least 1)")
		run = r.gc
	case "help", "-h", "-help", "--help":
		r.usage()
		return ExitOK
	default:
		fmt.Fprintf(stderr, "unknown command %q\n", cmd)
		r.usage()
		return ExitUsage
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	return run(ctx, fs.Args())
}

type runner[T any] struct {
	opts     Options
	layers   []provider.Provider
	out      io.Writer
	errOut   io.Writer
	json     bool
	partial  bool
	exitCode bool
	id       string
	note     string
	keep     int
}

func (r *runner[T]) usage() {
	fmt.Fprint(r.errOut, `usage: config <command> [-json] [arguments]

commands:
  check              validate the configuration from every layer
  schema [-partial] [-id URL]
                     print the JSON Schema of the configuration type
  diff [-exit-code] FILE
                     show what publishing FILE would change, and check the result
  publish [-note TEXT] FILE
                     check FILE's content and write it in one atomic transaction
  explain [KEY...]   show where each key's value comes from
  history            list published versions (versioned mode)
  rollback VERSION   check VERSION and make it live again (versioned mode)
  gc [-keep N]       delete all but the N newest versions and the live one

exit codes: 0 ok, 1 invalid, 2 usage, 3 conflict, 4 failure, 5 changes (diff -exit-code)
`)
}
