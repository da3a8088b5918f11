// Command report runs the fault and bad-input tests listed in
// reliability.Catalog with reliability.EnvOut set, aggregates what they
// Record (p50 and max over several runs where a figure is a time) and
// writes RELIABILITY.md. `make reliability` runs it with the pinned Consul.
//
// It refuses to write anything when a test fails, when a covered row gets
// no sample (a renamed test), or when a test records a row the catalog
// does not list.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/strata-go/strata/internal/reliability"
)

func main() {
	out := flag.String("out", "RELIABILITY.md", "file to write")
	samples := flag.Int("samples", 0, "runs of each timing test (0: the catalog's)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *out, *samples); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out string, samples int) error {
	if os.Getenv("STRATA_CONSUL_BIN") == "" {
		return errors.New("STRATA_CONSUL_BIN is not set (run `make reliability`)")
	}
	catalog := reliability.Catalog()
	tmp, err := os.CreateTemp("", "strata-reliability-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Close(); err != nil {
		return err
	}

	start := time.Now()
	gs := groups(catalog, samples)
	results := outcomes{}
	for _, g := range gs {
		if err := goTest(ctx, g, tmp.Name(), results); err != nil {
			return err
		}
	}
	took := time.Since(start)

	got, err := readSamples(tmp.Name())
	if err != nil {
		return err
	}
	if err := check(catalog, got); err != nil {
		return err
	}
	var b bytes.Buffer
	write(&b, catalog, got, results, took, gs[0].count)
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// group is one `go test` invocation: every package and test run the same
// number of times.
type group struct {
	count int
	pkgs  []string
	tests []string
}

func groups(catalog []reliability.Entry, samples int) []group {
	byCount := map[int]*group{}
	for _, e := range catalog {
		if !e.Covered() {
			continue
		}
		n := e.Samples
		if n > 1 && samples > 0 {
			n = samples
		}
		g := byCount[n]
		if g == nil {
			g = &group{count: n}
			byCount[n] = g
		}
		if !slices.Contains(g.pkgs, e.Package) {
			g.pkgs = append(g.pkgs, e.Package)
		}
		for _, t := range e.Tests {
			if !slices.Contains(g.tests, t) {
				g.tests = append(g.tests, t)
			}
		}
	}
	var gs []group
	for _, g := range byCount {
		gs = append(gs, *g)
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].count > gs[j].count })
	return gs
}

// outcome counts the runs of one top-level test and keeps the first
// failure's message.
type outcome struct {
	pass, fail int
	msg        string
}

// outcomes is keyed by import path and test name.
type outcomes map[string]*outcome

func key(importPath, test string) string { return importPath + "." + test }

// importPath turns a catalog package ("./provider/consul/", ".") into the
// import path go test -json reports.
func importPath(pkg string) string {
	const module = "github.com/strata-go/strata"
	if p := strings.Trim(strings.TrimPrefix(pkg, "."), "/"); p != "" {
		return module + "/" + p
	}
	return module
}

