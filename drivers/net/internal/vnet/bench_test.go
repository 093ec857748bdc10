package vnet

import (
	"testing"

	"dpk/eal"
	"dpk/mbuf"
)

// TestNoAllocs checks that the packet-path functions make no heap
// allocations.
func TestNoAllocs(t *testing.T) {
	mp := newPool(t, "vnet_alloc")
	d, h := frame(false, ProtoTCP, pattern(1400), 700)
	m := chainOf(t, mp, d, 100)
	defer m.Free(eal.LcoreIDAny)
	var raw [Size]byte
	hdr := make([]byte, 54)
	n := testing.AllocsPerRun(100, func() {
		h.Encode(&raw)
		h2 := Decode(&raw)
		g, ok := ParseGSO(d, h2)
		if !ok {
			panic("ParseGSO")
		}
		copy(hdr, d[:g.HdrLen()])
		g.PatchSegment(hdr, 1, d[54:754], false)
		g.LROChecksum(d)
		g.LROFlags(m, 0)
		PartialCsum(d, h.CsumStart, h.CsumOffset)
		CompleteCsum(m, h.CsumStart, h.CsumOffset)
		m.OlFlags = mbuf.FlagTxIPv4 | mbuf.FlagTxTCPCksum
		m.SetTxOffload(14, 20, 20, 0, 0, 0)
		var vh Hdr
		TxOffload(m, &vh, 4)
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

// BenchmarkRxCsum compares completing a partial checksum of a 1500-byte
// frame in a flat buffer (af_packet's ring) and in a one-segment mbuf
// (tap), in ns per frame.
func BenchmarkRxCsum(b *testing.B) {
	mp := newPool(b, "vnet_bench")
	d, h := frame(false, ProtoTCP, pattern(1446), 0)
	m := chainOf(b, mp, d)
	defer m.Free(eal.LcoreIDAny)
	b.Run("flat", func(b *testing.B) {
		for b.Loop() {
			PartialCsum(d, h.CsumStart, h.CsumOffset)
		}
	})
	b.Run("chain", func(b *testing.B) {
		for b.Loop() {
			CompleteCsum(m, h.CsumStart, h.CsumOffset)
		}
	})
}

// BenchmarkTxOffload measures turning a TCP checksum request into a
// header and writing it, as TX does for every packet that asks.
func BenchmarkTxOffload(b *testing.B) {
	mp := newPool(b, "vnet_bench")
	d, _ := frame(false, ProtoTCP, pattern(1446), 0)
	m := chainOf(b, mp, d)
	defer m.Free(eal.LcoreIDAny)
	m.OlFlags = mbuf.FlagTxIPv4 | mbuf.FlagTxIPCksum | mbuf.FlagTxTCPCksum
	m.SetTxOffload(14, 20, 20, 0, 0, 0)
	var raw [Size]byte
	for b.Loop() {
		var vh Hdr
		TxOffload(m, &vh, 0)
		vh.Encode(&raw)
	}
}
