//go:build amd64 && !race

package lpm

// store32 stores a table entry with release ordering: a reader that loads
// the new value also sees every store that preceded it, in particular the
// contents of a tbl8 group before the tbl24 entry that points to it.
//
// On amd64 a plain 32-bit MOV has that ordering (x86-TSO does not reorder
// stores with earlier stores) and is atomic when aligned; the gc compiler
// keeps stores in program order. sync/atomic.StoreUint32 would be an XCHG,
// a full barrier several times dearer, which matters when a short prefix
// rewrites millions of tbl24 entries. DPDK uses plain stores (release
// __atomic_store on x86) here too. Readers load with load32.
//
// Under the race detector and on other architectures store_other.go uses
// sync/atomic.
func store32(p *uint32, v uint32) { *p = v }

// load32 loads a table entry for a lookup. A plain aligned 32-bit MOV is
// atomic on amd64, as sync/atomic.LoadUint32 is (it compiles to the same
// MOV), but the compiler folds a plain load into its address computation
// and schedules it freely: one instruction less per lookup. That matters:
// random lookups in a 64 MiB table miss the caches and the TLB, and how
// many the CPU overlaps is bounded by how many fit in its reorder window.
// The tbl8 load depends on the tbl24 value, so it cannot be done first.
// (The memzone is not Go memory: the race detector does not watch it,
// and under -race store_other.go's sync/atomic versions are used.)
func load32(p *uint32) uint32 { return *p }
