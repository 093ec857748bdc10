package pkt_test

import (
	"fmt"
	"net/netip"
	"strings"

	"dpk/pkt"
)

// dissection records what dissect found: one line per layer, the last
// error met, and checksum verdicts, so tests can compare with what the
// captures are known to hold.
type dissection struct {
	layers []string
	err    error
	// l4ok is the verdict of the innermost TCP/UDP checksum check
	// (0 none, 1 good, -1 bad); ipok that of the outer IPv4 header.
	l4ok, ipok int
}

func (d *dissection) add(format string, args ...any) {
	d.layers = append(d.layers, fmt.Sprintf(format, args...))
}

func (d *dissection) String() string { return strings.Join(d.layers, " / ") }

// dissect decodes a frame with every view, reading every accessor on the
// way, as far as the views go. It must not panic on any input.
func dissect(frame []byte) *dissection {
	d := &dissection{}
	d.ether(frame, 0)
	return d
}

const maxDepth = 12

func (d *dissection) ether(b []byte, depth int) {
	e, err := pkt.ParseEthernet(b)
	if err != nil {
		d.err = err
		return
	}
	_ = e.Dst().IsMulticast() || e.Src().IsLocalAdmin()
	inner, l2, ok := e.InnerType()
	d.add("eth %v>%v %#04x l2=%d", e.Src(), e.Dst(), e.EtherType(), l2)
	for off := pkt.EthernetLen; off < l2; off += pkt.VLANLen {
		v, err := pkt.ParseVLAN(b[off:])
		if err != nil {
			d.err = err
			return
		}
		d.add("vlan pcp=%d dei=%v vid=%d type=%#04x", v.PCP(), v.DEI(), v.VID(), v.EtherType())
	}
	if !ok {
		d.err = fmt.Errorf("vlan tags cut short")
		return
	}
	d.l3(inner, b[l2:], depth)
}

func (d *dissection) l3(etype uint16, b []byte, depth int) {
	if depth > maxDepth {
		return
	}
	switch etype {
	case pkt.EtherTypeIPv4:
		d.ipv4(b, depth)
	case pkt.EtherTypeIPv6:
		d.ipv6(b, depth)
	case pkt.EtherTypeARP:
		a, err := pkt.ParseARP(b)
		if err != nil {
			d.err = err
			return
		}
		d.add("arp op=%d %v/%v -> %v/%v eth/ip=%v", a.Op(), a.SenderMAC(), a.SenderIP(), a.TargetMAC(), a.TargetIP(), a.IsEthernetIPv4())
	case pkt.EtherTypeMPLS, pkt.EtherTypeMPLSMC:
		d.mpls(b, depth)
	case pkt.EtherTypePPPoE, pkt.EtherTypePPPoED:
		p, err := pkt.ParsePPPoE(b)
		if err != nil {
			d.err = err
			return
		}
		proto, ok := p.PPPProtocol()
		d.add("pppoe v%d t%d code=%#x sid=%d len=%d ppp=%#04x", p.Version(), p.Type(), p.Code(), p.SessionID(), p.Length(), proto)
		pl, _ := p.SessionPayload()
		if ok {
			switch proto {
			case pkt.PPPProtoIPv4:
				d.ipv4(pl, depth+1)
			case pkt.PPPProtoIPv6:
				d.ipv6(pl, depth+1)
			}
		}
		_ = p.Payload()
	case pkt.EtherTypeTEB:
		d.ether(b, depth+1)
	case pkt.EtherTypeNSH:
		d.nsh(b, depth)
	case pkt.EtherTypeERSPAN2, pkt.EtherTypeERSPAN3:
		d.erspan(b, depth)
	default:
		d.add("l3 %#04x len=%d", etype, len(b))
	}
}

func (d *dissection) mpls(b []byte, depth int) {
	off, n, err := pkt.SkipMPLS(b)
	for i := 0; i < n; i++ {
		m, _ := pkt.ParseMPLS(b[4*i:])
		d.add("mpls label=%d tc=%d s=%v ttl=%d", m.Label(), m.TC(), m.BottomOfStack(), m.TTL())
	}
	if err != nil {
		d.err = err
		return
	}
	if off < len(b) {
		switch b[off] >> 4 {
		case 4:
			d.ipv4(b[off:], depth+1)
		case 6:
			d.ipv6(b[off:], depth+1)
		}
	}
}

