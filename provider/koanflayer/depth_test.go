package koanflayer_test

import (
	"context"
	"strings"
	"testing"

	ktoml "github.com/knadh/koanf/parsers/toml/v2"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/koanflayer"
)

// nested returns {"a": {"a": … leaf}} with depth keys on the way.
func nested(depth int, leaf any) map[string]any {
	v := leaf
	for range depth - 1 {
		v = map[string]any{"a": v}
	}
	return map[string]any{"a": v}
}

// TestLoadTooDeep checks the layer against provider.MaxDepth whatever the
// koanf provider hands over: a deep map, a map that contains itself (which
// a copy would follow until the stack overflows), dotted keys that nest
// only once split, and deep TOML, which is scanned before go-toml parses
// it.
func TestLoadTooDeep(t *testing.T) {
	cyclic := map[string]any{"x": 1}
	cyclic["self"] = cyclic
	deep := provider.MaxDepth + 1
	aKey := strings.TrimSuffix(strings.Repeat("a.", deep), ".")
	tests := []struct {
		name string
		read func() (map[string]any, error)
		toml string
		want string // the error after the layer name; "" for none
	}{
		{name: "at the limit", read: func() (map[string]any, error) { return nested(provider.MaxDepth, 1), nil }},
		{name: "a deep map", read: func() (map[string]any, error) { return nested(deep, 1), nil },
			want: "at key " + aKey},
		{name: "a map that contains itself", read: func() (map[string]any, error) { return cyclic, nil },
			want: "at key self.self.self"},
		{name: "a dotted key", read: func() (map[string]any, error) { return map[string]any{aKey: 1}, nil },
			want: "at key " + aKey},
		{name: "deep TOML", toml: "a = " + strings.Repeat("{a = ", 100_000) + "1" + strings.Repeat("}", 100_000),
			want: "at line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l provider.Provider
			if tt.read != nil {
				src := &fake{}
				src.set(tt.read())
				l = koanflayer.New("deep", src, koanflayer.Options{})
			} else {
				l = koanflayer.New("deep", rawbytes.Provider([]byte(tt.toml)), koanflayer.Options{Parser: ktoml.Parser()})
			}
			_, err := l.Load(context.Background())
			if tt.want == "" {
				require.NoError(t, err)
				reliability.Record(t, "koanflayer/deep")
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "deep: nested deeper than 64 levels (provider.MaxDepth) "+tt.want), err.Error())
			var de *provider.DepthError
			assert.ErrorAs(t, err, &de)
			reliability.Record(t, "koanflayer/deep")
		})
	}
}
