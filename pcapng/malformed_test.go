package pcapng

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestMalformed feeds hostile input and checks the error names the offset,
// the block or record, and the problem.
func TestMalformed(t *testing.T) {
	le := binary.LittleEndian
	pcapHdr := func(snaplen uint32) *blockBuilder {
		b := &blockBuilder{o: le}
		return b.u32(pcapMagicMicro).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(1)
	}
	ng := func() *blockBuilder {
		b := &blockBuilder{o: le}
		b.block(blockSHB, shbBody(le))
		return b.block(blockIDB, idbBody(le, LinkTypeEthernet, 0))
	}
	// Offsets: the SHB is 28 bytes, the IDB 20, so the first block after
	// them starts at 48.
	for _, tc := range []struct {
		name string
		in   []byte
		want string // substring of the error
		cons bool   // the error comes from the constructor
		eof  bool   // the error wraps io.ErrUnexpectedEOF
		big  bool   // the error wraps ErrTooLarge
		ng   bool   // use NewPcapngReader, not NewReader
	}{
		{name: "pcap short header", in: pcapHdr(65535).buf[:20], want: "pcap: file header at offset 0: truncated", cons: true, eof: true},
		{name: "pcap version", in: func() []byte {
			b := pcapHdr(65535).buf
			b[4] = 3
			return b
		}(), want: "unsupported version 3.4", cons: true},
		{name: "pcap short record header", in: pcapHdr(65535).u32(1).u32(2).buf,
			want: "pcap: record at offset 24: truncated record header", eof: true},
		{name: "pcap short record data", in: pcapHdr(65535).u32(1).u32(2).u32(60).u32(60).raw(make([]byte, 30)).buf,
			want: "pcap: record at offset 24: caplen 60: truncated packet data", eof: true},
		{name: "pcap caplen over limit", in: pcapHdr(65535).u32(1).u32(2).u32(300000).u32(300000).buf,
			want: "pcap: record at offset 24: caplen 300000 exceeds limit 262144 (snaplen 65535)", big: true},
		{name: "pcap caplen huge", in: pcapHdr(0xffffffff).u32(1).u32(2).u32(0xfffffff0).u32(60).buf,
			want: "caplen 4294967280 exceeds limit 16777200", big: true},
		{name: "pcapng bad BOM", in: (&blockBuilder{o: le}).u32(blockSHB).u32(28).u32(0x11223344).buf,
			want: "pcapng: block at offset 0 (type 0x0a0d0d0a): bad byte-order magic 0x44332211", cons: true},
		{name: "pcapng SHB version", in: func() []byte {
			b := shbBody(le)
			b[4] = 2
			return (&blockBuilder{o: le}).block(blockSHB, b).buf
		}(), want: "unsupported version 2.0", cons: true},
		{name: "pcapng SHB too small", in: (&blockBuilder{o: le}).block(blockSHB, le.AppendUint32(nil, byteOrderMagic)).buf,
			want: "(type 0x0a0d0d0a): total length 16 too small", cons: true},
		{name: "pcapng short SHB", in: (&blockBuilder{o: le}).block(blockSHB, shbBody(le)).buf[:20],
			want: "block at offset 0 (type 0x0a0d0d0a): total length 28: truncated block", cons: true, eof: true},
		{name: "pcapng not SHB", in: (&blockBuilder{o: le}).block(blockEPB, make([]byte, 20)).buf,
			want: "pcapng: block at offset 0 (type 0x00000006): file does not start with a section header", cons: true, ng: true},
		{name: "pcapng total length 7", in: ng().u32(blockEPB).u32(7).raw(make([]byte, 8)).buf,
			want: "pcapng: block at offset 48 (type 0x00000006): total length 7 too small"},
		{name: "pcapng total length unaligned", in: ng().u32(blockEPB).u32(33).raw(make([]byte, 40)).buf,
			want: "block at offset 48 (type 0x00000006): total length 33 not a multiple of 4"},
		{name: "pcapng total length huge", in: ng().u32(blockEPB).u32(0xfffffff0).raw(make([]byte, 40)).buf,
			want: "block at offset 48 (type 0x00000006): total length 4294967280 exceeds limit 16777216", big: true},
		{name: "pcapng trailing length", in: ng().u32(blockNRB).u32(16).u32(0).u32(20).buf,
			want: "block at offset 48 (type 0x00000004): trailing length 20 differs from leading 16"},
		{name: "pcapng truncated block", in: ng().u32(blockEPB).u32(64).raw(make([]byte, 20)).buf,
			want: "block at offset 48 (type 0x00000006): total length 64: truncated block", eof: true},
		{name: "pcapng truncated block header", in: ng().u32(blockEPB).u16(0).buf,
			want: "block at offset 48 (type 0x00000000): truncated block header", eof: true},
		{name: "pcapng EPB too small", in: ng().block(blockEPB, make([]byte, 12)).buf,
			want: "block at offset 48 (type 0x00000006): total length 24 too small"},
		{name: "pcapng EPB caplen", in: ng().block(blockEPB, func() []byte {
			b := epbBody(le, 0, 0, nil, 0)
			le.PutUint32(b[12:], 100)
			return b
		}()).buf,
			want: "(type 0x00000006): caplen 100 exceeds the 0 bytes of packet data the block holds"},
		{name: "pcapng EPB interface", in: ng().block(blockEPB, epbBody(le, 3, 0, []byte{1}, 1)).buf,
			want: "(type 0x00000006): interface 3 not defined (section has 1)"},
		{name: "pcapng EPB option length", in: ng().block(blockEPB, epbBody(le, 0, 0, []byte{1}, 1, le.AppendUint16(le.AppendUint16(nil, 1), 200))).buf,
			want: "block at offset 48 (type 0x00000006): option 1 at offset 80: length 200 exceeds the 0 bytes left in the block"},
		{name: "pcapng EPB flags length", in: ng().block(blockEPB, epbBody(le, 0, 0, []byte{1}, 1, opt(le, epbFlags, []byte{1, 2}))).buf,
			want: "epb_flags length 2, want 4"},
		{name: "pcapng EPB dropcount length", in: ng().block(blockEPB, epbBody(le, 0, 0, []byte{1}, 1, opt(le, epbDropCount, []byte{1, 2, 3, 4}))).buf,
			want: "epb_dropcount length 4, want 8"},
		{name: "pcapng EPB queue length", in: ng().block(blockEPB, epbBody(le, 0, 0, []byte{1}, 1, opt(le, epbQueue, []byte{1, 2}))).buf,
			want: "epb_queue length 2, want 4"},
		{name: "pcapng EPB packetid length", in: ng().block(blockEPB, epbBody(le, 0, 0, []byte{1}, 1, opt(le, epbPacketID, []byte{1, 2}))).buf,
			want: "epb_packetid length 2, want 8"},
		{name: "pcapng IDB too small", in: ng().block(blockIDB, make([]byte, 4)).buf,
			want: "block at offset 48 (type 0x00000001): total length 16 too small"},
		{name: "pcapng IDB tsresol", in: ng().block(blockIDB, idbBody(le, 1, 0, opt(le, ifTSResol, []byte{0x80 | 64}))).buf,
			want: "if_tsresol 0xc0 (2^-64) not supported"},
		{name: "pcapng IDB tsresol decimal", in: ng().block(blockIDB, idbBody(le, 1, 0, opt(le, ifTSResol, []byte{20}))).buf,
			want: "if_tsresol 0x14 (10^-20) not supported"},
		{name: "pcapng IDB tsresol length", in: ng().block(blockIDB, idbBody(le, 1, 0, opt(le, ifTSResol, []byte{6, 6}))).buf,
			want: "if_tsresol length 2, want 1"},
		{name: "pcapng IDB tsoffset length", in: ng().block(blockIDB, idbBody(le, 1, 0, opt(le, ifTSOffset, []byte{6}))).buf,
			want: "if_tsoffset length 1, want 8"},
		{name: "pcapng IDB option overrun", in: ng().block(blockIDB, idbBody(le, 1, 0, le.AppendUint16(le.AppendUint16(nil, 2), 9), []byte{'a', 'b', 'c', 'd'})).buf,
			want: "block at offset 48 (type 0x00000001): option 2 at offset 64: length 9 exceeds the 4 bytes left"},
		{name: "pcapng SHB option overrun", in: (&blockBuilder{o: le}).block(blockSHB, append(shbBody(le), le.AppendUint16(le.AppendUint16(nil, 3), 40)...)).buf,
			want: "block at offset 0 (type 0x0a0d0d0a): option 3 at offset 24: length 40", cons: true},
		{name: "pcapng SPB without interface", in: (&blockBuilder{o: le}).block(blockSHB, shbBody(le)).block(blockSPB, le.AppendUint32(nil, 0)).buf,
			want: "block at offset 28 (type 0x00000003): simple packet block before any interface"},
		{name: "pcapng SPB length", in: ng().block(blockSPB, append(le.AppendUint32(nil, 9), 1, 2, 3, 4)).buf,
			want: "(type 0x00000003): packet length 9 exceeds the 4 bytes"},
		{name: "pcapng SPB too small", in: ng().block(blockSPB, nil).buf,
			want: "(type 0x00000003): total length 12 too small"},
		{name: "pcapng PB too small", in: ng().block(blockPB, make([]byte, 8)).buf,
			want: "(type 0x00000002): total length 20 too small"},
		{name: "pcapng second SHB bad BOM", in: ng().u32(blockSHB).u32(28).u32(0).buf,
			want: "block at offset 48 (type 0x0a0d0d0a): bad byte-order magic"},
		{name: "pcapng second SHB truncated", in: ng().u32(blockSHB).u32(28).buf,
			want: "block at offset 48 (type 0x0a0d0d0a): truncated section header", eof: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Reader
			var err error
			if tc.ng {
				r, err = NewPcapngReader(bytes.NewReader(tc.in))
			} else {
				r, err = NewReader(bytes.NewReader(tc.in))
			}
			if err == nil {
				if tc.cons {
					t.Fatal("constructor succeeded")
				}
				for range 10 {
					if _, _, err = r.ReadPacket(); err != nil {
						break
					}
				}
				// Errors are sticky.
				if _, _, err2 := r.ReadPacket(); err2 != err {
					t.Errorf("second call: %v", err2)
				}
			} else if !tc.cons {
				t.Fatalf("constructor: %v", err)
			}
			if err == nil || err == io.EOF {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %q, want %q", err, tc.want)
			}
			if !isMalformed(err) {
				t.Errorf("%v is not a *FormatError matching ErrMalformed", err)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tc.eof {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v", got)
			}
			if got := errors.Is(err, ErrTooLarge); got != tc.big {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v", got)
			}
		})
	}
}

