package consultest

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one run of the consul binary. Its waiter goroutine is the only
// caller of cmd.Wait; it exits when the process does and then closes done,
// after which err is set. exec's own output-copying goroutine finishes
// inside cmd.Wait, so once done is closed no goroutine of this run remains.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startProcess runs bin with args in its own process group, with stdout and
// stderr going to out.
func startProcess(bin string, args []string, out *ringLog) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	// Bounds cmd.Wait should anything inherit the output pipe.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited and been reaped.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process group, unless the process is gone (its
// pid may then belong to someone else).
func (p *process) signal(sig syscall.Signal) {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
}

// kill SIGKILLs the process group and waits for the waiter to finish.
func (p *process) kill() {
	p.signal(syscall.SIGKILL)
	<-p.done
}

// terminate sends SIGTERM (and SIGCONT, in case it is paused) and waits up
// to grace before killing. It reports whether the process exited by itself.
func (p *process) terminate(grace time.Duration) bool {
	p.signal(syscall.SIGTERM)
	p.signal(syscall.SIGCONT)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
		return true
	case <-timer.C:
		p.kill()
		return false
	}
}

// logLines is how many lines of agent output Log keeps; maxLine bounds a
// line still waiting for its newline.
const (
	logLines = 100
	maxLine  = 64 << 10
)

// ringLog keeps the last logLines lines written to it. It is safe for
// concurrent use.
type ringLog struct {
	mu      sync.Mutex
	lines   []string
	total   int // lines ever added, so callers can look at what came after a point
	partial []byte
}

// Write implements io.Writer for the agent's stdout and stderr.
func (r *ringLog) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data := append(r.partial, p...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		r.add(string(data[:i]))
		data = data[i+1:]
	}
	if len(data) > maxLine {
		r.add(string(data))
		data = nil
	}
	r.partial = append([]byte(nil), data...)
	return len(p), nil
}

// note records a line of the harness's own, such as a restart marker.
func (r *ringLog) note(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add("consultest: " + line)
}

func (r *ringLog) add(line string) {
	r.total++
	r.lines = append(r.lines, line)
	if len(r.lines) > 2*logLines {
		r.lines = append([]string(nil), r.lines[len(r.lines)-logLines:]...)
	}
}

// mark returns a position for contains.
func (r *ringLog) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// contains reports whether a line added after mark, and still kept,
// contains substr.
func (r *ringLog) contains(mark int, substr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := r.total - len(r.lines) // r.lines[0] is line number first
	for i := max(mark-first, 0); i < len(r.lines); i++ {
		if strings.Contains(r.lines[i], substr) {
			return true
		}
	}
	return strings.Contains(string(r.partial), substr)
}

// String returns the kept lines, oldest first.
func (r *ringLog) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	lines := r.lines
	if len(lines) > logLines {
		lines = lines[len(lines)-logLines:]
	}
	s := strings.Join(lines, "\n")
	if len(r.partial) > 0 {
		s += "\n" + string(r.partial)
	}
	return s
}
