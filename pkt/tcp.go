package pkt

import (
	"dpk/pkt/checksum"
	"encoding/binary"
	"net/netip"
	"strings"
)

// TCP header (RFC 9293, rte_tcp_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Sequence Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Acknowledgment Number                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Data |       |C|E|U|A|P|R|S|F|                               |
//	| Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//	|       |       |R|E|G|K|H|T|N|N|                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Checksum            |         Urgent Pointer        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	tcpSrcPort = 0
	tcpDstPort = 2
	tcpSeq     = 4
	tcpAck     = 8
	tcpDataOff = 12
	tcpFlags   = 13
	tcpWindow  = 14
	tcpCksum   = 16
	tcpUrgent  = 18
	tcpOptions = 20

	// TCPMinLen is the length of a TCP header without options.
	TCPMinLen = 20
	// TCPMaxLen is the length of a TCP header with 40 bytes of options.
	TCPMaxLen = 60
)

// TCPFlags is the TCP flags byte (tcp_flags in rte_tcp_hdr).
type TCPFlags uint8

// TCP flags (RTE_TCP_*_FLAG).
const (
	TCPFlagFIN TCPFlags = 0x01
	TCPFlagSYN TCPFlags = 0x02
	TCPFlagRST TCPFlags = 0x04
	TCPFlagPSH TCPFlags = 0x08
	TCPFlagACK TCPFlags = 0x10
	TCPFlagURG TCPFlags = 0x20
	TCPFlagECE TCPFlags = 0x40
	TCPFlagCWR TCPFlags = 0x80
)

var tcpFlagNames = [8]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"}

// String returns the set flags joined by "|" ("SYN|ACK"), or "0".
func (f TCPFlags) String() string {
	if f == 0 {
		return "0"
	}
	var sb strings.Builder
	for i, n := range tcpFlagNames {
		if f&(1<<i) != 0 {
			if sb.Len() > 0 {
				sb.WriteByte('|')
			}
			sb.WriteString(n)
		}
	}
	return sb.String()
}

// Has reports whether all flags in g are set in f.
func (f TCPFlags) Has(g TCPFlags) bool { return f&g == g }

// TCP option kinds.
const (
	TCPOptEOL           uint8 = 0
	TCPOptNOP           uint8 = 1
	TCPOptMSS           uint8 = 2
	TCPOptWindowScale   uint8 = 3
	TCPOptSACKPermitted uint8 = 4
	TCPOptSACK          uint8 = 5
	TCPOptTimestamp     uint8 = 8
)

// TCP is a view of a TCP segment: header, options and data.
type TCP []byte

var (
	errTCPTrunc   = hdrErr("TCP", ErrTruncated)
	errTCPDataOff = hdrErrf("TCP", "data offset below 5", ErrMalformed)
	errTCPNoRoom  = hdrErr("TCP", ErrNoRoom)
	errTCPOptions = hdrErrf("TCP", "options longer than 40 bytes or not a multiple of 4", ErrMalformed)
	errTCPOptTrnc = hdrErr("TCP option", ErrTruncated)
	errTCPOptLen  = hdrErrf("TCP option", "length below 2", ErrMalformed)
)

// ParseTCP returns b as a TCP view: ErrTruncated if b is shorter than 20
// bytes or than the data offset says, ErrMalformed if the data offset is
// below 5.
func ParseTCP(b []byte) (TCP, error) {
	if len(b) < TCPMinLen {
		return nil, errTCPTrunc
	}
	hl := int(b[tcpDataOff]>>4) * 4
	if hl < TCPMinLen {
		return nil, errTCPDataOff
	}
	if hl > len(b) {
		return nil, errTCPTrunc
	}
	return TCP(b), nil
}

// SrcPort returns the source port.
func (t TCP) SrcPort() uint16 { return binary.BigEndian.Uint16(t[tcpSrcPort:]) }

// DstPort returns the destination port.
func (t TCP) DstPort() uint16 { return binary.BigEndian.Uint16(t[tcpDstPort:]) }

// Seq returns the sequence number.
func (t TCP) Seq() uint32 { return binary.BigEndian.Uint32(t[tcpSeq:]) }

// Ack returns the acknowledgment number.
func (t TCP) Ack() uint32 { return binary.BigEndian.Uint32(t[tcpAck:]) }

// DataOffset returns the data offset in 32-bit words.
func (t TCP) DataOffset() uint8 { return t[tcpDataOff] >> 4 }

// HeaderLen returns the header length in bytes, options included.
func (t TCP) HeaderLen() int { return int(t[tcpDataOff]>>4) * 4 }

// Flags returns the flags.
func (t TCP) Flags() TCPFlags { return TCPFlags(t[tcpFlags]) }

