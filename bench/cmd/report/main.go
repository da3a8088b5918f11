// Command report runs strata's benchmarks against koanf and viper and
// writes BENCHMARKS.md and docs/benchmarks.svg at the repository root.
//
//	cd bench && STRATA_CONSUL_BIN=/path/to/consul go run ./cmd/report
//
// Every workload runs in this one process, libraries interleaved
// (A/B/C/A/B/C…) so that machine noise hits each alike. The Consul
// workloads run against one dev agent that the report starts on free
// loopback ports and kills at the end; without STRATA_CONSUL_BIN they are
// reported as not run. Each workload is bounded in count and in time.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/strata-go/strata/bench"
)

// env is what every workload gets.
type env struct {
	ctx    context.Context // ends at the overall deadline or on ^C
	agent  *bench.Agent    // nil when no Consul binary was given
	quick  bool            // fewer rounds and samples, for trying the generator
	outage time.Duration
	only   string // comma-separated workload numbers; "" runs them all
}

func (e *env) logf(format string, args ...any) {
	fmt.Printf("report: "+format+"\n", args...)
}

// rounds is how many interleaved rounds the in-process benchmarks run.
func (e *env) rounds() int {
	if e.quick {
		return 1
	}
	return 3
}

func main() {
	root := flag.String("root", "..", "repository root; BENCHMARKS.md and docs/benchmarks.svg are written there")
	quick := flag.Bool("quick", false, "fewer rounds, changes and a 5 s outage: for trying the generator, figures are noisier")
	outage := flag.Duration("outage", 30*time.Second, "how long workload 5 keeps Consul down")
	only := flag.String("only", "", "run only these workloads (comma-separated numbers, e.g. 7) and replace their sections in the existing BENCHMARKS.md; the chart is left alone")
	flag.Parse()

	// testing.Benchmark reads the test flags; half a second per run keeps
	// the whole report under 10 minutes with three interleaved rounds.
	testing.Init()
	_ = flag.Set("test.benchtime", "500ms")
	// The consul/api watch plans that koanf starts log every retry to
	// stderr through hclog; the report counts those retries instead.
	hclog.DefaultOutput = io.Discard

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 9*time.Minute+30*time.Second)
	defer cancel()

	e := &env{ctx: ctx, quick: *quick, outage: *outage, only: *only}
	if e.quick {
		e.outage = min(e.outage, 5*time.Second)
	}
	if err := run(e, *root); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(e *env, root string) error {
	start := time.Now()
	consulVersion := "not run"
	if bin := os.Getenv("STRATA_CONSUL_BIN"); bin != "" {
		e.logf("starting consul dev agent from %s", bin)
		a, err := bench.StartAgent(bin)
		if err != nil {
			return err
		}
		defer func() { _ = a.Kill() }()
		e.agent, consulVersion = a, a.Version()
	} else {
		e.logf("STRATA_CONSUL_BIN is not set: the Consul workloads (3-6) are reported as not run")
	}

	var sections []section
	var panels []panel
	add := func(name string, fn func(*env) (section, []panel)) {
		if e.only != "" && !slices.Contains(strings.Split(e.only, ","), strings.Fields(name)[0]) {
			return
		}
		t := time.Now()
		e.logf("%s …", name)
		s, p := fn(e)
		sections = append(sections, s)
		panels = append(panels, p...)
		e.logf("%s done in %s", name, time.Since(t).Round(100*time.Millisecond))
	}
	add("1 read in a hot loop", w1Read)
	add("2 reads during reloads", w2ReadsDuringReloads)
	add("4 reload cost", w4ReloadCost)
	add("3 consul change latency", w3ChangeLatency)
	add("6 start-up", w6Startup)
	add("7 recovery after an outage", w7OutageRecovery) // kills an agent of its own
	add("8 reload cost, one key", w8ReloadOneKey)
	add("5 requests per watcher", w5Requests) // last: it stops the agent
	sort(sections, func(s section) string { return s.title })
	sort(panels, func(p panel) string { return p.title })
	if e.only != "" {
		return splice(filepath.Join(root, "BENCHMARKS.md"), sections)
	}

	md := header(e, consulVersion, time.Since(start))
	for _, s := range sections {
		s.markdown(md)
	}
	if err := writeKeeping(filepath.Join(root, "BENCHMARKS.md"), md.Bytes()); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		return err
	}
	svg := svgChart("strata vs koanf vs viper (lower is better)",
		fmt.Sprintf("%s, %d cores, %s, %s — details in BENCHMARKS.md", cpuModel(), runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02")),
		panels)
	if err := os.WriteFile(filepath.Join(root, "docs", "benchmarks.svg"), svg, 0o644); err != nil {
		return err
	}
	e.logf("wrote %s and %s in %s", filepath.Join(root, "BENCHMARKS.md"), filepath.Join(root, "docs", "benchmarks.svg"), time.Since(start).Round(time.Second))
	return nil
}

