package main

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt"
)

// 5tswap swaps source and destination at every layer it knows: Ethernet
// addresses, IPv4 or IPv6 addresses, UDP or TCP ports, stopping at the
// first layer it does not recognise (DPDK's 5tswap.c). Swapping keeps the
// checksums valid, so none is recomputed.

func init() {
	register(&engine{name: "5tswap", rank: 9, needRx: true, needTx: true, fwd: fiveTupleSwap})
}

func fiveTupleSwap(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	fl := fs.txFlags
	for _, m := range fs.pkts[:n] {
		swap5Tuple(m)
		m.OlFlags = m.OlFlags&(mbuf.FlagIndirect|mbuf.FlagExtBuf) | fl
	}
	fs.send(fs.pkts[:n])
}

// swap5Tuple swaps one packet's addresses and ports and sets its TX
// offload lengths to the headers it walked.
func swap5Tuple(m *mbuf.Mbuf) {
	d := m.Data()
	if len(d) < pkt.EthernetLen {
		return
	}
	eth := pkt.Ethernet(d)
	eth.SwapAddrs()
	proto := eth.EtherType()
	l2 := pkt.EthernetLen
	for (proto == pkt.EtherTypeVLAN || proto == pkt.EtherTypeQinQ) && len(d) >= l2+pkt.VLANLen {
		proto = pkt.VLAN(d[l2:]).EtherType()
		l2 += pkt.VLANLen
	}
	var l3, l4 int
	var next uint8
	switch {
	case proto == pkt.EtherTypeIPv4 && len(d) >= l2+pkt.IPv4MinLen:
		ip := pkt.IPv4(d[l2:])
		swapBytes(ip[12:16], ip[16:20])
		next = ip.Protocol()
		l3 = ip.HeaderLen()
	case proto == pkt.EtherTypeIPv6 && len(d) >= l2+pkt.IPv6Len:
		ip := pkt.IPv6(d[l2:])
		swapBytes(ip[8:24], ip[24:40])
		next = ip.NextHeader()
		l3 = pkt.IPv6Len
	default:
		setL2L3(m, l2, int(m.L3Len()), int(m.L4Len()))
		return
	}
	l4off := l2 + l3
	switch {
	case next == pkt.IPProtoUDP && len(d) >= l4off+pkt.UDPLen:
		swapBytes(d[l4off:l4off+2], d[l4off+2:l4off+4])
		l4 = pkt.UDPLen
	case next == pkt.IPProtoTCP && len(d) >= l4off+pkt.TCPMinLen:
		swapBytes(d[l4off:l4off+2], d[l4off+2:l4off+4])
		l4 = int(d[l4off+12]&0xf0) >> 2
	default:
		l4 = int(m.L4Len())
	}
	setL2L3(m, l2, l3, l4)
}

// setL2L3 sets the l2, l3 and l4 lengths of the TX offload fields.
func setL2L3(m *mbuf.Mbuf, l2, l3, l4 int) {
	m.TxOffload = m.TxOffload&^(0x7f|0x1ff<<7|0xff<<16) | uint64(l2)&0x7f | (uint64(l3)&0x1ff)<<7 | (uint64(l4)&0xff)<<16
}

// swapBytes exchanges two equally long byte ranges.
func swapBytes(a, b []byte) {
	switch len(a) {
	case 2:
		x, y := binary.BigEndian.Uint16(a), binary.BigEndian.Uint16(b)
		binary.BigEndian.PutUint16(a, y)
		binary.BigEndian.PutUint16(b, x)
	case 4:
		x, y := binary.BigEndian.Uint32(a), binary.BigEndian.Uint32(b)
		binary.BigEndian.PutUint32(a, y)
		binary.BigEndian.PutUint32(b, x)
	default:
		for i := range a {
			a[i], b[i] = b[i], a[i]
		}
	}
}
