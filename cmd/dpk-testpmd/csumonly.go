package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// csum checks and recomputes checksums (DPDK's csumonly.c): it counts the
// packets whose IP or L4 checksum is bad, rewrites the Ethernet addresses
// as mac does, then recomputes the IPv4 header checksum and the UDP, TCP or
// SCTP checksum in software (or, when the TX port offers the offload, asks
// the driver for it through the TX flags) and forwards the packet.
//
// A packet counts as bad when the driver flagged its checksum bad, as in
// DPDK, or, when the driver left the checksum status unknown (drivers
// without checksum offload), when the software check fails.

func init() {
	register(&engine{name: "csum", rank: 6, needRx: true, needTx: true, fwd: csumForward})
}

// RX checksum flags (RTE_MBUF_F_RX_*_CKSUM_*).
const (
	rxIPCksumBad = 1 << 4
	rxL4CksumBad = 1 << 3
)

// offloadInfo is what parse_ethernet learns of a packet (struct
// testpmd_offload_info, without tunnels).
type offloadInfo struct {
	ethertype uint16
	ip        int // 4 or 6 when the IP header is whole, else 0
	l2, l3    int
	l4        int
	l4Proto   uint8
}

// parseEthernet finds the L3 and L4 headers of the first segment d.
func parseEthernet(d []byte, info *offloadInfo) {
	*info = offloadInfo{l2: pkt.EthernetLen}
	info.ethertype = pkt.Ethernet(d).EtherType()
	for (info.ethertype == pkt.EtherTypeVLAN || info.ethertype == pkt.EtherTypeQinQ) && len(d) >= info.l2+pkt.VLANLen {
		info.ethertype = pkt.VLAN(d[info.l2:]).EtherType()
		info.l2 += pkt.VLANLen
	}
	l3 := d[info.l2:]
	switch {
	case info.ethertype == pkt.EtherTypeIPv4 && len(l3) >= pkt.IPv4MinLen:
		ip := pkt.IPv4(l3)
		info.l3 = ip.HeaderLen()
		info.l4Proto = ip.Protocol()
		if info.l3 < pkt.IPv4MinLen || info.l3 > len(l3) {
			return // malformed: nothing to recompute
		}
		info.ip = 4
	case info.ethertype == pkt.EtherTypeIPv6 && len(l3) >= pkt.IPv6Len:
		info.l3 = pkt.IPv6Len
		info.l4Proto = pkt.IPv6(l3).NextHeader()
		info.ip = 6
	default:
		return // not IP, or cut short: nothing to do
	}
	l4 := info.l2 + info.l3
	switch info.l4Proto {
	case pkt.IPProtoTCP:
		if len(d) >= l4+pkt.TCPMinLen {
			info.l4 = int(d[l4+12]&0xf0) >> 2
		}
	case pkt.IPProtoUDP:
		info.l4 = pkt.UDPLen
	}
}

// l4Bounds returns the offset and length of the L4 datagram, as its IP
// header gives them, and whether the packet holds it all.
func l4Bounds(m *mbuf.Mbuf, d []byte, info *offloadInfo) (off, n int, ok bool) {
	off = info.l2 + info.l3
	l3 := d[info.l2:]
	if info.ip == 4 {
		n = int(pkt.IPv4(l3).TotalLength()) - info.l3
	} else {
		n = int(pkt.IPv6(l3).PayloadLength())
	}
	return off, n, info.ip != 0 && n >= 0 && off+n <= int(m.PktLen())
}

// pseudoSum is the pseudo-header sum of the L4 datagram.
func pseudoSum(d []byte, info *offloadInfo, n int) uint32 {
	l3 := d[info.l2:]
	if info.ip == 4 {
		return checksum.PseudoHeaderIPv4([4]byte(l3[12:16]), [4]byte(l3[16:20]), info.l4Proto, uint16(n))
	}
	return checksum.PseudoHeaderIPv6([16]byte(l3[8:24]), [16]byte(l3[24:40]), info.l4Proto, uint32(n))
}