// TestTruncatedEverywhere cuts valid files at every byte: reading must end
// in io.EOF exactly at record and block boundaries, else in an error
// wrapping io.ErrUnexpectedEOF, after the packets wholly present.
func TestTruncatedEverywhere(t *testing.T) {
	pkts := synthPackets(6, 2)
	for i := range pkts {
		pkts[i].data = pkts[i].data[:min(len(pkts[i].data), 70)]
		pkts[i].ci.Length = 0
	}
	var ngBuf bytes.Buffer
	w, err := NewPcapngWriter(&ngBuf, WithInterface(Interface{LinkType: 1, Name: "x"}), WithInterface(Interface{LinkType: 1}))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		if err := w.WritePacketWithOptions(p.ci, p.data, PacketOptions{Comment: []byte("c"), Flags: uint32(i)}); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if err := w.WriteStatistics(1, time.Unix(1700000000, 0), 5, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range pkts {
		pkts[i].ci.InterfaceIndex = 0
	}
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"pcap", writeFile(t, FormatPcap, pkts)},
		{"pcapng", ngBuf.Bytes()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Boundaries: where a clean io.EOF is allowed, and how
			// many packets end at or before each.
			full := readAllBytes(t, tc.file)
			for n := 0; n < len(tc.file); n++ {
				r, err := NewReader(bytes.NewReader(tc.file[:n]))
				if err != nil {
					if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrUnknownFormat) {
						t.Fatalf("cut at %d: constructor: %v", n, err)
					}
					continue
				}
				count := 0
				for {
					_, _, err = r.ReadPacket()
					if err != nil {
						break
					}
					count++
				}
				if count > len(full) {
					t.Fatalf("cut at %d: %d packets", n, count)
				}
				if err == io.EOF {
					// Must be a boundary: the rest of the file
					// must still parse from here.
					if !isBoundary(t, tc.file, n) {
						t.Fatalf("cut at %d: clean io.EOF inside a block", n)
					}
					continue
				}
				if !errors.Is(err, io.ErrUnexpectedEOF) || !isMalformed(err) {
					t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", n, err)
				}
			}
		})
	}
}

