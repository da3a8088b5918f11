// Package consultest starts real Consul agents on loopback for integration
// tests: single dev or persistent servers (optionally with ACLs and mutual
// TLS), three-server clusters and two-datacenter WAN pairs.
//
// Every agent gets its own explicit ports, config file and directories, its
// output is kept for failure messages (Agent.Log), and t.Cleanup kills its
// process group and removes its directories, also when the test fails.
// Agents run in their own process group; the package needs a Unix system.
package consultest

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

const (
	readyTimeout = 60 * time.Second // per start attempt
	probeTimeout = 2 * time.Second  // one readiness request
	opTimeout    = 30 * time.Second // one harness API call
	stopGrace    = 15 * time.Second // SIGTERM before SIGKILL
	readyKey     = "consultest/ready"
)

// Options select the kind of agent Start runs. The zero value is a dev
// agent in datacenter dc1 without ACLs or TLS.
type Options struct {
	// ACL enables ACLs with default_policy deny and a random management
	// token, available as Agent.Token.
	ACL bool
	// TLS serves the API over HTTPS only, with verify_incoming, from a PKI
	// generated for this agent (see Agent.CAFile, CertFile, KeyFile).
	TLS bool
	// Datacenter defaults to "dc1".
	Datacenter string
	// DataDir is the server's data directory; it defaults to a t.TempDir().
	// Setting it implies Persistent. The harness never removes a DataDir it
	// was given.
	DataDir string
	// Persistent runs a real single server (not -dev) with a data dir, so
	// Restart keeps the data. The default is -dev (in memory, fastest).
	Persistent bool
}

// Agent is one running (or stopped) consul server owned by one test, which
// kills it at cleanup. Exported fields are set by Start and must not be
// modified; they stay valid across Restart (same ports, token and files).
//
// Config, Client, Log and the KV, snapshot and token helpers are safe for
// concurrent use, each with the t of the calling test. Stop, Kill, Restart,
// Pause and Resume change the process and must not run concurrently with
// each other. Helpers taking t fail it on error, so they must run on that
// test's goroutine.
type Agent struct {
	// Addr is the HTTP API address, "127.0.0.1:PORT"; "" when TLS.
	Addr string
	// HTTPSAddr is the HTTPS API address when TLS; "" otherwise.
	HTTPSAddr string
	// Token is the management token when ACL; "" otherwise.
	Token string
	// CAFile, CertFile and KeyFile are the client-side PEM files when TLS:
	// the CA that signed the server, and a client certificate and key.
	CAFile, CertFile, KeyFile string
	// Datacenter is the agent's datacenter.
	Datacenter string
	// DataDir is the data directory; "" for a dev agent.
	DataDir string
	// NodeName is the agent's node name, unique within its test.
	NodeName string
	// ServerAddr is the server RPC address, as /v1/status/leader reports it.
	ServerAddr string

	bin       string
	dir       string // config and certificates
	cfgFile   string
	ownData   bool // DataDir is a temp dir the harness may replace
	cfg       nodeConfig
	log       ringLog
	logShown  bool
	tlsConfig api.TLSConfig

	mu     sync.Mutex
	proc   *process
	paused bool
}

// Start runs a single consul server and returns once it has a leader and
// accepts KV writes. Start-up is retried (with fresh ports) when an attempt
// fails or is not ready within a minute. t.Cleanup kills the agent and
// removes its directories. It fails the test when the agent cannot start and
// skips it when there is no consul binary (see Binary).
func Start(t testing.TB, opts Options) *Agent {
	t.Helper()
	bin := Binary(t)
	if opts.Datacenter == "" {
		opts.Datacenter = "dc1"
	}
	a := newAgent(t, bin, opts, "consultest-"+opts.Datacenter)
	bringUp(t, "agent "+a.NodeName, []*Agent{a}, nil, nil)
	return a
}

// newAgent prepares an agent's directories, token and certificates and
// registers its cleanup. Nothing runs yet.
func newAgent(t testing.TB, bin string, opts Options, name string) *Agent {
	t.Helper()
	a := &Agent{
		bin:        bin,
		dir:        t.TempDir(),
		Datacenter: opts.Datacenter,
		NodeName:   name,
	}
	a.cfgFile = filepath.Join(a.dir, "agent.hcl")
	a.cfg = nodeConfig{NodeName: name, Datacenter: opts.Datacenter, Dev: true}
	if opts.Persistent || opts.DataDir != "" {
		a.cfg.Dev, a.cfg.Expect = false, 1
		a.DataDir, a.ownData = opts.DataDir, opts.DataDir == ""
		if a.ownData {
			a.DataDir = t.TempDir()
		}
	}
	if opts.ACL {
		a.Token = newUUID()
		a.cfg.ACLToken = a.Token
	}
	if opts.TLS {
		files, err := writeTLS(a.dir, opts.Datacenter)
		if err != nil {
			t.Fatalf("consultest: generate certificates: %v", err)
		}
		a.cfg.TLS = &files
		a.CAFile, a.CertFile, a.KeyFile = files.CA, files.ClientCert, files.ClientKey
	}
	// Registered after t.TempDir, so it runs before the directories go.
	t.Cleanup(func() {
		a.kill()
		if t.Failed() && !a.logShown {
			t.Logf("consultest: output of %s (last %d lines):\n%s", a.NodeName, logLines, a.Log())
		}
	})
	return a
}

