package consul_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider/consul"
)

// txnSignal tells when a /v1/txn request is on its way to the server, and
// when its answer came back.
type txnSignal struct {
	base     http.RoundTripper
	sent     chan struct{}
	answered chan struct{}
}

func (s *txnSignal) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/v1/txn" {
		return s.base.RoundTrip(r)
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
}

// afterOf is before with desired written over it (same keys).
func afterOf(before map[string]string, desired map[string]any) map[string]string {
	out := map[string]string{}
	for k := range before {
		out[k] = fmt.Sprint(desired[k[len("app/"):]])
	}
	return out
}
