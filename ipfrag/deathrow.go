package ipfrag

import (
	"dpk/eal"
	"dpk/mbuf"
)

// Sizes, as DPDK 22.11's defaults.
const (
	// MaxFragNum is the default most fragments per datagram
	// (RTE_LIBRTE_IP_FRAG_MAX_FRAG in DPDK 22.11's rte_config.h).
	MaxFragNum = 8
	// MaxFragLimit is the largest TableConfig.MaxFrags accepted: a
	// 65,535-byte datagram cut into 8-byte fragments.
	MaxFragLimit = 8192
	// DeathRowLen is the burst of fragments a death row is sized for
	// (RTE_IP_FRAG_DEATH_ROW_LEN).
	DeathRowLen = 32
	// DeathRowMbufLen is the death row's capacity in packets
	// (RTE_IP_FRAG_DEATH_ROW_MBUF_LEN): enough for a burst of DeathRowLen
	// fragments each of which discards a datagram of MaxFragNum
	// fragments.
	DeathRowMbufLen = DeathRowLen * (MaxFragNum + 1)
)

// DeathRow holds the packets reassembly has dropped, for the caller to
// free in one go (rte_ip_frag_death_row). Reassembly never frees an mbuf
// itself: it puts it here, and FreeDeathRow frees the row later, outside
// the per-fragment path, usually once per received burst.
//
// The row has room for DeathRowMbufLen packets. Should a call find it full
// (the caller did not free it for a long time, or MaxFrags is large), the
// row is freed then and there, through the row's lcore, and counted in
// Overflows; DPDK would write past the array.
//
// A DeathRow belongs to one lcore, like the Table it is used with; its
// zero value is ready and frees without a mempool cache
// (eal.LcoreIDAny). It must not be copied after first use.
type DeathRow struct {
	row       [DeathRowMbufLen]*mbuf.Mbuf
	cnt       int
	lcore     uint32
	lcoreSet  bool
	overflows uint64
}

// NewDeathRow returns an empty death row whose mbufs are freed through
// lcore's mempool caches.
func NewDeathRow(lcore uint32) *DeathRow {
	dr := &DeathRow{}
	dr.SetLcore(lcore)
	return dr
}

// SetLcore sets the lcore whose mempool caches receive the row's mbufs
// (eal.LcoreIDAny: none). Go has no thread-local lcore id, so the row
// carries it: only that lcore may free the row.
func (dr *DeathRow) SetLcore(lcore uint32) { dr.lcore, dr.lcoreSet = lcore, true }

// Lcore returns the lcore the row frees through (eal.LcoreIDAny if unset).
func (dr *DeathRow) Lcore() uint32 {
	if !dr.lcoreSet {
		return eal.LcoreIDAny
	}
	return dr.lcore
}

// Len returns the number of packets waiting on the row.
func (dr *DeathRow) Len() int { return dr.cnt }

// Overflows returns how many times a full row was freed early.
func (dr *DeathRow) Overflows() uint64 { return dr.overflows }

// put adds a packet (a whole chain) to the row (IP_FRAG_MBUF2DR).
func (dr *DeathRow) put(m *mbuf.Mbuf) {
	if dr.cnt == len(dr.row) {
		dr.overflows++
		FreeDeathRow(dr, 0)
	}
	dr.row[dr.cnt] = m
	dr.cnt++
}

// room returns the free places on the row.
func (dr *DeathRow) room() int { return len(dr.row) - dr.cnt }

// FreeDeathRow frees every packet on the row, through the row's lcore
// (rte_ip_frag_free_death_row). prefetch is how many mbufs DPDK prefetches
// ahead; Go has no prefetch instruction here, so it is accepted and
// ignored. Packets of one pool are returned in bulk.
func FreeDeathRow(dr *DeathRow, prefetch uint32) {
	_ = prefetch
	if dr.cnt == 0 {
		return
	}
	mbuf.FreeBulk(dr.row[:dr.cnt], dr.Lcore())
	clear(dr.row[:dr.cnt])
	dr.cnt = 0
}