func (d *dissection) ipv4(b []byte, depth int) {
	ip, err := pkt.ParseIPv4(b)
	if err != nil {
		d.err = err
		return
	}
	valid := ip.IsChecksumValid()
	if depth == 0 {
		d.ipok = map[bool]int{true: 1, false: -1}[valid]
	}
	if valid != (ip.CalculateChecksum() == ip.Checksum()) {
		panic("IPv4 checksum verdicts disagree")
	}
	d.add("ipv4 %v>%v proto=%d ttl=%d id=%d ihl=%d tot=%d frag=%v/%v off=%d df=%v dscp=%d ecn=%d opts=%d cksum=%v",
		ip.Src(), ip.Dst(), ip.Protocol(), ip.TTL(), ip.ID(), ip.IHL(), ip.TotalLength(), ip.IsFragment(), ip.IsFirstFragment(),
		ip.FragmentOffset(), ip.DF(), ip.DSCP(), ip.ECN(), len(ip.Options()), valid)
	if err := ip.CheckLength(); err != nil {
		d.err = err
	}
	if ip.FragmentOffset() != 0 {
		return
	}
	l4 := ip.Payload()
	pseudo := ip.PseudoHeaderSum(uint16(len(l4)))
	d.l4(ip.Protocol(), l4, pseudo, ip.Src(), ip.Dst(), depth)
}

func (d *dissection) ipv6(b []byte, depth int) {
	ip, err := pkt.ParseIPv6(b)
	if err != nil {
		d.err = err
		return
	}
	d.add("ipv6 %v>%v nh=%d hlim=%d tc=%d fl=%#x plen=%d", ip.Src(), ip.Dst(), ip.NextHeader(), ip.HopLimit(), ip.TrafficClass(), ip.FlowLabel(), ip.PayloadLength())
	if err := ip.CheckLength(); err != nil {
		d.err = err
	}
	src, dst := ip.Src(), ip.Dst()
	it := ip.ExtHeaders()
	for it.Next() {
		h := it.Header()
		switch it.Type() {
		case pkt.IPProtoHopOpts, pkt.IPProtoDstOpts:
			o, err := pkt.ParseIPv6Opts(h)
			if err != nil {
				panic("iterator yielded a bad options header")
			}
			var types []string
			oi := o.OptionIter()
			for opt, ok := oi.Next(); ok; opt, ok = oi.Next() {
				types = append(types, fmt.Sprintf("%d:%d", opt.Type, len(opt.Data)))
			}
			if hoa, ok := o.HomeAddress(); ok {
				src = hoa
			}
			jl, jok := o.JumboPayloadLength()
			d.add("ip6opts type=%d nh=%d len=%d opts=%v jumbo=%d/%v err=%v", it.Type(), o.NextHeader(), o.HeaderLen(), types, jl, jok, oi.Err())
		case pkt.IPProtoRouting:
			r, err := pkt.ParseIPv6Routing(h)
			if err != nil {
				panic("iterator yielded a bad routing header")
			}
			var addrs []string
			for i := 0; i < r.NumAddresses(); i++ {
				a, _ := r.Address(i)
				addrs = append(addrs, a.String())
			}
			if fd, ok := r.FinalDestination(); ok {
				dst = fd
			}
			d.add("ip6rt type=%d left=%d last=%d flags=%d tag=%d addrs=%v", r.RoutingType(), r.SegmentsLeft(), r.LastEntry(), r.SRHFlags(), r.Tag(), addrs)
		case pkt.IPProtoFragment:
			f, err := pkt.ParseIPv6Fragment(h)
			if err != nil {
				panic("iterator yielded a bad fragment header")
			}
			d.add("ip6frag nh=%d off=%d m=%v id=%#x", f.NextHeader(), f.FragmentOffset(), f.More(), f.ID())
		case pkt.IPProtoAH:
			a, err := pkt.ParseAH(h)
			if err != nil {
				panic("iterator yielded a bad AH")
			}
			d.add("ah nh=%d len=%d spi=%#x seq=%d icv=%d", a.NextHeader(), a.HeaderLen(), a.SPI(), a.Seq(), len(a.ICV()))
		}
	}
	if it.Err() != nil {
		d.err = it.Err()
		return
	}
	if f := it.Fragment(); f != nil && f.FragmentOffset() != 0 {
		return
	}
	l4 := ip.Payload()[it.Offset():]
	pseudo := pkt.PseudoHeaderSum(src, dst, it.NextHeader(), uint32(len(l4)))
	d.l4(it.NextHeader(), l4, pseudo, src, dst, depth)
}

func verdict(ok bool) int {
	if ok {
		return 1
	}
	return -1
}

