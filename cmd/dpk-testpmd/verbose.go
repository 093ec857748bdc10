package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"dpk/drivers/net/pcap"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/pkt"
)

// This file is DPDK's app/test-pmd/util.c: with "set verbose 1" (or 3)
// every received burst, and with 2 or more every sent burst, is printed
// by an RX or TX callback, one line per packet and one for its flags.

// configureDumpCallbacks adds or removes the dump callbacks of every port
// for a verbose level (configure_rxtx_dump_callbacks).
func (tp *testpmd) configureDumpCallbacks(verbose uint16) {
	for _, id := range tp.portIDs {
		p := tp.ports[id]
		if verbose == 1 || verbose > 2 {
			tp.addRxDump(p)
		} else {
			tp.removeRxDump(p)
		}
		if verbose >= 2 {
			tp.addTxDump(p)
		} else {
			tp.removeTxDump(p)
		}
	}
}

func (tp *testpmd) addRxDump(p *port) {
	info, err := ethdev.InfoGet(p.id)
	if err != nil {
		return
	}
	for len(p.rxDump) < int(info.NbRxQueues) {
		p.rxDump = append(p.rxDump, nil)
	}
	for q := range p.rxDump[:info.NbRxQueues] {
		if p.rxDump[q] == nil {
			p.rxDump[q], _ = ethdev.AddRxCallback(p.id, uint16(q), tp.dumpRx, nil)
		}
	}
}

func (tp *testpmd) removeRxDump(p *port) {
	for q, cb := range p.rxDump {
		if cb != nil {
			ethdev.RemoveRxCallback(p.id, uint16(q), cb)
			p.rxDump[q] = nil
		}
	}
}

func (tp *testpmd) addTxDump(p *port) {
	info, err := ethdev.InfoGet(p.id)
	if err != nil {
		return
	}
	for len(p.txDump) < int(info.NbTxQueues) {
		p.txDump = append(p.txDump, nil)
	}
	for q := range p.txDump[:info.NbTxQueues] {
		if p.txDump[q] == nil {
			p.txDump[q], _ = ethdev.AddTxCallback(p.id, uint16(q), tp.dumpTx, nil)
		}
	}
}

func (tp *testpmd) removeTxDump(p *port) {
	for q, cb := range p.txDump {
		if cb != nil {
			ethdev.RemoveTxCallback(p.id, uint16(q), cb)
			p.txDump[q] = nil
		}
	}
}

// setVerbose is set_verbose_level.
func (tp *testpmd) setVerbose(level uint16) {
	tp.printf("Change verbose level from %d to %d\n", tp.verbose.Load(), level)
	tp.verbose.Store(uint32(level))
	tp.configureDumpCallbacks(level)
}

func (tp *testpmd) dumpRx(port, queue uint16, pkts []*mbuf.Mbuf, n int, _ any) int {
	tp.dumpPktBurst(port, queue, pkts[:n], true)
	return n
}

func (tp *testpmd) dumpTx(port, queue uint16, pkts []*mbuf.Mbuf, _ any) int {
	tp.dumpPktBurst(port, queue, pkts, false)
	return len(pkts)
}

// dumpPktBurst prints a burst as dump_pkt_burst does.
func (tp *testpmd) dumpPktBurst(port, queue uint16, pkts []*mbuf.Mbuf, rx bool) {
	if len(pkts) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "port %d/queue %d: %s %d packets\n", port, queue, map[bool]string{true: "received", false: "sent"}[rx], len(pkts))
	// DPDK prints the RX timestamp dynamic field when the driver filled
	// it; dpk's drivers fill it (nanoseconds) when the offload is on.
	ts := false
	if p := tp.ports[port]; rx && p != nil {
		ts = (p.conf.RxMode.Offloads|p.rxConf.Offloads)&ethdev.RxOffloadTimestamp != 0
	}
	for _, m := range pkts {
		dumpPkt(&b, m, queue, rx, ts)
	}
	tp.printf("%s", b.String())
}

