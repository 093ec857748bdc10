package pkt_test

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dpk/eal"
	"dpk/pkt"
	"dpk/pkt/checksum"
)

// The tshark oracle: every frame of every Ethernet capture in
// shared/data/pcaps (and the hand-built ptCases) is parsed by ParsePtype
// and dissected by tshark, and the two must agree on where each layer is
// and what it holds. tshark's PDML output gives the position and size of
// every protocol it found; the layers are lined up as
//
//	L2 (Ethernet, VLAN tags, MPLS labels, PPPoE) | L3 | L4 | tunnel | inner L2 | inner L3 | inner L4
//
// and compared one by one: the protocol, its offset and its header length
// (our HdrLens), then the fields of each: IPv4 and IPv6 addresses, protocol,
// MF flag and fragment offset, ports, VLAN IDs, MPLS labels, VXLAN and
// Geneve VNIs, GTP-U TEIDs, GRE protocol types, and the validity of IPv4
// header, TCP, UDP and ICMP checksums (ours computed with dpk/pkt/checksum,
// compared where tshark could verify them). GetPtype is held to what it
// reports: each layer it finds must be where tshark has it.
//
// Differences are failures unless pkt/testdata/oracle/known_differences.txt
// lists them with a reason; entries that no longer match anything fail too.

// PDML, the part of it we read.
type ptPDMLField struct {
	Name   string        `xml:"name,attr"`
	Show   string        `xml:"show,attr"`
	Value  string        `xml:"value,attr"`
	Pos    int           `xml:"pos,attr"`
	Size   int           `xml:"size,attr"`
	Fields []ptPDMLField `xml:"field"`
}

type ptPDMLProto struct {
	Name   string        `xml:"name,attr"`
	Pos    int           `xml:"pos,attr"`
	Size   int           `xml:"size,attr"`
	Fields []ptPDMLField `xml:"field"`
}

type ptPDMLPacket struct {
	Protos []ptPDMLProto `xml:"proto"`
}

func ptFindField(fs []ptPDMLField, name string) *ptPDMLField {
	for i := range fs {
		if fs[i].Name == name {
			return &fs[i]
		}
		if f := ptFindField(fs[i].Fields, name); f != nil {
			return f
		}
	}
	return nil
}

// field returns the first field called name in the protocol (not in
// protocols nested in it, such as an ICMP error's quoted packet).
func (p *ptPDMLProto) field(name string) *ptPDMLField {
	if p == nil {
		return nil
	}
	return ptFindField(p.Fields, name)
}

// ptRunTshark dissects a pcap file and returns its packets in order.
func ptRunTshark(t *testing.T, bin, pcap string) []ptPDMLPacket {
	cmd := exec.Command(bin, "-n", "-r", pcap, "-T", "pdml",
		"-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
		"-o", "udp.check_checksum:TRUE")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkts []ptPDMLPacket
	dec := xml.NewDecoder(bufio.NewReaderSize(out, 1<<20))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tshark PDML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "packet" {
			var p ptPDMLPacket
			if err := dec.DecodeElement(&p, &se); err != nil {
				t.Fatalf("tshark PDML: %v", err)
			}
			pkts = append(pkts, p)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tshark: %v: %s", err, stderr.String())
	}
	return pkts
}

// ptSlot is one layer: the protocol (tshark's name), its offset and
// header length (-1: not compared).
type ptSlot struct {
	kind      string
	pos, size int
	proto     *ptPDMLProto // tshark's
}

// ptLayers is a packet's layers as one parser sees them.
type ptLayers struct {
	l3, l4, tun, il2, il3, il4 ptSlot
	tags, itags, labels        []uint64
}

func (l *ptLayers) slots() []*ptSlot {
	return []*ptSlot{&l.l3, &l.l4, &l.tun, &l.il2, &l.il3, &l.il4}
}

var ptSlotNames = []string{"l3", "l4", "tunnel", "inner.l2", "inner.l3", "inner.l4"}

func ptIsL4(name string) bool {
	switch name {
	case "tcp", "udp", "sctp", "icmp", "icmpv6", "igmp":
		return true
	}
	return false
}

func ptNum(f *ptPDMLField) uint64 {
	if f == nil {
		return 1<<64 - 1
	}
	v, err := strconv.ParseUint(f.Show, 0, 64)
	if err != nil {
		return 1<<64 - 2
	}
	return v
}

