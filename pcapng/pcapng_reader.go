package pcapng

import (
	"encoding/binary"
	"fmt"
	"io"
)

// PcapngReader reads a pcapng stream: one or more sections, each a Section
// Header Block followed by Interface Description Blocks and packets
// (Enhanced, Simple and obsolete Packet Blocks). Other blocks (Name
// Resolution, Interface Statistics, custom, ...) are checked for a
// consistent length and skipped.
type PcapngReader struct {
	in      *input
	be      bool
	section Section
	ifaces  []ngInterface
	opts    PacketOptions
	nsect   int   // sections seen
	err     error // sticky error
}

type ngInterface struct {
	Interface
	clock clock
}

// NewPcapngReader reads the Section Header Block at the start of the pcapng
// stream r, and the Interface Description Blocks right after it, and returns
// a reader for its packets.
func NewPcapngReader(r io.Reader, opts ...ReaderOption) (*PcapngReader, error) {
	cfg := newReaderConfig(opts)
	return newPcapngReader(newInput(r, cfg.maxBlock))
}

func newPcapngReader(in *input) (*PcapngReader, error) {
	r := &PcapngReader{in: in}
	h, err := in.peek(4)
	if err != nil {
		return nil, &FormatError{Format: FormatPcapng, What: "block", BlockType: blockSHB, Msg: "truncated section header", Err: unexpected(err)}
	}
	if !isPcapngMagic(h) {
		return nil, &FormatError{Format: FormatPcapng, What: "block", BlockType: binary.LittleEndian.Uint32(h), Msg: "file does not start with a section header block", Err: ErrUnknownFormat}
	}
	// The first block must be the section header.
	if _, _, _, err := r.block(); err != nil {
		return nil, err
	}
	// Read ahead the interface descriptions that follow, so that LinkType
	// and Interface answer before the first packet. Anything else is left
	// for ReadPacket to meet; so is an error in an IDB (it is sticky).
	for {
		h, err := in.peek(8)
		if err != nil || get32(r.be, h) != blockIDB {
			break
		}
		if _, _, _, err := r.block(); err != nil {
			break
		}
	}
	return r, nil
}

// next reads blocks until a packet block, and returns the packet's data and
// metadata; the data points into the input buffer. The error is io.EOF at
// the end of the stream, or a *FormatError.
func (r *PcapngReader) next() ([]byte, CaptureInfo, error) {
	for {
		data, ci, packet, err := r.block()
		if packet || err != nil {
			return data, ci, err
		}
	}
}

// block reads and handles one block. For a packet block it returns the
// packet's data and metadata, and packet true.
func (r *PcapngReader) block() (data []byte, ci CaptureInfo, packet bool, err error) {
	if r.err != nil {
		return nil, CaptureInfo{}, false, r.err
	}
	in := r.in
	off := in.offset()
	h, err := in.peek(8)
	if err != nil {
		if err == io.EOF {
			return nil, CaptureInfo{}, false, err
		}
		return nil, CaptureInfo{}, false, r.fail(off, 0, "truncated block header", unexpected(err))
	}
	be := r.be
	typ := get32(be, h)
	if typ == blockSHB {
		// A section header sets the byte order for itself
		// and what follows: look at its byte-order magic.
		if h, err = in.peek(12); err != nil {
			return nil, CaptureInfo{}, false, r.fail(off, typ, "truncated section header", unexpected(err))
		}
		switch {
		case binary.LittleEndian.Uint32(h[8:]) == byteOrderMagic:
			be = false
		case binary.BigEndian.Uint32(h[8:]) == byteOrderMagic:
			be = true
		default:
			return nil, CaptureInfo{}, false, r.failf(off, typ, nil, "bad byte-order magic %#x", h[8:12])
		}
	}
	n := get32(be, h[4:])
	switch {
	case n < minBlockLen:
		return nil, CaptureInfo{}, false, r.failf(off, typ, nil, "total length %d too small", n)
	case n%4 != 0:
		return nil, CaptureInfo{}, false, r.failf(off, typ, nil, "total length %d not a multiple of 4", n)
	case uint64(n) > uint64(in.limit):
		return nil, CaptureInfo{}, false, r.failf(off, typ, ErrTooLarge, "total length %d exceeds limit %d", n, in.limit)
	}
	b, err := in.peek(int(n))
	if err != nil {
		return nil, CaptureInfo{}, false, r.failf(off, typ, unexpected(err), "total length %d: truncated block", n)
	}
	if t := get32(be, b[n-4:]); t != n {
		return nil, CaptureInfo{}, false, r.failf(off, typ, nil, "trailing length %d differs from leading %d", t, n)
	}
	in.discard(int(n))
	switch typ {
	case blockEPB:
		data, ci, err = r.enhancedPacket(b, off)
		return data, ci, err == nil, err
	case blockSPB:
		data, ci, err = r.simplePacket(b, off)
		return data, ci, err == nil, err
	case blockPB:
		data, ci, err = r.obsoletePacket(b, off)
		return data, ci, err == nil, err
	case blockIDB:
		err = r.interfaceDescription(b, off)
	case blockSHB:
		err = r.sectionHeader(b, off, be)
	}
	return nil, CaptureInfo{}, false, err
}

