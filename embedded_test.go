package strata_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

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

type yamlBase struct {
	Port int `yaml:"port"`
}

type yamlInlined struct {
	yamlBase `yaml:",inline"`
	Name     string `yaml:"name"`
}

type yamlEmbedded struct {
	yamlBase
	Name string `yaml:"name"`
}

// yaml.v3 flattens an embedded struct only when it is tagged ",inline"
// (yaml.v3 yaml.go, getStructInfo); with TagName yaml strata does
// the same, so "port" beside "name" fills only the ,inline one.
func TestTagNameYAMLFlattensOnlyInlineAsYAMLv3Does(t *testing.T) {
	doc := []byte("port: 2\nname: orders\n")
	var wantInlined yamlInlined
	require.NoError(t, yaml.Unmarshal(doc, &wantInlined))
	require.Equal(t, 2, wantInlined.Port, "precondition: yaml.v3 flattens ,inline")
	var wantEmbedded yamlEmbedded
	require.NoError(t, yaml.Unmarshal(doc, &wantEmbedded))
	require.Equal(t, 0, wantEmbedded.Port, "precondition: yaml.v3 does not flatten an untagged embedded struct")

	data := map[string]any{"port": 2, "name": "orders"}
	inl := load[yamlInlined](t, strata.Options{TagName: "yaml"}, memory.New("m", data))
	assert.Equal(t, wantInlined, *inl.Get())
	emb := load[yamlEmbedded](t, strata.Options{TagName: "yaml"}, memory.New("m", data))
	assert.Equal(t, wantEmbedded, *emb.Get())
	assert.Equal(t, []string{"port"}, emb.Status().Unknown)
}