// ptTsharkLayers lines up tshark's protocols.
func ptTsharkLayers(p *ptPDMLPacket) ptLayers {
	var l ptLayers
	stage := 0
	slot := func(pr *ptPDMLProto) ptSlot { return ptSlot{pr.Name, pr.Pos, pr.Size, pr} }
	for i := range p.Protos {
		pr := &p.Protos[i]
		n := pr.Name
		if n == "geninfo" || n == "frame" || strings.HasPrefix(n, "_ws.") {
			continue
		}
		switch stage {
		case 0: // L2
			switch n {
			case "eth", "pppoes", "ppp":
				continue
			case "vlan":
				l.tags = append(l.tags, ptNum(pr.field("vlan.id")))
				continue
			case "ieee8021ad":
				l.tags = append(l.tags, ptNum(pr.field("ieee8021ad.id")))
				continue
			case "mpls":
				l.labels = append(l.labels, ptNum(pr.field("mpls.label")))
				continue
			case "ip", "ipv6":
				l.l3, stage = slot(pr), 1
				continue
			}
		case 1: // after L3
			switch {
			case ptIsL4(n):
				l.l4 = slot(pr)
				if n == "udp" {
					stage = 2
					continue
				}
			case n == "gre":
				l.tun, stage = slot(pr), 3
				continue
			case n == "ip" || n == "ipv6":
				l.tun = ptSlot{kind: "ip", pos: -1, size: -1}
				l.il3, stage = slot(pr), 5
				continue
			}
		case 2: // after UDP
			switch n {
			case "vxlan", "geneve", "gtp":
				l.tun, stage = slot(pr), 3
				continue
			case "mpls":
				l.tun, stage = slot(pr), 3
				l.labels = append(l.labels, ptNum(pr.field("mpls.label")))
				continue
			}
		case 3: // in the tunnel header
			switch n {
			case "erspan", "nsh":
				continue
			case "mpls":
				l.labels = append(l.labels, ptNum(pr.field("mpls.label")))
				continue
			case "eth":
				l.il2, stage = slot(pr), 4
				continue
			case "ip", "ipv6":
				l.il3, stage = slot(pr), 5
				continue
			}
		case 4: // inner L2
			switch n {
			case "vlan":
				l.itags = append(l.itags, ptNum(pr.field("vlan.id")))
				continue
			case "ieee8021ad":
				l.itags = append(l.itags, ptNum(pr.field("ieee8021ad.id")))
				continue
			case "ip", "ipv6":
				l.il3, stage = slot(pr), 5
				continue
			}
		case 5: // after inner L3
			if ptIsL4(n) {
				l.il4 = slot(pr)
			}
		}
		break
	}
	return l
}

