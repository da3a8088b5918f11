package strata_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
	"github.com/strata-go/strata/provider/memory"
)

// level is a type of the application's own with no TextUnmarshaler.
type level int

func parseLevel(s string) (level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return 0, nil
	case "info":
		return 1, nil
	}
	return 0, errors.New("want debug or info")
}

func TestConverters(t *testing.T) {
	type cfg struct {
		Level  level  `config:"level" default:"info"`
		Ptr    *level `config:"ptr"`
		Secret level  `config:"secret" secret:"true"`
	}
	opts := strata.Options{Converters: []strata.Converter{strata.Convert(parseLevel)}}

	c := load[cfg](t, opts, memory.New("m", map[string]any{"ptr": "debug"}))
	assert.Equal(t, level(1), c.Get().Level, "the default tag goes through the converter")
	require.NotNil(t, c.Get().Ptr)
	assert.Equal(t, level(0), *c.Get().Ptr)

	_, err := strata.LoadWith[cfg](context.Background(), opts, memory.New("m", map[string]any{"level": "loud", "secret": "hunter2"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `level: "loud" is not a valid strata_test.level: want debug or info`)
	assert.Contains(t, err.Error(), "secret: ")
	assert.NotContains(t, err.Error(), "hunter2", "a secret value never appears")

	_, err = strata.LoadWith[cfg](context.Background(), strata.Options{Converters: []strata.Converter{{}}})
	assert.ErrorContains(t, err, "zero Converter")
}

type rgb struct{ R, G, B uint8 }

func TestConvertedStructIsALeaf(t *testing.T) {
	type cfg struct {
		Fg rgb `config:"fg" default:"red"`
	}
	red := func(s string) (rgb, error) {
		if s != "red" {
			return rgb{}, errors.New("only red")
		}
		return rgb{R: 255}, nil
	}
	opts := strata.Options{Converters: []strata.Converter{strata.Convert(red)}}
	c := load[cfg](t, opts)
	assert.Equal(t, rgb{R: 255}, c.Get().Fg, "a struct type with a converter is one value, not a struct of keys")

	s, err := strata.JSONSchema[cfg](strata.SchemaOptions{Options: opts})
	require.NoError(t, err)
	assert.Contains(t, string(s), `"type": "string"`, "and reads as a string in the schema")
}
