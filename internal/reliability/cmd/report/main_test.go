package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/strata-go/strata/internal/reliability"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestCheckRefusesDrift: a covered row nobody recorded (a renamed test)
// and a recorded row the catalog does not list both stop the report.
func TestCheckRefusesDrift(t *testing.T) {
	catalog := []reliability.Entry{
		{Row: "a", Tests: []string{"TestA"}},
		{Row: "b", Tests: []string{"TestB"}},
		{Class: "not covered", Gap: "no test"},
	}
	for _, tc := range []struct {
		name string
		got  map[string][]reliability.Sample
		want []string // nil: no error
	}{
		{"every row sampled", map[string][]reliability.Sample{"a": {{Row: "a"}}, "b": {{Row: "b"}}}, nil},
		{"a row without samples", map[string][]reliability.Sample{"a": {{Row: "a"}}}, []string{"row b: no sample from [TestB]"}},
		{"an unknown row", map[string][]reliability.Sample{"a": {{Row: "a"}}, "b": {{Row: "b"}}, "c": {{Row: "c", Test: "TestC"}}},
			[]string{"row c (recorded by TestC) is not in the catalog"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := check(catalog, tc.got)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// TestMeasured: times as p50 / max, a count once when every run agrees,
// and how many runs or cases the figures come from.
func TestMeasured(t *testing.T) {
	var runs []reliability.Sample
	for _, s := range []float64{0.3, 0.1, 0.2, 1.5} {
		runs = append(runs, reliability.Sample{Row: "r", Test: "TestX", Figures: []reliability.Figure{
			{Metric: "notice", Value: s, Unit: "s"}, {Metric: "errors", Value: 1},
		}})
	}
	assert.Equal(t, "notice 200 ms / 1.50 s; errors: 1 (4 runs)", measured(runs))

	runs[3].Figures[1].Value = 3
	assert.True(t, strings.HasSuffix(measured(runs), "errors: p50 1, max 3 (4 runs)"), measured(runs))

	cases := []reliability.Sample{{Test: "TestY/a"}, {Test: "TestY/b"}, {Test: "TestY/a"}, {Test: "TestY/b"}}
	assert.Equal(t, "held in 2 cases × 2 runs", measured(cases))
	assert.Equal(t, "held in 1 run", measured(cases[:1]))
}

// TestFailure picks testify's message, or a t.Errorf line, from a failed
// test's output.
func TestFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"testify with a message", []string{
			"    resilience_test.go:56: \n", "        \tError Trace:\t/x/resilience_test.go:56\n",
			"        \tError:      \tShould NOT be empty, but was map[]\n", "        \tMessages:   \tan outage never looks like deleted keys\n",
		}, "an outage never looks like deleted keys"},
		{"testify without a message", []string{
			"    a_test.go:9: \n", "        \tError Trace:\t/x/a_test.go:9\n", "        \tError:      \tShould be true\n",
		}, "Should be true"},
		{"t.Fatalf", []string{"    consul_test.go:105: unexpected value strata: reload: db.dsn: is required\n"},
			"unexpected value strata: reload: db.dsn: is required"},
		{"nothing recognisable", []string{"panic: boom\n"}, "see the test's output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, failure(tc.lines))
		})
	}
}

func TestImportPath(t *testing.T) {
	assert.Equal(t, "github.com/strata-go/strata", importPath("."))
	assert.Equal(t, "github.com/strata-go/strata/provider/consul", importPath("./provider/consul/"))
}