func (r *PcapngReader) sectionHeader(b []byte, off int64, be bool) error {
	if len(b) < shbFixedLen {
		return r.failf(off, blockSHB, nil, "total length %d too small", len(b))
	}
	s := Section{
		ByteOrder:    orderOf(be),
		VersionMajor: get16(be, b[12:]),
		VersionMinor: get16(be, b[14:]),
		Length:       int64(get64(be, b[16:])),
	}
	if s.VersionMajor != 1 {
		return r.failf(off, blockSHB, nil, "unsupported version %d.%d", s.VersionMajor, s.VersionMinor)
	}
	it := optionIter{be: be, b: b[24 : len(b)-4], base: off + 24}
	for {
		code, val, done, err := it.next()
		if err != nil {
			return r.fail(off, blockSHB, err.Error(), nil)
		}
		if done {
			break
		}
		switch {
		case code == shbHardware && s.Hardware == "":
			s.Hardware = string(val)
		case code == shbOS && s.OS == "":
			s.OS = string(val)
		case code == shbUserAppl && s.UserAppl == "":
			s.UserAppl = string(val)
		case code == optComment && s.Comment == "":
			s.Comment = string(val)
		default:
			s.Options = append(s.Options, Option{Code: code, Value: clone(val)})
		}
	}
	r.be = be
	r.section = s
	r.ifaces = r.ifaces[:0]
	r.nsect++
	return nil
}

func (r *PcapngReader) interfaceDescription(b []byte, off int64) error {
	be := r.be
	if len(b) < idbFixedLen {
		return r.failf(off, blockIDB, nil, "total length %d too small", len(b))
	}
	if len(r.ifaces) >= maxInterfaces {
		return r.failf(off, blockIDB, ErrTooLarge, "more than %d interfaces in a section", maxInterfaces)
	}
	ifc := ngInterface{Interface: Interface{
		LinkType: LinkType(get16(be, b[8:])),
		SnapLen:  get32(be, b[12:]),
		TSResol:  ResolutionMicro,
	}}
	it := optionIter{be: be, b: b[16 : len(b)-4], base: off + 16}
	for {
		code, val, done, err := it.next()
		if err != nil {
			return r.fail(off, blockIDB, err.Error(), nil)
		}
		if done {
			break
		}
		switch {
		case code == ifName && ifc.Name == "":
			ifc.Name = string(val)
		case code == ifDescription && ifc.Description == "":
			ifc.Description = string(val)
		case code == ifOS && ifc.OS == "":
			ifc.OS = string(val)
		case code == optComment && ifc.Comment == "":
			ifc.Comment = string(val)
		case code == ifTSResol:
			if len(val) != 1 {
				return r.failf(off, blockIDB, nil, "if_tsresol length %d, want 1", len(val))
			}
			ifc.TSResol = Resolution(val[0])
			if !ifc.TSResol.valid() {
				return r.failf(off, blockIDB, nil, "if_tsresol %#02x (%v) not supported", val[0], ifc.TSResol)
			}
		case code == ifTSOffset:
			if len(val) != 8 {
				return r.failf(off, blockIDB, nil, "if_tsoffset length %d, want 8", len(val))
			}
			ifc.TSOffset = int64(get64(be, val))
		default:
			ifc.Options = append(ifc.Options, Option{Code: code, Value: clone(val)})
		}
	}
	ifc.clock = clock{res: ifc.TSResol, offset: ifc.TSOffset}
	r.ifaces = append(r.ifaces, ifc)
	return nil
}

