package consultest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// leaderTimeout bounds WaitLeader.
const leaderTimeout = 30 * time.Second

// Cluster is a group of persistent servers in datacenter dc1 that joined
// each other over serf LAN. Its methods must be called from the test's
// goroutine.
type Cluster struct {
	// Agents are the servers, in start order. Each can be stopped, killed,
	// paused and restarted on its own.
	Agents []*Agent
}

// StartCluster starts n servers (bootstrap_expect = n, raft_multiplier = 1,
// retry_join to each other every 200ms) and returns once all of them agree
// on a leader and accept KV writes. Cleanup and retries are as for Start.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 1 {
		t.Fatalf("consultest: cluster of %d servers", n)
	}
	bin := Binary(t)
	c := &Cluster{}
	for i := range n {
		a := newAgent(t, bin, Options{Datacenter: "dc1", Persistent: true}, fmt.Sprintf("consultest-dc1-%d", i))
		a.cfg.Expect = n
		c.Agents = append(c.Agents, a)
	}
	wire := func() {
		for _, a := range c.Agents {
			a.cfg.RetryJoin = nil
			for _, o := range c.Agents {
				if o != a {
					a.cfg.RetryJoin = append(a.cfg.RetryJoin, hostPort(o.cfg.Ports.SerfLAN))
				}
			}
		}
	}
	ready := func(deadline time.Time) error {
		_, err := c.waitLeader(deadline)
		return err
	}
	bringUp(t, fmt.Sprintf("cluster of %d", n), c.Agents, wire, ready)
	return c
}

// Leader returns the agent the running agents name as leader, without
// waiting; it fails the test when none names a running agent. Use
// WaitLeader after disrupting the cluster.
func (c *Cluster) Leader(t testing.TB) *Agent {
	t.Helper()
	for _, a := range c.Agents {
		if !a.running() {
			continue
		}
		addr, err := leaderOf(a)
		if err != nil || addr == "" {
			continue
		}
		if l := c.byServerAddr(addr); l != nil && l.running() {
			return l
		}
	}
	t.Fatalf("consultest: no running agent of the cluster names a running leader")
	return nil
}

// Followers returns the running agents other than the leader.
func (c *Cluster) Followers(t testing.TB) []*Agent {
	t.Helper()
	leader := c.Leader(t)
	var out []*Agent
	for _, a := range c.Agents {
		if a != leader && a.running() {
			out = append(out, a)
		}
	}
	return out
}

// WaitLeader waits up to 30s until every running (not paused) agent names
// the same running agent as leader and a consistent read through it
// succeeds, and returns that leader. It fails the test on timeout, for
// example when a quorum is lost.
func (c *Cluster) WaitLeader(t testing.TB) *Agent {
	t.Helper()
	l, err := c.waitLeader(time.Now().Add(leaderTimeout))
	if err != nil {
		t.Fatalf("consultest: %v", err)
	}
	return l
}

func (c *Cluster) waitLeader(deadline time.Time) (*Agent, error) {
	var last error
	for {
		l, err := c.agreedLeader()
		if err == nil {
			return l, nil
		}
		last = err
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no agreed leader: %w", last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// agreedLeader checks once that all running agents name one running leader
// that serves a consistent read.
func (c *Cluster) agreedLeader() (*Agent, error) {
	var leader *Agent
	for _, a := range c.Agents {
		if !a.running() {
			continue
		}
		addr, err := leaderOf(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.NodeName, err)
		}
		l := c.byServerAddr(addr)
		switch {
		case l == nil || !l.running():
			return nil, fmt.Errorf("%s names leader %q, which is not a running agent", a.NodeName, addr)
		case leader != nil && l != leader:
			return nil, fmt.Errorf("agents disagree on the leader: %s and %s", leader.NodeName, l.NodeName)
		}
		leader = l
	}
	if leader == nil {
		return nil, fmt.Errorf("no running agents")
	}
	cl, closeIdle, err := leader.newClient(probeTimeout)
	if err != nil {
		return nil, err
	}
	defer closeIdle()
	if _, _, err := cl.KV().Get(readyKey, &api.QueryOptions{RequireConsistent: true}); err != nil {
		return nil, fmt.Errorf("consistent read on %s: %w", leader.NodeName, err)
	}
	return leader, nil
}

func (c *Cluster) byServerAddr(addr string) *Agent {
	for _, a := range c.Agents {
		if a.ServerAddr == addr {
			return a
		}
	}
	return nil
}

// leaderOf asks one agent for the leader's server address ("" if none).
func leaderOf(a *Agent) (string, error) {
	c, closeIdle, err := a.newClient(probeTimeout)
	if err != nil {
		return "", err
	}
	defer closeIdle()
	return c.Status().Leader()
}
