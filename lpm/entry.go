package lpm

import "fmt"

// Entry is one 32-bit entry of tbl24 or tbl8, packed as DPDK's struct
// rte_lpm_tbl_entry on a little-endian machine:
//
//	 31       26  25   24  23                          0
//	+-----------+----+----+-----------------------------+
//	|   depth   | VG | V  |  next hop or tbl8 group     |
//	+-----------+----+----+-----------------------------+
//
// V (valid) says the entry holds a route. In tbl24, VG (valid_group) says
// the low 24 bits index a tbl8 group instead of holding a next hop; in
// tbl8, VG marks the entries of a group that is in use. depth is the
// prefix length of the rule the entry comes from.
type Entry uint32

const (
	hopMask   = 0x00ffffff
	validBit  = 1 << 24 // RTE_LPM_LOOKUP_SUCCESS
	groupBit  = 1 << 25
	extMask   = validBit | groupBit // RTE_LPM_VALID_EXT_ENTRY_BITMASK
	depthShft = 26
)

// NextHop returns the entry's next hop (or tbl8 group index, see Group).
func (e Entry) NextHop() uint32 { return uint32(e) & hopMask }

// Valid reports whether the entry holds a route.
func (e Entry) Valid() bool { return e&validBit != 0 }

// ValidGroup reports the valid_group bit: in tbl24, that the entry points
// to a tbl8 group; in tbl8, that the entry's group is in use.
func (e Entry) ValidGroup() bool { return e&groupBit != 0 }

// Extended reports whether a tbl24 entry points to a tbl8 group.
func (e Entry) Extended() bool { return e&extMask == extMask }

// Group returns the tbl8 group index of an extended tbl24 entry.
func (e Entry) Group() uint32 { return uint32(e) & hopMask }

// Depth returns the prefix length of the rule the entry comes from (0 in
// extended tbl24 entries and invalid entries).
func (e Entry) Depth() uint8 { return uint8(e >> depthShft) }

func (e Entry) String() string {
	switch {
	case e.Extended() && e.Depth() == 0: // a tbl24 entry: tbl8 entries have a depth
		return fmt.Sprintf("group %d", e.Group())
	case e.Valid():
		return fmt.Sprintf("hop %d /%d", e.NextHop(), e.Depth())
	}
	return "invalid"
}

// routeEntry packs a valid, non-extended entry.
func routeEntry(hop uint32, depth uint8) uint32 {
	return validBit | uint32(depth)<<depthShft | hop
}

// entryDepth returns the depth field of a raw entry.
func entryDepth(e uint32) uint8 { return uint8(e >> depthShft) }

// depthMask returns the netmask of a prefix length of 1 to 32.
func depthMask(depth uint8) uint32 { return ^uint32(0) << (32 - depth) }
