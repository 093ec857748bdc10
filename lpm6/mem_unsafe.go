package lpm6

import (
	"unsafe"

	"dpk/eal"
)

// tableMem is the memory behind a table's tbl24 and tbl8s: a memzone
// when the EAL runs, so that the lookup tables sit on hugepages of the
// requested socket as DPDK's do, or Go memory otherwise. It holds no Go
// pointers either way.
type tableMem struct {
	entries []entry
	mz      *eal.Memzone
}

func allocTables(mzName string, n int, socket int) (*tableMem, error) {
	if !eal.Initialized() {
		return &tableMem{entries: make([]entry, n)}, nil
	}
	size := uint64(n) * uint64(unsafe.Sizeof(entry(0)))
	mz, err := eal.MemzoneReserve(mzName, size, socket, 0)
	if err != nil {
		return nil, err
	}
	return &tableMem{entries: unsafe.Slice((*entry)(mz.Addr()), n), mz: mz}, nil
}

func (m *tableMem) free() {
	if m.mz != nil {
		eal.MemzoneFree(m.mz)
	}
	m.entries, m.mz = nil, nil
}
