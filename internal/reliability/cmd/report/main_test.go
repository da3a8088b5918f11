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