// ptOurLayers lines up a parser's result. b is the packet.
func ptOurLayers(b []byte, p uint32, hl pkt.HdrLens) ptLayers {
	var l ptLayers
	be16 := func(off int) uint64 { return uint64(binary.BigEndian.Uint16(b[off:])) }
	isTPID := func(et uint64) bool {
		switch et {
		case 0x8100, 0x88a8, 0x9100, 0x9200, 0x9300:
			return true
		}
		return false
	}
	// VLAN tags and MPLS labels of the L2 header
	l2 := int(hl.L2Len)
	if p&pkt.PtypeL2Mask != 0 {
		off := 12
		for off+4 <= l2 && isTPID(be16(off)) {
			l.tags = append(l.tags, be16(off+2)&0xfff)
			off += 4
		}
		if off+2 <= l2 && (be16(off) == 0x8847 || be16(off) == 0x8848) {
			for off += 2; off+4 <= l2; off += 4 {
				l.labels = append(l.labels, uint64(binary.BigEndian.Uint32(b[off:]))>>12)
			}
		}
	}
	l3 := func(pos, size int, v4 bool) ptSlot {
		if v4 {
			return ptSlot{"ip", pos, size, nil}
		}
		return ptSlot{"ipv6", pos, size, nil}
	}
	if p&pkt.PtypeL3Mask == 0 {
		return l
	}
	l.l3 = l3(l2, int(hl.L3Len), pkt.PtypeIsIPv4(p))
	l4pos := l2 + int(hl.L3Len)
	switch p & pkt.PtypeL4Mask {
	case pkt.PtypeL4TCP:
		l.l4 = ptSlot{"tcp", l4pos, int(hl.L4Len), nil}
	case pkt.PtypeL4UDP:
		l.l4 = ptSlot{"udp", l4pos, int(hl.L4Len), nil}
	case pkt.PtypeL4SCTP: // tshark's sctp covers the chunks too
		l.l4 = ptSlot{"sctp", l4pos, -1, nil}
	case pkt.PtypeL4ICMP:
		l.l4 = ptSlot{"icmpv6", l4pos, -1, nil}
		if pkt.PtypeIsIPv4(p) {
			l.l4.kind = "icmp"
		}
	case pkt.PtypeL4IGMP:
		l.l4 = ptSlot{"igmp", l4pos, -1, nil}
	case pkt.PtypeL4Frag:
		l.l4 = ptSlot{"frag", l4pos, -1, nil}
	}
	tpos := l4pos + int(hl.L4Len)
	ipos := tpos + int(hl.TunnelLen)
	switch p & pkt.PtypeTunnelMask {
	case 0:
		return l
	case pkt.PtypeTunnelIP:
		l.tun = ptSlot{"ip", -1, -1, nil}
	case pkt.PtypeTunnelGRE, pkt.PtypeTunnelNVGRE:
		l.tun = ptSlot{"gre", tpos, -1, nil}
	case pkt.PtypeTunnelMPLSInGRE, pkt.PtypeTunnelMPLSInUDP:
		l.tun = ptSlot{"gre", tpos, -1, nil}
		lpos := tpos
		if p&pkt.PtypeTunnelMask == pkt.PtypeTunnelMPLSInUDP {
			l.tun.kind = "mpls"
		} else {
			lpos += 4
			for _, bit := range []uint64{0x8000, 0x2000, 0x1000} {
				if be16(tpos)&bit != 0 {
					lpos += 4
				}
			}
		}
		for ; lpos+4 <= ipos; lpos += 4 {
			l.labels = append(l.labels, uint64(binary.BigEndian.Uint32(b[lpos:]))>>12)
		}
	case pkt.PtypeTunnelVXLAN, pkt.PtypeTunnelVXLANGPE:
		l.tun = ptSlot{"vxlan", tpos, -1, nil}
	case pkt.PtypeTunnelGeneve:
		l.tun = ptSlot{"geneve", tpos, int(hl.TunnelLen), nil}
	case pkt.PtypeTunnelGTPU:
		l.tun = ptSlot{"gtp", tpos, int(hl.TunnelLen), nil}
	default:
		l.tun = ptSlot{pkt.PtypeTunnelName(p), tpos, -1, nil}
	}
	il3pos := ipos + int(hl.InnerL2Len)
	if p&pkt.PtypeInnerL2Mask != 0 {
		l.il2 = ptSlot{"eth", ipos, 14, nil}
		for off := ipos + 12; off+4 <= il3pos && isTPID(be16(off)); off += 4 {
			l.itags = append(l.itags, be16(off+2)&0xfff)
		}
	}
	if p&pkt.PtypeInnerL3Mask == 0 {
		return l
	}
	v4 := p&pkt.PtypeInnerL3Mask == pkt.PtypeInnerL3IPv4 || p&pkt.PtypeInnerL3Mask == pkt.PtypeInnerL3IPv4Ext
	l.il3 = l3(il3pos, int(hl.InnerL3Len), v4)
	il4pos := il3pos + int(hl.InnerL3Len)
	switch p & pkt.PtypeInnerL4Mask {
	case pkt.PtypeInnerL4TCP:
		l.il4 = ptSlot{"tcp", il4pos, int(hl.InnerL4Len), nil}
	case pkt.PtypeInnerL4UDP:
		l.il4 = ptSlot{"udp", il4pos, int(hl.InnerL4Len), nil}
	case pkt.PtypeInnerL4SCTP:
		l.il4 = ptSlot{"sctp", il4pos, -1, nil}
	case pkt.PtypeInnerL4ICMP:
		l.il4 = ptSlot{"icmpv6", il4pos, -1, nil}
		if v4 {
			l.il4.kind = "icmp"
		}
	case pkt.PtypeInnerL4Frag:
		l.il4 = ptSlot{"frag", il4pos, -1, nil}
	}
	return l
}

// ptDiff is one disagreement with tshark.
type ptDiff struct {
	field, detail string
}

// ptComparer compares one packet.
type ptComparer struct {
	b        []byte
	diffs    []ptDiff
	compared int
}

func (c *ptComparer) diff(field, format string, args ...any) {
	c.diffs = append(c.diffs, ptDiff{field, fmt.Sprintf(format, args...)})
}

