package consultest

import "syscall"

// sysProcAttr puts the agent in its own process group (so signals reach
// everything it starts) and has the kernel kill it if the test binary dies
// without running its cleanups, such as on a test timeout panic.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