// dumpPkt writes one packet's two lines.
func dumpPkt(b *strings.Builder, m *mbuf.Mbuf, queue uint16, rx, ts bool) {
	var hdr [pkt.EthernetLen]byte
	eth := m.Read(0, pkt.EthernetLen, hdr[:])
	var src, dst pkt.MAC
	var etype uint16
	if eth != nil {
		dst, src = pkt.Ethernet(eth).Dst(), pkt.Ethernet(eth).Src()
		etype = pkt.Ethernet(eth).EtherType()
	}
	poolName := ""
	if mp := m.Pool(); mp != nil {
		poolName = mp.Name()
	}
	fmt.Fprintf(b, "  src=%s - dst=%s - pool=%s - type=0x%04x - length=%d - nb_segs=%d",
		macString(src), macString(dst), poolName, etype, m.PktLen(), m.NbSegs())
	fl := m.OlFlags
	if fl&mbuf.FlagRxRSSHash != 0 {
		fmt.Fprintf(b, " - RSS hash=0x%x", m.RSSHash)
		fmt.Fprintf(b, " - RSS queue=0x%x", queue)
	}
	if fl&mbuf.FlagRxFdir != 0 {
		b.WriteString(" - FDIR matched ")
		switch {
		case fl&mbuf.FlagRxFdirID != 0:
			fmt.Fprintf(b, "ID=0x%x", m.HashHi)
		case fl&mbuf.FlagRxFdirFlx != 0:
			fmt.Fprintf(b, "flex bytes=0x%08x %08x", m.HashHi, m.RSSHash)
		default:
			fmt.Fprintf(b, "hash=0x%x ID=0x%x ", m.RSSHash&0xffff, m.RSSHash>>16)
		}
	}
	if ts {
		// In microseconds, as DPDK's net_pcap stores it.
		fmt.Fprintf(b, " - timestamp %d ", pcap.RxTimestamp(m)/1000)
	}
	if fl&mbuf.FlagRxQinQ != 0 {
		fmt.Fprintf(b, " - QinQ VLAN tci=0x%x, VLAN tci outer=0x%x", m.VlanTCI, m.VlanTCIOuter)
	} else if fl&mbuf.FlagRxVLAN != 0 {
		fmt.Fprintf(b, " - VLAN tci=0x%x", m.VlanTCI)
	}
	if m.PacketType != 0 {
		fmt.Fprintf(b, " - hw ptype: %s", pkt.PtypeName(m.PacketType))
	}
	var hl pkt.HdrLens
	sw := pkt.GetPtype(m, &hl, pkt.PtypeAllMask)
	fmt.Fprintf(b, " - sw ptype: %s", pkt.PtypeName(sw))
	if sw&pkt.PtypeL2Mask != 0 {
		fmt.Fprintf(b, " - l2_len=%d", hl.L2Len)
	}
	if sw&pkt.PtypeL3Mask != 0 {
		fmt.Fprintf(b, " - l3_len=%d", hl.L3Len)
	}
	if sw&pkt.PtypeL4Mask != 0 {
		fmt.Fprintf(b, " - l4_len=%d", hl.L4Len)
	}
	if sw&pkt.PtypeTunnelMask != 0 {
		fmt.Fprintf(b, " - tunnel_len=%d", hl.TunnelLen)
	}
	if sw&pkt.PtypeInnerL2Mask != 0 {
		fmt.Fprintf(b, " - inner_l2_len=%d", hl.InnerL2Len)
	}
	if sw&pkt.PtypeInnerL3Mask != 0 {
		fmt.Fprintf(b, " - inner_l3_len=%d", hl.InnerL3Len)
	}
	if sw&pkt.PtypeInnerL4Mask != 0 {
		fmt.Fprintf(b, " - inner_l4_len=%d", hl.InnerL4Len)
	}
	if pkt.PtypeIsTunnel(m.PacketType) {
		dumpVXLAN(b, m)
	}
	fmt.Fprintf(b, " - %s queue=0x%x\n", map[bool]string{true: "Receive", false: "Send"}[rx], queue)
	if rx {
		fmt.Fprintf(b, "  ol_flags: %s\n", rxOlFlagList(fl))
	} else {
		fmt.Fprintf(b, "  ol_flags: %s\n", txOlFlagList(fl))
	}
	if err := m.Check(true); err != nil {
		fmt.Fprintf(b, "INVALID mbuf: %s\n", strings.TrimPrefix(err.Error(), "mbuf: "))
	}
}

