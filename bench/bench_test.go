package bench

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The same bodies the report runs; `go test -bench . -benchmem` here.

func BenchmarkRead(b *testing.B) {
	b.Run("strata", ReadStrata)
	b.Run("koanf", ReadKoanf)
	b.Run("viper", ReadViper)
}

func BenchmarkReadParallel(b *testing.B) {
	b.Run("strata", ReadStrataParallel)
	b.Run("koanf", ReadKoanfParallel)
	b.Run("viper", ReadViperParallel)
}

func BenchmarkReload(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d/strata", n), ReloadStrata(n))
		b.Run(fmt.Sprintf("keys=%d/koanf+unmarshal", n), ReloadKoanf(n, true))
		b.Run(fmt.Sprintf("keys=%d/koanf", n), ReloadKoanf(n, false))
		b.Run(fmt.Sprintf("keys=%d/viper+unmarshal", n), ReloadViper(n, true))
		b.Run(fmt.Sprintf("keys=%d/viper", n), ReloadViper(n, false))
	}
}

// TestContendersAgree checks that the three libraries decode the same
// content into the same Config, so the benchmarks compare equal work.
func TestContendersAgree(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{{"empty", 0}, {"small", 3}, {"large", 1000}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := Tree(tt.n, 42)
			s, err := NewStrata(data)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			k, err := KoanfTyped(data)
			require.NoError(t, err)
			v, err := ViperTyped(data)
			require.NoError(t, err)

			want := s.Cfg.Get()
			assert.Equal(t, 42, want.DB.MaxConns)
			assert.Len(t, want.Keys, tt.n)
			assert.Equal(t, want.DB, k.DB, "koanf")
			assert.Equal(t, want.DB, v.DB, "viper")
			assert.Equal(t, len(want.Keys), len(k.Keys), "koanf")
			assert.Equal(t, len(want.Keys), len(v.Keys), "viper")
		})
	}
}

// TestStrataReloadApplies checks the reload helper the benchmarks use.
func TestStrataReloadApplies(t *testing.T) {
	s, err := NewStrata(Tree(10, 20))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.Reload(Tree(10, 21))
	assert.Equal(t, 21, s.Cfg.Get().DB.MaxConns)
}
