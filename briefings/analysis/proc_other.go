//go:build !linux

package analysis

import "syscall"

// canStartProcesses reports whether NewFrog can start Frog processes here:
// only on Linux, where a process group and a parent-death signal make sure
// none outlives briefbot. Elsewhere, give the addresses of Frog servers.
const canStartProcesses = false

func frogProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
