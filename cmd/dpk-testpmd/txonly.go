package main

import (
	"encoding/binary"
	"fmt"

	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// txonly sends UDP/IPv4 packets of --txpkts bytes (64 by default, in as
// many segments as --txpkts lists), from 198.18.0.1 port 9 to 198.18.0.2
// port 9 (--tx-ip, --tx-udp) with a zero UDP checksum, as DPDK's txonly.c.
// With --txonly-multi-flow the source address varies per packet. The
// payload is left as the buffer holds it.

func init() {
	register(&engine{name: "txonly", rank: 5, needTx: true, begin: txOnlyBegin, fwd: txOnly})
}

const txHdrLen = pkt.EthernetLen + pkt.IPv4MinLen + pkt.UDPLen

// txTemplate holds the IPv4 and UDP headers of txonly's packets
// (pkt_ip_hdr, pkt_udp_hdr).
type txTemplate struct {
	ip  [pkt.IPv4MinLen]byte
	udp [pkt.UDPLen]byte
}

// txOnlyBegin builds the headers (tx_only_begin).
func txOnlyBegin(tp *testpmd, _ uint16) error {
	if tp.txonlyMultiFlow && tp.txSegLens[0] < txHdrLen {
		tp.logf("Random segment number or multiple flow is enabled, but tx_pkt_seg_lengths[0] %d < %d (needed)\n", tp.txSegLens[0], txHdrLen)
		return fmt.Errorf("first segment too short")
	}
	setupUDPIPHeaders(&tp.txTmpl, tp.txPktLen-txHdrLen, tp.txIPSrc, tp.txIPDst, tp.txUDPSrc, tp.txUDPDst)
	return nil
}

// setupUDPIPHeaders is setup_pkt_udp_ip_headers.
func setupUDPIPHeaders(t *txTemplate, dataLen uint16, src, dst uint32, sport, dport uint16) {
	u := pkt.UDP(t.udp[:])
	u.SetSrcPort(sport)
	u.SetDstPort(dport)
	u.SetLength(dataLen + pkt.UDPLen)
	u.SetChecksum(0)
	ip := t.ip[:]
	clear(ip)
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], dataLen+pkt.UDPLen+pkt.IPv4MinLen)
	ip[8] = 64 // IP_DEFTTL
	ip[9] = pkt.IPProtoUDP
	binary.BigEndian.PutUint32(ip[12:], src)
	binary.BigEndian.PutUint32(ip[16:], dst)
	c := checksum.IPv4Header(ip)
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(ip[10:], c)
}

// copyToPkt writes b at offset off of the packet, across segments
// (copy_buf_to_pkt).
func copyToPkt(m *mbuf.Mbuf, off int, b []byte) {
	for seg := m; seg != nil && len(b) > 0; seg = seg.Next() {
		d := seg.Data()
		if off >= len(d) {
			off -= len(d)
			continue
		}
		n := copy(d[off:], b)
		b = b[n:]
		off = 0
	}
}

// txPrepare fills one packet (pkt_burst_prepare).
func (fs *stream) txPrepare(m *mbuf.Mbuf) bool {
	tp := fs.tp
	lens := tp.txSegLens
	if len(lens) > 1 {
		segs := fs.segs[:len(lens)-1]
		if mbuf.AllocBulkCache(fs.lc.pool, segs, fs.lc.cache) != nil {
			return false
		}
		m.SetLen(lens[0])
		for i, s := range segs {
			s.SetLen(lens[i+1])
			mbuf.Chain(m, s)
		}
	} else {
		m.SetLen(lens[0])
	}
	m.OlFlags = m.OlFlags&mbuf.FlagExtBuf | fs.txFlags
	m.VlanTCI, m.VlanTCIOuter = 0, 0
	m.SetTxOffload(pkt.EthernetLen, pkt.IPv4MinLen, 0, 0, 0, 0)

	var eth [pkt.EthernetLen]byte
	e := pkt.Ethernet(eth[:])
	e.SetDst(fs.peerMAC)
	e.SetSrc(fs.txMAC)
	e.SetEtherType(pkt.EtherTypeIPv4)
	copyToPkt(m, 0, eth[:])
	if tp.txonlyMultiFlow {
		ip := tp.txTmpl.ip
		lc := fs.lc
		addr := (tp.txIPDst | uint32(lc.ipVar)<<8) + lc.id
		lc.ipVar++
		binary.BigEndian.PutUint32(ip[12:], addr)
		// update_pkt_header: lengths and checksum from the packet length.
		l := uint16(m.PktLen()) - pkt.EthernetLen
		binary.BigEndian.PutUint16(ip[2:], l)
		binary.BigEndian.PutUint16(ip[10:], 0)
		binary.BigEndian.PutUint16(ip[10:], checksum.IPv4Header(ip[:]))
		udp := tp.txTmpl.udp
		binary.BigEndian.PutUint16(udp[4:], l-pkt.IPv4MinLen)
		copyToPkt(m, pkt.EthernetLen, ip[:])
		copyToPkt(m, pkt.EthernetLen+pkt.IPv4MinLen, udp[:])
	} else {
		copyToPkt(m, pkt.EthernetLen, tp.txTmpl.ip[:])
		copyToPkt(m, pkt.EthernetLen+pkt.IPv4MinLen, tp.txTmpl.udp[:])
	}
	return true
}

func txOnly(fs *stream) {
	lc := fs.lc
	pkts := fs.pkts[:fs.burst]
	if mbuf.AllocBulkCache(lc.pool, pkts, lc.cache) != nil {
		// Not a whole burst left: take what there is, one at a time.
		n := 0
		for n < len(pkts) && mbuf.AllocBulkCache(lc.pool, pkts[n:n+1], lc.cache) == nil {
			n++
		}
		pkts = pkts[:n]
	}
	nb := 0
	for _, m := range pkts {
		if !fs.txPrepare(m) {
			mbuf.FreeBulk(pkts[nb:], lc.id)
			break
		}
		nb++
	}
	if nb == 0 {
		return
	}
	dropped := fs.fwdDropped
	nbTx := fs.send(pkts[:nb])
	if fs.tp.txonlyMultiFlow {
		lc.ipVar -= uint8(nb - nbTx)
	}
	if nbTx < nb && dropped == 0 && fs.tp.verbose.Load() > 0 {
		fs.tp.printf("port %d tx_queue %d - drop (nb_pkt:%d - nb_tx:%d)=%d packets\n", fs.txPort, fs.txQueue, nb, nbTx, nb-nbTx)
	}
}
