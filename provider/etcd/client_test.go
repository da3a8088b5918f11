package etcd

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCallerClientIsNotClosed checks the ownership promise: a Client passed
// in Options is used and left open.
func TestCallerClientIsNotClosed(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	c := m.admin("", "")
	put(t, c, "app/a", "1")
	p := New(Options{Prefix: "app/", Client: c})
	events := watching(t, p, loaded(t, p))
	put(t, c, "app/a", "2")
	assert.Equal(t, "2", nextSnapshot(t, events).Data["a"])
	_, err := c.Get(context.Background(), "app/a")
	assert.NoError(t, err, "the caller's client still works")
}

// TestLoadWhileWatching shares the Provider's own client between a running
// Watch and concurrent Loads (run with -race); every call sees the data and
// goleak, in TestMain, finds the client closed once all have returned.
func TestLoadWhileWatching(t *testing.T) {
	m := startEtcd(t, serverOptions{})
	put(t, m.admin("", ""), "app/a", "1")
	p := New(Options{Prefix: "app/", Endpoints: []string{m.clientURL}})
	events := watching(t, p, loaded(t, p))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := p.Load(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	put(t, m.admin("", ""), "app/a", "2")
	assert.Equal(t, "2", nextSnapshot(t, events).Data["a"], "the watch survived the Loads releasing the client")
}
