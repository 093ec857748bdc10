package pcapng

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// synthPackets returns n packets of assorted sizes (0 to 1600 bytes) with
// nanosecond timestamps, spread over interfaces interfaces.
func synthPackets(n, interfaces int) []packet {
	base := time.Date(2024, 5, 17, 12, 34, 56, 123456789, time.UTC)
	pkts := make([]packet, n)
	for i := range pkts {
		size := (i * 397) % 1601
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(i + j*7)
		}
		length := size
		if i%5 == 1 {
			length += 100 // as if cut to a snapshot length
		}
		pkts[i] = packet{data: data, ci: CaptureInfo{
			Timestamp:      base.Add(time.Duration(i) * 1234567891),
			CaptureLength:  size,
			Length:         length,
			InterfaceIndex: i % interfaces,
		}}
	}
	return pkts
}

func truncTimes(pkts []packet, d time.Duration) []packet {
	out := make([]packet, len(pkts))
	for i, p := range pkts {
		p.ci.Timestamp = p.ci.Timestamp.Truncate(d)
		out[i] = p
	}
	return out
}

func TestPcapRoundTrip(t *testing.T) {
	pkts := synthPackets(50, 1)
	for _, tc := range []struct {
		name  string
		nano  bool
		order binary.ByteOrder
		magic []byte
	}{
		{"usec-le", false, binary.LittleEndian, []byte{0xd4, 0xc3, 0xb2, 0xa1}},
		{"usec-be", false, binary.BigEndian, []byte{0xa1, 0xb2, 0xc3, 0xd4}},
		{"nsec-le", true, binary.LittleEndian, []byte{0x4d, 0x3c, 0xb2, 0xa1}},
		{"nsec-be", true, binary.BigEndian, []byte{0xa1, 0xb2, 0x3c, 0x4d}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewPcapWriter(&buf, LinkTypeEthernet, 65535, tc.nano, WithByteOrder(tc.order))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pkts {
				if err := w.WritePacket(p.ci, p.data); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.Bytes()[:4]; !bytes.Equal(got, tc.magic) {
				t.Fatalf("magic % x, want % x", got, tc.magic)
			}
			r, err := NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			pr := r.(*PcapReader)
			h := pr.Header()
			if h.ByteOrder != tc.order || h.Nanosecond != tc.nano || h.SnapLen != 65535 || h.LinkType != LinkTypeEthernet ||
				h.VersionMajor != 2 || h.VersionMinor != 4 || r.Format() != FormatPcap || r.LinkType() != LinkTypeEthernet {
				t.Fatalf("header %+v", h)
			}
			ifc, ok := r.Interface(0)
			wantRes := ResolutionMicro
			if tc.nano {
				wantRes = ResolutionNano
			}
			if !ok || ifc.TSResol != wantRes || ifc.SnapLen != 65535 {
				t.Fatalf("Interface(0) = %+v, %v", ifc, ok)
			}
			if _, ok := r.Interface(1); ok {
				t.Fatal("Interface(1) exists")
			}
			want := pkts
			if !tc.nano {
				want = truncTimes(pkts, time.Microsecond)
			}
			samePackets(t, readAll(t, r), want, 0)
		})
	}
}

func TestPcapWriterSnaplen(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf, LinkTypeRaw, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 300)
	ts := time.Unix(1700000000, 5000)
	if err := w.WritePacket(CaptureInfo{Timestamp: ts}, data); err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(CaptureInfo{Timestamp: time.Unix(-1, 0)}, data); err == nil {
		t.Fatal("timestamp before 1970 accepted")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got := readAllBytes(t, buf.Bytes())
	if len(got) != 1 || got[0].ci.CaptureLength != 100 || got[0].ci.Length != 300 || !got[0].ci.Timestamp.Equal(ts) {
		t.Fatalf("got %+v", got)
	}
	if _, err := NewPcapWriter(&buf, LinkTypeRaw, 0, false, WithInterface(Interface{})); err == nil {
		t.Fatal("pcapng option accepted by pcap writer")
	}
}

// naivePcap decodes a classic pcap file the simplest way, as a reference;
// it returns false for pcapng.
func naivePcap(t *testing.T, b []byte) ([]packet, bool) {
	t.Helper()
	var o binary.ByteOrder = binary.LittleEndian
	switch binary.BigEndian.Uint32(b) {
	case pcapMagicMicro, pcapMagicNano:
		o = binary.BigEndian
	case blockSHB:
		return nil, false
	}
	scale := int64(1000)
	if o.Uint32(b) == pcapMagicNano {
		scale = 1
	}
	var pkts []packet
	for off := 24; off < len(b); {
		h := b[off : off+16]
		caplen := int(o.Uint32(h[8:]))
		pkts = append(pkts, packet{
			data: b[off+16 : off+16+caplen],
			ci: CaptureInfo{
				Timestamp:     time.Unix(int64(o.Uint32(h)), int64(o.Uint32(h[4:]))*scale),
				CaptureLength: caplen,
				Length:        int(o.Uint32(h[12:])),
			},
		})
		off += 16 + caplen
	}
	return pkts, true
}

