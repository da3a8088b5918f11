package strata_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/memory"
)

type jsonBase struct {
	Port int    `json:"port" validate:"min=1"`
	Host string `json:"host"`
}

// jsonService works with encoding/json as it is: the untagged embedded
// jsonBase is flattened, so "port" sits beside "name".
type jsonService struct {
	jsonBase
	Name string `json:"name"`
}

func TestTagNameJSONFlattensAnUntaggedEmbeddedStruct(t *testing.T) {
	doc := map[string]any{"port": 8080, "host": "db", "name": "orders"}
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	var want jsonService
	require.NoError(t, json.Unmarshal(raw, &want))
	require.Equal(t, 8080, want.Port, "precondition: encoding/json flattens the embedded struct")

	cfg := load[jsonService](t, strata.Options{TagName: "json", Strict: true}, memory.New("m", doc))
	assert.Equal(t, want, *cfg.Get())
	assert.Empty(t, cfg.Status().Unknown)

	_, err = strata.LoadWith[jsonService](context.Background(), strata.Options{TagName: "json"},
		memory.New("m", map[string]any{"port": 0, "name": "orders"}))
	assert.ErrorContains(t, err, "port: must be at least 1", "validation names the flattened key")
}

type jsonNamedEmbed struct {
	jsonBase `json:"base"`
}

type jsonPointerEmbed struct {
	*jsonBase
}

// encoding/json keys these by name or allocates the pointer; strata refuses
// them with TagName json rather than decode them differently.
func TestTagNameJSONRefusesEmbeddingsItCannotMatch(t *testing.T) {
	_, err := strata.LoadWith[jsonNamedEmbed](context.Background(), strata.Options{TagName: "json"})
	assert.ErrorContains(t, err, "jsonBase: an embedded struct with a json name")
	_, err = strata.LoadWith[jsonPointerEmbed](context.Background(), strata.Options{TagName: "json"})
	assert.ErrorContains(t, err, "jsonBase: an embedded pointer to a struct is not supported")
}
