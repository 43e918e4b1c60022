package analysis

import "syscall"

// canStartProcesses reports whether NewFrog can start Frog processes here.
const canStartProcesses = true

// frogProcAttr puts a Frog server in its own process group, so that killing
// the group also kills the children it forks for connections, and kills it
// when briefbot dies.
func frogProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup sends SIGKILL to the process group pid leads. Frog acts on
// SIGTERM only after sleeping five seconds and freeing its models.
func killGroup(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}
