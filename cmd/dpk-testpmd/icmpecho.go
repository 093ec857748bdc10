package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"dpk/mbuf"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// icmpecho answers ARP requests and ICMP echo requests for any address,
// on the port and queue they came in on, and drops everything else
// (DPDK's icmpecho.c). With verbose on it describes each packet.

func init() {
	register(&engine{name: "icmpecho", rank: 7, needRx: true, needTx: true, fwd: icmpEcho})
}

// arpOpName is arp_op_name.
func arpOpName(op uint16) string {
	switch op {
	case pkt.ARPOpRequest:
		return "ARP Request"
	case pkt.ARPOpReply:
		return "ARP Reply"
	case pkt.ARPOpRevRequest:
		return "Reverse ARP Request"
	case pkt.ARPOpRevReply:
		return "Reverse ARP Reply"
	case pkt.ARPOpInvRequest:
		return "Peer Identify Request"
	case pkt.ARPOpInvReply:
		return "Peer Identify Reply"
	}
	return "Unknown ARP op"
}

// ipProtoNames is ip_proto_name's table, indexed by protocol number.
var ipProtoNames = [...]string{
	"IP6HOPOPTS", "ICMP", "IGMP", "GGP", "IPv4", "UNASSIGNED", "TCP", "ST", "EGP", "PIGP",
	"RCC_MON", "NVPII", "PUP", "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX", "DCN_MEAS",
	"HMP", "PRM", "XNS_IDP", "TRUNK1", "TRUNK2", "LEAF1", "LEAF2", "RDP", "IRTP", "TP4",
	"BLT", "NSP", "INP", "SEP", "3PC", "IDPR", "XTP", "DDP", "CMTP", "TPXX",
	"ILTP", "IPv6_HDR", "SDRP", "IPv6_RTG", "IPv6_FRAG", "IDRP", "RSVP", "GRE", "MHRP", "BHA",
	"ESP", "AH", "INLSP", "SWIPE", "NHRP", "UNASSIGNED", "UNASSIGNED", "UNASSIGNED", "ICMPv6", "IPv6NONEXT",
	"Ipv6DSTOPTS", "AHIP", "CFTP", "HELLO", "SATEXPAK", "KRYPTOLAN", "RVD", "IPPC", "ADFS", "SATMON",
	"VISA", "IPCV", "CPNX", "CPHB", "WSN", "PVP", "BRSATMON", "ND", "WBMON", "WBEXPAK",
	"EON", "VMTP", "SVMTP", "VINES", "TTP", "IGP", "DGP", "TCF", "IGRP", "OSPFIGP",
	"SRPC", "LARP", "MTP", "AX25", "4IN4", "MICP", "SCCSP", "ETHERIP", "ENCAP", "AES",
	"GMTP", "IPCOMP", "UNASSIGNED", "UNASSIGNED", "PIM",
}

// ipProtoName is ip_proto_name.
func ipProtoName(p uint8) string {
	if int(p) < len(ipProtoNames) {
		return ipProtoNames[p]
	}
	switch p {
	case 113:
		return "PGM"
	case pkt.IPProtoSCTP:
		return "SCTP"
	case 254:
		return "DIVERT"
	case pkt.IPProtoRaw:
		return "RAW"
	}
	return "UNASSIGNED"
}

func ipv4String(b []byte) string { return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3]) }

func icmpEcho(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	verbose := fs.tp.verbose.Load() > 0
	replies := 0
	for _, m := range fs.pkts[:n] {
		var out *strings.Builder
		if verbose {
			out = new(strings.Builder)
		}
		if icmpEchoReply(fs, m, out) {
			fs.pkts[replies] = m
			replies++
		} else {
			m.Free(fs.lc.id)
		}
		if out != nil {
			fs.tp.printf("%s", out.String())
		}
	}
	if replies > 0 {
		fs.send(fs.pkts[:replies])
	}
}