// Window returns the window.
func (t TCP) Window() uint16 { return binary.BigEndian.Uint16(t[tcpWindow:]) }

// Checksum returns the checksum field.
func (t TCP) Checksum() uint16 { return binary.BigEndian.Uint16(t[tcpCksum:]) }

// UrgentPointer returns the urgent pointer.
func (t TCP) UrgentPointer() uint16 { return binary.BigEndian.Uint16(t[tcpUrgent:]) }

// Options returns the options bytes.
func (t TCP) Options() []byte { return t[tcpOptions:t.HeaderLen()] }

// OptionIter returns an iterator over the options.
func (t TCP) OptionIter() TCPOptionIter { return TCPOptionIter{b: t.Options()} }

// Payload returns the data after the header.
func (t TCP) Payload() []byte { return t[t.HeaderLen():] }

// findOption returns the first well-formed option of a kind.
func (t TCP) findOption(kind uint8) (TCPOption, bool) {
	it := t.OptionIter()
	for o, ok := it.Next(); ok; o, ok = it.Next() {
		if o.Kind == kind {
			return o, true
		}
	}
	return TCPOption{}, false
}

// MSS returns the maximum segment size option.
func (t TCP) MSS() (uint16, bool) {
	o, ok := t.findOption(TCPOptMSS)
	if !ok {
		return 0, false
	}
	return o.MSS()
}

// WindowScale returns the window scale option's shift count.
func (t TCP) WindowScale() (uint8, bool) {
	o, ok := t.findOption(TCPOptWindowScale)
	if !ok {
		return 0, false
	}
	return o.WindowScale()
}

// SACKPermitted reports whether the SACK-permitted option is present.
func (t TCP) SACKPermitted() bool {
	o, ok := t.findOption(TCPOptSACKPermitted)
	return ok && len(o.Data) == 0
}

// Timestamps returns the timestamp option's value and echo reply.
func (t TCP) Timestamps() (val, ecr uint32, ok bool) {
	o, ok := t.findOption(TCPOptTimestamp)
	if !ok {
		return 0, 0, false
	}
	return o.Timestamps()
}

// SACK returns the SACK option, whose blocks TCPOption.SACKBlock reads.
func (t TCP) SACK() (TCPOption, bool) { return t.findOption(TCPOptSACK) }

// SetSrcPort sets the source port.
func (t TCP) SetSrcPort(p uint16) { binary.BigEndian.PutUint16(t[tcpSrcPort:], p) }

// SetDstPort sets the destination port.
func (t TCP) SetDstPort(p uint16) { binary.BigEndian.PutUint16(t[tcpDstPort:], p) }

// SetSeq sets the sequence number.
func (t TCP) SetSeq(s uint32) { binary.BigEndian.PutUint32(t[tcpSeq:], s) }

// SetAck sets the acknowledgment number.
func (t TCP) SetAck(a uint32) { binary.BigEndian.PutUint32(t[tcpAck:], a) }

// SetFlags sets the flags.
func (t TCP) SetFlags(f TCPFlags) { t[tcpFlags] = uint8(f) }

// SetWindow sets the window.
func (t TCP) SetWindow(w uint16) { binary.BigEndian.PutUint16(t[tcpWindow:], w) }

// SetChecksum sets the checksum field.
func (t TCP) SetChecksum(c uint16) { binary.BigEndian.PutUint16(t[tcpCksum:], c) }

// SetUrgentPointer sets the urgent pointer.
func (t TCP) SetUrgentPointer(u uint16) { binary.BigEndian.PutUint16(t[tcpUrgent:], u) }

// CalculateChecksum computes the checksum over the pseudo-header sum
// (IPv4.PseudoHeaderSum, IPv6.PseudoHeaderSum or PseudoHeaderSum) and the
// whole view, treating the checksum field as zero.
func (t TCP) CalculateChecksum(pseudo uint32) uint16 {
	return checksum.Transport(pseudo, IPProtoTCP, t)
}

// IsChecksumValid reports whether the checksum is right for a
// pseudo-header sum.
func (t TCP) IsChecksumValid(pseudo uint32) bool {
	return checksum.Checksum(t, pseudo) == 0
}

// UpdateChecksumAddr updates the checksum incrementally for an address of
// the pseudo-header changing from old to new (NAT). Both must be of the
// same family.
func (t TCP) UpdateChecksumAddr(old, new netip.Addr) {
	t.SetChecksum(updateAddr(t.Checksum(), old, new))
}

// UpdateChecksumPort sets the source (src true) or destination port and
// updates the checksum incrementally.
func (t TCP) UpdateChecksumPort(src bool, port uint16) {
	off := tcpDstPort
	if src {
		off = tcpSrcPort
	}
	old := binary.BigEndian.Uint16(t[off:])
	binary.BigEndian.PutUint16(t[off:], port)
	t.SetChecksum(checksum.Update16(t.Checksum(), old, port))
}