// sort puts sections and panels in workload order (titles start with the
// workload's number; they run in another order so that the one stopping
// Consul comes last). It is stable, keeping a workload's panels in order.
func sort[T any](s []T, title func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int { return strings.Compare(title(a)[:2], title(b)[:2]) })
}

func header(e *env, consulVersion string, took time.Duration) *bytes.Buffer {
	b := &bytes.Buffer{}
	b.WriteString("# Benchmarks: strata, koanf and viper\n\n")
	b.WriteString("Generated by `make bench` (`cd bench && go run ./cmd/report`); do not edit by hand. ")
	b.WriteString("Every figure comes from one run of the report on the machine below, libraries interleaved ")
	b.WriteString("(A/B/C/A/B/C…) so that noise hits each alike. Lower is better everywhere; ")
	b.WriteString("`× strata` is the library's figure divided by strata's, so a ratio below 1 means the peer wins that cell, ")
	b.WriteString("and the `best` column names the winner of each row (ties within 5%). ")
	b.WriteString("A section that says it was measured outside the report (etcd) is kept as it is by a regeneration.\n\n")
	fmt.Fprintf(b, "| | |\n|---|---|\n")
	fmt.Fprintf(b, "| machine | %d cores (nproc), %s |\n", runtime.NumCPU(), cpuModel())
	fmt.Fprintf(b, "| Go | %s %s/%s, GOMAXPROCS=%d |\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Fprintf(b, "| date | %s (run took %s) |\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), took.Round(time.Second))
	fmt.Fprintf(b, "| Consul | %s, one `-dev` agent on loopback |\n", consulVersion)
	fmt.Fprintf(b, "| versions | %s |\n", versions())
	if e.quick {
		b.WriteString("| mode | **-quick**: one round, fewer changes, short outage: noisier figures |\n")
	}
	b.WriteString("\n![bar chart](docs/benchmarks.svg)\n\n")
	return b
}

// versions lists the peers' module versions as built into this binary.
func versions() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	want := []string{
		"github.com/knadh/koanf/v2", "github.com/knadh/koanf/providers/consul/v2",
		"github.com/spf13/viper", "github.com/spf13/viper/remote", "github.com/sagikazarmark/crypt",
		"github.com/hashicorp/consul/api",
	}
	var out []string
	for _, w := range want {
		for _, d := range bi.Deps {
			if d.Path == w {
				out = append(out, fmt.Sprintf("%s %s", strings.TrimPrefix(w, "github.com/"), d.Version))
			}
		}
	}
	out = append(out, "strata: this checkout")
	return strings.Join(out, ", ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// notRun is the section of a Consul workload when no agent is available.
func notRun(title string) section {
	return section{title: title, intro: "Not run: STRATA_CONSUL_BIN was not set (`make bench` sets it)."}
}

// splice replaces, in the BENCHMARKS.md at path, each section's block (from
// its "## N." heading to the next "## " heading) with a fresh rendering,
// appending the sections it does not hold yet; the rest of the file,
// measured in an earlier run, is kept as it is.
func splice(path string, sections []section) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc := string(old)
	for _, s := range sections {
		b := &bytes.Buffer{}
		s.markdown(b)
		head := "## " + s.title[:2]
		i := strings.Index(doc, "\n"+head)
		if i < 0 {
			doc = strings.TrimRight(doc, "\n") + "\n\n" + b.String()
			continue
		}
		i++
		end := len(doc)
		if j := strings.Index(doc[i+len(head):], "\n## "); j >= 0 {
			end = i + len(head) + j + 1
		}
		doc = doc[:i] + b.String() + doc[end:]
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}
