package providertest_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/memory"
	"github.com/strata-go/strata/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// breakEnv selects, in a child test process, how the layer under test is
// broken.
const breakEnv = "PROVIDERTEST_BREAK"

// fake is a polling watcher over a memory layer that keeps the contract
// unless mode breaks one rule of it.
type fake struct {
	*memory.Provider
	mode string
	kick chan struct{} // a backend event: signalled by Set and Delete
}

func (f *fake) Load(ctx context.Context) (provider.Snapshot, error) {
	if f.mode == "load ignores cancel" && ctx.Err() != nil {
		<-time.After(3 * time.Second)
	}
	s, err := f.Provider.Load(ctx)
	if err != nil && f.mode == "bare errors" {
		return s, errors.New("down")
	}
	if f.mode == "no version" {
		s.Version = ""
	}
	if f.mode == "no origins" {
		s.Origins, s.Source, s.OriginRule = nil, provider.Origin{}, provider.OriginRule{}
	}
	return s, err
}

func (f *fake) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	switch f.mode {
	case "leaks":
		go func() { <-time.After(time.Minute) }()
	case "returns early":
		return nil
	}
	prev, failing := last, false
	if f.mode == "skips first" && last.Version == "" {
		prev, _ = f.Load(ctx)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			switch f.mode {
			case "ignores cancel":
				<-time.After(3 * time.Second)
			case "wrong result":
				return errors.New("stopped")
			}
			return ctx.Err()
		case <-tick.C:
		}
		if failing && f.mode == "waits for events" {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-f.kick:
			}
		}
		s, err := f.Load(ctx)
		switch {
		case err != nil:
			if !failing || f.mode == "error per retry" {
				ev := provider.Event{Err: err}
				if f.mode == "snapshot and error" {
					ev.Snapshot = &prev
				}
				emit(ev)
			}
			failing = true
		case f.mode == "no dedupe" || !provider.SameContent(prev, s):
			delivered := s
			if f.mode == "diffs" {
				delivered.Data = diff(prev.Data, s.Data)
			}
			if f.mode == "narrow delta" && s.Delta != nil {
				delivered.Delta = &provider.Delta{Base: s.Delta.Base, Paths: [][]string{{"elsewhere"}}}
			}
			prev, failing = s, false
			emit(provider.Event{Snapshot: &delivered})
		case failing:
			failing = false
			switch f.mode {
			case "silent recovery":
			case "resends on recovery":
				emit(provider.Event{Snapshot: &s})
			case "double recovery":
				emit(provider.Event{})
				emit(provider.Event{})
			default:
				emit(provider.Event{})
			}
		}
	}
}

// diff returns the top-level entries of next that differ from prev.
func diff(prev, next map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range next {
		if !provider.SameContent(provider.Snapshot{Data: map[string]any{k: prev[k]}}, provider.Snapshot{Data: map[string]any{k: v}}) {
			out[k] = v
		}
	}
	return out
}

func harness(mode string) providertest.Harness {
	return providertest.Harness{
		Timeout: 2 * time.Second,
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			f := &fake{Provider: memory.New("fake", nil), mode: mode, kick: make(chan struct{}, 1)}
			for k, v := range seed {
				f.Set(k, v)
			}
			kick := func() {
				select {
				case f.kick <- struct{}{}:
				default:
				}
			}
			return providertest.Backend{
				Provider: f,
				Set:      func(k, v string) { f.Set(k, v); kick() },
				Delete:   func(k string) { f.Delete(k); kick() },
				Fail:     func() { f.Fail(nil) },
				Recover:  f.Recover,
				Attempts: f.Reads,
			}
		},
	}
}

// TestFakeConforms shows the fake keeps the contract when not broken, so
// each failure below is caused by its one breakage.
func TestFakeConforms(t *testing.T) {
	providertest.Run(t, harness(""))
}

// TestBroken runs the suite on a broken fake; TestSuiteCatches runs it in a
// child process and reads the verdict.
func TestBroken(t *testing.T) {
	mode := os.Getenv(breakEnv)
	if mode == "" {
		t.Skip("run by TestSuiteCatches in a child process")
	}
	providertest.Run(t, harness(mode))
}

