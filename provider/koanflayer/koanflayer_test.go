package koanflayer_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	kjson "github.com/knadh/koanf/parsers/json"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/koanflayer"
)

// fake is a koanf.Provider whose content and failure can change; safe for
// concurrent use.
type fake struct {
	mu   sync.Mutex
	data map[string]any
	err  error
}

func (f *fake) set(data map[string]any, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data, f.err = data, err
}

func (f *fake) Read() (map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data, f.err
}

func (f *fake) ReadBytes() ([]byte, error) { return nil, errors.New("fake: no bytes") }

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		src  koanf.Provider
		opts koanflayer.Options
		want map[string]any
	}{
		{
			name: "confmap, nested",
			src:  confmap.Provider(map[string]any{"db": map[string]any{"host": "h", "port": 5}}, ""),
			want: map[string]any{"db": map[string]any{"host": "h", "port": 5}},
		},
		{
			name: "confmap, flat dotted keys come out nested",
			src: confmap.Provider(map[string]any{
				"db.host": "h", "db": map[string]any{"port": 5, "pool.max": 3}, "top": true,
			}, ""),
			want: map[string]any{
				"db":  map[string]any{"host": "h", "port": 5, "pool": map[string]any{"max": 3}},
				"top": true,
			},
		},
		{
			name: "non-string keys become strings",
			src: &fake{data: map[string]any{
				"codes": map[any]any{404: "missing"},
				"list":  []any{map[any]any{1: "x"}},
				"empty": map[string]any{},
			}},
			want: map[string]any{
				"codes": map[string]any{"404": "missing"},
				"list":  []any{map[string]any{"1": "x"}},
				"empty": map[string]any{},
			},
		},
		{
			name: "rawbytes and the JSON parser",
			src:  rawbytes.Provider([]byte(`{"db": {"max_conns": 7}, "db.dsn": "x"}`)),
			opts: koanflayer.Options{Parser: kjson.Parser()},
			want: map[string]any{"db": map[string]any{"max_conns": float64(7), "dsn": "x"}},
		},
		{
			name: "nil map is an empty layer",
			src:  &fake{},
			want: map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := koanflayer.New("test layer", tt.src, tt.opts)
			assert.Equal(t, "test layer", l.Name())
			snap, err := l.Load(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, snap.Data)
			assert.Regexp(t, `^sha256:[0-9a-f]{12}$`, snap.Version)
			assert.Equal(t, provider.Origin{Kind: "koanf", Ref: "test layer"}, snap.OriginOf("db.host"))
			assert.False(t, snap.ReadAt.IsZero())
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      koanf.Provider
		opts     koanflayer.Options
		contains string
		is       error
	}{
		{name: "no provider", contains: "vault: no koanf provider given"},
		{name: "read fails", src: &fake{err: errBackend}, contains: "vault: read: backend down", is: errBackend},
		{
			name: "read bytes fails", src: &fake{}, opts: koanflayer.Options{Parser: kjson.Parser()},
			contains: "vault: read: fake: no bytes",
		},
		{
			name: "parse fails", src: rawbytes.Provider([]byte("{")), opts: koanflayer.Options{Parser: kjson.Parser()},
			contains: "vault: parse: unexpected end of JSON input",
		},
		{
			name:     "a key given twice",
			src:      &fake{data: map[string]any{"db": map[string]any{"host": "a"}, "db.host": "b"}},
			contains: "vault: db.host: given twice, once nested and once as a dotted key",
		},
		{
			name:     "a value and a parent",
			src:      &fake{data: map[string]any{"db": "x", "db.host": "b"}},
			contains: "vault: db: is both a value and the parent of db.host",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := koanflayer.New("vault", tt.src, tt.opts)
			_, err := l.Load(context.Background())
			require.Error(t, err)
			var pe *provider.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "vault", pe.Layer)
			assert.Contains(t, err.Error(), tt.contains)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
}

var errBackend = errors.New("backend down")

func TestLoadCopies(t *testing.T) {
	inner := map[string]any{"b": 1}
	src := &fake{data: map[string]any{"a": inner, "a.c": 2, "list": []any{"x"}}}
	l := koanflayer.New("", src, koanflayer.Options{Kind: "custom"})
	assert.Equal(t, "koanf", l.Name())

	snap, err := l.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, provider.Origin{Kind: "custom", Ref: "koanf"}, snap.Source)
	snap.Data["a"].(map[string]any)["b"] = 99
	snap.Data["list"].([]any)[0] = "changed"

	assert.Equal(t, map[string]any{"a": map[string]any{"b": 1}, "a.c": 2, "list": []any{"x"}}, src.data,
		"the koanf provider's map is untouched")
	again, err := l.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": map[string]any{"b": 1, "c": 2}, "list": []any{"x"}}, again.Data)
	assert.Equal(t, snap.Version, again.Version)
}

func TestLoadVersion(t *testing.T) {
	src := &fake{data: map[string]any{"a": 1}}
	l := koanflayer.New("v", src, koanflayer.Options{})
	v := func() string {
		snap, err := l.Load(context.Background())
		require.NoError(t, err)
		return snap.Version
	}
	one := v()
	assert.Equal(t, one, v())
	src.set(map[string]any{"a": "1"}, nil)
	assert.NotEqual(t, one, v(), "a type change is a change")
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := koanflayer.New("x", &fake{}, koanflayer.Options{}).Load(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestLoadConcurrent(t *testing.T) {
	src := &fake{data: map[string]any{"a.b": 1}}
	l := koanflayer.New("x", src, koanflayer.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := l.Load(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}
