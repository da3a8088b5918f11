package bench

import (
	"context"
	"fmt"

	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/viper"

	"github.com/strata-go/strata"
)

// Strata is a strata Config fed by a Mem layer, with a channel that hears
// every applied change, so a caller can push a snapshot and wait until it
// is live (merged, decoded, validated and swapped in).
type Strata struct {
	Cfg     *strata.Config[Config]
	Mem     *Mem
	applied chan struct{}
}

// NewStrata loads data through a Mem layer. Close it when done.
func NewStrata(data map[string]any) (*Strata, error) {
	mem := NewMem(data)
	cfg, err := strata.Load[Config](context.Background(), mem)
	if err != nil {
		return nil, err
	}
	s := &Strata{Cfg: cfg, Mem: mem, applied: make(chan struct{}, 1)}
	cfg.OnChange(func(_, _ *Config) {
		select {
		case s.applied <- struct{}{}:
		default:
		}
	})
	return s, nil
}

// Reload pushes data and returns once the change is live. data must differ
// from the current content, or Reload would wait for a change that never
// comes (an equal result fires no callback).
func (s *Strata) Reload(data map[string]any) {
	s.Mem.Set(data)
	<-s.applied
}

// Close stops the Config.
func (s *Strata) Close() error { return s.Cfg.Close() }

// NewKoanf loads data into a koanf instance the way koanf's README does for
// in-memory maps: koanf.New(".") and the confmap provider.
func NewKoanf(data map[string]any) (*koanf.Koanf, error) {
	k := koanf.New(".")
	if err := k.Load(confmap.Provider(data, "."), nil); err != nil {
		return nil, fmt.Errorf("koanf: %w", err)
	}
	return k, nil
}

// KoanfTyped builds a fresh koanf instance from data and unmarshals it into
// a Config: koanf's equivalent of one strata reload (it does not validate).
func KoanfTyped(data map[string]any) (*Config, error) {
	k, err := NewKoanf(data)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := k.Unmarshal("", &c); err != nil {
		return nil, fmt.Errorf("koanf: %w", err)
	}
	return &c, nil
}

// NewViper loads data into a fresh viper instance with MergeConfigMap.
func NewViper(data map[string]any) (*viper.Viper, error) {
	v := viper.New()
	if err := v.MergeConfigMap(data); err != nil {
		return nil, fmt.Errorf("viper: %w", err)
	}
	return v, nil
}

// ViperTyped builds a fresh viper instance from data and unmarshals it into
// a Config: viper's equivalent of one strata reload (it does not validate).
func ViperTyped(data map[string]any) (*Config, error) {
	v, err := NewViper(data)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, fmt.Errorf("viper: %w", err)
	}
	return &c, nil
}
