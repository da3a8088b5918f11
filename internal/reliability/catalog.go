package reliability

// Entry is one row of RELIABILITY.md: a fault or bad-input class, what a
// test does to produce it, what strata guarantees, and where the figure
// comes from. The figures themselves are never written here: they are what
// the named tests Record under Row when the generator runs them.
type Entry struct {
	Row       string   // the key tests Record under; empty for a row no test covers
	Class     string   // the kind of fault or input
	Fault     string   // what the test does
	Guarantee string   // what strata promises, and the test checks
	When      string   // the conditions the figure was measured under
	Package   string   // the Go package holding Tests, as for `go test`
	Tests     []string // top-level test functions that Record Row
	Samples   int      // runs of Tests (-count); above 1 where a figure is a time
	Httptest  bool     // the fault comes from an httptest server, not from Consul
	Gap       string   // where the guarantee does not hold, or why nothing covers it
}

// Covered reports whether a test records figures for e.
func (e Entry) Covered() bool { return e.Row != "" }

const (
	consulPkg = "./provider/consul/"
	rootPkg   = "."
	timing    = 20 // runs of each test whose figure is a time
	fastOpts  = "test options: Wait 2 s, MinInterval 20 ms, Backoff 50–500 ms"
)

// Catalog is every row of RELIABILITY.md, in the order printed. Rows with
// no Row are listed as not covered.
func Catalog() []Entry {
	return []Entry{
		// Consul outages.
		{Row: "consul/restart", Class: "Consul outage", Package: consulPkg, Tests: []string{"TestWatchSurvivesRestart"}, Samples: timing,
			Fault:     "server (with a data dir) stopped under a running watch, then restarted; a key written after the restart",
			Guarantee: "one error per outage (at most 3 events, one per change of error class), never an empty snapshot, the write after the restart delivered",
			When:      fastOpts + "; notice: from the stop call to the error event; recover: from the restarted server answering to the write delivered"},
		{Row: "consul/kill-fresh", Class: "Consul outage", Package: consulPkg, Tests: []string{"TestWatchAfterOutageDoesNotBlockOnAStaleIndex"}, Samples: timing,
			Fault:     "dev server SIGKILLed and restarted empty (its index back near 0) under a watch with Wait 5 min",
			Guarantee: "the first read after a failure carries no index, so the write after the restart is seen long before the 5-minute Wait",
			When:      "Wait 5 min, Backoff 50–500 ms; recover: from the restarted server answering to the write delivered"},
		{Row: "consul/outage-retries", Class: "Consul outage", Package: consulPkg, Tests: []string{"TestOutageIsOneErrorAndKeepsRetrying"}, Samples: 1,
			Fault:     "server SIGKILLed; the watcher left to retry ten times",
			Guarantee: "one error event however many retries fail; no retry is a blocking query",
			When:      "Backoff 20–50 ms, Wait 1 s",
			Gap:       "with default options the retries are 1–2 s apart; the time from Consul answering again to the first change is measured in BENCHMARKS.md §7 (0.82 s p50, 1.68 s max over 48 outages of 2–30 s), not here"},
		{Row: "consul/cache", Class: "Consul outage", Package: consulPkg, Tests: []string{"TestCacheServesLoadWhileConsulIsDown"}, Samples: 1,
			Fault:     "server stopped before Load, with a last-known-good cache file",
			Guarantee: "Load answers from the cache, marked stale; without the cache the same Load is a ClassUnavailable error"},
		{Row: "consul/unreachable-load", Class: "Consul outage", Package: consulPkg, Tests: []string{"TestLoadUnreachableFailsWithinDeadline"}, Samples: 1,
			Fault:     "nothing listening at the address",
			Guarantee: "Load fails within its context with ClassUnavailable, naming the layer and the address"},
		{Row: "consul/paused-load", Class: "Consul stalled", Package: consulPkg, Tests: []string{"TestLoadPausedAgentRespectsDeadline"}, Samples: 1,
			Fault:     "server SIGSTOPped (accepts connections, never answers), then Load with a 1 s context",
			Guarantee: "Load returns when its context ends (ClassUnavailable wrapping context.DeadlineExceeded); it never hangs"},
		{Row: "consul/stall-watch", Class: "Consul stalled", Package: consulPkg, Tests: []string{"TestWatchSurvivesStalledServer"}, Samples: 3,
			Fault:     "server SIGSTOPped under a running watch (connections accepted, never answered), then continued; a key written after",
			Guarantee: "the request deadline (Wait + Wait/16 + 10 s, docs/consul.md rule 5) ends the parked query: one ClassUnavailable error, never a hung watcher or an empty layer; the write after the server continues is delivered",
			When:      "Wait 1 s (deadline 11.06 s), Backoff 50–500 ms; 3 runs, each about 12 s; notice: from SIGSTOP to the error event; recover: from SIGCONT to the write delivered",
			Gap:       "a stall is noticed only when the request deadline passes: with the default Wait of 5 min, up to 5 min 29 s (the last good config stays live meanwhile); seen failing when the deadline was raised to 10 min"},
		{Class: "Consul outage", Fault: "black-holed connection (packets dropped, no RST)",
			Guarantee: "the same request deadline as a stall",
			Gap:       "not covered: no test; the fault campaign of issue 13 ran it by hand"},

		// Consul clusters.
		{Row: "consul/leader-loss", Class: "Consul cluster", Package: consulPkg, Tests: []string{"TestClusterLeaderLoss"}, Samples: timing,
			Fault:     "3-server cluster: the leader SIGKILLed under a watch on a follower; a key written after the election",
			Guarantee: "the write after the election is delivered; the watch needs no restart",
			When:      fastOpts + "; recover: from the kill to the write delivered, Consul's own election included"},
		{Class: "Consul cluster", Fault: "the leader killed during a stream of transactions",
			Guarantee: "no final value lost",
			Gap:       "not covered: TestClusterLeaderLoss checks one write after the election, not a stream (issue 13's campaign ran 200 transactions by hand)"},
		{Row: "consul/quorum-loss", Class: "Consul cluster", Package: consulPkg, Tests: []string{"TestClusterQuorumLostServesStale"}, Samples: timing,
			Fault:     "3-server cluster: two servers SIGKILLed, the watch on the survivor in Stale mode",
			Guarantee: "the last data keeps being delivered, marked stale (no leader, or LastContact beyond MaxStale); no error event",
			When:      "Consistency Stale, MaxStale 500 ms, Wait 1 s, Backoff 50–500 ms; notice: from the first kill to the snapshot marked stale",
			Gap:       "the figure tracks Wait (1 s here): the survivor answers the parked query at the end of its wait, so with the default Wait of 5 min quorum loss may be seen only after about 5 min. In the default consistency mode quorum loss is an outage (HTTP 500 \"No cluster leader\", one error, last good value kept); only the classification is tested (TestClassify), not a cluster"},
		{Row: "consul/dc-failover", Class: "Consul datacenters", Package: consulPkg, Tests: []string{"TestDatacenterFailover"}, Samples: timing,
			Fault:     "two WAN-joined datacenters: the preferred one (dc1) stopped under a watch",
			Guarantee: "the watch moves to dc2 and delivers its data; Status names the datacenter in use",
			When:      "Datacenters dc1,dc2, Wait 1 s, Backoff 50–500 ms; failover: from the stop call to dc2's data delivered"},
		{Row: "consul/dc-failback", Class: "Consul datacenters", Package: consulPkg, Tests: []string{"TestDatacenterFailover"}, Samples: timing,
			Fault:     "dc1 restarted and written again",
			Guarantee: "the watch moves back to dc1",
			When:      "FailbackInterval 500 ms; failback: from the write to dc1 to its data delivered",
			Gap:       "with the default FailbackInterval (30 s) the move back takes up to about 30 s"},

		// Index resets.
		{Row: "consul/restore", Class: "index reset", Package: consulPkg, Tests: []string{"TestWatchSeesSnapshotRestore"}, Samples: timing,
			Fault:     "snapshot restored on a non-dev server while the watch's query is parked",
			Guarantee: "the restored data is delivered (a key written after the snapshot is gone) and the Version goes back; no error event",
			When:      "default options (Wait 5 min); notice: from the restore call to the restored data delivered",
			Gap:       "a restore that falls between two requests (only during the MinInterval gap after a change) is seen within Wait + Wait/16 (5 min 19 s by default) plus one request; no test measures that case"},
		{Row: "consul/switch-idle", Class: "index reset", Package: consulPkg, Tests: []string{"TestWatchNoticesSilentSwitchToLowerIndexThroughProxy"}, Samples: timing, Httptest: true,
			Fault:     "a reverse proxy (httptest) in front of two real servers moves the client to the one with the lower index; the first stays idle",
			Guarantee: "the lower-index server's data is delivered within Wait + Wait/16 plus one request, its first request carrying no index",
			When:      "Wait 1 s (bound 1.06 s plus a request); notice: from the move to its data delivered",
			Gap:       "with the default Wait of 5 min a silent move is seen only within 5 min 19 s"},
		{Row: "consul/switch-written", Class: "index reset", Package: consulPkg, Tests: []string{"TestWatchNoticesSilentSwitchToLowerIndexThroughProxy"}, Samples: timing, Httptest: true,
			Fault:     "as above, and a write to the first server wakes the parked query with a higher index",
			Guarantee: "the next query waits only what is left of Wait since the last read without an index: seen within Wait + Wait/16 plus one request",
			When:      "Wait 1 s; notice: from the move to its data delivered",
			Gap:       "with the default Wait of 5 min, within 5 min 19 s"},

		// Tokens and ACLs.
		{Row: "consul/token-revoked", Class: "token", Package: consulPkg, Tests: []string{"TestACLRevokedWhileWatching"}, Samples: timing,
			Fault:     "the watch's token deleted on a real ACL server",
			Guarantee: "a ClassPermission error, never a snapshot (an empty layer), the token in no error or log",
			When:      "Wait 1 s, Backoff 50–200 ms; notice: from the delete call to the error event",
			Gap:       "deleting a token does not wake a parked blocking query, so the figure tracks Wait (1 s here): with the default Wait of 5 min a revoked token may go unnoticed for up to about 5 min (the last good config stays live meanwhile)"},
		{Row: "consul/token-file", Class: "token", Package: consulPkg, Tests: []string{"TestTokenFileRotation"}, Samples: timing,
			Fault:     "token A deleted, then token B written to the token file (Vault agent style)",
			Guarantee: "exactly one error and one recovery, then changes read with B; no restart; neither token in any event or log",
			When:      "retry backoff 50 ms to 1 h (a recovery cannot come from a retry); recover: from writing the file to the recovery event"},
		{Row: "consul/token-file-new-first", Class: "token", Package: consulPkg, Tests: []string{"TestTokenFileRotationNewFirst"}, Samples: 1,
			Fault:     "token B written to the file before token A is deleted",
			Guarantee: "at most one error, the watch healthy at the end, changes delivered"},
		{Row: "consul/settoken", Class: "token", Package: consulPkg, Tests: []string{"TestSetToken"}, Samples: timing,
			Fault:     "token A deleted, token B handed in with SetToken from four goroutines at once",
			Guarantee: "exactly one error and one recovery; Load uses B too; an empty token is ignored",
			When:      "retry backoff 50 ms to 1 h; recover: from SetToken to the recovery event"},
		{Row: "consul/acl-no-read", Class: "token", Package: consulPkg, Tests: []string{"TestACLWithoutReadIsAPermissionError"}, Samples: 1,
			Fault:     "a token without read on the prefix (tree) or key (document)",
			Guarantee: "a ClassPermission error, never an empty layer; the token not in the text"},
		{Row: "consul/no-token-load", Class: "missing token", Package: consulPkg, Tests: []string{"TestNoTokenIsALoadError"}, Samples: 1,
			Fault:     "no token sent to a default-deny ACL server: tree with keys, tree without keys, document, optional document",
			Guarantee: "an error wrapping consul.ErrNoToken, never an empty layer"},
		{Row: "consul/no-token-watch", Class: "missing token", Package: consulPkg, Tests: []string{"TestNoTokenLosingReadWhileWatching"}, Samples: timing,
			Fault:     "a watch without a token on a prefix with keys; the anonymous token loses read, then gets it back",
			Guarantee: "one error wrapping ErrNoToken, one recovery, never a snapshot",
			When:      "Wait 1 s, Backoff 50–200 ms; notice: from the policy change to the error event",
			Gap:       "losing read does not wake a parked query either: the figure tracks Wait (1 s here), so up to about 5 min with the default Wait. A prefix that was already empty when the anonymous token loses read is noticed only within one Wait (5 min by default): the \"allowed\" answer is trusted for one Wait; no test"},

		// TLS and HTTP errors.
		{Row: "consul/tls", Class: "TLS", Package: consulPkg, Tests: []string{"TestTLS"}, Samples: 1,
			Fault:     "a real TLS server; the client with a wrong CA, or without its client certificate",
			Guarantee: "a ClassTLS error naming the HTTPS address (\"tls handshake failed\"), retried slowly"},
		{Row: "consul/http500-scrub", Class: "HTTP errors", Package: consulPkg, Tests: []string{"TestTokenStraddlingTheCutIsScrubbed_httptest"}, Samples: 1, Httptest: true,
			Fault:     "HTTP 500 whose body echoes the token at every offset around the 200-byte cut of error text",
			Guarantee: "an error naming HTTP 500; no 8-byte piece of the token survives"},
		{Row: "consul/user-client-token", Class: "secrets", Package: consulPkg, Tests: []string{"TestUserClientTokenNeverLeaks_httptest"}, Samples: 1, Httptest: true,
			Fault:     "the user's own *api.Client (token in its config, in a header, in a token file that is rotated, handed in with SetToken) against a server that echoes the token in every error",
			Guarantee: "the token is learnt from the client and scrubbed from every error, Status and log line; requests carry the newest token"},
		{Class: "HTTP errors", Fault: "a response body truncated mid-stream",
			Guarantee: "an error, the last good data kept",
			Gap:       "not covered: no test; the fault campaign of issue 13 ran it by hand"},

		// Consistency of what is delivered.
		{Row: "consul/rapid-writes", Class: "write bursts", Package: consulPkg, Tests: []string{"TestWatchRapidWritesEndOnLastValue"}, Samples: 1,
			Fault:     "1,000 writes to one key as fast as the client can send them",
			Guarantee: "the last write is the last value delivered, never followed by an older one",
			When:      fastOpts},
		{Row: "consul/txn", Class: "write bursts", Package: consulPkg, Tests: []string{"TestWatchTxnIsAtomic"}, Samples: 1,
			Fault:     "20 transactions each writing the same value to three keys",
			Guarantee: "no snapshot mixes two transactions"},
		{Row: "consul/churn", Class: "write bursts", Package: consulPkg, Tests: []string{"TestChurnDegradesToPolling"}, Samples: 1,
			Fault:     "300 writes to an unrelated prefix, each waking an empty prefix's query",
			Guarantee: "at most one request per MinInterval (at most 60 for 300 writes), nothing delivered",
			When:      "MinInterval 200 ms, Wait 1 s; a count of 0 means no request was sent while the writes ran (they can all finish within one MinInterval)"},
		{Row: "consul/publish-kill", Class: "publish", Package: consulPkg, Tests: []string{"TestPublishAgentKilledMidway"}, Samples: 1,
			Fault:     "a 100-key publish; the server SIGKILLed as the transaction is sent, or as its answer arrives (4 rounds), then restarted",
			Guarantee: "after the restart the old content or the new, never a mix; after a successful Apply, always the new"},
		{Class: "publish", Fault: "a key created under the prefix by another tool between Plan and Apply",
			Guarantee: "—",
			Gap:       "not caught: Consul 1.14 has no transaction check on a prefix's index, so the key survives the publish (docs/publishing.md); publishes through strata are serialised by the guard key"},
		{Class: "publish", Fault: "a tree-mode publish over 127 keys",
			Guarantee: "refused whole with consul.ErrTooLarge, nothing written (TestTxnLimit measures the 128-operation limit)",
			Gap:       "a limit, not a fault: larger configurations need versioned or document mode"},

		// Bad input through Consul.
		{Row: "consul/bad-document", Class: "bad input (Consul)", Package: consulPkg, Tests: []string{"TestParseDocument"}, Samples: 1,
			Fault:     "document mode: a YAML scalar, a YAML list, malformed JSON, malformed TOML",
			Guarantee: "an error naming the format; the value never quoted"},

		// The config as a whole.
		{Row: "strata/consul-outage", Class: "Consul outage", Package: rootPkg, Tests: []string{"TestConsulOutageKeepsLastGoodAndRecovers"}, Samples: timing,
			Fault:     "Consul stopped and restarted under a running Config; a value written after the restart",
			Guarantee: "the error hook fires once, Get serves the last good value throughout, Status shows the layer unhealthy then healthy, the write is applied",
			When:      "Wait 2 s, Backoff 50–500 ms; recover: from the restarted server answering to OnChange with the new value"},
		{Row: "strata/torn-reads", Class: "reads during reloads", Package: rootPkg, Tests: []string{"TestReadersNeverSeeAMixedValue"}, Samples: 1,
			Fault:     "4 readers calling Get in a loop through 3,000 valid and 300 invalid reloads",
			Guarantee: "no reader sees a torn, invalid or older value; every valid reload applied, every invalid one rejected"},
		{Row: "strata/close", Class: "lifetime", Package: rootPkg, Tests: []string{"TestCloseIsIdempotentAndStopsWatching"}, Samples: 1,
			Fault:     "Close called twice, then a change to the layer",
			Guarantee: "Close returns only after the watcher stopped; nothing is applied afterwards; the TestMain of each package run here runs goleak, so a goroutine left by any of these tests fails the run"},
		{Row: "strata/load-close-cycles", Class: "lifetime", Package: rootPkg, Tests: []string{"TestLoadCloseCyclesLeakNothing"}, Samples: 1,
			Fault:     "100 Load/Close cycles over a watched file, a real Consul agent and the environment",
			Guarantee: "no goroutine outlives its Close: no watcher, parked query or idle HTTP connection (goleak; seen failing when the Consul transport's idle connections were left open)"},
		{Row: "strata/bad-file", Class: "bad input (files)", Package: rootPkg, Tests: []string{"TestBadFileInputIsRejectedWhole"}, Samples: 1,
			Fault:     "malformed YAML, JSON, TOML; a string for an int; a validate failure; an unknown key in strict mode; an empty file; an alias bomb; a secret in a bad document — at Load",
			Guarantee: "Load fails naming the file (and key and line where there is one); the secret never appears"},
		{Row: "strata/bad-file-live", Class: "bad input (files)", Package: rootPkg, Tests: []string{"TestBadFileInputIsRejectedWhole"}, Samples: 1,
			Fault:     "the same YAML inputs written over a good file under a running Config",
			Guarantee: "rejected whole: Get returns the very same value as before, the error names the key, the secret never appears"},
		{Row: "file/bad-input", Class: "bad input (files)", Package: "./provider/file/", Tests: []string{"TestLoadErrors"}, Samples: 1,
			Fault:     "missing file, path below a file, empty, whitespace only, a directory, unknown format, over MaxSize, YAML/JSON/TOML syntax errors, truncated JSON, non-mapping documents",
			Guarantee: "a *provider.Error naming the layer and path, the value never quoted"},
		{Row: "file/alias-bomb", Class: "bad input (files)", Package: "./provider/file/", Tests: []string{"TestLoadAliasBomb"}, Samples: 1,
			Fault:     "a YAML \"billion laughs\" document (9^9 expansions)",
			Guarantee: "refused (\"excessive aliasing\") instead of expanded"},
		{Class: "bad input (files)", Fault: "the config file replaced by a FIFO",
			Guarantee: "Load and Close never hang",
			Gap:       "not covered on this branch: issue 13 defect 4 (open)"},
		{Row: "strata/deep", Class: "bad input (depth)", Package: rootPkg, Tests: []string{"TestDeepInputIsRejected"}, Samples: 1,
			Fault:     "a map nested 10,000 levels deep, at Load and as a live change",
			Guarantee: "rejected naming the key and the depth limit; the last good value stays"},
		{Class: "bad input (depth)", Fault: "deeply nested TOML in a file or a Consul document",
			Guarantee: "bounded before parsing",
			Gap:       "not covered on this branch: issue 13 defect 5 (go-toml has no depth limit); only the map walk is bounded and tested"},
		{Row: "strata/nonfinite", Class: "bad input (values)", Package: rootPkg, Tests: []string{"TestNonFiniteRejectedByDefault"}, Samples: 1,
			Fault:     "\"NaN\", \"+Inf\", NaN and -Inf into a float field, at Load and as a reload",
			Guarantee: "an error naming the key (\"is not a finite number\"); the last good value stays"},
		{Row: "strata/nan-unchanged", Class: "bad input (values)", Package: rootPkg, Tests: []string{"TestUnchangedNaNIsNoChange"}, Samples: 1,
			Fault:     "a reload that leaves an opted-in NaN unchanged",
			Guarantee: "no OnChange, OnChangeOf or OnApply entry for it"},
		{Row: "env/odd-names", Class: "bad input (env)", Package: "./provider/env/", Tests: []string{"TestLoadErrors"}, Samples: 1,
			Fault:     "odd variable names: nothing after the prefix, leading/trailing/repeated underscores, a dot, a leaf and its parent, one key twice, ambiguous readings",
			Guarantee: "an error naming the variable (and both readings when ambiguous), never a guess; the value never quoted"},

		// Secrets.
		{Row: "strata/secrets", Class: "secrets", Package: rootPkg, Tests: []string{"TestPlantedSecretsNeverAppear"}, Samples: 1,
			Fault:     "secret values planted and driven through a load failure, applied and rejected changes and a layer outage",
			Guarantee: "none appears in any error, log, Explain, Debug, Status, expvar or the debug handler"},
		{Row: "strata/secrets-deep", Class: "secrets", Package: rootPkg, Tests: []string{"TestPlantedSecretsAtAnyDepth"}, Samples: 1,
			Fault:     "secrets at every depth (struct in list in map, pointers, embedded, Options.Secrets wildcards), through every surface and every error chain",
			Guarantee: "none appears"},
		{Row: "consul/secrets", Class: "secrets", Package: consulPkg, Tests: []string{"TestNoSecretsInErrorsOrLogs"}, Samples: 1,
			Fault:     "a planted token and secret value through every kind of Consul failure, with a real ACL server",
			Guarantee: "neither appears in any error text or log line"},
	}
}
