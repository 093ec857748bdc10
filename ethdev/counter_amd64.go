//go:build amd64 && !race

package ethdev

// storeRelaxed stores v to *p. On amd64 an aligned 8-byte MOV is atomic and
// stores are not reordered with other stores (x86-TSO), so a reader's
// atomic load sees either the old or the new value; the gc compiler keeps
// the store in program order. The writer is the only goroutine writing.
func storeRelaxed(p *uint64, v uint64) { *p = v }

// loadRelaxed reads *p written only by the caller's goroutine (or reset).
func loadRelaxed(p *uint64) uint64 { return *p }
