package consul_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider/consul"
)

// txnSignal tells when a /v1/txn request is on its way to the server, and
// when its answer came back.
// With hold set, every transaction after the first waits until hold is
// closed, so a test can act between two transactions.
type txnSignal struct {
	base     http.RoundTripper
	sent     chan struct{}
	answered chan struct{}
	hold     chan struct{}
	txns     atomic.Int32
}

func (s *txnSignal) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/v1/txn" {
		return s.base.RoundTrip(r)
	}
	if s.txns.Add(1) > 1 && s.hold != nil {
		<-s.hold
	}
	signal(s.sent)
	resp, err := s.base.RoundTrip(r)
	signal(s.answered)
	return resp, err
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// TestPublishAgentKilledMidway kills the server while a 100-key publish is
// in flight (as the request is sent, on even rounds, or as its answer
// arrives, on odd ones), restarts it on the same data, and finds the old
// content or the new, never a mix; after a successful Apply, the new.
func TestPublishAgentKilledMidway(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{Persistent: true})
	const n = 100
	next := map[string]any{}
	for i := range n {
		key := fmt.Sprintf("k%03d", i)
		next[key] = "new"
		a.Put(t, "app/"+key, "old")
	}

	outcomes := map[string]int{}
	for round := range 4 {
		cfg := a.Config()
		tr := http.DefaultTransport.(*http.Transport).Clone()
		sig := &txnSignal{base: tr, sent: make(chan struct{}, 1), answered: make(chan struct{}, 1)}
		cfg.HttpClient = &http.Client{Transport: sig}
		p := consul.New(consul.Options{Prefix: "app/", Config: cfg})

		// Publish the other content than the one the agent holds now.
		before := kvState(t, a.Client(t), "app/")
		desired := next
		if before["app/k000"] == "new" {
			desired = map[string]any{}
			for k := range next {
				desired[k] = "old"
			}
		}
		pl := plan(t, p, desired, consul.PlanOptions{})
		require.False(t, pl.Empty())
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done <- pl.Apply(ctx)
		}()
		when := sig.sent
		if round%2 == 1 {
			when = sig.answered
		}
		select {
		case <-when:
		case <-time.After(eventWait):
			t.Fatal("the transaction was never sent")
		}
		a.Kill(t)
		applyErr := <-done
		t.Logf("round %d: Apply returned %v", round, applyErr)
		tr.CloseIdleConnections()
		a.Restart(t)

		after := kvState(t, a.Client(t), "app/")
		switch {
		case assert.ObjectsAreEqual(before, after):
			outcomes["old"]++
			require.Error(t, applyErr, "round %d: Apply succeeded but the old content came back after a restart", round)
		case assert.ObjectsAreEqual(afterOf(before, desired), after):
			// Apply may have failed all the same: the answer was lost with
			// the agent. The content is whole either way.
			outcomes["new"]++
		default:
			t.Fatalf("round %d: a mix of old and new content after a kill mid-publish: %v", round, after)
		}
	}
	t.Logf("outcomes over rounds: %v", outcomes)
	reliability.Record(t, "consul/publish-kill", reliability.Count("kills mid-publish", 4), reliability.Count("mixed results", 0))
}

// afterOf is before with desired written over it (same keys).
func afterOf(before map[string]string, desired map[string]any) map[string]string {
	out := map[string]string{}
	for k := range before {
		out[k] = fmt.Sprint(desired[k[len("app/"):]])
	}
	return out
}

// TestVersionedPublishAgentKilledMidway kills the server after the first
// of several content transactions of a versioned publish: after a restart
// the layer reads the old version, whole, and the next publish succeeds.
func TestVersionedPublishAgentKilledMidway(t *testing.T) {
	t.Parallel()
	a := consultest.Start(t, consultest.Options{Persistent: true})
	v := consul.NewVersioned(fast(consul.Options{Prefix: "svc/", Config: a.Config()}))
	publishVersion(t, v, content(300, "old"), "old")

	cfg := a.Config()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	sig := &txnSignal{base: tr, sent: make(chan struct{}, 1), answered: make(chan struct{}, 1), hold: make(chan struct{})}
	cfg.HttpClient = &http.Client{Transport: sig}
	killed := consul.NewVersioned(consul.Options{Prefix: "svc/", Config: cfg})
	pl, err := killed.Plan(context.Background(), content(300, "new"), consul.PlanOptions{})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- pl.Apply(context.Background()) }()
	select {
	case <-sig.answered: // the first content transaction is committed
	case <-time.After(eventWait):
		t.Fatal("no transaction answered")
	}
	a.Kill(t)
	close(sig.hold) // the second transaction goes to a dead agent
	require.Error(t, <-done, "the publish cannot have finished")
	tr.CloseIdleConnections()
	a.Restart(t)

	snap, err := v.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, content(300, "old"), snap.Data, "the old version, whole")
	publishVersion(t, v, content(300, "new"), "again")
	snap, err = v.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, content(300, "new"), snap.Data)
}
