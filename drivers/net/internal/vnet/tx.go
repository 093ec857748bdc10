package vnet

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt/checksum"
)

// TxOffload turns m's TX offload requests into the header vh, fixing m's
// headers as the kernel wants them: for TSO the IP length of the whole
// packet and the TCP pseudo-header sum with the L4 length, and the IPv4
// header checksum when asked for (or implied by TSO). shift is the length
// of a VLAN tag the driver inserts before the headers. vh is left as it is
// when m asks for nothing. It reports false for a request it cannot carry
// out (headers outside the first segment, lengths missing or too short,
// SCTP checksum); m may then have been changed.
func TxOffload(m *mbuf.Mbuf, vh *Hdr, shift int) bool {
	ol := m.OlFlags
	l4req := ol & mbuf.FlagTxUDPCksum // the two-bit L4 checksum field
	tso := ol&mbuf.FlagTxTCPSeg != 0
	if !tso && l4req == 0 && ol&mbuf.FlagTxIPCksum == 0 {
		return true
	}
	l2, l3, l4 := int(m.L2Len()), int(m.L3Len()), int(m.L4Len())
	d := m.Data()
	if l2 == 0 || l3 < 20 || l2+l3 > len(d) {
		return false
	}
	ip := d[l2 : l2+l3]
	ipv6 := ol&mbuf.FlagTxIPv6 != 0 || ol&mbuf.FlagTxIPv4 == 0 && ip[0]>>4 == 6
	if ipv6 && l3 < 40 {
		return false
	}
	start := uint16(l2 + l3 + shift)
	switch {
	case tso:
		if l4 < 20 || l2+l3+l4 > len(d) || m.TSOSegsz() == 0 {
			return false
		}
		// The kernel's GSO wants the IP length of the whole packet (the
		// receiving stack cuts the packet to it) and the pseudo-header sum
		// with the L4 length in the TCP checksum field (DPDK's has none).
		l4len := int(m.PktLen()) - l2 - l3
		if ipv6 {
			binary.BigEndian.PutUint16(ip[4:], uint16(l3-40+l4len))
		} else {
			binary.BigEndian.PutUint16(ip[2:], uint16(l3+l4len))
			ol |= mbuf.FlagTxIPCksum
		}
		tcp := d[l2+l3:]
		binary.BigEndian.PutUint16(tcp[16:], checksum.Fold(Pseudo(d, l2, ipv6, ProtoTCP, l4len)))
		vh.Flags = FlagNeedsCsum
		vh.GSOType = GSOTCPv4
		if ipv6 {
			vh.GSOType = GSOTCPv6
		}
		if tcp[13]&TCPCWR != 0 {
			vh.GSOType |= GSOECN
		}
		vh.GSOSize = uint16(m.TSOSegsz())
		vh.CsumStart, vh.CsumOffset = start, 16
		vh.HdrLen = start + uint16(l4)
	case l4req == mbuf.FlagTxTCPCksum:
		vh.Flags = FlagNeedsCsum
		vh.CsumStart, vh.CsumOffset = start, 16
		vh.HdrLen = start + 18
	case l4req == mbuf.FlagTxUDPCksum:
		vh.Flags = FlagNeedsCsum
		vh.CsumStart, vh.CsumOffset = start, 6
		vh.HdrLen = start + 8
	case l4req != 0:
		return false // SCTP: not offered
	}
	if ol&mbuf.FlagTxIPCksum != 0 && !ipv6 {
		binary.BigEndian.PutUint16(ip[10:], 0)
		binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	}
	return true
}