// mbufSum adds n bytes of the packet from offset off to the sum initial,
// across segments (rte_raw_cksum_mbuf).
func mbufSum(m *mbuf.Mbuf, off, n int, initial uint32) uint32 {
	s := initial
	done := 0
	for seg := m; seg != nil && n > 0; seg = seg.Next() {
		d := seg.Data()
		if off >= len(d) {
			off -= len(d)
			continue
		}
		piece := d[off:]
		off = 0
		if len(piece) > n {
			piece = piece[:n]
		}
		s = checksum.Combine(s, checksum.Partial(piece, 0), done%2 == 1)
		done += len(piece)
		n -= len(piece)
	}
	return s
}

// isFragment reports an IPv4 fragment, whose L4 checksum cannot be checked.
func isFragment(d []byte, info *offloadInfo) bool {
	return info.ip == 4 && pkt.IPv4(d[info.l2:]).IsFragment()
}

// swChecksumsBad checks the IPv4 header and the TCP or UDP checksum in
// software, for a packet whose driver did not.
func swChecksumsBad(m *mbuf.Mbuf, d []byte, info *offloadInfo, checkIP, checkL4 bool) (ipBad, l4Bad bool) {
	if info.ethertype == pkt.EtherTypeIPv4 && checkIP {
		ipBad = !checksum.VerifyIPv4Header(d[min(info.l2, len(d)):])
	}
	if !checkL4 || info.ip == 0 || ipBad || isFragment(d, info) || (info.l4Proto != pkt.IPProtoTCP && info.l4Proto != pkt.IPProtoUDP) {
		return ipBad, false
	}
	off, n, ok := l4Bounds(m, d, info)
	if !ok || n < pkt.UDPLen || off+8 > len(d) {
		return ipBad, true
	}
	if info.l4Proto == pkt.IPProtoUDP && d[off+6]|d[off+7] == 0 {
		// No checksum: allowed over IPv4 only.
		return ipBad, info.ip == 6
	}
	return ipBad, checksum.Fold(mbufSum(m, off, n, pseudoSum(d, info, n))) != 0xffff
}

// processInnerCksums recomputes or offloads the checksums of a packet
// (process_inner_cksums) and returns the TX flags it needs.
func processInnerCksums(m *mbuf.Mbuf, d []byte, info *offloadInfo, txOffloads uint64) uint64 {
	var fl uint64
	switch info.ip {
	case 4:
		fl |= mbuf.FlagTxIPv4
		if txOffloads&ethdev.TxOffloadIPv4Cksum != 0 {
			fl |= mbuf.FlagTxIPCksum
		} else {
			hdr := d[info.l2 : info.l2+info.l3]
			binary.BigEndian.PutUint16(hdr[10:], 0)
			binary.BigEndian.PutUint16(hdr[10:], checksum.IPv4Header(hdr))
		}
	case 6:
		fl |= mbuf.FlagTxIPv6
	default:
		return 0
	}
	off, n, ok := l4Bounds(m, d, info)
	switch info.l4Proto {
	case pkt.IPProtoUDP:
		if off+pkt.UDPLen > len(d) || d[off+6]|d[off+7] == 0 {
			return fl // no checksum: leave it so
		}
		if txOffloads&ethdev.TxOffloadUDPCksum != 0 {
			fl |= mbuf.FlagTxUDPCksum
		} else if ok {
			setL4Cksum(m, d, info, off, n, 6)
		}
	case pkt.IPProtoTCP:
		if txOffloads&ethdev.TxOffloadTCPCksum != 0 {
			fl |= mbuf.FlagTxTCPCksum
		} else if ok && off+pkt.TCPMinLen <= len(d) {
			setL4Cksum(m, d, info, off, n, 16)
		}
	case pkt.IPProtoSCTP:
		if txOffloads&ethdev.TxOffloadSCTPCksum != 0 {
			fl |= mbuf.FlagTxSCTPCksum
		} else if ok && m.NbSegs() == 1 && n >= pkt.SCTPLen {
			// DPDK leaves the CRC32C unimplemented and zeroes the field.
			s := d[off : off+n]
			binary.LittleEndian.PutUint32(s[8:], checksum.SCTP(s))
		}
	}
	return fl
}

