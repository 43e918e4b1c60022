//go:build !unix

package briefings

import (
	"io"
	"os"
	"unsafe"
)

// mapFile reads the whole of f into 8-byte aligned memory (no mmap here).
func mapFile(f *os.File) (data []byte, unmap func() error, err error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	words := make([]uint64, (fi.Size()+7)/8)
	data = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), len(words)*8)[:fi.Size()]
	if _, err := f.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, nil, err
	}
	return data, nil, nil
}
