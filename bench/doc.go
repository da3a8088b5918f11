// Package bench compares strata with koanf and viper. It is a separate
// module so that the library's own go.mod never depends on its peers.
//
// The package holds what both the go test benchmarks (*_test.go here) and
// the report generator (cmd/report) share: the configuration type every
// library decodes into, data generators, a tiny in-memory watching layer
// for strata, a Consul dev agent runner and request counters.
//
// Run `go test -bench . -benchmem` here for the in-process benchmarks, or
// `go run ./cmd/report` (with STRATA_CONSUL_BIN set) for the full report.
package bench