// setL4Cksum recomputes the TCP or UDP checksum whose field is at field.
func setL4Cksum(m *mbuf.Mbuf, d []byte, info *offloadInfo, off, n, field int) {
	binary.BigEndian.PutUint16(d[off+field:], 0)
	c := ^checksum.Fold(mbufSum(m, off, n, pseudoSum(d, info, n)))
	if c == 0 && info.l4Proto == pkt.IPProtoUDP {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(d[off+field:], c)
}

func csumForward(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	var badIP, badL4, badOuterL4, badOuterIP uint64
	verbose := fs.tp.verbose.Load() > 0
	var info offloadInfo
	for _, m := range fs.pkts[:n] {
		rxFl := m.OlFlags
		txFl := rxFl & (mbuf.FlagIndirect | mbuf.FlagExtBuf)
		ipStatus, l4Status := rxFl&rxIPCksumMask, rxFl&rxL4CksumMask
		if ipStatus == rxIPCksumBad {
			badIP++
		}
		if l4Status == rxL4CksumBad {
			badL4++
		}
		if rxFl&(1<<21) != 0 { // RTE_MBUF_F_RX_OUTER_L4_CKSUM_BAD
			badOuterL4++
		}
		if rxFl&mbuf.FlagRxOuterIPCksumBad != 0 {
			badOuterIP++
		}
		d := m.Data()
		if len(d) < pkt.EthernetLen {
			m.OlFlags = txFl
			continue
		}
		parseEthernet(d, &info)
		if ipStatus == 0 || l4Status == 0 {
			ipBad, l4Bad := swChecksumsBad(m, d, &info, ipStatus == 0, l4Status == 0)
			if ipBad {
				badIP++
			}
			if l4Bad {
				badL4++
			}
		}
		eth := pkt.Ethernet(d)
		eth.SetDst(fs.peerMAC)
		eth.SetSrc(fs.txMAC)
		txFl |= processInnerCksums(m, d, &info, fs.txOffloads)
		m.TxOffload = 0
		setL2L3(m, info.l2, info.l3, info.l4)
		m.OlFlags = txFl
		if verbose {
			fs.tp.printf("%s", csumVerbose(fs, m, rxFl, &info))
		}
	}
	prep := ethdev.TxPrepare(fs.txPort, fs.txQueue, fs.pkts[:n])
	if prep != n {
		fs.tp.errorf("Preparing packet burst to transmit failed: %s\n", "Invalid argument")
		fs.fwdDropped += uint64(n - prep)
		mbuf.FreeBulk(fs.pkts[prep:n], fs.lc.id)
	}
	fs.send(fs.pkts[:prep])
	fs.rxBadIPCsum += badIP
	fs.rxBadL4Csum += badL4
	fs.rxBadOuterL4Csum += badOuterL4
	fs.rxBadOuterIPCsum += badOuterIP
}

// csumVerbose is what csum prints for each packet with verbose on.
func csumVerbose(fs *stream, m *mbuf.Mbuf, rxFl uint64, info *offloadInfo) string {
	var b strings.Builder
	b.WriteString("-----------------\n")
	fmt.Fprintf(&b, "port=%d, mbuf=%p, pkt_len=%d, nb_segs=%d:\n", fs.rxPort, m, m.PktLen(), m.NbSegs())
	fmt.Fprintf(&b, "rx: l2_len=%d ethertype=%x l3_len=%d l4_proto=%d l4_len=%d flags=%s\n",
		info.l2, info.ethertype, info.l3, info.l4Proto, info.l4, rxOlFlagList(rxFl))
	if rxFl&mbuf.FlagRxLRO != 0 {
		fmt.Fprintf(&b, "rx: m->lro_segsz=%d\n", m.TSOSegsz())
	}
	if fs.txOffloads&(ethdev.TxOffloadIPv4Cksum|ethdev.TxOffloadUDPCksum|ethdev.TxOffloadTCPCksum|ethdev.TxOffloadSCTPCksum) != 0 {
		fmt.Fprintf(&b, "tx: m->l2_len=%d m->l3_len=%d m->l4_len=%d\n", m.L2Len(), m.L3Len(), m.L4Len())
	}
	fmt.Fprintf(&b, "tx: flags=%s\n", txOlFlagList(m.OlFlags))
	return b.String()
}
