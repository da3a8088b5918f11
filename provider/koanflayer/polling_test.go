package koanflayer_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/koanflayer"
)

const wait = 10 * time.Second

func TestWatcherOnlyWhenPolling(t *testing.T) {
	var once provider.Provider = koanflayer.New("x", &fake{}, koanflayer.Options{})
	_, ok := once.(provider.Watcher)
	assert.False(t, ok, "New: read once")

	var polling provider.Provider = koanflayer.NewPolling("x", &fake{}, time.Second, koanflayer.Options{})
	_, ok = polling.(provider.Watcher)
	assert.True(t, ok, "NewPolling: polls")
}

func TestPolling(t *testing.T) {
	src := &fake{data: map[string]any{"db": map[string]any{"host": "a", "port": 1}}}
	p := koanflayer.NewPolling("poll", src, 5*time.Millisecond, koanflayer.Options{})
	first, err := p.Load(context.Background())
	require.NoError(t, err)

	events := make(chan provider.Event, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Watch(ctx, first, func(e provider.Event) { events <- e })
	}()
	next := func() provider.Event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(wait):
			t.Fatal("no event within", wait)
			return provider.Event{}
		}
	}

	// nextOK skips the errors of polls that ran before a fix was made.
	nextOK := func() provider.Event {
		t.Helper()
		for {
			if e := next(); e.Err == nil {
				return e
			}
		}
	}

	// A change.
	src.set(map[string]any{"db": map[string]any{"host": "b", "port": 1}}, nil)
	e := next()
	require.NotNil(t, e.Snapshot)
	assert.Equal(t, map[string]any{"db": map[string]any{"host": "b", "port": 1}}, e.Snapshot.Data)

	// A deletion.
	src.set(map[string]any{"db": map[string]any{"host": "b"}}, nil)
	e = next()
	require.NotNil(t, e.Snapshot)
	assert.Equal(t, map[string]any{"db": map[string]any{"host": "b"}}, e.Snapshot.Data)

	// A failure, then the same content again: an error, then a recovery.
	src.set(nil, errBackend)
	e = next()
	assert.ErrorIs(t, e.Err, errBackend)
	assert.Contains(t, e.Err.Error(), "poll: read: backend down")
	src.set(map[string]any{"db": map[string]any{"host": "b"}}, nil)
	assert.Equal(t, provider.Event{}, nextOK())

	// A failure, then new content: the snapshot is the recovery.
	src.set(nil, errBackend)
	require.Error(t, next().Err)
	src.set(map[string]any{"db.host": "c"}, nil)
	e = nextOK()
	require.NotNil(t, e.Snapshot)
	assert.Equal(t, map[string]any{"db": map[string]any{"host": "c"}}, e.Snapshot.Data)

	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(wait):
		t.Fatal("Watch did not return after cancel")
	}
	assert.Empty(t, events, "nothing emitted without a change")
}