// updateAddr updates checksum field hc for an address change.
func updateAddr(hc uint16, old, new netip.Addr) uint16 {
	if old.Is4() && new.Is4() {
		o, n := old.As4(), new.As4()
		return checksum.Update32(hc, binary.BigEndian.Uint32(o[:]), binary.BigEndian.Uint32(n[:]))
	}
	return checksum.Update128(hc, old.As16(), new.As16())
}

// TCPFields holds the fields TCP.Encode writes.
type TCPFields struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            TCPFlags
	Window           uint16
	Checksum         uint16
	UrgentPointer    uint16
	// Options are copied after the fixed header; their length must be a
	// multiple of 4, at most 40.
	Options []byte
}

// Encode writes the header at the start of t; the data offset follows
// from the options. It fails with ErrNoRoom if t is too short,
// ErrMalformed if the options' length is not valid.
func (t TCP) Encode(f *TCPFields) error {
	if len(f.Options)%4 != 0 || len(f.Options) > TCPMaxLen-TCPMinLen {
		return errTCPOptions
	}
	hl := TCPMinLen + len(f.Options)
	if len(t) < hl {
		return errTCPNoRoom
	}
	t.SetSrcPort(f.SrcPort)
	t.SetDstPort(f.DstPort)
	t.SetSeq(f.Seq)
	t.SetAck(f.Ack)
	t[tcpDataOff] = uint8(hl/4) << 4
	t.SetFlags(f.Flags)
	t.SetWindow(f.Window)
	t.SetChecksum(f.Checksum)
	t.SetUrgentPointer(f.UrgentPointer)
	copy(t[tcpOptions:hl], f.Options)
	return nil
}

// TCPOption is one TCP option; Data (after kind and length) aliases the
// header. EOL and NOP have no data.
type TCPOption struct {
	Kind uint8
	Data []byte
}

// MSS returns the value of an MSS option.
func (o TCPOption) MSS() (uint16, bool) {
	if o.Kind != TCPOptMSS || len(o.Data) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(o.Data), true
}

// WindowScale returns the shift count of a window scale option.
func (o TCPOption) WindowScale() (uint8, bool) {
	if o.Kind != TCPOptWindowScale || len(o.Data) != 1 {
		return 0, false
	}
	return o.Data[0], true
}

// Timestamps returns the value and echo reply of a timestamp option.
func (o TCPOption) Timestamps() (val, ecr uint32, ok bool) {
	if o.Kind != TCPOptTimestamp || len(o.Data) != 8 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint32(o.Data), binary.BigEndian.Uint32(o.Data[4:]), true
}

// NumSACKBlocks returns the number of blocks of a SACK option.
func (o TCPOption) NumSACKBlocks() int {
	if o.Kind != TCPOptSACK {
		return 0
	}
	return len(o.Data) / 8
}

// SACKBlock returns block i of a SACK option.
func (o TCPOption) SACKBlock(i int) (left, right uint32, ok bool) {
	if i < 0 || i >= o.NumSACKBlocks() {
		return 0, 0, false
	}
	b := o.Data[8*i:]
	return binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), true
}

// TCPOptionIter walks TCP options. It ends at the end of the options or
// at an EOL option, and stops with an error on an option whose length is
// below 2 or runs past the header.
type TCPOptionIter struct {
	b   []byte
	err error
}

// Next returns the next option (NOPs included, EOL not); ok is false at
// the end or on a bad option (then Err says which).
func (it *TCPOptionIter) Next() (opt TCPOption, ok bool) {
	if len(it.b) == 0 || it.err != nil {
		return TCPOption{}, false
	}
	k := it.b[0]
	switch k {
	case TCPOptEOL:
		it.b = nil
		return TCPOption{}, false
	case TCPOptNOP:
		it.b = it.b[1:]
		return TCPOption{Kind: k}, true
	}
	if len(it.b) < 2 {
		it.err, it.b = errTCPOptTrnc, nil
		return TCPOption{}, false
	}
	n := int(it.b[1])
	if n < 2 {
		it.err, it.b = errTCPOptLen, nil
		return TCPOption{}, false
	}
	if n > len(it.b) {
		it.err, it.b = errTCPOptTrnc, nil
		return TCPOption{}, false
	}
	opt = TCPOption{Kind: k, Data: it.b[2:n:n]}
	it.b = it.b[n:]
	return opt, true
}

// Err returns the error that stopped the walk, or nil.
func (it *TCPOptionIter) Err() error { return it.err }
