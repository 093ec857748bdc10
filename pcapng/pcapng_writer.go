package pcapng

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"time"
)

// PcapngWriter writes a pcapng stream: a Section Header Block, Interface
// Description Blocks, and a packet per Enhanced Packet Block.
type PcapngWriter struct {
	w      *bufio.Writer
	be     bool
	ifaces []ngInterface
	hdr    [epbFixedLen - 4]byte // EPB up to the packet data
	opts   optionWriter          // per-packet options and block trailer
}

// NewPcapngWriter writes a Section Header Block to w, and an Interface
// Description Block for each WithInterface option, and returns a writer for
// packets. Options: WithSection, WithInterface, WithByteOrder,
// WithBufferSize. Without WithSection, shb_userappl is "dpk".
//
// The blocks are buffered like the packets: call Flush.
func NewPcapngWriter(w io.Writer, opts ...WriterOption) (*PcapngWriter, error) {
	cfg := newWriterConfig(opts)
	pw := &PcapngWriter{be: cfg.be, w: newBufWriter(w, cfg.bufSize)}
	pw.opts.be = cfg.be
	s := Section{UserAppl: "dpk"}
	if cfg.section != nil {
		s = *cfg.section
	}
	if err := pw.NewSection(s); err != nil {
		return nil, err
	}
	for _, ifc := range cfg.interfaces {
		if _, err := pw.AddInterface(ifc); err != nil {
			return nil, err
		}
	}
	return pw, nil
}

// NewSection starts a new section: it writes a Section Header Block with
// the options of s (Hardware, OS, UserAppl, Comment, Options; the other
// fields are ignored). The new section has no interfaces.
func (pw *PcapngWriter) NewSection(s Section) error {
	var o optionWriter
	o.be = pw.be
	if err := addStrings(&o, []Option{
		{optComment, []byte(s.Comment)},
		{shbHardware, []byte(s.Hardware)},
		{shbOS, []byte(s.OS)},
		{shbUserAppl, []byte(s.UserAppl)},
	}, s.Options); err != nil {
		return fmt.Errorf("pcapng: section header: %w", err)
	}
	b := make([]byte, 24, shbFixedLen+len(o.buf))
	put32(pw.be, b[0:], blockSHB)
	put32(pw.be, b[8:], byteOrderMagic)
	put16(pw.be, b[12:], 1)
	put16(pw.be, b[14:], 0)
	put64(pw.be, b[16:], math.MaxUint64) // section length not given
	pw.ifaces = pw.ifaces[:0]
	return pw.writeBlock(b, o.buf)
}

// addStrings adds the options of fixed whose value is not empty, then the
// options of extra, and ends the list.
func addStrings(o *optionWriter, fixed, extra []Option) error {
	for _, op := range fixed {
		if len(op.Value) > 0 {
			if len(op.Value) > maxOptionLen {
				return fmt.Errorf("option %d: %d bytes: %w", op.Code, len(op.Value), ErrTooLarge)
			}
			o.add(op.Code, op.Value)
		}
	}
	for _, op := range extra {
		if op.Code == optEndOfOpt {
			continue
		}
		if len(op.Value) > maxOptionLen {
			return fmt.Errorf("option %d: %d bytes: %w", op.Code, len(op.Value), ErrTooLarge)
		}
		o.add(op.Code, op.Value)
	}
	o.end()
	return nil
}

// writeBlock writes a block made of head (its first 8 bytes, type and
// length, are filled in here) and body, plus the trailing length.
func (pw *PcapngWriter) writeBlock(head, body []byte) error {
	n := len(head) + len(body) + 4
	put32(pw.be, head[4:], uint32(n))
	var t [4]byte
	put32(pw.be, t[:], uint32(n))
	if _, err := pw.w.Write(head); err != nil {
		return err
	}
	if _, err := pw.w.Write(body); err != nil {
		return err
	}
	_, err := pw.w.Write(t[:])
	return err
}

// AddInterface writes an Interface Description Block for ifc and returns its
// interface index in the current section. ifc.TSResol zero means
// microseconds; ifc.SnapLen zero means no limit.
func (pw *PcapngWriter) AddInterface(ifc Interface) (int, error) {
	if len(pw.ifaces) >= maxInterfaces {
		return 0, fmt.Errorf("pcapng: more than %d interfaces: %w", maxInterfaces, ErrTooLarge)
	}
	if ifc.LinkType > 0xffff {
		return 0, fmt.Errorf("pcapng: link type %d does not fit 16 bits", ifc.LinkType)
	}
	var o optionWriter
	o.be = pw.be
	fixed := []Option{
		{optComment, []byte(ifc.Comment)},
		{ifName, []byte(ifc.Name)},
		{ifDescription, []byte(ifc.Description)},
		{ifOS, []byte(ifc.OS)},
	}
	if ifc.TSResol != 0 {
		if !ifc.TSResol.valid() {
			return 0, fmt.Errorf("pcapng: interface %q: resolution %v not supported", ifc.Name, ifc.TSResol)
		}
		fixed = append(fixed, Option{ifTSResol, []byte{byte(ifc.TSResol)}})
	} else {
		ifc.TSResol = ResolutionMicro
	}
	if ifc.TSOffset != 0 {
		var v [8]byte
		put64(pw.be, v[:], uint64(ifc.TSOffset))
		fixed = append(fixed, Option{ifTSOffset, v[:]})
	}
	if err := addStrings(&o, fixed, ifc.Options); err != nil {
		return 0, fmt.Errorf("pcapng: interface %q: %w", ifc.Name, err)
	}
	b := make([]byte, 16)
	put32(pw.be, b[0:], blockIDB)
	put16(pw.be, b[8:], uint16(ifc.LinkType))
	put32(pw.be, b[12:], ifc.SnapLen)
	if err := pw.writeBlock(b, o.buf); err != nil {
		return 0, err
	}
	pw.ifaces = append(pw.ifaces, ngInterface{Interface: ifc, clock: clock{res: ifc.TSResol, offset: ifc.TSOffset}})
	return len(pw.ifaces) - 1, nil
}

