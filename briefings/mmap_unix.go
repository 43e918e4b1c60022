//go:build unix

package briefings

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps the whole of f read-only into memory. The mapping outlives
// f's descriptor (and its name); unmap releases it.
func mapFile(f *os.File) (data []byte, unmap func() error, err error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, fmt.Errorf("%s: cannot map %d bytes", f.Name(), size)
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}
