package pcapng

import (
	"fmt"
	"io"
	"time"
)

// Format names a capture file format.
type Format uint8

// The capture file formats this package reads and writes.
const (
	FormatPcap   Format = iota + 1 // classic libpcap format
	FormatPcapng                   // pcap next generation
)

// String returns "pcap" or "pcapng".
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapng:
		return "pcapng"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// LinkType is a LINKTYPE_ value from the tcpdump.org registry: the link-layer
// header type of the packets of a pcap file or of a pcapng interface. Values
// this package has no name for are kept and written back unchanged.
type LinkType uint32

// A few common link types.
const (
	LinkTypeNull     LinkType = 0   // BSD loopback
	LinkTypeEthernet LinkType = 1   // IEEE 802.3 Ethernet
	LinkTypePPP      LinkType = 9   // PPP
	LinkTypeRaw      LinkType = 101 // raw IPv4 or IPv6
	LinkTypeLinuxSLL LinkType = 113 // Linux "cooked" capture
	LinkTypeIPv4     LinkType = 228 // raw IPv4
	LinkTypeIPv6     LinkType = 229 // raw IPv6
)

// String returns the link type's name, or its number.
func (l LinkType) String() string {
	switch l {
	case LinkTypeNull:
		return "NULL"
	case LinkTypeEthernet:
		return "ETHERNET"
	case LinkTypePPP:
		return "PPP"
	case LinkTypeRaw:
		return "RAW"
	case LinkTypeLinuxSLL:
		return "LINUX_SLL"
	case LinkTypeIPv4:
		return "IPV4"
	case LinkTypeIPv6:
		return "IPV6"
	}
	return fmt.Sprintf("LinkType(%d)", uint32(l))
}

// MaxSnapLen is the largest snapshot length libpcap uses (256 KiB). A classic
// pcap reader accepts records up to the larger of this and the file's snaplen.
const MaxSnapLen = 262144

// DefaultMaxBlockSize is the default limit on the size of one pcapng block or
// one classic pcap record (header included) a reader accepts. A reader never
// allocates more than about this much, whatever a file claims.
const DefaultMaxBlockSize = 16 << 20

// CaptureInfo is the metadata of one captured packet.
type CaptureInfo struct {
	// Timestamp is when the packet was captured, in UTC. A pcapng
	// timestamp finer than a nanosecond is truncated to the nanosecond.
	Timestamp time.Time
	// CaptureLength is the number of bytes of the packet in the file.
	// On write it is ignored: len(data) is used.
	CaptureLength int
	// Length is the packet's length on the wire; it may exceed
	// CaptureLength when the packet was cut to the snapshot length. On
	// write, zero means len(data).
	Length int
	// InterfaceIndex is the pcapng interface the packet came from, an index
	// into the current section's interfaces; always 0 for classic pcap.
	InterfaceIndex int
}

// Reader reads packets from a pcap or pcapng stream. It is implemented by
// *PcapReader and *PcapngReader; NewReader picks one by the file's magic.
//
// A Reader is not safe for concurrent use.
type Reader interface {
	// ReadPacket returns the next packet's data and metadata. The data is
	// valid only until the next call on the Reader; it must not be
	// modified. At the end of the stream, at a record or block boundary,
	// it returns io.EOF.
	ReadPacket() (data []byte, ci CaptureInfo, err error)

	// ReadPacketInto copies the next packet into dst and returns its
	// metadata and the number of bytes copied. It does not allocate.
	//
	// If the packet is longer than dst, the first len(dst) bytes are
	// copied, the rest is dropped, n < ci.CaptureLength tells the caller,
	// and err is nil: the stream stays positioned on the next packet.
	// (A caller that wants the whole of a long packet uses ReadPacket.)
	ReadPacketInto(dst []byte) (ci CaptureInfo, n int, err error)

	// LinkType is the link type of a pcap file, or of interface 0 of the
	// current pcapng section (LinkTypeNull if it has none).
	LinkType() LinkType

	// Interface describes interface id of the current section. A classic
	// pcap file has one interface, 0, made from its file header.
	Interface(id int) (Interface, bool)

	// Format reports the file's format.
	Format() Format
}

// Writer writes packets to a pcap or pcapng stream. It is implemented by
// *PcapWriter and *PcapngWriter.
//
// Writes are buffered: call Flush when done. A Writer is not safe for
// concurrent use.
type Writer interface {
	// WritePacket appends one packet. Data longer than the snapshot
	// length is cut to it; ci.Length (or len(data) when zero) is kept as
	// the original length.
	WritePacket(ci CaptureInfo, data []byte) error
	// Flush writes any buffered data to the underlying io.Writer.
	Flush() error
}

var (
	_ Reader = (*PcapReader)(nil)
	_ Reader = (*PcapngReader)(nil)
	_ Writer = (*PcapWriter)(nil)
	_ Writer = (*PcapngWriter)(nil)
)

// ReaderOption configures a reader.
type ReaderOption func(*readerConfig)

type readerConfig struct {
	maxBlock int
}

func newReaderConfig(opts []ReaderOption) readerConfig {
	c := readerConfig{maxBlock: DefaultMaxBlockSize}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithMaxBlockSize sets the largest pcapng block, or classic pcap record
// including its 16-byte header, a reader accepts (DefaultMaxBlockSize by
// default). A longer one is an error wrapping ErrTooLarge. Values below 64
// KiB are raised to 64 KiB. The reader's internal buffer never grows beyond
// this limit.
func WithMaxBlockSize(n int) ReaderOption {
	return func(c *readerConfig) {
		c.maxBlock = max(n, minMaxBlock)
	}
}

const minMaxBlock = 64 << 10

// NewReader returns a reader for the pcap or pcapng stream r, chosen by the
// stream's first four bytes. It fails with ErrUnknownFormat when they are
// neither a pcap nor a pcapng magic number.
func NewReader(r io.Reader, opts ...ReaderOption) (Reader, error) {
	cfg := newReaderConfig(opts)
	in := newInput(r, cfg.maxBlock)
	b, err := in.peek(4)
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("pcapng: empty stream: %w", ErrUnknownFormat)
		}
		return nil, &FormatError{Format: FormatPcap, What: "file header", Msg: "truncated magic", Err: unexpected(err)}
	}
	switch {
	case isPcapMagic(b):
		return newPcapReader(in)
	case isPcapngMagic(b):
		return newPcapngReader(in)
	}
	return nil, fmt.Errorf("pcapng: magic %#x: %w", b, ErrUnknownFormat)
}