// layers compares the slots; it returns false at the first difference.
func (c *ptComparer) layers(prefix string, ours, theirs *ptLayers, onlyOurs bool) bool {
	for i, o := range ours.slots() {
		th := theirs.slots()[i]
		if o.kind == "frag" {
			c.compared++
			if th.kind != "" && th.pos != o.pos {
				c.diff(prefix+ptSlotNames[i], "fragment at %d, tshark %s at %d", o.pos, th.kind, th.pos)
			}
			return false // nothing after a fragment is compared
		}
		if onlyOurs && o.kind == "" {
			return false
		}
		c.compared++
		size := o.size
		if o.kind == "ipv6" && th.size == 40 && ours.slots()[i+1].kind == "frag" {
			// tshark's ipv6 item of a non-first fragment leaves out the
			// extension headers
			size = -1
		}
		if o.kind != th.kind || (o.kind != "" && (o.pos != th.pos || (size >= 0 && th.size >= 0 && size != th.size))) {
			c.diff(prefix+ptSlotNames[i], "ours %s@%d/%d, tshark %s@%d/%d", o.kind, o.pos, o.size, th.kind, th.pos, th.size)
			return false
		}
	}
	return true
}

func (c *ptComparer) ids(field string, ours, theirs []uint64) {
	c.compared++
	if fmt.Sprint(ours) != fmt.Sprint(theirs) {
		c.diff(field, "ours %v, tshark %v", ours, theirs)
	}
}

// num compares a numeric field of tshark's protocol with ours.
func (c *ptComparer) num(prefix string, pr *ptPDMLProto, name string, ours uint64) {
	f := pr.field(name)
	if f == nil {
		return
	}
	c.compared++
	if v := ptNum(f); v != ours {
		c.diff(prefix+name, "ours %d, tshark %q", ours, f.Show)
	}
}

// raw compares a field's bytes (addresses).
func (c *ptComparer) raw(prefix string, pr *ptPDMLProto, name string, ours []byte) {
	f := pr.field(name)
	if f == nil {
		return
	}
	c.compared++
	if f.Value != hex.EncodeToString(ours) {
		c.diff(prefix+name, "ours %x, tshark %s (%s)", ours, f.Value, f.Show)
	}
}

// cksum compares a checksum status (tshark: 0 bad, 1 good, 2 unverified,
// 3 not present) where tshark verified it and we could.
func (c *ptComparer) cksum(prefix string, pr *ptPDMLProto, name string, good, known bool) {
	f := pr.field(name)
	if f == nil || !known || (f.Show != "0" && f.Show != "1") {
		return
	}
	c.compared++
	if (f.Show == "1") != good {
		c.diff(prefix+name, "ours good=%v, tshark %s", good, f.Show)
	}
}

