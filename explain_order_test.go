package strata_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/internal/memlayer"
)

// TestExplainAllIsSortedByKey: ExplainAll lists every key set, sorted.
func TestExplainAllIsSortedByKey(t *testing.T) {
	c := load[Service](t, strata.Options{}, memlayer.New("m", map[string]any{
		"db": map[string]any{"dsn": "x", "max_conns": 3}, "hosts": []any{"a"}, "features": map[string]any{"z": true, "a": false},
	}))
	var keys []string
	for _, e := range c.ExplainAll() {
		keys = append(keys, e.Key)
	}
	assert.Equal(t, []string{"db.dsn", "db.max_conns", "features.a", "features.z", "hosts", "listen", "timeout"}, keys)
}

// TestExplainAllSizesItsResultOnce: ExplainAll counts the keys before
// building the list, so the list is allocated once at its final size
// (growing a list of 10,000 explanations would copy it several times).
func TestExplainAllSizesItsResultOnce(t *testing.T) {
	c := load[Service](t, strata.Options{}, memlayer.New("m", map[string]any{
		"db": map[string]any{"dsn": "x", "max_conns": 3}, "hosts": []any{"a"}, "features": map[string]any{"z": true, "a": false},
	}))
	all := c.ExplainAll()
	assert.Len(t, all, 7)
	assert.Equal(t, len(all), cap(all))
}