func (r *PcapngReader) enhancedPacket(b []byte, off int64) ([]byte, CaptureInfo, error) {
	be := r.be
	if len(b) < epbFixedLen {
		return nil, CaptureInfo{}, r.failf(off, blockEPB, nil, "total length %d too small", len(b))
	}
	id := get32(be, b[8:])
	units := uint64(get32(be, b[12:]))<<32 | uint64(get32(be, b[16:]))
	caplen, origlen := get32(be, b[20:]), get32(be, b[24:])
	return r.packet(b, off, blockEPB, id, units, caplen, origlen)
}

func (r *PcapngReader) obsoletePacket(b []byte, off int64) ([]byte, CaptureInfo, error) {
	be := r.be
	if len(b) < pbFixedLen {
		return nil, CaptureInfo{}, r.failf(off, blockPB, nil, "total length %d too small", len(b))
	}
	id := uint32(get16(be, b[8:]))
	units := uint64(get32(be, b[12:]))<<32 | uint64(get32(be, b[16:]))
	caplen, origlen := get32(be, b[20:]), get32(be, b[24:])
	data, ci, err := r.packet(b, off, blockPB, id, units, caplen, origlen)
	if err == nil && !r.opts.HasDropCount {
		if drops := get16(be, b[10:]); drops != 0xffff {
			r.opts.DropCount, r.opts.HasDropCount = uint64(drops), true
		}
	}
	return data, ci, err
}

// packet finishes an Enhanced or obsolete Packet Block: both have the data
// at offset 28 and options after it.
func (r *PcapngReader) packet(b []byte, off int64, typ, id uint32, units uint64, caplen, origlen uint32) ([]byte, CaptureInfo, error) {
	if uint64(id) >= uint64(len(r.ifaces)) {
		return nil, CaptureInfo{}, r.failf(off, typ, nil, "interface %d not defined (section has %d)", id, len(r.ifaces))
	}
	const dataOff = 28
	room := len(b) - epbFixedLen
	if uint64(caplen) > uint64(room) {
		return nil, CaptureInfo{}, r.failf(off, typ, nil, "caplen %d exceeds the %d bytes of packet data the block holds", caplen, room)
	}
	end := dataOff + int(caplen)
	r.opts = PacketOptions{}
	if optOff := dataOff + pad4(int(caplen)); optOff < len(b)-4 {
		if err := r.packetOptions(b[optOff:len(b)-4], off, typ, off+int64(optOff)); err != nil {
			return nil, CaptureInfo{}, err
		}
	}
	ifc := &r.ifaces[id]
	ci := CaptureInfo{
		Timestamp:      ifc.clock.time(units),
		CaptureLength:  int(caplen),
		Length:         int(origlen),
		InterfaceIndex: int(id),
	}
	return b[dataOff:end], ci, nil
}