// goTest runs one group with -json, counting passes and failures of each
// top-level test. A test that fails in some runs is a finding the page
// publishes; a package that fails outside any test (a build error, a
// goroutine leak found by TestMain, a timeout) stops the report.
func goTest(ctx context.Context, g group, outFile string, results outcomes) error {
	args := append([]string{"test", "-json", "-count", fmt.Sprint(g.count), "-timeout", "30m",
		"-run", "^(" + strings.Join(g.tests, "|") + ")$"}, g.pkgs...)
	fmt.Fprintf(os.Stderr, "report: go %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), reliability.EnvOut+"="+outFile, "CI=true")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	lines := map[string][]string{} // output of the current run of each test
	pkgFailed := map[string]bool{}
	testFailed := map[string]bool{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct{ Action, Package, Test, Output string }
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			fmt.Fprintln(os.Stderr, sc.Text()) // not an event: a build error
			continue
		}
		if ev.Test == "" {
			if ev.Action == "fail" {
				pkgFailed[ev.Package] = true
			}
			if ev.Action == "output" && !strings.HasPrefix(ev.Output, "\t") && !strings.HasPrefix(ev.Output, " ") {
				fmt.Fprint(os.Stderr, ev.Output) // ok / FAIL lines
			}
			continue
		}
		top, _, _ := strings.Cut(ev.Test, "/")
		k := key(ev.Package, top)
		switch ev.Action {
		case "run":
			if top == ev.Test {
				lines[k] = nil
			}
		case "output":
			lines[k] = append(lines[k], ev.Output)
		case "pass", "fail":
			if top != ev.Test {
				continue
			}
			o := results[k]
			if o == nil {
				o = &outcome{}
				results[k] = o
			}
			if ev.Action == "pass" {
				o.pass++
				continue
			}
			o.fail++
			testFailed[ev.Package] = true
			if o.msg == "" {
				o.msg = failure(lines[k])
			}
			fmt.Fprintf(os.Stderr, "report: %s failed: %s\n", ev.Test, o.msg)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	runErr := cmd.Wait()
	for pkg := range pkgFailed {
		if !testFailed[pkg] {
			return fmt.Errorf("%s failed outside any test; nothing written: %v", pkg, runErr)
		}
	}
	if runErr != nil && len(pkgFailed) == 0 {
		return fmt.Errorf("go test failed; nothing written: %w", runErr)
	}
	fmt.Fprintf(os.Stderr, "report: %d run(s) took %s\n", g.count, time.Since(start).Round(time.Second))
	return nil
}

// failure picks the line that says why a test failed: testify's message,
// or else the first line a test logged at a file:line.
func failure(lines []string) string {
	var first string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if m, ok := strings.CutPrefix(t, "Messages:"); ok {
			return strings.TrimSpace(m)
		}
		if first == "" && strings.Contains(t, "_test.go:") {
			if _, rest, ok := strings.Cut(t, ": "); ok && strings.TrimSpace(rest) != "" {
				first = strings.TrimSpace(rest)
			} else if i+2 < len(lines) {
				// testify: "x_test.go:56:" then "Error Trace:" and "Error:" lines.
				for _, n := range lines[i+1 : min(i+4, len(lines))] {
					if e, ok := strings.CutPrefix(strings.TrimSpace(n), "Error:"); ok {
						first = strings.TrimSpace(e)
					}
				}
			}
		}
	}
	if first == "" {
		return "see the test's output"
	}
	return first
}

func readSamples(path string) (map[string][]reliability.Sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	got := map[string][]reliability.Sample{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s reliability.Sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		got[s.Row] = append(got[s.Row], s)
	}
	return got, sc.Err()
}

func check(catalog []reliability.Entry, got map[string][]reliability.Sample) error {
	known := map[string]bool{}
	var problems []string
	for _, e := range catalog {
		if !e.Covered() {
			continue
		}
		known[e.Row] = true
		if len(got[e.Row]) == 0 {
			problems = append(problems, fmt.Sprintf("row %s: no sample from %v", e.Row, e.Tests))
		}
	}
	for row, ss := range got {
		if !known[row] {
			problems = append(problems, fmt.Sprintf("row %s (recorded by %s) is not in the catalog", row, ss[0].Test))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New("nothing written:\n  " + strings.Join(problems, "\n  "))
	}
	return nil
}

func write(w io.Writer, catalog []reliability.Entry, got map[string][]reliability.Sample, results outcomes, took time.Duration, timingRuns int) {
	fmt.Fprintf(w, `# Reliability

Every fault and bad-input class the test suite covers: what the test does,
what strata guarantees there, and what the test measured. **Generated** from
the tests' own output — do not edit; regenerate with:

`+"```sh\nmake reliability   # go run ./internal/reliability/cmd/report, with the pinned Consul\n```"+`

Each figure is recorded by the named test through
`+"`internal/reliability`"+` while the generator runs it. A test that failed in
some runs is marked **failed** with its message, here and under "Where a
guarantee does not hold"; the generator refuses to write this page when a
package fails outside a test (a build error, a goroutine leak, a timeout)
or a row gets no sample. Times are p50 / max over
the runs shown (every test whose figure is a time runs %d times), wall
clock from the fault (or the repair) to the event the application sees,
so they include the harness's own calls; they were taken without the race
detector on %s, %d CPUs, %s, real Consul %s, while other work shared the
machine. They are figures, not limits: no test asserts a duration. Counts
are exact in every run. Generating took %s.

Rows marked *httptest* use an `+"`httptest`"+` server, because a real Consul
cannot produce that fault on demand; every other Consul row runs against
real Consul servers started by `+"`internal/consultest`"+`.

`, timingRuns, runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(), consulVersion(), took.Round(time.Second))

	fmt.Fprintln(w, "## Covered")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| class | what the test does | guarantee | measured | conditions | test |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, e := range catalog {
		if !e.Covered() {
			continue
		}
		fault := e.Fault
		if e.Httptest {
			fault += " (*httptest*)"
		}
		m := measured(got[e.Row])
		if fail, runs, _ := results.of(e); fail > 0 {
			m = fmt.Sprintf("**failed in %d of %d runs**; %s", fail, runs, m)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", e.Class, cell(fault), cell(e.Guarantee),
			cell(m), cell(orDash(e.When)), testsCell(e))
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Where a guarantee does not hold")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "What the figures above do not say, as measured or as designed:")
	fmt.Fprintln(w)
	for _, e := range catalog {
		if fail, runs, msg := results.of(e); e.Covered() && fail > 0 {
			fmt.Fprintf(w, "- **%s — %s: failed in %d of %d runs while this page was generated** (%s): %s\n",
				e.Class, e.Fault, fail, runs, strings.Join(e.Tests, ", "), cell(msg))
		}
	}
	for _, e := range catalog {
		if e.Covered() && e.Gap != "" {
			fmt.Fprintf(w, "- **%s — %s.** %s.\n", e.Class, e.Fault, capitalize(e.Gap))
		}
	}
	fmt.Fprintln(w, "- **Every Consul time above uses shortened test options** (the *conditions* column), not the defaults (Wait 5 min, retries 1–2 s apart while Consul is unreachable, FailbackInterval 30 s). BENCHMARKS.md §7 measures recovery with the defaults.")

	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Not covered")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Faults no test in the suite produces, so no figure is given:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| class | fault | guarantee | status |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, e := range catalog {
		if !e.Covered() {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", e.Class, cell(e.Fault), cell(e.Guarantee), cell(e.Gap))
		}
	}
}

// of sums the runs and failures of e's tests, with the first failure's
// message.
func (r outcomes) of(e reliability.Entry) (fail, runs int, msg string) {
	for _, t := range e.Tests {
		if o := r[key(importPath(e.Package), t)]; o != nil {
			fail += o.fail
			runs += o.pass + o.fail
			if msg == "" {
				msg = o.msg
			}
		}
	}
	return fail, runs, msg
}

// measured renders a row's samples: each metric as p50 / max over its
// samples (or one figure when every sample agrees), then how many runs.
func measured(ss []reliability.Sample) string {
	var order []string
	values := map[string][]float64{}
	units := map[string]string{}
	cases := map[string]int{}
	for _, s := range ss {
		cases[s.Test]++
		for _, f := range s.Figures {
			if _, ok := values[f.Metric]; !ok {
				order = append(order, f.Metric)
			}
			values[f.Metric] = append(values[f.Metric], f.Value)
			units[f.Metric] = f.Unit
		}
	}
	var parts []string
	for _, m := range order {
		v := values[m]
		sort.Float64s(v)
		p50, hi := v[(len(v)-1)/2], v[len(v)-1]
		if units[m] == "s" {
			parts = append(parts, fmt.Sprintf("%s %s / %s", m, seconds(p50), seconds(hi)))
		} else if v[0] == hi {
			parts = append(parts, fmt.Sprintf("%s: %g", m, hi))
		} else {
			parts = append(parts, fmt.Sprintf("%s: p50 %g, max %g", m, p50, hi))
		}
	}
	runs := len(ss) / max(len(cases), 1)
	held := "held in " + plural(len(ss), "run")
	if len(cases) > 1 {
		held = fmt.Sprintf("held in %d cases", len(cases))
		if runs > 1 {
			held += " × " + plural(runs, "run")
		}
	}
	if len(parts) == 0 {
		return held
	}
	return strings.Join(parts, "; ") + " (" + strings.TrimPrefix(held, "held in ") + ")"
}

func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func testsCell(e reliability.Entry) string {
	var names []string
	for _, t := range e.Tests {
		names = append(names, "`"+t+"`")
	}
	return strings.Join(names, ", ") + " (`" + strings.TrimSuffix(e.Package, "/") + "`)"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func consulVersion() string {
	out, err := exec.Command(os.Getenv("STRATA_CONSUL_BIN"), "version").Output()
	if err != nil {
		return filepath.Base(filepath.Dir(os.Getenv("STRATA_CONSUL_BIN")))
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(line, "Consul ")
}