// isBoundary reports whether n is the offset of a record or block in file,
// by walking the file's structure independently of the reader.
func isBoundary(t *testing.T, file []byte, n int) bool {
	le := binary.LittleEndian
	if le.Uint32(file) == blockSHB {
		for off := 0; off <= len(file); {
			if off == n {
				return true
			}
			if off == len(file) {
				break
			}
			off += int(le.Uint32(file[off+4:]))
		}
		return false
	}
	for off := 24; off <= len(file); {
		if off == n {
			return true
		}
		if off == len(file) {
			break
		}
		off += 16 + int(le.Uint32(file[off+8:]))
	}
	return false
}

// TestReaderOddReaders reads through io.Readers that return one byte at a
// time, data with io.EOF, and errors.
func TestReaderOddReaders(t *testing.T) {
	pkts := synthPackets(20, 1)
	for _, format := range []Format{FormatPcap, FormatPcapng} {
		file := writeFile(t, format, pkts)
		t.Run(format.String()+"/onebyte", func(t *testing.T) {
			r, err := NewReader(&oneByteReader{b: file})
			if err != nil {
				t.Fatal(err)
			}
			samePackets(t, readAll(t, r), pkts, 0)
		})
		t.Run(format.String()+"/dataEOF", func(t *testing.T) {
			r, err := NewReader(&dataEOFReader{b: file})
			if err != nil {
				t.Fatal(err)
			}
			samePackets(t, readAll(t, r), pkts, 0)
		})
		t.Run(format.String()+"/error", func(t *testing.T) {
			r, err := NewReader(io.MultiReader(bytes.NewReader(file[:len(file)-10]), errReader{}))
			if err != nil {
				t.Fatal(err)
			}
			for err == nil {
				_, _, err = r.ReadPacket()
			}
			if !errors.Is(err, io.ErrClosedPipe) {
				t.Fatalf("err = %v, want the reader's error", err)
			}
		})
		t.Run(format.String()+"/noprogress", func(t *testing.T) {
			if _, err := NewReader(zeroReader{}); !errors.Is(err, io.ErrNoProgress) {
				t.Fatalf("err = %v, want io.ErrNoProgress", err)
			}
		})
	}
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

type dataEOFReader struct{ b []byte }

func (r *dataEOFReader) Read(p []byte) (int, error) {
	n := copy(p, r.b)
	r.b = r.b[n:]
	if len(r.b) == 0 {
		return n, io.EOF
	}
	return n, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

// TestBufferBounded checks that the reader's buffer stays within its limit
// and grows with the data, not with what a length field claims.
func TestBufferBounded(t *testing.T) {
	le := binary.LittleEndian
	var b blockBuilder
	b.o = le
	b.block(blockSHB, shbBody(le)).block(blockIDB, idbBody(le, 1, 0))
	b.u32(blockEPB).u32(16 << 20).raw(make([]byte, 100)) // claims 16 MiB, has 100 bytes
	r, err := NewPcapngReader(bytes.NewReader(b.buf))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.ReadPacket(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
	if c := cap(r.in.buf); c > initialBufSize {
		t.Fatalf("buffer grew to %d for 100 bytes of data", c)
	}

	// A real 1 MiB block with a 256 KiB limit is refused, and the buffer
	// stays within the limit.
	b.buf = b.buf[:0]
	b.block(blockSHB, shbBody(le)).block(blockIDB, idbBody(le, 1, 0))
	b.block(blockEPB, epbBody(le, 0, 0, make([]byte, 1<<20), 1<<20))
	r, err = NewPcapngReader(bytes.NewReader(b.buf), WithMaxBlockSize(256<<10))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.ReadPacket(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	// ... and read with the default limit.
	r, err = NewPcapngReader(bytes.NewReader(b.buf))
	if err != nil {
		t.Fatal(err)
	}
	if p, _, err := r.ReadPacket(); err != nil || len(p) != 1<<20 {
		t.Fatalf("1 MiB packet: %d bytes, %v", len(p), err)
	}
	if c := cap(r.in.buf); c > 2<<20 {
		t.Fatalf("buffer %d bytes for a 1 MiB block", c)
	}
}
