//go:build !linux

package consultest

import "syscall"

// sysProcAttr puts the agent in its own process group so signals reach
// everything it starts. Without Pdeathsig outside Linux, an agent can outlive
// a test binary that dies before its cleanups run.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
