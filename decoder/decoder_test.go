package decoder_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/decoder"
)

type color struct{ r uint8 } // one channel is enough to tell red from the zero value

func parseColor(s string) (color, error) {
	switch s {
	case "red":
		return color{r: 255}, nil
	case "boom":
		panic("converter bug")
	}
	return color{}, errors.New("unknown color")
}

func TestConvertersAndErrors(t *testing.T) {
	type cfg struct {
		Fg  color  `config:"fg" default:"red"`
		Key string `config:"key" secret:"true"`
	}
	d, err := decoder.New(reflect.TypeFor[cfg](), decoder.Options{Converters: []decoder.Converter{decoder.Convert(parseColor)}})
	require.NoError(t, err)
	assert.Equal(t, []string{"fg", "key"}, d.Keys())

	var c cfg
	_, err = d.Decode(d.Defaults(), &c)
	require.NoError(t, err)
	assert.Equal(t, color{r: 255}, c.Fg, "defaults decode through the converter")

	_, err = d.Decode(map[string]any{"fg": "mauve"}, &c)
	var errs decoder.Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 1)
	assert.Equal(t, "fg", errs[0].Key)
	assert.Equal(t, `"mauve" is not a valid decoder_test.color: unknown color`, errs[0].Message)

	assert.NotPanics(t, func() { _, err = d.Decode(map[string]any{"fg": "boom"}, &c) })
	assert.ErrorContains(t, err, "panic")
}