// dumpVXLAN prints what DPDK prints for a packet the driver typed as a
// tunnel: the UDP destination port and VNI, read as if it were VXLAN.
func dumpVXLAN(b *strings.Builder, m *mbuf.Mbuf) {
	d := m.Data()
	l3 := pkt.IPv6Len
	var proto uint8
	if pkt.PtypeIsIPv4(m.PacketType) {
		l3 = pkt.IPv4MinLen
		if len(d) < pkt.EthernetLen+l3 {
			return
		}
		proto = d[pkt.EthernetLen+9]
	} else {
		if len(d) < pkt.EthernetLen+l3 {
			return
		}
		proto = d[pkt.EthernetLen+6]
	}
	off := pkt.EthernetLen + l3
	if proto != pkt.IPProtoUDP || len(d) < off+pkt.UDPLen+8 {
		return
	}
	port := binary.BigEndian.Uint16(d[off+2:])
	vni := binary.BigEndian.Uint32(d[off+pkt.UDPLen+4:])
	fmt.Fprintf(b, " - VXLAN packet: packet type =%d, Destination UDP port =%d, VNI = %d, last_rsvd = %d",
		m.PacketType, port, vni>>8, vni&0xff)
}

// flagMask is one entry of the flag tables of rte_get_{rx,tx}_ol_flag_list:
// the name is printed when flags&mask == flag.
type flagMask struct {
	flag, mask uint64
	name       string
}

const (
	rxIPCksumMask      = 1<<4 | 1<<7
	rxL4CksumMask      = 1<<3 | 1<<8
	rxOuterL4CksumMask = 1<<21 | 1<<22
	txL4Mask           = 3 << 52
	txTunnelMask       = 0xf << 45
)

var rxFlagTable = []flagMask{
	{1 << 0, 1 << 0, "RTE_MBUF_F_RX_VLAN"},
	{1 << 1, 1 << 1, "RTE_MBUF_F_RX_RSS_HASH"},
	{1 << 2, 1 << 2, "RTE_MBUF_F_RX_FDIR"},
	{1 << 3, rxL4CksumMask, "RTE_MBUF_F_RX_L4_CKSUM_BAD"},
	{1 << 8, rxL4CksumMask, "RTE_MBUF_F_RX_L4_CKSUM_GOOD"},
	{rxL4CksumMask, rxL4CksumMask, "RTE_MBUF_F_RX_L4_CKSUM_NONE"},
	{0, rxL4CksumMask, "RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN"},
	{1 << 4, rxIPCksumMask, "RTE_MBUF_F_RX_IP_CKSUM_BAD"},
	{1 << 7, rxIPCksumMask, "RTE_MBUF_F_RX_IP_CKSUM_GOOD"},
	{rxIPCksumMask, rxIPCksumMask, "RTE_MBUF_F_RX_IP_CKSUM_NONE"},
	{0, rxIPCksumMask, "RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN"},
	{1 << 5, 1 << 5, "RTE_MBUF_F_RX_OUTER_IP_CKSUM_BAD"},
	{1 << 6, 1 << 6, "RTE_MBUF_F_RX_VLAN_STRIPPED"},
	{1 << 9, 1 << 9, "RTE_MBUF_F_RX_IEEE1588_PTP"},
	{1 << 10, 1 << 10, "RTE_MBUF_F_RX_IEEE1588_TMST"},
	{1 << 13, 1 << 13, "RTE_MBUF_F_RX_FDIR_ID"},
	{1 << 14, 1 << 14, "RTE_MBUF_F_RX_FDIR_FLX"},
	{1 << 15, 1 << 15, "RTE_MBUF_F_RX_QINQ_STRIPPED"},
	{1 << 16, 1 << 16, "RTE_MBUF_F_RX_LRO"},
	{1 << 18, 1 << 18, "RTE_MBUF_F_RX_SEC_OFFLOAD"},
	{1 << 19, 1 << 19, "RTE_MBUF_F_RX_SEC_OFFLOAD_FAILED"},
	{1 << 20, 1 << 20, "RTE_MBUF_F_RX_QINQ"},
	{1 << 21, rxOuterL4CksumMask, "RTE_MBUF_F_RX_OUTER_L4_CKSUM_BAD"},
	{1 << 22, rxOuterL4CksumMask, "RTE_MBUF_F_RX_OUTER_L4_CKSUM_GOOD"},
	{rxOuterL4CksumMask, rxOuterL4CksumMask, "RTE_MBUF_F_RX_OUTER_L4_CKSUM_INVALID"},
	{0, rxOuterL4CksumMask, "RTE_MBUF_F_RX_OUTER_L4_CKSUM_UNKNOWN"},
}

