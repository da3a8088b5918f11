package strata_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata"
)

func TestStaticPushesValuesToCallbacks(t *testing.T) {
	v := Service{Listen: ":1"}
	s, err := strata.NewStatic(&v)
	require.NoError(t, err)
	cfg := s.Config()
	require.Same(t, &v, cfg.Get(), "the value as given, no copy, no defaults")
	require.NoError(t, cfg.Ready())

	var seen [][2]string
	cfg.OnChange(func(old, new *Service) { seen = append(seen, [2]string{old.Listen, new.Listen}) })
	tests := []struct {
		listen string
		want   [][2]string
	}{
		{":2", [][2]string{{":1", ":2"}}},
		{":2", [][2]string{{":1", ":2"}}}, // equal: no callback
		{":3", [][2]string{{":1", ":2"}, {":2", ":3"}}},
	}
	for _, tt := range tests {
		require.NoError(t, s.Update(&Service{Listen: tt.listen}))
		assert.Equal(t, tt.want, seen, "callbacks ran before Update returned")
		assert.Equal(t, tt.listen, cfg.Get().Listen)
	}
	assert.EqualValues(t, 3, cfg.Status().Generation)
	assert.Empty(t, cfg.Status().Layers)
	assert.NoError(t, cfg.Reload(context.Background()), "nothing to re-read")

	require.NoError(t, cfg.Close())
	assert.ErrorIs(t, s.Update(&Service{Listen: ":4"}), strata.ErrClosed)
	assert.ErrorIs(t, cfg.Ready(), strata.ErrClosed)
	assert.Equal(t, ":3", cfg.Get().Listen)
}

func TestStaticRejectsNonStruct(t *testing.T) {
	_, err := strata.NewStatic[int](nil)
	assert.ErrorContains(t, err, "must be a struct")
	assert.Panics(t, func() { strata.Static[int](nil) })
	assert.Equal(t, Service{}, *strata.Static[Service](nil).Get(), "nil means the zero value")
}

// A handler under test takes a *strata.Config; the test hands it a static
// one and pushes a change with Update.
func ExampleNewStatic() {
	s, err := strata.NewStatic(&ExampleConfig{Listen: ":8080"})
	if err != nil {
		panic(err)
	}
	cfg := s.Config() // what the code under test receives
	cfg.OnChange(func(old, new *ExampleConfig) { fmt.Println("listen", old.Listen, "->", new.Listen) })

	_ = s.Update(&ExampleConfig{Listen: ":9090"}) // callbacks have run when it returns
	fmt.Println(cfg.Get().Listen)
	// Output:
	// listen :8080 -> :9090
	// :9090
}