// setPorts assigns the agent's listeners and derives its addresses.
func (a *Agent) setPorts(p portSet) {
	a.cfg.Ports = p
	a.Addr, a.HTTPSAddr = "", ""
	if p.HTTP > 0 {
		a.Addr = hostPort(p.HTTP)
	}
	if p.HTTPS > 0 {
		a.HTTPSAddr = hostPort(p.HTTPS)
	}
	a.ServerAddr = hostPort(p.Server)
	a.tlsConfig = api.TLSConfig{}
	if a.cfg.TLS != nil {
		a.tlsConfig = api.TLSConfig{Address: a.HTTPSAddr, CAFile: a.CAFile, CertFile: a.CertFile, KeyFile: a.KeyFile}
	}
}

func hostPort(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// bringUp gives the agents fresh ports (and, where the harness owns it, a
// fresh data dir), lets wire finish their configs, starts them all and
// waits until each is ready and then until ready (if any) succeeds.
// A failed attempt is retried once; a lost race for a port (another process
// took it between FreePorts and the agent binding it) does not count, up to
// four attempts in all.
func bringUp(t testing.TB, what string, agents []*Agent, wire func(), ready func(deadline time.Time) error) {
	t.Helper()
	const maxAttempts, maxFailures = 4, 2
	var failures []string
	counted := 0
	for attempt := 1; attempt <= maxAttempts && counted < maxFailures; attempt++ {
		free := FreePorts(t, len(agents)*portsPerAgent)
		marks := make([]int, len(agents))
		for i, a := range agents {
			marks[i] = a.log.mark()
			a.setPorts(newPortSet(free[i*portsPerAgent:], a.cfg.TLS != nil))
			if a.ownData && attempt > 1 {
				a.DataDir = t.TempDir()
			}
		}
		if wire != nil {
			wire()
		}
		err := startAll(agents, ready)
		if err == nil {
			return
		}
		portRace := false
		for i, a := range agents {
			a.kill()
			if a.log.contains(marks[i], "address already in use") {
				portRace = true
			}
			a.log.note(fmt.Sprintf("start attempt %d failed: %v", attempt, err))
		}
		if !portRace {
			counted++
		}
		failures = append(failures, fmt.Sprintf("attempt %d: %v", attempt, err))
	}
	var logs strings.Builder
	for _, a := range agents {
		fmt.Fprintf(&logs, "\n--- output of %s ---\n%s", a.NodeName, a.Log())
		a.logShown = true
	}
	t.Fatalf("consultest: start %s failed:\n%s%s", what, strings.Join(failures, "\n"), logs.String())
}

// startAll writes each agent's config, starts all of them and waits for
// readiness under one deadline.
func startAll(agents []*Agent, ready func(deadline time.Time) error) error {
	deadline := time.Now().Add(readyTimeout)
	for _, a := range agents {
		if a.DataDir != "" {
			a.cfg.DataDir = a.DataDir
		}
		if err := os.WriteFile(a.cfgFile, []byte(a.cfg.hcl()), 0o600); err != nil {
			return fmt.Errorf("write config: %w", err)
		}
		if err := a.launch(); err != nil {
			return err
		}
	}
	for _, a := range agents {
		if err := a.waitReady(deadline); err != nil {
			return err
		}
	}
	if ready != nil {
		return ready(deadline)
	}
	return nil
}

// launch starts the process from the current config file.
func (a *Agent) launch() error {
	args := []string{"agent", "-config-file", a.cfgFile}
	if a.cfg.Dev {
		args = []string{"agent", "-dev", "-config-file", a.cfgFile}
	}
	p, err := startProcess(a.bin, args, &a.log)
	if err != nil {
		return fmt.Errorf("run %s: %w", a.bin, err)
	}
	a.mu.Lock()
	a.proc, a.paused = p, false
	a.mu.Unlock()
	return nil
}

// waitReady polls until the agent knows a leader and a KV write through it
// succeeds, the process exits, or the deadline passes.
func (a *Agent) waitReady(deadline time.Time) error {
	p := a.current()
	c, closeIdle, err := a.newClient(probeTimeout)
	if err != nil {
		return err
	}
	defer closeIdle()
	var last error
	for {
		last = a.probe(c)
		if last == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %s: %w", a.NodeName, readyTimeout, last)
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited during start-up (%v); last probe: %w", a.NodeName, p.err, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// probe checks once that the agent knows a leader and accepts a KV write.
// The probe key is deleted again so tests see an empty KV store.
func (a *Agent) probe(c *api.Client) error {
	leader, err := c.Status().Leader()
	if err != nil {
		return err
	}
	if leader == "" {
		return fmt.Errorf("no leader yet")
	}
	if _, err := c.KV().Put(&api.KVPair{Key: readyKey, Value: []byte("1")}, nil); err != nil {
		return fmt.Errorf("kv write: %w", err)
	}
	if _, err := c.KV().Delete(readyKey, nil); err != nil {
		return fmt.Errorf("kv delete: %w", err)
	}
	return nil
}

// current returns the latest process, or nil before the first launch.
func (a *Agent) current() *process {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.proc
}

// running reports whether the process is alive and not paused.
func (a *Agent) running() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.proc != nil && !a.proc.exited() && !a.paused
}

// kill SIGKILLs the agent, if it runs, and waits for it.
func (a *Agent) kill() {
	if p := a.current(); p != nil {
		p.kill()
	}
}

// Stop sends SIGTERM and waits for the agent to exit (SIGKILL after 15s).
// Stopping a stopped agent does nothing.
func (a *Agent) Stop(t testing.TB) {
	t.Helper()
	if p := a.current(); p != nil && !p.terminate(stopGrace) {
		t.Logf("consultest: %s ignored SIGTERM for %s; killed it", a.NodeName, stopGrace)
	}
}

// Kill sends SIGKILL and waits for the agent to exit.
func (a *Agent) Kill(t testing.TB) {
	t.Helper()
	a.kill()
}

// Restart stops the agent if it runs, starts it again with the same config,
// ports and data dir, and waits until it is ready as Start does. A
// Persistent agent keeps its data; a dev agent comes back empty. Members of
// a cluster wait for the cluster's leader.
func (a *Agent) Restart(t testing.TB) {
	t.Helper()
	a.Stop(t)
	var failures []string
	for attempt := 1; attempt <= 2; attempt++ {
		a.log.note(fmt.Sprintf("restart (attempt %d)", attempt))
		err := a.launch()
		if err == nil {
			err = a.waitReady(time.Now().Add(readyTimeout))
		}
		if err == nil {
			return
		}
		a.kill()
		failures = append(failures, err.Error())
		// The usual cause is a port still held elsewhere; give it a moment.
		time.Sleep(time.Second)
	}
	a.logShown = true
	t.Fatalf("consultest: restart %s failed:\n%s\n--- output ---\n%s", a.NodeName, strings.Join(failures, "\n"), a.Log())
}

// Pause freezes the agent with SIGSTOP: connections hang instead of
// failing. Resume undoes it; cleanup and Stop also work on a paused agent.
func (a *Agent) Pause(t testing.TB) {
	t.Helper()
	a.signal(t, syscall.SIGSTOP, true)
}

// Resume continues a paused agent with SIGCONT.
func (a *Agent) Resume(t testing.TB) {
	t.Helper()
	a.signal(t, syscall.SIGCONT, false)
}

func (a *Agent) signal(t testing.TB, sig syscall.Signal, paused bool) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.proc == nil || a.proc.exited() {
		t.Fatalf("consultest: %s: agent %s is not running", sig, a.NodeName)
	}
	a.proc.signal(sig)
	a.paused = paused
}

// Log returns the last lines (about 100) of the agent's output across all its
// runs, with the harness's own notes, for failure messages.
func (a *Agent) Log() string { return a.log.String() }

// Config returns a fresh client configuration for this agent: address,
// scheme, TLS files and token. Clients made from it own their connection
// pool; close idle connections (Config.Transport, set by api.NewClient) when
// done, or use Client, which does it at cleanup.
func (a *Agent) Config() *api.Config {
	cfg := &api.Config{Address: a.Addr, Scheme: "http", Token: a.Token}
	if a.cfg.TLS != nil {
		cfg.Address, cfg.Scheme, cfg.TLSConfig = a.HTTPSAddr, "https", a.tlsConfig
	}
	return cfg
}

// Client returns a client for this agent (see Config) whose idle
// connections are closed at t's cleanup.
func (a *Agent) Client(t testing.TB) *api.Client {
	t.Helper()
	c, closeIdle, err := a.newClient(0)
	if err != nil {
		t.Fatalf("consultest: client for %s: %v", a.NodeName, err)
	}
	t.Cleanup(closeIdle)
	return c
}

// newClient makes a client whose requests each time out after timeout (0:
// never) and returns the function closing its idle connections.
func (a *Agent) newClient(timeout time.Duration) (*api.Client, func(), error) {
	cfg := a.Config()
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, nil, err
	}
	cfg.HttpClient.Timeout = timeout
	return c, cfg.Transport.CloseIdleConnections, nil
}

// withClient runs f with a short-lived client, failing the test on error.
func (a *Agent) withClient(t testing.TB, what string, f func(c *api.Client) error) {
	t.Helper()
	c, closeIdle, err := a.newClient(opTimeout)
	if err != nil {
		t.Fatalf("consultest: %s on %s: %v", what, a.NodeName, err)
	}
	defer closeIdle()
	if err := f(c); err != nil {
		t.Fatalf("consultest: %s on %s: %v", what, a.NodeName, err)
	}
}

// newUUID returns a random (version 4) UUID, the form Consul tokens take.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails since Go 1.24
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
