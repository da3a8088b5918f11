package reliability

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRecordWithoutOutputWritesNothing(t *testing.T) {
	dir := t.TempDir()
	record(t, "", "consul/restart", []Figure{Took("notice", time.Second)})
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// TestRecordAppendsOneLinePerCall records from many goroutines at once:
// every call is one whole JSON line, none torn or lost.
func TestRecordAppendsOneLinePerCall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			record(t, path, "consul/restart", []Figure{Took("notice", 1500*time.Millisecond), Count("errors reported", 1)})
		})
	}
	wg.Wait()

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		var s Sample
		require.NoError(t, json.Unmarshal(sc.Bytes(), &s), "line %d: %q", lines, sc.Text())
		assert.Equal(t, Sample{Row: "consul/restart", Test: t.Name(), Figures: []Figure{
			{Metric: "notice", Value: 1.5, Unit: "s"}, {Metric: "errors reported", Value: 1},
		}}, s)
		lines++
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, n, lines)
}

// TestCatalogIsWellFormed: a covered row names its package, its tests and
// a run count, and is listed once; a row no test covers says why.
func TestCatalogIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Catalog() {
		assert.NotEmpty(t, e.Class, "%+v", e)
		assert.NotEmpty(t, e.Fault, "%+v", e)
		assert.NotEmpty(t, e.Guarantee, "%+v", e)
		if !e.Covered() {
			assert.NotEmpty(t, e.Gap, "a row no test covers says why: %+v", e)
			assert.Empty(t, e.Tests, "%+v", e)
			continue
		}
		assert.False(t, seen[e.Row], "row %s listed twice", e.Row)
		seen[e.Row] = true
		assert.NotEmpty(t, e.Package, e.Row)
		assert.NotEmpty(t, e.Tests, e.Row)
		assert.Positive(t, e.Samples, e.Row)
	}
}
