//go:build amd64 && !race

package ring

// store32 stores v to *p with release ordering: every load and store that
// precedes it in program order is visible to another CPU before v is.
//
// On amd64 a plain MOV has that ordering (x86-TSO: stores are not reordered
// with earlier loads or stores), and the gc compiler keeps a store in
// program order with the memory operations around it (they are chained
// through its SSA memory state and calls are barriers), so a plain store is
// enough. sync/atomic.StoreUint32 would compile to XCHG, a full barrier that
// drains the store buffer and costs several times more; DPDK's x86 ring uses
// a plain store here too. The loads on the other side go through
// sync/atomic, so the compiler cannot hoist them out of a wait loop.
//
// Under the race detector (which must see the synchronisation) and on other
// architectures store_other.go uses sync/atomic.
func store32(p *uint32, v uint32) { *p = v }
