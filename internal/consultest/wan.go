package consultest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// StartWAN starts two single-server dev datacenters, dc1 and dc2, joined
// over serf WAN (retry_join_wan), and returns once each lists the other in
// /v1/catalog/datacenters and a read with ?dc= crosses to the other. A
// request to dc1 with Datacenter "dc2" is then served by dc2. Cleanup and
// retries are as for Start.
func StartWAN(t testing.TB) (dc1, dc2 *Agent) {
	t.Helper()
	bin := Binary(t)
	dc1 = newAgent(t, bin, Options{Datacenter: "dc1"}, "consultest-dc1")
	dc2 = newAgent(t, bin, Options{Datacenter: "dc2"}, "consultest-dc2")
	wire := func() {
		dc1.cfg.JoinWAN = []string{hostPort(dc2.cfg.Ports.SerfWAN)}
		dc2.cfg.JoinWAN = []string{hostPort(dc1.cfg.Ports.SerfWAN)}
	}
	ready := func(deadline time.Time) error {
		var last error
		for {
			last = federated(dc1, dc2)
			if last == nil {
				last = federated(dc2, dc1)
			}
			if last == nil {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("datacenters not federated: %w", last)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	bringUp(t, "WAN dc1+dc2", []*Agent{dc1, dc2}, wire, ready)
	return dc1, dc2
}

// federated checks once that from sees to's datacenter and can read from it.
func federated(from, to *Agent) error {
	c, closeIdle, err := from.newClient(probeTimeout)
	if err != nil {
		return err
	}
	defer closeIdle()
	dcs, err := c.Catalog().Datacenters()
	if err != nil {
		return err
	}
	if !slices.Contains(dcs, to.Datacenter) {
		return fmt.Errorf("%s lists datacenters %v, not yet %s", from.Datacenter, dcs, to.Datacenter)
	}
	if _, _, err := c.KV().Get(readyKey, &api.QueryOptions{Datacenter: to.Datacenter}); err != nil {
		return fmt.Errorf("read in %s via %s: %w", to.Datacenter, from.Datacenter, err)
	}
	return nil
}