// fields compares the fields of an L3 and L4 pair (outer or inner).
func (c *ptComparer) fields(prefix string, l3, l4, th3, th4 ptSlot) {
	b := c.b
	var proto uint8
	var l4end int
	var pseudo uint32
	wholeL4 := false
	switch l3.kind {
	case "ip":
		pr := th3.proto
		h := b[l3.pos : l3.pos+l3.size]
		c.raw(prefix, pr, "ip.src", h[12:16])
		c.raw(prefix, pr, "ip.dst", h[16:20])
		c.num(prefix, pr, "ip.proto", uint64(h[9]))
		c.num(prefix, pr, "ip.flags.mf", uint64(h[6]>>5&1))
		c.num(prefix, pr, "ip.frag_offset", uint64(binary.BigEndian.Uint16(h[6:])&0x1fff))
		c.num(prefix, pr, "ip.hdr_len", uint64(l3.size))
		c.cksum(prefix, pr, "ip.checksum.status", checksum.VerifyIPv4Header(h), true)
		proto = h[9]
		l4end = l3.pos + int(binary.BigEndian.Uint16(h[2:]))
		n := l4end - l3.pos - l3.size
		wholeL4 = binary.BigEndian.Uint16(h[6:])&0x3fff == 0 && n >= 0 && l4end <= len(b)
		if wholeL4 {
			pseudo = checksum.PseudoHeaderIPv4([4]byte(h[12:16]), [4]byte(h[16:20]), proto, uint16(n))
		}
	case "ipv6":
		pr := th3.proto
		h := b[l3.pos : l3.pos+40]
		c.raw(prefix, pr, "ipv6.src", h[8:24])
		c.raw(prefix, pr, "ipv6.dst", h[24:40])
		c.num(prefix, pr, "ipv6.nxt", uint64(h[6]))
		l4end = l3.pos + 40 + int(binary.BigEndian.Uint16(h[4:]))
		n := l4end - l3.pos - l3.size
		wholeL4 = binary.BigEndian.Uint16(h[4:]) != 0 && n >= 0 && l4end <= len(b) && l4.kind != "frag"
		if wholeL4 {
			switch l4.kind {
			case "tcp":
				proto = 6
			case "udp":
				proto = 17
			case "icmpv6":
				proto = 58
			}
			src, dst := ptPseudoAddrs(b[l3.pos : l3.pos+l3.size])
			pseudo = checksum.PseudoHeaderIPv6(src, dst, proto, uint32(n))
		}
	default:
		return
	}
	if l4.kind == "" || l4.kind == "frag" || th4.proto == nil {
		return
	}
	pr := th4.proto
	msg := []byte(nil)
	if wholeL4 {
		msg = b[l4.pos:l4end]
	}
	switch l4.kind {
	case "tcp", "udp":
		k := l4.kind
		c.num(prefix, pr, k+".srcport", uint64(binary.BigEndian.Uint16(b[l4.pos:])))
		c.num(prefix, pr, k+".dstport", uint64(binary.BigEndian.Uint16(b[l4.pos+2:])))
		if k == "tcp" {
			c.num(prefix, pr, "tcp.hdr_len", uint64(l4.size))
		}
		zeroUDP := k == "udp" && b[l4.pos+6]|b[l4.pos+7] == 0
		c.cksum(prefix, pr, k+".checksum.status",
			wholeL4 && checksum.VerifyTransport(pseudo, proto, msg), wholeL4 && !zeroUDP)
	case "icmp":
		c.cksum(prefix, pr, "icmp.checksum.status", wholeL4 && checksum.Checksum(msg, 0) == 0, wholeL4)
	case "icmpv6":
		c.cksum(prefix, pr, "icmpv6.checksum.status", wholeL4 && checksum.VerifyTransport(pseudo, 58, msg), wholeL4)
	}
}

// ptPseudoAddrs returns the addresses of the IPv6 pseudo-header (RFC 8200
// section 8.1) of the header chain h: the final destination of a routing
// header with segments left (type 0 and 2: its last address; type 4, SRH:
// segment list[0]) and the home address option (RFC 6275) as source.
func ptPseudoAddrs(h []byte) (src, dst [16]byte) {
	src, dst = [16]byte(h[8:24]), [16]byte(h[24:40])
	nh, off := h[6], 40
	for off+2 <= len(h) {
		x := h[off:]
		n := (int(x[1]) + 1) * 8
		if n > len(x) {
			break
		}
		switch nh {
		case 43:
			if x[3] > 0 && n >= 24 {
				switch x[2] {
				case 0, 2:
					dst = [16]byte(x[n-16 : n])
				case 4:
					dst = [16]byte(x[8:24])
				}
			}
		case 60:
			for o := 2; o+2 <= n; {
				if x[o] == 0 { // Pad1
					o++
					continue
				}
				if x[o] == 0xc9 && x[o+1] == 16 && o+18 <= n {
					src = [16]byte(x[o+2 : o+18])
				}
				o += 2 + int(x[o+1])
			}
		case 0:
		default:
			return src, dst
		}
		nh, off = x[0], off+n
	}
	return src, dst
}

// tunnel compares the tunnel header's fields.
func (c *ptComparer) tunnel(ours, theirs ptSlot) {
	b, pr, pos := c.b, theirs.proto, ours.pos
	switch ours.kind {
	case "vxlan":
		c.num("", pr, "vxlan.vni", uint64(binary.BigEndian.Uint32(b[pos+4:])>>8))
	case "geneve":
		c.num("", pr, "geneve.vni", uint64(binary.BigEndian.Uint32(b[pos+4:])>>8))
	case "gtp":
		c.num("", pr, "gtp.teid", uint64(binary.BigEndian.Uint32(b[pos+4:])))
	case "gre":
		c.num("", pr, "gre.proto", uint64(binary.BigEndian.Uint16(b[pos+2:])))
	}
}

// ptKnown is the list of known differences.
type ptKnown struct {
	file, frame, field string
	used               bool
}

