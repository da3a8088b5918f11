package reload_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/reload"
)

// TestDeltaReachesOneApplyOnly checks that a snapshot's provider.Delta is
// handed to the Apply that follows it and then forgotten: kept in the
// engine, its Base would hold the layer's previous tree alive for as long
// as the layer stays unchanged.
func TestDeltaReachesOneApplyOnly(t *testing.T) {
	w := newScripted("w")
	rec := newRecorder()
	e, err := reload.Start(context.Background(), []provider.Provider{w}, []provider.Snapshot{snap("initial")}, rec,
		reload.Options{Restart: provider.Backoff{Min: 1, Max: 1}})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	initial := next(t, w.starts)

	w.run(t, func(emit func(provider.Event)) error {
		s := snap("v1")
		s.Delta = &provider.Delta{Base: initial.Data, Paths: [][]string{{"v"}}}
		emit(provider.Event{Snapshot: &s})
		return nil
	})
	next(t, rec.events)
	got := next(t, rec.applies)
	require.NotNil(t, got[0].Delta, "the Apply after the change gets its Delta")
	assert.Equal(t, [][]string{{"v"}}, got[0].Delta.Paths)

	require.NoError(t, e.Refresh(context.Background(), e.Mark(), make([]provider.Event, 1)))
	got = next(t, rec.applies)
	assert.Equal(t, "v1", got[0].Version)
	assert.Nil(t, got[0].Delta, "a later Apply of the same snapshot: the engine kept no Delta")

	w.run(t, func(func(provider.Event)) error { return errors.New("lost") })
	restart := next(t, w.starts)
	assert.Equal(t, "v1", restart.Version)
	assert.Nil(t, restart.Delta, "a restarted Watch gets the last snapshot without its Delta")
}