func (r *PcapngReader) packetOptions(b []byte, off int64, typ uint32, base int64) error {
	it := optionIter{be: r.be, b: b, base: base}
	o := &r.opts
	for {
		code, val, done, err := it.next()
		if err != nil {
			return r.fail(off, typ, err.Error(), nil)
		}
		if done {
			return nil
		}
		if typ != blockEPB && code > epbHash {
			continue // pack_hash is the obsolete block's last option
		}
		switch code {
		case optComment:
			if o.Comment == nil {
				o.Comment = val
			}
		case epbFlags:
			if len(val) != 4 {
				return r.failf(off, typ, nil, "epb_flags length %d, want 4", len(val))
			}
			o.Flags, o.HasFlags = get32(r.be, val), true
		case epbHash:
			o.Hash = val
		case epbDropCount:
			if len(val) != 8 {
				return r.failf(off, typ, nil, "epb_dropcount length %d, want 8", len(val))
			}
			o.DropCount, o.HasDropCount = get64(r.be, val), true
		case epbPacketID:
			if len(val) != 8 {
				return r.failf(off, typ, nil, "epb_packetid length %d, want 8", len(val))
			}
			o.PacketID, o.HasPacketID = get64(r.be, val), true
		case epbQueue:
			if len(val) != 4 {
				return r.failf(off, typ, nil, "epb_queue length %d, want 4", len(val))
			}
			o.Queue, o.HasQueue = get32(r.be, val), true
		}
	}
}

func (r *PcapngReader) simplePacket(b []byte, off int64) ([]byte, CaptureInfo, error) {
	if len(b) < spbFixedLen {
		return nil, CaptureInfo{}, r.failf(off, blockSPB, nil, "total length %d too small", len(b))
	}
	if len(r.ifaces) == 0 {
		return nil, CaptureInfo{}, r.failf(off, blockSPB, nil, "simple packet block before any interface description")
	}
	origlen := get32(r.be, b[8:])
	caplen := origlen
	if s := r.ifaces[0].SnapLen; s != 0 && caplen > s {
		caplen = s
	}
	room := len(b) - spbFixedLen
	if uint64(caplen) > uint64(room) {
		return nil, CaptureInfo{}, r.failf(off, blockSPB, nil, "packet length %d exceeds the %d bytes of packet data the block holds", caplen, room)
	}
	r.opts = PacketOptions{}
	ci := CaptureInfo{CaptureLength: int(caplen), Length: int(origlen)}
	return b[12 : 12+int(caplen)], ci, nil
}

// ReadPacket returns the next packet. See Reader. A Simple Packet Block has
// no timestamp: its CaptureInfo.Timestamp is the zero time.Time.
func (r *PcapngReader) ReadPacket() ([]byte, CaptureInfo, error) {
	return r.next()
}

// ReadPacketInto copies the next packet into dst. See Reader.
func (r *PcapngReader) ReadPacketInto(dst []byte) (CaptureInfo, int, error) {
	data, ci, err := r.next()
	return ci, copy(dst, data), err
}

// PacketOptions returns the options of the packet last read. Its slices
// are valid until the next call on the reader.
func (r *PcapngReader) PacketOptions() PacketOptions { return r.opts }

// Section returns the current section's header.
func (r *PcapngReader) Section() Section { return r.section }

// SectionIndex returns the number of the current section, counting from 0.
func (r *PcapngReader) SectionIndex() int { return r.nsect - 1 }

// Interface describes interface id of the current section.
func (r *PcapngReader) Interface(id int) (Interface, bool) {
	if id < 0 || id >= len(r.ifaces) {
		return Interface{}, false
	}
	return r.ifaces[id].Interface, true
}

// NumInterfaces returns the number of interfaces of the current section
// described so far.
func (r *PcapngReader) NumInterfaces() int { return len(r.ifaces) }

// LinkType returns the link type of interface 0 of the current section, or
// LinkTypeNull if there is none yet.
func (r *PcapngReader) LinkType() LinkType {
	if len(r.ifaces) == 0 {
		return LinkTypeNull
	}
	return r.ifaces[0].LinkType
}

// Format returns FormatPcapng.
func (r *PcapngReader) Format() Format { return FormatPcapng }

func (r *PcapngReader) fail(off int64, typ uint32, msg string, err error) error {
	r.err = &FormatError{Format: FormatPcapng, Offset: off, What: "block", BlockType: typ, Msg: msg, Err: err}
	return r.err
}

func (r *PcapngReader) failf(off int64, typ uint32, err error, format string, args ...any) error {
	return r.fail(off, typ, fmt.Sprintf(format, args...), err)
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
