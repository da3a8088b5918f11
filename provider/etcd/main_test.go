package etcd

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run on any goroutine left behind, with one narrow
// exception: the embedded etcd servers' peer traffic (rafthttp) runs over
// net/http, and a stopped member's keep-alive connections can outlive
// embed.Etcd.Close. This package itself never uses net/http (the client
// speaks gRPC), so goroutines running net/http's server connections and
// transport connections can only be the test servers'.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*connReader).backgroundRead"),
	)
}
