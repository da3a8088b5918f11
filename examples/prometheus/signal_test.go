package main

import (
	"bufio"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMShutsDownCleanly builds the real binary and stops it the way
// systemd, Kubernetes and docker stop do: it must exit 0, not die by the
// signal with its deferred Close never run.
func TestSIGTERMShutsDownCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example binary")
	}
	bin := filepath.Join(t.TempDir(), "prometheus")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	cmd := exec.Command(bin, "-addr", addr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	serving := make(chan struct{})
	exited := make(chan error, 1)
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "serving on") {
				close(serving)
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case <-serving:
	case err := <-exited:
		t.Fatalf("exited before serving: %v\n%s", err, logs.String())
	case <-time.After(time.Minute):
		t.Fatal("never started serving")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs.String())
		}
	case <-time.After(time.Minute): // generous: a hang, not a slow exit, fails
		t.Fatal("did not exit after SIGTERM")
	}
	if strings.Contains(logs.String(), "goroutine ") {
		t.Errorf("goroutine dump in the output:\n%s", logs.String())
	}
}