// TestSuiteCatches runs even with -short: without it no test of this
// package sees the suite fail, which is the suite's whole job (under
// mutation testing, which runs with -short, every check could be broken
// unnoticed). The child processes mostly wait, so they run in parallel.
func TestSuiteCatches(t *testing.T) {
	tests := []struct {
		mode    string
		subtest string
		message string
	}{
		{"bare errors", "Load/names_the_layer_in_an_error", "must be (or wrap) a *provider.Error with Layer \"fake\""},
		{"no version", "Load/returns_the_whole_content", "the snapshot has no Version"},
		{"no origins", "Load/returns_the_whole_content", "no origin for [app.name db.host db.port]"},
		{"diffs", "Watch/delivers_a_change_as_a_whole_snapshot", "the snapshot must hold the whole content"},
		{"narrow delta", "Watch/delivers_a_change_as_a_whole_snapshot", "Delta leaves out keys that changed since its Base: db.host;"},
		{"no dedupe", "Watch/delivers_nothing_for_unchanged_content", "so it delivered unchanged content"},
		{"error per retry", "Watch/reports_an_outage_once_and_its_end_once", "report it once, not once per retry"},
		{"waits for events", "Watch/retries_by_itself", "the watcher must keep retrying by itself"},
		{"silent recovery", "Watch/retries_by_itself", "no recovery event after Recover"},
		{"resends on recovery", "Watch/retries_by_itself", "not by delivering the content again"},
		{"resends on recovery", "Watch/reports_an_outage_once_and_its_end_once", "unchanged content was delivered again"},
		{"double recovery", "Watch/reports_an_outage_once_and_its_end_once", "the end of one outage was reported 2 times"},
		{"load ignores cancel", "Load/returns_when_its_context_is_cancelled", "Load with a cancelled context did not return within 2s"},
		{"skips first", "Watch/delivers_the_content_when_started_from_nothing", "no event (the current content, when Watch starts from a zero Snapshot)"},
		{"ignores cancel", "Watch/stops_when_its_context_ends", "Watch did not return within 2s of its context being cancelled"},
		{"leaks", "Watch/stops_when_its_context_ends", "goroutines outlive Watch"},
		{"returns early", "Watch/delivers_a_change_as_a_whole_snapshot", "Watch returned <nil> before its context ended"},
		{"wrong result", "Watch/stops_when_its_context_ends", "Watch returned stopped after its context was cancelled"},
		{"snapshot and error", "Watch/stops_during_an_outage", "an event carries both a snapshot and an error"},
	}
	for _, tt := range tests {
		t.Run(tt.mode+" in "+tt.subtest, func(t *testing.T) {
			t.Parallel()
			run := "^TestBroken$"
			for _, part := range strings.Split(tt.subtest, "/") {
				run += "/^" + regexp.QuoteMeta(part) + "$"
			}
			cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), breakEnv+"="+tt.mode)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a layer broken by %q:\n%s", tt.mode, out)
			section := failureOf(string(out), "TestBroken/"+tt.subtest)
			assert.Contains(t, section, tt.message, "the failure of %s should say why; output:\n%s", tt.subtest, out)
		})
	}
}

// failureOf returns the log go test -v printed for the subtest name, if it
// failed, or "" if it did not fail.
func failureOf(out, name string) string {
	if !strings.Contains(out, "--- FAIL: "+name+" ") {
		return ""
	}
	var b strings.Builder
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "=== RUN   "):
			in = strings.TrimPrefix(l, "=== RUN   ") == name
		case strings.HasPrefix(strings.TrimSpace(l), "--- "):
			in = false
		case in:
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestSkip(t *testing.T) {
	h := harness("")
	h.Skip = map[string]string{"Watch/retries by itself": "known violation: example"}
	var names []string
	inner := h.New
	h.New = func(t *testing.T, seed map[string]string) providertest.Backend {
		names = append(names, t.Name())
		return inner(t, seed)
	}
	providertest.Run(t, h)
	assert.NotContains(t, names, t.Name()+"/Watch/retries_by_itself", "a skipped subtest makes no backend")
	assert.Contains(t, names, t.Name()+"/Watch/carries_a_deletion")
}

// TestReadOnce runs a read-only layer with no handles: only what applies
// runs, and Run says why the rest is skipped.
func TestReadOnce(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, seed map[string]string) providertest.Backend {
			data := map[string]any{}
			for k, v := range seed {
				parts := strings.Split(k, ".")
				m, ok := data[parts[0]].(map[string]any)
				if !ok {
					m = map[string]any{}
					data[parts[0]] = m
				}
				m[parts[1]] = v
			}
			return providertest.Backend{Provider: readOnce{maps.Clone(data)}}
		},
	})
}

type readOnce struct{ data map[string]any }

func (readOnce) Name() string { return "read once" }

func (r readOnce) Load(context.Context) (provider.Snapshot, error) {
	return provider.Snapshot{Data: r.data, Version: "1", Source: provider.Origin{Kind: "test"}}, nil
}
