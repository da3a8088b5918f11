package consultest

import (
	"net"
	"testing"
)

// FreePorts returns n distinct loopback ports that were free a moment ago:
// each was bound on 127.0.0.1:0 for both TCP and UDP (serf needs both), and
// all are released together before returning.
//
// Another process may take a port between this call and the agent binding
// it; Start and StartCluster detect that and retry with fresh ports.
// It fails the test when the ports cannot be found.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var (
		ports   []int
		closers []func() error
	)
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries > 10*n+10 {
			t.Fatalf("consultest: could not find %d free loopback ports", n)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("consultest: listen on a free port: %v", err)
		}
		closers = append(closers, ln.Close)
		port := ln.Addr().(*net.TCPAddr).Port
		// Keeping the TCP listener open while probing UDP makes the pair
		// unique among this call's ports.
		pc, err := net.ListenPacket("udp", ln.Addr().String())
		if err != nil {
			continue
		}
		closers = append(closers, pc.Close)
		ports = append(ports, port)
	}
	return ports
}
