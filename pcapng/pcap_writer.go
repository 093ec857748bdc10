package pcapng

import (
	"bufio"
	"fmt"
	"io"
	"math"
)

// PcapWriter writes a classic pcap stream.
type PcapWriter struct {
	w       *bufio.Writer
	be      bool
	nano    bool
	snaplen uint32
	hdr     [pcapRecordHeaderLen]byte
}

// NewPcapWriter writes a classic pcap file header to w and returns a writer
// for packets of the given link type. A snaplen of 0 is written as
// MaxSnapLen. With nanosecond, timestamps are written in nanoseconds (magic
// 0xa1b23c4d), else in microseconds. Options: WithByteOrder, WithBufferSize.
//
// The header is buffered like the packets: call Flush.
func NewPcapWriter(w io.Writer, linktype LinkType, snaplen uint32, nanosecond bool, opts ...WriterOption) (*PcapWriter, error) {
	cfg := newWriterConfig(opts)
	if cfg.section != nil || cfg.interfaces != nil {
		return nil, errPcapngOnly
	}
	if snaplen == 0 {
		snaplen = MaxSnapLen
	}
	pw := &PcapWriter{be: cfg.be, nano: nanosecond, snaplen: snaplen}
	pw.w = newBufWriter(w, cfg.bufSize)
	var h [pcapFileHeaderLen]byte
	magic := uint32(pcapMagicMicro)
	if nanosecond {
		magic = pcapMagicNano
	}
	put32(pw.be, h[0:], magic)
	put16(pw.be, h[4:], 2)
	put16(pw.be, h[6:], 4)
	put32(pw.be, h[16:], snaplen)
	put32(pw.be, h[20:], uint32(linktype))
	if _, err := pw.w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: write file header: %w", err)
	}
	return pw, nil
}

// newBufWriter returns a bufio.Writer of the given size; with size <= 0, one
// so small that every packet goes straight through.
func newBufWriter(w io.Writer, size int) *bufio.Writer {
	if size <= 0 {
		size = 16
	}
	return bufio.NewWriterSize(w, size)
}

// WritePacket appends one packet. The timestamp must lie between 1970 and
// 2106 (the format's 32-bit seconds). Data longer than the snapshot length
// is cut to it.
func (pw *PcapWriter) WritePacket(ci CaptureInfo, data []byte) error {
	sec := ci.Timestamp.Unix()
	if sec < 0 || sec > math.MaxUint32 {
		return fmt.Errorf("pcap: timestamp %v out of range", ci.Timestamp)
	}
	frac := uint32(ci.Timestamp.Nanosecond())
	if !pw.nano {
		frac /= 1000
	}
	origlen := ci.Length
	if origlen == 0 {
		origlen = len(data)
	}
	if origlen < 0 || uint64(origlen) > math.MaxUint32 {
		return fmt.Errorf("pcap: packet length %d: %w", origlen, ErrTooLarge)
	}
	if uint64(len(data)) > uint64(pw.snaplen) {
		data = data[:pw.snaplen]
	}
	h := pw.hdr[:]
	put32(pw.be, h[0:], uint32(sec))
	put32(pw.be, h[4:], frac)
	put32(pw.be, h[8:], uint32(len(data)))
	put32(pw.be, h[12:], uint32(origlen))
	if _, err := pw.w.Write(h); err != nil {
		return err
	}
	_, err := pw.w.Write(data)
	return err
}

// Flush writes any buffered data to the underlying io.Writer.
func (pw *PcapWriter) Flush() error { return pw.w.Flush() }
