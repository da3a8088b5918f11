package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
)

// TestSIGTERMWhileWatchingExitsCleanly builds the real binary, points it
// at a real Consul, reloads it with SIGHUP and stops it the way systemd,
// Kubernetes and docker stop do, while its watch is parked in a blocking
// query: it must shut its Config down and exit 0, not die by the signal.
func TestSIGTERMWhileWatchingExitsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example binary against Consul")
	}
	agent := consultest.Start(t, consultest.Options{})
	kv := agent.Client(t).KV()
	_, err := kv.Put(&api.KVPair{Key: "services/orders/db/max_conns", Value: []byte("20")}, nil)
	require.NoError(t, err)

	dir := t.TempDir()
	bin := filepath.Join(dir, "consul-reload")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	file, err := filepath.Abs("config.yaml")
	require.NoError(t, err)

	cmd := exec.Command(bin, "-prefix", "services/orders/", "-config", file)
	cmd.Env = append(os.Environ(), "CONSUL_HTTP_ADDR="+agent.Addr)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 100)
	exited := make(chan error, 1)
	var logs strings.Builder
	go func() {
		// Read everything, so the child never blocks on a full pipe, and
		// only then Wait, as exec requires.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			select {
			case lines <- sc.Text():
			default:
			}
		}
		exited <- cmd.Wait()
	}()
	waitFor := func(what string) {
		t.Helper()
		deadline := time.After(time.Minute)
		for {
			select {
			case l := <-lines:
				if strings.Contains(l, what) {
					return
				}
			case err := <-exited:
				t.Fatalf("exited while waiting for %q: %v\n%s", what, err, stderr.String())
			case <-deadline:
				t.Fatalf("no %q in the log", what)
			}
		}
	}
	waitFor("running; change keys")
	// A change applied shows the watch is live; it then parks again in a
	// blocking query at once, which is where SIGTERM finds it.
	_, err = kv.Put(&api.KVPair{Key: "services/orders/db/max_conns", Value: []byte("30")}, nil)
	require.NoError(t, err)
	waitFor("applied config change")
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	waitFor("reloaded on SIGHUP")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, logs.String(), stderr.String())
		}
		require.NoError(t, err)
	case <-time.After(time.Minute): // generous: a hang, not a slow exit, fails
		t.Fatal("did not exit after SIGTERM")
	}
	assert.Zero(t, cmd.ProcessState.ExitCode())
	assert.NotContains(t, stderr.String(), "goroutine ", "no goroutine dump")
}
