// Package reliability records what the fault and bad-input tests measure,
// so that RELIABILITY.md is generated from the tests' own output rather
// than written by hand. Tests call Record; the generator
// (internal/reliability/cmd/report, `make reliability`) runs them with
// EnvOut set, aggregates the samples and writes the table. With EnvOut
// unset, Record does nothing, so `go test` output is unchanged.
package reliability

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// EnvOut names the environment variable holding the file Record appends
// to. Unset or empty, Record does nothing.
const EnvOut = "STRATA_RELIABILITY_OUT"

// Figure is one measurement a test made: a duration (Unit "s") or a count.
type Figure struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
}

// Took is a duration figure, such as "notice" (fault to the error event)
// or "recover" (repair to the first change delivered).
func Took(metric string, d time.Duration) Figure {
	return Figure{Metric: metric, Value: d.Seconds(), Unit: "s"}
}

// Count is a count figure, such as "errors reported" or "values lost".
func Count(metric string, n int) Figure {
	return Figure{Metric: metric, Value: float64(n)}
}

// Sample is one line of the output file: one run of one test (or
// subtest) for one row of the table.
type Sample struct {
	Row     string   `json:"row"`
	Test    string   `json:"test"`
	Figures []Figure `json:"figures,omitempty"`
}

// Record appends one Sample for row (a key of Catalog) to the file named
// by EnvOut, as one JSON line. A row recorded with no figure says the
// test's guarantee held once more. A test that stops early records
// nothing, and the generator refuses a run in which any test failed; a
// failed write fails the test.
// Safe for concurrent use, also across test processes: each line is one
// append.
func Record(t testing.TB, row string, figures ...Figure) {
	t.Helper()
	record(t, os.Getenv(EnvOut), row, figures)
}

// record is Record with the output file given, so tests need not set the
// process environment.
func record(t testing.TB, path, row string, figures []Figure) {
	t.Helper()
	if path == "" {
		return
	}
	line, err := json.Marshal(Sample{Row: row, Test: t.Name(), Figures: figures})
	if err != nil {
		t.Errorf("reliability: %v", err)
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Errorf("reliability: %v", err)
		return
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Errorf("reliability: %v", err)
	}
}
