package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// devAgent is a throwaway `consul agent -dev` on free loopback ports.
type devAgent struct {
	addr string
	cmd  *exec.Cmd
	done chan error
}

// consulBinary finds the Consul binary the way the tests do: an explicit
// STRATA_CONSUL_BIN, the build cache `make consul` fills, or PATH.
func consulBinary() (string, error) {
	if p := os.Getenv("STRATA_CONSUL_BIN"); p != "" {
		return p, nil
	}
	if dir, err := os.UserCacheDir(); err == nil {
		p := filepath.Join(dir, "strata", "consul", "1.14.11", "consul")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("consul"); err == nil {
		return p, nil
	}
	return "", errors.New("no consul binary: run `make consul` or set STRATA_CONSUL_BIN")
}

func startAgent(ctx context.Context, bin, dir string) (*devAgent, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	hcl := fmt.Sprintf(`ports { http = %d  dns = -1  grpc = -1  grpc_tls = -1  serf_lan = %d  serf_wan = %d  server = %d  https = -1 }
disable_update_check = true
log_level = "warn"`, ports[0], ports[1], ports[2], ports[3])
	cfgFile := filepath.Join(dir, "agent.hcl")
	if err := os.WriteFile(cfgFile, []byte(hcl), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "agent", "-dev", "-bind", "127.0.0.1", "-client", "127.0.0.1", "-config-file", cfgFile)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	a := &devAgent{addr: "127.0.0.1:" + strconv.Itoa(ports[0]), cmd: cmd, done: make(chan error, 1)}
	go func() { a.done <- cmd.Wait() }()

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + a.addr + "/v1/status/leader")
		if err == nil {
			var buf [64]byte
			n, _ := resp.Body.Read(buf[:])
			resp.Body.Close()
			if n > 2 { // `""` means no leader yet
				return a, nil
			}
		}
		select {
		case err := <-a.done:
			return nil, fmt.Errorf("consul exited during start-up: %v", err)
		case <-ctx.Done():
			a.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	a.stop()
	return nil, errors.New("consul did not elect a leader within 30s")
}

func (a *devAgent) stop() {
	_ = a.cmd.Process.Kill()
	<-a.done
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
