package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/consul/api"
)

// MaxConnsPerClient is the agent's http_max_conns_per_client.
const MaxConnsPerClient = 10000

// Agent is one Consul dev agent (in memory) on loopback ports of its own,
// started from the binary at Bin. Kill and Start may be called again to
// simulate an outage; a restarted dev agent comes back empty, with the
// same address.
type Agent struct {
	Bin  string
	Addr string // "127.0.0.1:PORT", the HTTP API

	ports [4]int // http, serf_lan, serf_wan, server

	mu   sync.Mutex
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
}

// StartAgent picks free loopback ports and starts a dev agent on them.
func StartAgent(bin string) (*Agent, error) {
	a := &Agent{Bin: bin}
	for i := range a.ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		a.ports[i] = p
	}
	a.Addr = "127.0.0.1:" + strconv.Itoa(a.ports[0])
	return a, a.Start()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs the agent process and waits until it has a leader and
// accepts KV writes (at most 30 s).
func (a *Agent) Start() error {
	// The connection limit is raised from its default of 200 per client
	// address because every client here shares 127.0.0.1, and viper's
	// remote support opens a new connection (left idle for 90 s) on every
	// read: its fetch benchmark alone would exhaust the default.
	hcl := fmt.Sprintf("ports { http = %d  https = -1  dns = -1  grpc = -1  grpc_tls = -1  serf_lan = %d  serf_wan = %d  server = %d }  limits { http_max_conns_per_client = %d }",
		a.ports[0], a.ports[1], a.ports[2], a.ports[3], MaxConnsPerClient)
	cmd := exec.Command(a.Bin, "agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1",
		"-log-level", "warn", "-hcl", hcl)
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = syncWriter{&a.mu, out}, syncWriter{&a.mu, out}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("consul agent: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	a.mu.Lock()
	a.cmd, a.out, a.done = cmd, out, done
	a.mu.Unlock()

	c, err := a.Client(nil)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("consul agent exited at start: %s", a.Log())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		leader, err := c.Status().Leader()
		if err == nil && leader != "" {
			_, err = c.KV().Put(&api.KVPair{Key: "bench/ready", Value: []byte("1")}, (&api.WriteOptions{}).WithContext(ctx))
		}
		cancel()
		if err == nil && leader != "" {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = a.Kill()
	return fmt.Errorf("consul agent not ready after 30s: %s", a.Log())
}

// Kill stops the agent at once (SIGKILL to its process group) and waits
// for it to exit. Killing a stopped agent is a no-op.
func (a *Agent) Kill() error {
	a.mu.Lock()
	cmd, done := a.cmd, a.done
	a.cmd = nil
	a.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("consul agent did not exit after SIGKILL")
	}
}

// Log returns the agent's output so far (last 2 KB).
func (a *Agent) Log() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.out.String()
	if len(s) > 2048 {
		s = s[len(s)-2048:]
	}
	return strings.TrimSpace(s)
}

// Client returns a client for the agent whose requests go through rt (nil:
// a fresh transport of the consul/api defaults).
func (a *Agent) Client(rt http.RoundTripper) (*api.Client, error) {
	return api.NewClient(a.Config(rt))
}

// Config returns a client config for the agent whose requests go through
// rt (nil: a fresh transport of the consul/api defaults). strata's layers
// are given a Config, as consul.New is by default, so that strata builds
// its own client (and decodes List answers itself).
func (a *Agent) Config(rt http.RoundTripper) *api.Config {
	cfg := &api.Config{Address: a.Addr, Scheme: "http"}
	if rt != nil {
		cfg.HttpClient = &http.Client{Transport: rt}
	}
	return cfg
}

// Version returns the first line of `consul version`.
func (a *Agent) Version() string {
	out, err := exec.Command(a.Bin, "version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// Seed writes pairs with transactions of 64 operations each.
func Seed(c *api.Client, pairs map[string]string) error {
	ops := make(api.TxnOps, 0, 64)
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		ok, resp, _, err := c.Txn().Txn(ops, nil)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if !ok {
			return fmt.Errorf("seed: txn rolled back: %v", resp.Errors)
		}
		ops = ops[:0]
		return nil
	}
	for k, v := range pairs {
		ops = append(ops, &api.TxnOp{KV: &api.KVTxnOp{Verb: api.KVSet, Key: k, Value: []byte(v)}})
		if len(ops) == cap(ops) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