// TestReadSharedCaptures reads every capture of the shared data set and
// compares it with a naive decoding; it also reads each with ReadPacketInto.
func TestReadSharedCaptures(t *testing.T) {
	total := 0
	for _, f := range sharedCaptures(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(pcapDir(t), f)
		t.Run(name, func(t *testing.T) {
			got := readAllBytes(t, b)
			want, ok := naivePcap(t, b)
			if !ok {
				want = got // pcapng: checked by reading alone
			}
			samePackets(t, got, want, 0)
			total += len(got)

			r, err := NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]byte, 2048)
			for i := 0; ; i++ {
				ci, n, err := r.ReadPacketInto(dst)
				if err == io.EOF {
					if i != len(want) {
						t.Fatalf("ReadPacketInto: %d packets, want %d", i, len(want))
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if n != min(len(dst), want[i].ci.CaptureLength) || ci.CaptureLength != want[i].ci.CaptureLength {
					t.Fatalf("packet %d: n %d caplen %d, want caplen %d", i, n, ci.CaptureLength, want[i].ci.CaptureLength)
				}
				if !bytes.Equal(dst[:n], want[i].data[:n]) {
					t.Fatalf("packet %d: data differs", i)
				}
			}
		})
	}
	t.Logf("%d packets", total)
}

// TestReadPacketIntoShort checks that a packet longer than dst is cut, is
// detectable, and leaves the stream on the next packet.
func TestReadPacketIntoShort(t *testing.T) {
	pkts := []packet{
		{data: bytes.Repeat([]byte{1}, 1514), ci: CaptureInfo{Timestamp: time.Unix(1, 0)}},
		{data: bytes.Repeat([]byte{2}, 60), ci: CaptureInfo{Timestamp: time.Unix(2, 0)}},
	}
	for _, format := range []Format{FormatPcap, FormatPcapng} {
		t.Run(format.String(), func(t *testing.T) {
			b := writeFile(t, format, pkts)
			r, err := NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]byte, 100)
			ci, n, err := r.ReadPacketInto(dst)
			if err != nil || n != 100 || ci.CaptureLength != 1514 || ci.Length != 1514 || dst[99] != 1 {
				t.Fatalf("first: n %d ci %+v err %v", n, ci, err)
			}
			ci, n, err = r.ReadPacketInto(dst)
			if err != nil || n != 60 || ci.CaptureLength != 60 || dst[0] != 2 {
				t.Fatalf("second: n %d ci %+v err %v", n, ci, err)
			}
			if _, _, err = r.ReadPacketInto(dst); err != io.EOF {
				t.Fatalf("third: %v, want io.EOF", err)
			}
		})
	}
}

// writeFile writes pkts in format (pcapng: one Ethernet interface, ns).
func writeFile(t testing.TB, format Format, pkts []packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w Writer
	var err error
	if format == FormatPcap {
		w, err = NewPcapWriter(&buf, LinkTypeEthernet, 0, true)
	} else {
		w, err = NewPcapngWriter(&buf, WithInterface(Interface{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}))
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if err := w.WritePacket(p.ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPcapOldVersionSwap(t *testing.T) {
	// Version 2.2 files may have caplen and len swapped; libpcap swaps
	// them back when caplen > len.
	var b blockBuilder
	b.o = binary.LittleEndian
	b.u32(pcapMagicMicro).u16(2).u16(2).u32(0).u32(0).u32(65535).u32(1)
	b.u32(10).u32(20).u32(64).u32(4).raw(make([]byte, 4))
	got := readAllBytes(t, b.buf)
	if len(got) != 1 || got[0].ci.CaptureLength != 4 || got[0].ci.Length != 64 {
		t.Fatalf("got %+v", got)
	}
}

func TestPcapHeaderFCS(t *testing.T) {
	var b blockBuilder
	b.o = binary.BigEndian
	b.u32(pcapMagicNano).u16(2).u16(4).u32(0).u32(0).u32(1500).u32(0x3<<28 | 1)
	r, err := NewPcapReader(bytes.NewReader(b.buf))
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != LinkTypeEthernet {
		t.Fatalf("link type %v", r.LinkType())
	}
	if n, ok := r.Header().FCSLen(); !ok || n != 2 {
		t.Fatalf("FCSLen %d %v", n, ok)
	}
	if _, _, err := r.ReadPacket(); err != io.EOF {
		t.Fatalf("empty file: %v, want io.EOF", err)
	}
}

func TestNewReaderUnknown(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("GIF89a......................")} {
		if _, err := NewReader(bytes.NewReader(in)); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%q: %v, want ErrUnknownFormat", in, err)
		}
	}
}