func ptReadKnown(t *testing.T) []*ptKnown {
	f, err := os.Open(filepath.Join("testdata", "oracle", "known_differences.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ks []*ptKnown
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		w := strings.Fields(line)
		if len(w) < 4 {
			t.Fatalf("known_differences.txt:%d: want \"file frame field reason...\"", n)
		}
		ks = append(ks, &ptKnown{file: w[0], frame: w[1], field: w[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ks
}

func ptMatchKnown(ks []*ptKnown, fr ptOracleFrame, field string) bool {
	for _, k := range ks {
		frame := strconv.Itoa(fr.frame)
		if fr.name != "" {
			frame = fr.name
		}
		if (k.file == fr.file || k.file == "*") && (k.frame == "*" || k.frame == frame) &&
			(k.field == field || k.field == "*") {
			k.used = true
			return true
		}
	}
	return false
}

func TestPtypeTsharkOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	pkts, frames, files, skipped := ptOraclePackets(t, true)
	bin, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tshark not found and CI is set")
		}
		t.Skip("tshark not installed")
	}
	in := filepath.Join(t.TempDir(), "all.pcap")
	if err := ptWritePcap(in, pkts); err != nil {
		t.Fatal(err)
	}
	dissected := ptRunTshark(t, bin, in)
	if len(dissected) != len(pkts) {
		t.Fatalf("tshark dissected %d packets of %d", len(dissected), len(pkts))
	}
	known := ptReadKnown(t)

	mp := ptPool(t, 128)
	var compared, listed, failed int
	for i, b := range pkts {
		m := ptOracleMbuf(t, mp, b)
		var hl, ghl pkt.HdrLens
		p := pkt.ParsePtype(m, &hl, nil)
		g := pkt.GetPtype(m, &ghl, pkt.PtypeAllMask)
		m.Free(eal.LcoreIDAny)

		th := ptTsharkLayers(&dissected[i])
		ours := ptOurLayers(b, p, hl)
		c := ptComparer{b: b}
		c.ids("vlan.id", ours.tags, th.tags)
		if c.layers("", &ours, &th, false) {
			c.ids("mpls.label", ours.labels, th.labels)
			c.ids("inner.vlan.id", ours.itags, th.itags)
		}
		// fields where the layers agree
		if ours.l3.kind != "" && ours.l3.kind == th.l3.kind && ours.l3.pos == th.l3.pos && ours.l3.size == th.l3.size {
			l4, th4 := ours.l4, th.l4
			if l4.kind != th4.kind || l4.pos != th4.pos {
				l4, th4 = ptSlot{}, ptSlot{}
			}
			c.fields("", ours.l3, l4, th.l3, th4)
		}
		if ours.tun.kind != "" && ours.tun.kind == th.tun.kind && ours.tun.pos == th.tun.pos && ours.tun.pos >= 0 {
			c.tunnel(ours.tun, th.tun)
		}
		if ours.il3.kind != "" && ours.il3.kind == th.il3.kind && ours.il3.pos == th.il3.pos && ours.il3.size == th.il3.size {
			l4, th4 := ours.il4, th.il4
			if l4.kind != th4.kind || l4.pos != th4.pos {
				l4, th4 = ptSlot{}, ptSlot{}
			}
			c.fields("inner.", ours.il3, l4, th.il3, th4)
		}
		// GetPtype: what it reports must be right
		gl := ptOurLayers(b, g, ghl)
		c.layers("dpdk.", &gl, &th, true)

		compared += c.compared
		for _, d := range c.diffs {
			if ptMatchKnown(known, frames[i], d.field) {
				listed++
				continue
			}
			failed++
			t.Errorf("%v: %s: %s (ParsePtype %q, tshark %s)", frames[i], d.field, d.detail,
				pkt.PtypeName(p), ptProtoList(&dissected[i]))
		}
	}
	for _, k := range known {
		if !k.used {
			t.Errorf("known_differences.txt: %s %s %s matches no difference", k.file, k.frame, k.field)
		}
	}
	t.Logf("tshark oracle: %d files (skipped %v) and %d hand-built packets, %d packets, %d comparisons, %d listed differences, %d unlisted",
		files, skipped, len(pkts)-ptCapturePackets(frames), len(pkts), compared, listed, failed)
}

func ptCapturePackets(frames []ptOracleFrame) int {
	n := 0
	for _, f := range frames {
		if f.file != "synthetic" {
			n++
		}
	}
	return n
}

// ptProtoList is tshark's protocols with offsets, for messages.
func ptProtoList(p *ptPDMLPacket) string {
	var s []string
	for _, pr := range p.Protos {
		if pr.Name != "geninfo" && pr.Name != "frame" {
			s = append(s, fmt.Sprintf("%s@%d/%d", pr.Name, pr.Pos, pr.Size))
		}
	}
	return strings.Join(s, " ")
}
