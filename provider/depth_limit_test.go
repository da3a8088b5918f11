package provider_test

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// countedKey is a map key whose rendering (CheckDepth renders the keys of
// maps that are not map[string]any) is counted. Past budget renderings it
// reports on over and ends the walking goroutine, so a walk that went
// exponential fails the test instead of running for ever.
type countedKey struct {
	name string
	c    *keyCounter
}

type keyCounter struct {
	n      atomic.Int64
	budget int64
	over   chan struct{}
}

func (k countedKey) String() string {
	if k.c.n.Add(1) == k.c.budget+1 {
		close(k.c.over)
		runtime.Goexit()
	}
	return k.name
}

// sharedChain returns a map of levels keys on the path to its deepest
// value, in which every level but the last holds two keys, "l" and "r",
// both naming the same map one level down: 2^(levels-1) paths through
// levels maps.
func sharedChain(c *keyCounter, levels int) map[countedKey]any {
	m := map[countedKey]any{{"leaf", c}: 1}
	for range levels - 1 {
		m = map[countedKey]any{{"l", c}: m, {"r", c}: m}
	}
	return m
}

// TestCheckDepthWalksEachSharedMapOnceAtTheLimit: a shared map whose
// height is exactly the depth left to it is measured once, not once per
// path (found by mutation testing: h < budget instead of h <= budget
// walked such a map again on every path, 2^62 times here).
func TestCheckDepthWalksEachSharedMapOnceAtTheLimit(t *testing.T) {
	levels := provider.MaxDepth - 1 // plus the top key: exactly MaxDepth
	c := &keyCounter{budget: 10_000, over: make(chan struct{})}
	data := map[string]any{"top": sharedChain(c, levels)}

	over := &keyCounter{budget: 10_000, over: make(chan struct{})}
	tooDeep := map[string]any{"top": sharedChain(over, levels+1)}

	done := make(chan [2]error, 1)
	go func() { done <- [2]error{provider.CheckDepth(data), provider.CheckDepth(tooDeep)} }()
	select {
	case errs := <-done:
		assert.NoError(t, errs[0], "exactly MaxDepth deep")
		var de *provider.DepthError
		assert.ErrorAs(t, errs[1], &de, "one level more is too deep: the first chain is at the limit")
		assert.Equal(t, int64(2*(levels-1)+1), c.n.Load(), "each key of each map rendered once")
	case <-c.over:
		t.Fatalf("CheckDepth rendered more than %d keys: it walks a shared map once per path", c.budget)
	case <-over.over:
		t.Fatalf("CheckDepth rendered more than %d keys: it walks a shared map once per path", over.budget)
	case <-time.After(time.Minute):
		t.Fatal("CheckDepth did not return")
	}
}

// TestCheckDepthArrays: an array is a value of its own, walked like a
// list, and has no address to remember (found by mutation testing:
// treating it as a shared container asked reflect for its pointer, which
// panics).
func TestCheckDepthArrays(t *testing.T) {
	var err error
	require.NotPanics(t, func() {
		err = provider.CheckDepth(map[string]any{"a": [2]any{map[string]any{"x": 1}, 2}})
	})
	assert.NoError(t, err)

	require.NotPanics(t, func() {
		err = provider.CheckDepth(map[string]any{"a": [1]any{nestMaps(provider.MaxDepth, 1)}})
	})
	var de *provider.DepthError
	require.ErrorAs(t, err, &de)
	assert.True(t, strings.HasPrefix(de.Key, "a[0].a"), de.Key)
}

// TestCheckDepthKeyAtTheQuoteLimit: a key path of exactly maxKeyInError
// (200) bytes is quoted whole; only a longer one is shortened (found by
// mutation testing: >= shortened it too).
func TestCheckDepthKeyAtTheQuoteLimit(t *testing.T) {
	rest := strings.Repeat(".a", provider.MaxDepth) // the path below the top key
	top := strings.Repeat("k", 200-len(rest))
	err := provider.CheckDepth(map[string]any{top: nestMaps(provider.MaxDepth, 1)})
	var de *provider.DepthError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, top+rest, de.Key)
	assert.Len(t, de.Key, 200)
}
