package etcd

import "github.com/strata-go/strata/provider"

// Compile-time checks: strata finds watching by type assertion, so a
// drifting signature would silently turn it off.
var (
	_ provider.Provider = (*Provider)(nil)
	_ provider.Watcher  = (*Provider)(nil)
)