var txFlagTable = []flagMask{
	{1 << 57, 1 << 57, "RTE_MBUF_F_TX_VLAN"},
	{1 << 54, 1 << 54, "RTE_MBUF_F_TX_IP_CKSUM"},
	{1 << 52, txL4Mask, "RTE_MBUF_F_TX_TCP_CKSUM"},
	{2 << 52, txL4Mask, "RTE_MBUF_F_TX_SCTP_CKSUM"},
	{3 << 52, txL4Mask, "RTE_MBUF_F_TX_UDP_CKSUM"},
	{0, txL4Mask, "RTE_MBUF_F_TX_L4_NO_CKSUM"},
	{1 << 51, 1 << 51, "RTE_MBUF_F_TX_IEEE1588_TMST"},
	{1 << 50, 1 << 50, "RTE_MBUF_F_TX_TCP_SEG"},
	{1 << 55, 1 << 55, "RTE_MBUF_F_TX_IPV4"},
	{1 << 56, 1 << 56, "RTE_MBUF_F_TX_IPV6"},
	{1 << 58, 1 << 58, "RTE_MBUF_F_TX_OUTER_IP_CKSUM"},
	{1 << 59, 1 << 59, "RTE_MBUF_F_TX_OUTER_IPV4"},
	{1 << 60, 1 << 60, "RTE_MBUF_F_TX_OUTER_IPV6"},
	{0x1 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_VXLAN"},
	{0x7 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_GTP"},
	{0x2 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_GRE"},
	{0x3 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_IPIP"},
	{0x4 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_GENEVE"},
	{0x5 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_MPLSINUDP"},
	{0x6 << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_VXLAN_GPE"},
	{0xD << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_IP"},
	{0xE << 45, txTunnelMask, "RTE_MBUF_F_TX_TUNNEL_UDP"},
	{1 << 49, 1 << 49, "RTE_MBUF_F_TX_QINQ"},
	{1 << 44, 1 << 44, "RTE_MBUF_F_TX_MACSEC"},
	{1 << 43, 1 << 43, "RTE_MBUF_F_TX_SEC_OFFLOAD"},
	{1 << 42, 1 << 42, "RTE_MBUF_F_TX_UDP_SEG"},
	{1 << 41, 1 << 41, "RTE_MBUF_F_TX_OUTER_UDP_CKSUM"},
}

func flagList(fl uint64, table []flagMask) string {
	var b strings.Builder
	for _, f := range table {
		if fl&f.mask == f.flag {
			b.WriteString(f.name)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// rxOlFlagList is rte_get_rx_ol_flag_list: each set RX flag, then a space.
func rxOlFlagList(fl uint64) string { return flagList(fl, rxFlagTable) }

// txOlFlagList is rte_get_tx_ol_flag_list.
func txOlFlagList(fl uint64) string { return flagList(fl, txFlagTable) }
