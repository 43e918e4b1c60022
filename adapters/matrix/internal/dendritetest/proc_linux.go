package dendritetest

import "syscall"

// procAttr puts dendrite in its own process group and kills it when the
// test binary dies (a test timeout panics without running cleanups).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