func (d *dissection) l4(proto uint8, b []byte, pseudo uint32, src, dst netip.Addr, depth int) {
	switch proto {
	case pkt.IPProtoTCP:
		t, err := pkt.ParseTCP(b)
		if err != nil {
			d.err = err
			return
		}
		ok := t.IsChecksumValid(pseudo)
		if ok != (t.CalculateChecksum(pseudo) == t.Checksum()) {
			panic("TCP checksum verdicts disagree")
		}
		d.l4ok = verdict(ok)
		var opts []string
		it := t.OptionIter()
		for o, more := it.Next(); more; o, more = it.Next() {
			opts = append(opts, fmt.Sprint(o.Kind))
			for i := 0; i < o.NumSACKBlocks(); i++ {
				o.SACKBlock(i)
			}
		}
		mss, _ := t.MSS()
		ws, _ := t.WindowScale()
		tv, te, _ := t.Timestamps()
		d.add("tcp %d>%d seq=%d ack=%d flags=%v win=%d hl=%d urg=%d opts=%v mss=%d ws=%d sackok=%v ts=%d/%d data=%d cksum=%v",
			t.SrcPort(), t.DstPort(), t.Seq(), t.Ack(), t.Flags(), t.Window(), t.HeaderLen(), t.UrgentPointer(), opts, mss, ws, t.SACKPermitted(), tv, te, len(t.Payload()), ok)
	case pkt.IPProtoUDP:
		u, err := pkt.ParseUDP(b)
		if err != nil {
			d.err = err
			return
		}
		ok := u.IsChecksumValid(pseudo)
		if u.Checksum() != 0 {
			d.l4ok = verdict(ok)
		}
		d.add("udp %d>%d len=%d cksum=%v", u.SrcPort(), u.DstPort(), u.Length(), ok)
		d.udpTunnel(u, depth)
	case pkt.IPProtoSCTP:
		s, err := pkt.ParseSCTP(b)
		if err != nil {
			d.err = err
			return
		}
		d.add("sctp %d>%d vtag=%#x cksum=%v", s.SrcPort(), s.DstPort(), s.VTag(), s.IsChecksumValid())
	case pkt.IPProtoICMP:
		c, err := pkt.ParseICMP(b)
		if err != nil {
			d.err = err
			return
		}
		d.add("icmp type=%d code=%d id=%d seq=%d err=%v cksum=%v", c.Type(), c.Code(), c.Ident(), c.Seq(), c.IsError(), c.IsChecksumValid())
		_, _, _ = c.Gateway(), c.MTU(), c.Pointer()
	case pkt.IPProtoICMPv6:
		c, err := pkt.ParseICMPv6(b)
		if err != nil {
			d.err = err
			return
		}
		tgt, _ := c.NDTarget()
		lla, _ := c.LinkLayerAddr()
		var opts []string
		it := c.NDOptions()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			opts = append(opts, fmt.Sprintf("%d:%d", o.Type(), o.Len()))
			o.MTU()
			o.LinkLayerAddr()
		}
		c.RedirectDst()
		c.RouterAdvert()
		d.add("icmp6 type=%d code=%d id=%d seq=%d nd=%v target=%v lla=%v naflags=%#x opts=%v cksum=%v",
			c.Type(), c.Code(), c.Ident(), c.Seq(), c.IsND(), tgt, lla, c.NAFlags(), opts, c.IsChecksumValid(src, dst))
	case pkt.IPProtoGRE:
		g, err := pkt.ParseGRE(b)
		if err != nil {
			d.err = err
			return
		}
		ck, hasCk := g.Checksum()
		key, hasKey := g.Key()
		seq, hasSeq := g.Seq()
		ack, hasAck := g.Ack()
		d.add("gre v%d proto=%#04x ck=%#x/%v key=%#x/%v seq=%d/%v ack=%d/%v hl=%d", g.Version(), g.Protocol(), ck, hasCk, key, hasKey, seq, hasSeq, ack, hasAck, g.HeaderLen())
		if hasCk && g.CalculateChecksum() != ck {
			d.add("gre checksum bad")
		}
		if g.Version() == 0 {
			d.l3(g.Protocol(), g.Payload(), depth+1)
		}
	case pkt.IPProtoIPIP:
		d.ipv4(b, depth+1)
	case pkt.IPProtoIPv6:
		d.ipv6(b, depth+1)
	case pkt.IPProtoAH:
		a, err := pkt.ParseAH(b)
		if err != nil {
			d.err = err
			return
		}
		d.add("ah nh=%d spi=%#x", a.NextHeader(), a.SPI())
	default:
		d.add("l4 proto=%d len=%d", proto, len(b))
	}
}