// icmpEchoReply turns an ARP request or ICMP echo request into its reply
// in place, reporting whether it did; out, if not nil, gets the verbose
// description.
func icmpEchoReply(fs *stream, m *mbuf.Mbuf, out *strings.Builder) bool {
	d := m.Data()
	if len(d) < pkt.EthernetLen {
		return false
	}
	eth := pkt.Ethernet(d)
	etype := eth.EtherType()
	l2 := pkt.EthernetLen
	if out != nil {
		fmt.Fprintf(out, "\nPort %d pkt-len=%d nb-segs=%d\n", fs.rxPort, m.PktLen(), m.NbSegs())
		fmt.Fprintf(out, "  ETH:  src=%s dst=%s", macString(eth.Src()), macString(eth.Dst()))
	}
	if etype == pkt.EtherTypeVLAN && len(d) >= l2+pkt.VLANLen {
		v := pkt.VLAN(d[l2:])
		l2 += pkt.VLANLen
		etype = v.EtherType()
		if out != nil {
			fmt.Fprintf(out, " [vlan id=%d]", v.VID())
		}
	}
	if out != nil {
		fmt.Fprintf(out, " type=0x%04x\n", etype)
	}
	if etype == pkt.EtherTypeARP {
		if len(d) < l2+pkt.ARPLen {
			return false
		}
		arp := pkt.ARP(d[l2:])
		op := arp.Op()
		if out != nil {
			fmt.Fprintf(out, "  ARP:  hrd=%d proto=0x%04x hln=%d pln=%d op=%d (%s)\n",
				arp.HardwareType(), arp.ProtocolType(), arp.HardwareLen(), arp.ProtocolLen(), op, arpOpName(op))
		}
		if !arp.IsEthernetIPv4() {
			if out != nil {
				out.WriteString("\n")
			}
			return false
		}
		if out != nil {
			fmt.Fprintf(out, "        sha=%s sip=%s\n", macString(arp.SenderMAC()), ipv4String(d[l2+14:]))
			fmt.Fprintf(out, "        tha=%s tip=%s\n", macString(arp.TargetMAC()), ipv4String(d[l2+24:]))
		}
		if op != pkt.ARPOpRequest {
			return false
		}
		// The reply goes back to the sender, from the TX port.
		eth.SetDst(eth.Src())
		eth.SetSrc(fs.txMAC)
		arp.SetOp(pkt.ARPOpReply)
		arp.SetTargetMAC(arp.SenderMAC())
		arp.SetSenderMAC(fs.txMAC)
		swapBytes(d[l2+14:l2+18], d[l2+24:l2+28])
		return true
	}
	if etype != pkt.EtherTypeIPv4 || len(d) < l2+pkt.IPv4MinLen {
		return false
	}
	ip := pkt.IPv4(d[l2:])
	if out != nil {
		fmt.Fprintf(out, "  IPV4: src=%s dst=%s proto=%d (%s)\n", ipv4String(ip[12:]), ipv4String(ip[16:]), ip.Protocol(), ipProtoName(ip.Protocol()))
	}
	// Like DPDK, the ICMP header is taken to follow a 20-byte IP header.
	icmpOff := l2 + pkt.IPv4MinLen
	if ip.Protocol() != pkt.IPProtoICMP || len(d) < icmpOff+pkt.ICMPLen {
		return false
	}
	icmp := pkt.ICMP(d[icmpOff:])
	if icmp.Type() != pkt.ICMPEchoRequest || icmp.Code() != 0 {
		return false
	}
	if out != nil {
		fmt.Fprintf(out, "  ICMP: echo request seq id=%d\n", icmp.Seq())
	}
	eth.SwapAddrs()
	src := binary.BigEndian.Uint32(ip[12:])
	if ip[16]&0xf0 == 0xe0 {
		// Multicast destination: answer from a unicast address next to
		// the requester's.
		s := src&0xfffffffc | 1
		if src&3 == 1 {
			s = src&0xfffffffc | 2
		}
		binary.BigEndian.PutUint32(ip[12:], s)
		binary.BigEndian.PutUint32(ip[16:], src)
		binary.BigEndian.PutUint16(ip[10:], 0)
		c := checksum.IPv4Header(ip[:pkt.IPv4MinLen])
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(ip[10:], c)
	} else {
		swapBytes(ip[12:16], ip[16:20])
	}
	// Echo reply: only the type changes; update the checksum for it.
	icmp.SetType(pkt.ICMPEchoReply)
	icmp.SetChecksum(checksum.Update16(icmp.Checksum(), uint16(pkt.ICMPEchoRequest)<<8, uint16(pkt.ICMPEchoReply)<<8))
	return true
}
