package main

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSIGTERMShutsDownCleanly builds the real binary and stops it the way
// systemd, Kubernetes and docker stop do. Without SIGTERM handling the
// process dies by the signal and Close never runs.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "quickstart")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	shipped, err := os.ReadFile("config.yaml")
	require.NoError(t, err)
	path := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(path, shipped, 0o600))

	cmd := exec.Command(bin, "-config", path)
	cmd.Env = append(os.Environ(), "QS_LISTEN="+freeAddr(t))
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	var logs strings.Builder
	serving := make(chan struct{})
	go func() {
		// Read everything, so the child never blocks on a full pipe, and
		// only then Wait, as exec requires.
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "msg=serving") {
				close(serving)
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	select {
	case <-serving:
	case err := <-exited:
		t.Fatalf("exited before serving: %v\n%s", err, logs.String())
	case <-time.After(time.Minute):
		t.Fatal("never started serving")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("exit: %v (status %s)\n%s", err, ee.ProcessState, logs.String())
		}
		require.NoError(t, err)
	case <-time.After(time.Minute): // generous: a hang, not a slow exit, fails
		t.Fatal("did not exit after SIGTERM")
	}
	assert.Zero(t, cmd.ProcessState.ExitCode())
	assert.NotContains(t, logs.String(), "goroutine ", "no goroutine dump")
}

// freeAddr returns a loopback address with a port free a moment ago: the
// shipped config's fixed port may be taken on a shared machine.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
