package lpm6

// entry is one cell of tbl24 or of a tbl8 group (struct
// rte_lpm6_tbl_entry, laid out for the lookup loop):
//
//	bit 31     ext: the cell points at a tbl8 group, bits 0-20 are its index
//	bit 30     valid: the cell holds a rule's next hop
//	bits 21-28 the depth of that rule
//	bits 0-20  the next hop (or the group index)
//
// An empty cell is 0: not ext, not valid, depth 0.
type entry uint32

const (
	extBit     entry = 1 << 31
	validBit   entry = 1 << 30
	depthShift       = 21
	lowMask    entry = 1<<21 - 1 // next hop or group index
)

// leaf is the cell of a rule of the given depth and next hop.
func leaf(depth uint8, nextHop uint32) entry {
	return validBit | entry(depth)<<depthShift | entry(nextHop)
}

// ext is a cell pointing at tbl8 group g.
func ext(g uint32) entry { return extBit | entry(g) }

func (e entry) isExt() bool   { return e&extBit != 0 }
func (e entry) depth() uint8  { return uint8(e >> depthShift) }
func (e entry) group() uint32 { return uint32(e & lowMask) }
