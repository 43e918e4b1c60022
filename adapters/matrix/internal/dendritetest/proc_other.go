//go:build !linux

package dendritetest

import "syscall"

// procAttr puts dendrite in its own process group.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