// WritePacket appends an Enhanced Packet Block for the packet, on interface
// ci.InterfaceIndex. Data longer than the interface's snapshot length is cut
// to it.
func (pw *PcapngWriter) WritePacket(ci CaptureInfo, data []byte) error {
	return pw.WritePacketWithOptions(ci, data, PacketOptions{})
}

// WritePacketWithOptions is WritePacket with options: opt_comment if
// o.Comment is not empty, epb_flags if o.HasFlags or o.Flags is not zero,
// epb_hash if o.Hash is not empty, epb_dropcount, epb_packetid and epb_queue
// if o.HasDropCount, o.HasPacketID and o.HasQueue.
func (pw *PcapngWriter) WritePacketWithOptions(ci CaptureInfo, data []byte, o PacketOptions) error {
	id := ci.InterfaceIndex
	if id < 0 || id >= len(pw.ifaces) {
		return fmt.Errorf("pcapng: interface %d not added (have %d)", id, len(pw.ifaces))
	}
	ifc := &pw.ifaces[id]
	units, ok := ifc.clock.stamp(ci.Timestamp)
	if !ok {
		return timeRangeError(ci.Timestamp, ifc.TSResol)
	}
	origlen := ci.Length
	if origlen == 0 {
		origlen = len(data)
	}
	if origlen < 0 {
		return fmt.Errorf("pcapng: negative packet length %d", origlen)
	}
	if s := ifc.SnapLen; s != 0 && uint64(len(data)) > uint64(s) {
		data = data[:s]
	}
	if uint64(origlen) > math.MaxUint32 || len(data) > math.MaxUint32-epbFixedLen-3*maxOptionLen {
		return fmt.Errorf("pcapng: packet length %d: %w", max(origlen, len(data)), ErrTooLarge)
	}
	if len(o.Comment) > maxOptionLen || len(o.Hash) > maxOptionLen {
		return fmt.Errorf("pcapng: packet option: %w", ErrTooLarge)
	}

	// Padding, options and the trailing length go in one buffer.
	ow := &pw.opts
	ow.reset()
	ow.buf = append(ow.buf, make([]byte, pad4(len(data))-len(data))...)
	pad := len(ow.buf)
	if len(o.Comment) > 0 {
		ow.add(optComment, o.Comment)
	}
	if o.HasFlags || o.Flags != 0 {
		ow.add32(epbFlags, o.Flags)
	}
	if len(o.Hash) > 0 {
		ow.add(epbHash, o.Hash)
	}
	if o.HasDropCount {
		ow.add64(epbDropCount, o.DropCount)
	}
	if o.HasPacketID {
		ow.add64(epbPacketID, o.PacketID)
	}
	if o.HasQueue {
		ow.add32(epbQueue, o.Queue)
	}
	if len(ow.buf) > pad {
		ow.buf = append(ow.buf, 0, 0, 0, 0) // opt_endofopt
	}
	n := uint32(len(pw.hdr) + len(data) + len(ow.buf) + 4)
	ow.buf = append(ow.buf, 0, 0, 0, 0)
	put32(pw.be, ow.buf[len(ow.buf)-4:], n)

	h := pw.hdr[:]
	put32(pw.be, h[0:], blockEPB)
	put32(pw.be, h[4:], n)
	put32(pw.be, h[8:], uint32(id))
	put32(pw.be, h[12:], uint32(units>>32))
	put32(pw.be, h[16:], uint32(units))
	put32(pw.be, h[20:], uint32(len(data)))
	put32(pw.be, h[24:], uint32(origlen))
	if _, err := pw.w.Write(h); err != nil {
		return err
	}
	if _, err := pw.w.Write(data); err != nil {
		return err
	}
	_, err := pw.w.Write(ow.buf)
	return err
}

// WriteStatistics appends an Interface Statistics Block for interface id:
// at time ts, received packets received and dropped packets dropped
// (isb_ifrecv and isb_ifdrop).
func (pw *PcapngWriter) WriteStatistics(id int, ts time.Time, received, dropped uint64) error {
	if id < 0 || id >= len(pw.ifaces) {
		return fmt.Errorf("pcapng: interface %d not added (have %d)", id, len(pw.ifaces))
	}
	ifc := &pw.ifaces[id]
	units, ok := ifc.clock.stamp(ts)
	if !ok {
		return timeRangeError(ts, ifc.TSResol)
	}
	var o optionWriter
	o.be = pw.be
	o.add64(isbIfRecv, received)
	o.add64(isbIfDrop, dropped)
	o.end()
	b := make([]byte, isbFixedLen-4)
	put32(pw.be, b[0:], blockISB)
	put32(pw.be, b[8:], uint32(id))
	put32(pw.be, b[12:], uint32(units>>32))
	put32(pw.be, b[16:], uint32(units))
	return pw.writeBlock(b, o.buf)
}

// Flush writes any buffered data to the underlying io.Writer.
func (pw *PcapngWriter) Flush() error { return pw.w.Flush() }

func timeRangeError(t time.Time, r Resolution) error {
	return fmt.Errorf("pcapng: timestamp %v out of range for resolution %v", t, r)
}
