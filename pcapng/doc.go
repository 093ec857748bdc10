// Package pcapng reads and writes packet capture files as streams: the
// classic libpcap format ("pcap") and pcap next generation ("pcapng"). It is
// dpk's counterpart of DPDK's lib/pcapng (used by dpdk-dumpcap and pdump),
// plus the classic format that DPDK's net_pcap driver reads and writes
// through libpcap; here no libpcap is involved.
//
// # Reading
//
// NewReader looks at the first four bytes of an io.Reader and returns a
// Reader for either format; NewPcapReader and NewPcapngReader take one
// format and return the concrete types, which say more (PcapReader.Header,
// PcapngReader.Section, PcapngReader.PacketOptions).
//
// Two calls read packets. ReadPacket returns the packet's bytes in the
// reader's own buffer, valid until the next call. ReadPacketInto copies the
// packet into a caller's buffer (typically an mbuf's data room); when the
// packet is longer than the buffer it copies what fits and returns n <
// ci.CaptureLength with a nil error, so the caller can drop it or count it,
// and the stream stays on the next packet. Neither allocates: the reader
// keeps one buffer, grown only for a block larger than any before it.
//
// A classic pcap file has one link type and one timestamp resolution, µs or
// ns. A pcapng stream has one or more sections, each with its own byte
// order and interfaces; a packet names its interface (CaptureInfo.
// InterfaceIndex, an index into the current section's interfaces), whose
// Interface says its link type, snapshot length and timestamp resolution
// (if_tsresol, powers of ten or of two; timestamps become time.Time,
// truncated to the nanosecond). Enhanced, Simple and obsolete Packet Blocks
// are read; Name Resolution, Interface Statistics, custom and unknown blocks
// are skipped after checking their length.
//
// # Writing
//
// NewPcapWriter and NewPcapngWriter write the file header (pcap) or the
// Section Header Block and the Interface Description Blocks given by
// WithInterface (pcapng), then WritePacket appends packets;
// PcapngWriter.WritePacketWithOptions adds a comment, epb_flags, a hash or a
// drop count; PcapngWriter.WriteStatistics adds an Interface Statistics
// Block. Writers buffer through bufio and do not allocate per packet: call
// Flush at the end. Files written here open in tshark without warnings.
//
// # Errors and limits
//
// Input is untrusted. A malformed or truncated file gives a *FormatError
// that names the format, the byte offset and the block type or record, and
// what is wrong, e.g.
//
//	pcapng: block at offset 1234 (type 0x00000006): total length 7 too small
//
// It matches ErrMalformed; a truncated file's error also matches
// io.ErrUnexpectedEOF, and a block over the limit ErrTooLarge. io.EOF is
// returned only at a record or block boundary. Errors are sticky: later
// calls return the same error. No length read from a file is trusted for an
// allocation: a block is limited to DefaultMaxBlockSize (16 MiB, see
// WithMaxBlockSize), a classic record to the larger of its snaplen and
// MaxSnapLen, and the buffer grows only as data actually arrives.
//
// # Concurrency
//
// Readers and writers are not safe for concurrent use; give each lcore or
// goroutine its own, or serialise calls.
package pcapng
