package pcapng

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Classic pcap magic numbers, as read in the file's own byte order.
const (
	pcapMagicMicro = 0xa1b2c3d4
	pcapMagicNano  = 0xa1b23c4d
)

const (
	pcapFileHeaderLen   = 24
	pcapRecordHeaderLen = 16
)

func isPcapMagic(b []byte) bool {
	le, be := binary.LittleEndian.Uint32(b), binary.BigEndian.Uint32(b)
	return le == pcapMagicMicro || le == pcapMagicNano || be == pcapMagicMicro || be == pcapMagicNano
}

// PcapHeader is the file header of a classic pcap file.
type PcapHeader struct {
	ByteOrder    binary.ByteOrder // the file's byte order
	Nanosecond   bool             // timestamps in ns (magic 0xa1b23c4d), else µs
	VersionMajor uint16           // 2
	VersionMinor uint16           // 4
	ThisZone     int32            // GMT offset; always 0 in practice, not applied
	SigFigs      uint32           // timestamp accuracy; always 0 in practice
	SnapLen      uint32           // snapshot length
	LinkType     LinkType         // low 28 bits of the link type field
	// FCS is the top 4 bits of the link type field: bit 0 (the F bit)
	// says bits 1-3 hold the number of 16-bit words of frame check
	// sequence at the end of each packet. See FCSLen.
	FCS uint8
}

// FCSLen returns the number of FCS bytes at the end of each packet, if the
// file says.
func (h PcapHeader) FCSLen() (int, bool) {
	if h.FCS&1 == 0 {
		return 0, false
	}
	return int(h.FCS>>1) * 2, true
}

// PcapReader reads a classic pcap stream.
type PcapReader struct {
	in     *input
	hdr    PcapHeader
	be     bool
	nano   bool
	swap   bool   // version < 2.3: caplen and len may be swapped
	maxCap uint32 // largest caplen accepted
	err    error  // sticky error
}

// NewPcapReader reads the file header of the classic pcap stream r and
// returns a reader for its packets.
func NewPcapReader(r io.Reader, opts ...ReaderOption) (*PcapReader, error) {
	cfg := newReaderConfig(opts)
	return newPcapReader(newInput(r, cfg.maxBlock))
}

func newPcapReader(in *input) (*PcapReader, error) {
	b, err := in.peek(pcapFileHeaderLen)
	if err != nil {
		return nil, &FormatError{Format: FormatPcap, What: "file header", Msg: "truncated", Err: unexpected(err)}
	}
	r := &PcapReader{in: in}
	switch binary.LittleEndian.Uint32(b) {
	case pcapMagicMicro:
	case pcapMagicNano:
		r.nano = true
	default:
		r.be = true
		switch binary.BigEndian.Uint32(b) {
		case pcapMagicMicro:
		case pcapMagicNano:
			r.nano = true
		default:
			return nil, &FormatError{Format: FormatPcap, What: "file header", Msg: fmt.Sprintf("bad magic %#x", b[:4]), Err: ErrUnknownFormat}
		}
	}
	be := r.be
	lt := get32(be, b[20:])
	r.hdr = PcapHeader{
		ByteOrder:    orderOf(be),
		Nanosecond:   r.nano,
		VersionMajor: get16(be, b[4:]),
		VersionMinor: get16(be, b[6:]),
		ThisZone:     int32(get32(be, b[8:])),
		SigFigs:      get32(be, b[12:]),
		SnapLen:      get32(be, b[16:]),
		LinkType:     LinkType(lt & 0x0fffffff),
		FCS:          uint8(lt >> 28),
	}
	if r.hdr.VersionMajor != 2 {
		return nil, &FormatError{Format: FormatPcap, What: "file header", Msg: fmt.Sprintf("unsupported version %d.%d", r.hdr.VersionMajor, r.hdr.VersionMinor)}
	}
	r.swap = r.hdr.VersionMinor < 3
	r.maxCap = uint32(min(max(int64(r.hdr.SnapLen), MaxSnapLen), int64(in.limit-pcapRecordHeaderLen)))
	in.discard(pcapFileHeaderLen)
	return r, nil
}

// Header returns the file header.
func (r *PcapReader) Header() PcapHeader { return r.hdr }

// LinkType returns the file's link type.
func (r *PcapReader) LinkType() LinkType { return r.hdr.LinkType }

// Format returns FormatPcap.
func (r *PcapReader) Format() Format { return FormatPcap }

// Interface returns, for id 0, an Interface made from the file header:
// link type, snapshot length and timestamp resolution.
func (r *PcapReader) Interface(id int) (Interface, bool) {
	if id != 0 {
		return Interface{}, false
	}
	res := ResolutionMicro
	if r.nano {
		res = ResolutionNano
	}
	return Interface{LinkType: r.hdr.LinkType, SnapLen: r.hdr.SnapLen, TSResol: res}, true
}

// ReadPacket returns the next packet. See Reader.
func (r *PcapReader) ReadPacket() ([]byte, CaptureInfo, error) {
	if r.err != nil {
		return nil, CaptureInfo{}, r.err
	}
	in := r.in
	off := in.offset()
	h, err := in.peek(pcapRecordHeaderLen)
	if err != nil {
		if err != io.EOF {
			err = r.fail(off, "truncated record header", unexpected(err))
		}
		return nil, CaptureInfo{}, err
	}
	be := r.be
	sec, frac := get32(be, h), get32(be, h[4:])
	caplen, origlen := get32(be, h[8:]), get32(be, h[12:])
	if r.swap && caplen > origlen {
		caplen, origlen = origlen, caplen
	}
	if caplen > r.maxCap {
		return nil, CaptureInfo{}, r.failf(off, ErrTooLarge, "caplen %d exceeds limit %d (snaplen %d)", caplen, r.maxCap, r.hdr.SnapLen)
	}
	n := pcapRecordHeaderLen + int(caplen)
	b, err := in.peek(n)
	if err != nil {
		return nil, CaptureInfo{}, r.failf(off, unexpected(err), "caplen %d: truncated packet data", caplen)
	}
	in.discard(n)
	nsec := int64(frac)
	if !r.nano {
		nsec *= 1000
	}
	ci := CaptureInfo{
		Timestamp:     time.Unix(int64(sec), nsec).UTC(),
		CaptureLength: int(caplen),
		Length:        int(origlen),
	}
	return b[pcapRecordHeaderLen:], ci, nil
}

// ReadPacketInto copies the next packet into dst. See Reader.
func (r *PcapReader) ReadPacketInto(dst []byte) (CaptureInfo, int, error) {
	data, ci, err := r.ReadPacket()
	return ci, copy(dst, data), err
}

func (r *PcapReader) fail(off int64, msg string, err error) error {
	r.err = &FormatError{Format: FormatPcap, Offset: off, What: "record", Msg: msg, Err: err}
	return r.err
}

func (r *PcapReader) failf(off int64, err error, format string, args ...any) error {
	return r.fail(off, fmt.Sprintf(format, args...), err)
}
