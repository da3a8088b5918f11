package strata

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider"
)

// TestErrorText: how an Error and its Problems read, in each shape.
func TestErrorText(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"no problem", &Error{Op: "load"}, "strata: load: invalid configuration"},
		{"a key with its origin", &Error{Op: "load", Problems: []Problem{{Key: "db.port", Layer: "file", Origin: provider.Origin{Kind: "file", Ref: "c.yaml", Line: 3}, Message: "bad"}}},
			"strata: load: db.port: bad (from file c.yaml:3)"},
		{"a key with only its layer", &Error{Op: "reload", Problems: []Problem{{Key: "db.port", Layer: "consul", Message: "bad"}}},
			"strata: reload: db.port: bad (from consul)"},
		{"a key from nowhere", &Error{Op: "check", Problems: []Problem{{Key: "db.port", Message: "bad"}}}, "strata: check: db.port: bad"},
		{"a layer", &Error{Op: "load", Problems: []Problem{{Layer: "consul", Message: "down"}}}, "strata: load: consul: down"},
		{"the whole config", &Error{Op: "load", Problems: []Problem{{Message: "inconsistent"}}}, "strata: load: inconsistent"},
		{"several", &Error{Op: "load", Problems: []Problem{{Layer: "a", Message: "down", Err: boom}, {Key: "k", Message: "bad"}}},
			"strata: load: 2 problems:\n  - a: down\n  - k: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

// TestLayerMessageDropsTheLayerName: a layer's *provider.Error is shown
// without the layer's name, which the Problem carries, but with its key.
func TestLayerMessageDropsTheLayerName(t *testing.T) {
	boom := errors.New("boom")
	assert.Equal(t, "boom", layerMessage("consul", provider.WrapError("consul", "", boom)))
	assert.Equal(t, "db/host: boom", layerMessage("consul", provider.WrapError("consul", "db/host", boom)))
	assert.Equal(t, provider.WrapError("other", "", boom).Error(), layerMessage("consul", provider.WrapError("other", "", boom)))
}