func (d *dissection) udpTunnel(u pkt.UDP, depth int) {
	b := u.Payload()
	switch u.DstPort() {
	case pkt.PortVXLAN:
		v, err := pkt.ParseVXLAN(b)
		if err != nil {
			d.err = err
			return
		}
		d.add("vxlan flags=%#x vni=%d valid=%v", v.Flags(), v.VNI(), v.VNIValid())
		d.ether(v.Payload(), depth+1)
	case pkt.PortVXLANGPE:
		v, err := pkt.ParseVXLANGPE(b)
		if err != nil {
			d.err = err
			return
		}
		d.add("vxlan-gpe ver=%d flags=%#x np=%d/%v vni=%d oam=%v", v.Version(), v.Flags(), v.NextProtocol(), v.HasNextProtocol(), v.VNI(), v.OAM())
		switch v.NextProtocol() {
		case pkt.GPEProtoEthernet:
			d.ether(v.Payload(), depth+1)
		case pkt.GPEProtoNSH:
			d.nsh(v.Payload(), depth+1)
		case pkt.GPEProtoIPv4:
			d.ipv4(v.Payload(), depth+1)
		case pkt.GPEProtoIPv6:
			d.ipv6(v.Payload(), depth+1)
		}
	case pkt.PortGeneve:
		g, err := pkt.ParseGeneve(b)
		if err != nil {
			d.err = err
			return
		}
		var opts []string
		it := g.OptionIter()
		for o, ok := it.Next(); ok; o, ok = it.Next() {
			opts = append(opts, fmt.Sprintf("%#x/%d:%d", o.Class(), o.Type(), len(o.Data())))
			_ = o.Critical()
		}
		d.add("geneve ver=%d vni=%d proto=%#04x optlen=%d oam=%v crit=%v opts=%v", g.Version(), g.VNI(), g.Protocol(), g.OptLen(), g.OAM(), g.Critical(), opts)
		d.l3(g.Protocol(), g.Payload(), depth+1)
	case pkt.PortGTPU:
		g, err := pkt.ParseGTPU(b)
		if err != nil {
			d.err = err
			return
		}
		seq, hasSeq := g.Seq()
		npdu, _ := g.NPDU()
		var exts []string
		it := g.ExtHeaders()
		for typ, e, ok := it.Next(); ok; typ, e, ok = it.Next() {
			q, _ := e.QFI()
			exts = append(exts, fmt.Sprintf("%#x:%d:pdu%d:qfi%d:rqi%v", typ, e.Len(), e.PDUType(), q, e.RQI()))
			_ = e.Content()
		}
		qfi, hasQFI := g.QFI()
		d.add("gtpu flags=%#x msg=%d len=%d teid=%#x seq=%d/%v npdu=%d hl=%d exts=%v qfi=%d/%v", g.Flags(), g.MessageType(), g.Length(), g.TEID(), seq, hasSeq, npdu, g.HeaderLen(), exts, qfi, hasQFI)
		if g.MessageType() == pkt.GTPUMsgGPDU {
			pl := g.Payload()
			if len(pl) > 0 {
				switch pl[0] >> 4 {
				case 4:
					d.ipv4(pl, depth+1)
				case 6:
					d.ipv6(pl, depth+1)
				}
			}
		}
	case pkt.PortMPLSUDP:
		d.mpls(b, depth+1)
	}
}

func (d *dissection) nsh(b []byte, depth int) {
	n, err := pkt.ParseNSH(b)
	if err != nil {
		d.err = err
		return
	}
	var md []string
	it := n.Metadata()
	for m, ok := it.Next(); ok; m, ok = it.Next() {
		md = append(md, fmt.Sprintf("%#x/%d:%d", m.Class(), m.Type(), len(m.Value())))
	}
	d.add("nsh ver=%d oam=%v ttl=%d len=%d md=%d np=%d spi=%d si=%d ctx=%d md2=%v", n.Version(), n.OAM(), n.TTL(), n.HeaderLen(), n.MDType(), n.NextProtocol(), n.SPI(), n.SI(), len(n.Context()), md)
	switch n.NextProtocol() {
	case pkt.NSHProtoEthernet:
		d.ether(n.Payload(), depth+1)
	case pkt.NSHProtoIPv4:
		d.ipv4(n.Payload(), depth+1)
	case pkt.NSHProtoIPv6:
		d.ipv6(n.Payload(), depth+1)
	}
}

func (d *dissection) erspan(b []byte, depth int) {
	e, err := pkt.ParseERSPAN(b)
	if err != nil {
		d.err = err
		return
	}
	idx, _ := e.Index()
	ts, _ := e.Timestamp()
	_, sub := e.PlatformSubheader()
	d.add("erspan ver=%d vlan=%d cos=%d en=%d t=%v sid=%d idx=%d ts=%d sgt=%d p=%v ft=%d hw=%d d=%v gra=%d o=%v/%v hl=%d",
		e.Version(), e.VLAN(), e.COS(), e.En(), e.Truncated(), e.SessionID(), idx, ts, e.SGT(), e.P(), e.FrameType(), e.HwID(), e.Direction(), e.Granularity(), e.HasSubheader(), sub, e.HeaderLen())
	d.ether(e.Payload(), depth+1)
}
