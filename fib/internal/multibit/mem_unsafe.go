package multibit

import (
	"unsafe"

	"dpk/eal"
)

// memory holds a table's cells: a memzone when the EAL runs, so that the
// cells sit on hugepages of the requested socket as DPDK's do, or Go
// memory otherwise. It holds no Go pointers either way.
type memory[E Entry] struct {
	cells []E
	mz    *eal.Memzone
}

func allocCells[E Entry](mzName string, n int, socket int) (*memory[E], error) {
	if !eal.Initialized() {
		return &memory[E]{cells: make([]E, n)}, nil
	}
	var zero E
	mz, err := eal.MemzoneReserve(mzName, uint64(n)*uint64(unsafe.Sizeof(zero)), socket, 0)
	if err != nil {
		return nil, err
	}
	return &memory[E]{cells: unsafe.Slice((*E)(mz.Addr()), n), mz: mz}, nil
}

func (m *memory[E]) free() {
	if m.mz != nil {
		eal.MemzoneFree(m.mz)
	}
	m.cells, m.mz = nil, nil
}
