package main

import (
	"encoding/binary"

	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// flowgen originates UDP/IPv4 flows, varying the destination address over
// --flowgen-flows flows (1024 by default) from 10.254.0.0 port 1000 to
// 10.253.0.0+flow port 1001, and drops what it receives (DPDK's
// flowgen.c). With --flowgen-clones=N each packet is sent N+1 times.

func init() {
	register(&engine{name: "flowgen", rank: 3, needRx: true, needTx: true, begin: flowgenBegin, fwd: flowGen})
}

var (
	flowgenEtherSrc = pkt.MAC{0x00, 0x01, 0x02, 0x03, 0x04, 0x00}
	flowgenEtherDst = pkt.MAC{0x00, 0x01, 0x02, 0x03, 0x04, 0x01}
)

const (
	flowgenIPSrc   = 10<<24 | 254<<16
	flowgenIPDst   = 10<<24 | 253<<16
	flowgenUDPSrc  = 1000
	flowgenUDPDst  = 1001
	flowgenDefTTL  = 64
	flowgenFCSSize = 4
)

func flowgenBegin(tp *testpmd, port uint16) error {
	tp.printf("  number of flows for port %d: %d\n", port, tp.flowgenFlows)
	return nil
}

// flowgenBuild writes one flowgen packet of size bytes for flow into m.
func flowgenBuild(m *mbuf.Mbuf, size uint16, flow int, fl uint64) {
	size = min(size, m.Tailroom())
	// The headers are written even when --txpkts is shorter than they
	// are, as DPDK does; the buffer has room for them.
	m.SetLen(max(size, txHdrLen))
	d := m.Data()
	m.SetLen(size)
	eth := pkt.Ethernet(d)
	eth.SetDst(flowgenEtherDst)
	eth.SetSrc(flowgenEtherSrc)
	eth.SetEtherType(pkt.EtherTypeIPv4)
	ip := d[pkt.EthernetLen : pkt.EthernetLen+pkt.IPv4MinLen]
	clear(ip)
	ip[0] = 0x45
	ip[8] = flowgenDefTTL
	ip[9] = pkt.IPProtoUDP
	binary.BigEndian.PutUint32(ip[12:], flowgenIPSrc)
	binary.BigEndian.PutUint32(ip[16:], uint32(flowgenIPDst+flow))
	binary.BigEndian.PutUint16(ip[2:], size-pkt.EthernetLen)
	binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip))
	u := pkt.UDP(d[pkt.EthernetLen+pkt.IPv4MinLen:])
	u.SetSrcPort(flowgenUDPSrc)
	u.SetDstPort(flowgenUDPDst)
	u.SetChecksum(0)
	u.SetLength(size - pkt.EthernetLen - pkt.IPv4MinLen)
	m.OlFlags = m.OlFlags&mbuf.FlagExtBuf | fl
	m.VlanTCI, m.VlanTCIOuter = 0, 0
	m.SetTxOffload(pkt.EthernetLen, pkt.IPv4MinLen, 0, 0, 0, 0)
}

func flowGen(fs *stream) {
	tp, lc := fs.tp, fs.lc
	if n := fs.rxBurst(); n > 0 {
		mbuf.FreeBulk(fs.pkts[:n], lc.id)
	}
	size := tp.txPktLen - flowgenFCSSize
	clones := min(tp.flowgenClones, uint16(fs.burst))
	nbClones := clones
	nextFlow := lc.nextFlow
	var m *mbuf.Mbuf
	nb := 0
	for ; nb < fs.burst; nb++ {
		if nb == 0 || nbClones == 0 {
			nbClones = clones
			if mbuf.AllocBulkCache(lc.pool, fs.pkts[nb:nb+1], lc.cache) != nil {
				break
			}
			m = fs.pkts[nb]
			flowgenBuild(m, size, nextFlow, fs.txFlags)
		} else {
			nbClones--
			m.RefcntUpdate(1)
			fs.pkts[nb] = m
		}
		if nextFlow++; nextFlow >= tp.flowgenFlows {
			nextFlow = 0
		}
	}
	nbTx := fs.send(fs.pkts[:nb])
	if dropped := nb - nbTx; dropped > 0 {
		nextFlow -= dropped
		for nextFlow < 0 {
			nextFlow += tp.flowgenFlows
		}
	}
	lc.nextFlow = nextFlow
}
