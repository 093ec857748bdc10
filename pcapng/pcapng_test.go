package pcapng

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"time"
)

func TestPcapngRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		order  binary.ByteOrder
		ifaces []Interface
		tol    time.Duration // timestamp resolution
		opts   bool          // write comments and flags
	}{
		{"le-micro", binary.LittleEndian, []Interface{{LinkType: LinkTypeEthernet}}, time.Microsecond, false},
		{"be-micro", binary.BigEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: ResolutionMicro}}, time.Microsecond, false},
		{"le-nano", binary.LittleEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}}, 0, false},
		{"be-nano", binary.BigEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}}, 0, false},
		{"le-bin20", binary.LittleEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: BinaryResolution(20)}}, time.Microsecond, false},
		{"be-bin20", binary.BigEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: BinaryResolution(20)}}, time.Microsecond, false},
		{"le-pico", binary.LittleEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: DecimalResolution(12), TSOffset: 1715000000}}, 0, false},
		{"le-bin32", binary.LittleEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: BinaryResolution(32)}}, time.Nanosecond, false},
		{"le-comments-flags", binary.LittleEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}}, 0, true},
		{"be-comments-flags", binary.BigEndian, []Interface{{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}}, 0, true},
		{"le-multi", binary.LittleEndian, []Interface{
			{LinkType: LinkTypeEthernet, Name: "eth0", Description: "port 0", TSResol: ResolutionNano, SnapLen: 65535},
			{LinkType: LinkTypeRaw, Name: "tun0", TSResol: ResolutionMicro},
			{LinkType: LinkTypeEthernet, Name: "net_ring0", TSResol: BinaryResolution(20), OS: "Linux", Comment: "third",
				TSOffset: 3600, Options: []Option{{Code: 8, Value: []byte{0, 0xca, 0x9a, 0x3b, 0, 0, 0, 0}}}},
		}, time.Microsecond, true},
		{"be-multi", binary.BigEndian, []Interface{
			{LinkType: LinkTypeEthernet, Name: "eth0", TSResol: ResolutionNano},
			{LinkType: LinkTypePPP, Name: "ppp0", TSResol: DecimalResolution(3)},
		}, time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkts := synthPackets(60, len(tc.ifaces))
			sect := Section{Hardware: "x86_64", OS: "Linux 6.1", UserAppl: "dpk test", Comment: "round trip",
				Options: []Option{{Code: 0x8001, Value: []byte("custom")}}}
			opts := []WriterOption{WithByteOrder(tc.order), WithSection(sect)}
			for _, ifc := range tc.ifaces {
				opts = append(opts, WithInterface(ifc))
			}
			var buf bytes.Buffer
			w, err := NewPcapngWriter(&buf, opts...)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pkts {
				var o PacketOptions
				if tc.opts {
					if i%3 == 0 {
						o.Comment = []byte("packet comment " + string(rune('a'+i%26)))
					}
					if i%2 == 0 {
						o.Flags, o.HasFlags = FlagsInbound|uint32(i)<<16, true
					}
					if i%7 == 0 {
						o.DropCount, o.HasDropCount = uint64(i), true
						o.Hash = []byte{2, 0xde, 0xad, 0xbe, 0xef}
						o.PacketID, o.HasPacketID = uint64(i)<<40, true
					}
					if i%4 == 1 {
						o.Queue, o.HasQueue = uint32(i), true
					}
					pkts[i].opts = o
				}
				if err := w.WritePacketWithOptions(p.ci, p.data, o); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if buf.Len()%4 != 0 {
				t.Fatalf("file length %d not a multiple of 4", buf.Len())
			}
			r, err := NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			ng := r.(*PcapngReader)
			s := ng.Section()
			if s.ByteOrder != tc.order || s.VersionMajor != 1 || s.VersionMinor != 0 || s.Length != -1 ||
				s.Hardware != sect.Hardware || s.OS != sect.OS || s.UserAppl != sect.UserAppl || s.Comment != sect.Comment ||
				len(s.Options) != 1 || s.Options[0].Code != 0x8001 || string(s.Options[0].Value) != "custom" {
				t.Fatalf("section %+v", s)
			}
			if ng.NumInterfaces() != len(tc.ifaces) || r.LinkType() != tc.ifaces[0].LinkType {
				t.Fatalf("%d interfaces, link type %v before the first packet", ng.NumInterfaces(), r.LinkType())
			}
			for i, want := range tc.ifaces {
				got, ok := r.Interface(i)
				if want.TSResol == 0 {
					want.TSResol = ResolutionMicro
				}
				if !ok || got.LinkType != want.LinkType || got.SnapLen != want.SnapLen || got.Name != want.Name ||
					got.Description != want.Description || got.OS != want.OS || got.Comment != want.Comment ||
					got.TSResol != want.TSResol || got.TSOffset != want.TSOffset || len(got.Options) != len(want.Options) {
					t.Fatalf("interface %d: %+v, want %+v", i, got, want)
				}
				for j := range got.Options {
					if got.Options[j].Code != want.Options[j].Code || !bytes.Equal(got.Options[j].Value, want.Options[j].Value) {
						t.Fatalf("interface %d option %d: %+v", i, j, got.Options[j])
					}
				}
			}
			got := readAll(t, r)
			want := pkts
			if tc.tol > 0 {
				want = truncTimes(pkts, tc.tol)
			}
			samePackets(t, got, want, tc.tol)
			for i := range got {
				g, w := got[i].opts, pkts[i].opts
				if !bytes.Equal(g.Comment, w.Comment) || g.Flags != w.Flags || g.HasFlags != w.HasFlags ||
					g.DropCount != w.DropCount || g.HasDropCount != w.HasDropCount || !bytes.Equal(g.Hash, w.Hash) ||
					g.PacketID != w.PacketID || g.HasPacketID != w.HasPacketID || g.Queue != w.Queue || g.HasQueue != w.HasQueue {
					t.Fatalf("packet %d options %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestResolutionConversions(t *testing.T) {
	ts := time.Date(2030, 1, 2, 3, 4, 5, 987654321, time.UTC)
	for _, tc := range []struct {
		res    Resolution
		offset int64
		want   uint64
		back   time.Time
	}{
		{ResolutionMicro, 0, uint64(ts.Unix())*1e6 + 987654, ts.Truncate(time.Microsecond)},
		{ResolutionNano, 0, uint64(ts.Unix())*1e9 + 987654321, ts},
		{DecimalResolution(0), 0, uint64(ts.Unix()), ts.Truncate(time.Second)},
		// 10^-12 overflows 64 bits after 213 days: use an offset.
		{DecimalResolution(12), ts.Unix() - 100, 100*1e12 + 987654321000, ts},
		{BinaryResolution(0), 0, uint64(ts.Unix()), ts.Truncate(time.Second)},
		// 0.987654321 s * 2^20 = 1035630.5..., and back 987653732 ns.
		{BinaryResolution(20), 0, uint64(ts.Unix())<<20 + 1035630, time.Unix(ts.Unix(), 987653732)},
		{BinaryResolution(30), 0, uint64(ts.Unix())<<30 + 1060485752, time.Unix(ts.Unix(), 987654320)},
	} {
		c := clock{res: tc.res, offset: tc.offset}
		u, ok := c.stamp(ts)
		if !ok || u != tc.want {
			t.Errorf("%v: stamp = %d %v, want %d", tc.res, u, ok, tc.want)
		}
		if back := c.time(u); !back.Equal(tc.back) {
			t.Errorf("%v: time(%d) = %v, want %v", tc.res, u, back.UTC(), tc.back)
		}
	}
	// Overflow and range.
	if _, ok := (clock{res: DecimalResolution(19)}).stamp(ts); ok {
		t.Error("10^-19 stamp of 2030 did not overflow")
	}
	if _, ok := (clock{res: ResolutionNano}).stamp(time.Unix(-5, 0)); ok {
		t.Error("time before 1970 accepted")
	}
	if _, ok := (clock{res: ResolutionNano, offset: -1 << 63}).stamp(time.Unix(1<<62, 0)); ok {
		t.Error("offset overflow accepted")
	}
	c := clock{res: ResolutionMicro, offset: 1000}
	if u, ok := c.stamp(time.Unix(1500, 0)); !ok || u != 500e6 || !c.time(u).Equal(time.Unix(1500, 0)) {
		t.Errorf("offset: %d %v", u, ok)
	}
	if s := BinaryResolution(20).String(); s != "2^-20" {
		t.Errorf("String = %q", s)
	}
	if s := ResolutionNano.String(); s != "10^-9" {
		t.Errorf("String = %q", s)
	}
}

// TestPcapngHandBuilt reads blocks this package never writes: Simple and
// obsolete Packet Blocks, Name Resolution, Interface Statistics and custom
// blocks, and a second section in the other byte order.
func TestPcapngHandBuilt(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	data := []byte{1, 2, 3, 4, 5, 6, 7}
	var b blockBuilder
	b.o = le
	b.block(blockSHB, shbBody(le, opt(le, shbUserAppl, []byte("hand")), opt(le, 0, nil)))
	b.block(blockIDB, idbBody(le, LinkTypeEthernet, 5, opt(le, ifName, []byte("a")), opt(le, ifTSResol, []byte{9})))
	b.block(blockNRB, append(opt(le, 1, []byte{10, 0, 0, 1, 'h', 0}), 0, 0, 0, 0))
	b.block(blockSPB, append(le.AppendUint32(nil, 7), 1, 2, 3, 4, 5, 0, 0, 0)) // cut to snaplen 5
	b.block(blockCustom, append(le.AppendUint32(nil, 32473), []byte("private!")...))
	b.block(0x40000bad, le.AppendUint32(nil, 32473))
	b.block(blockISB, append(le.AppendUint32(nil, 0), make([]byte, 8)...))
	// Obsolete Packet Block: interface 0, 3 drops, pack_flags.
	pb := le.AppendUint16(nil, 0)
	pb = le.AppendUint16(pb, 3)
	pb = append(pb, epbBody(le, 0, 1_000_000_001, data, 9, opt(le, epbFlags, le.AppendUint32(nil, 2)))[4:]...)
	b.block(blockPB, pb)
	b.block(0x12345678, nil) // unknown, empty
	// Second section, big-endian, two interfaces.
	b.o = be
	b.block(blockSHB, shbBody(be))
	b.block(blockIDB, idbBody(be, LinkTypeRaw, 0))
	b.block(blockIDB, idbBody(be, LinkTypeEthernet, 0, opt(be, ifTSResol, []byte{0x80 | 10}), opt(be, ifTSOffset, be.AppendUint64(nil, 10))))
	b.block(blockEPB, epbBody(be, 1, 1024*5+512, data, 7, opt(be, optComment, []byte("x")), opt(be, optComment, []byte("y"))))
	b.block(blockSPB, append(be.AppendUint32(nil, 3), 9, 9, 9, 0))

	r, err := NewPcapngReader(bytes.NewReader(b.buf))
	if err != nil {
		t.Fatal(err)
	}
	if r.Section().UserAppl != "hand" || r.SectionIndex() != 0 {
		t.Fatalf("section %+v", r.Section())
	}
	type want struct {
		data    []byte
		ts      time.Time
		length  int
		ifc     int
		section int
		lt      LinkType
		opts    PacketOptions
	}
	for i, w := range []want{
		{data: data[:5], length: 7, section: 0, lt: LinkTypeEthernet},
		{data: data, ts: time.Unix(1, 1), length: 9, section: 0, lt: LinkTypeEthernet,
			opts: PacketOptions{Flags: 2, HasFlags: true, DropCount: 3, HasDropCount: true}},
		{data: data, ts: time.Unix(15, 5e8), length: 7, ifc: 1, section: 1, lt: LinkTypeEthernet,
			opts: PacketOptions{Comment: []byte("x")}},
		{data: []byte{9, 9, 9}, length: 3, section: 1, lt: LinkTypeRaw},
	} {
		got, ci, err := r.ReadPacket()
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		o := r.PacketOptions()
		ifc, _ := r.Interface(ci.InterfaceIndex)
		if !bytes.Equal(got, w.data) || ci.Length != w.length || ci.CaptureLength != len(w.data) || !ci.Timestamp.Equal(w.ts) ||
			ci.InterfaceIndex != w.ifc || r.SectionIndex() != w.section || ifc.LinkType != w.lt {
			t.Fatalf("packet %d: % x %+v section %d link %v", i, got, ci, r.SectionIndex(), ifc.LinkType)
		}
		if !bytes.Equal(o.Comment, w.opts.Comment) || o.Flags != w.opts.Flags || o.HasFlags != w.opts.HasFlags ||
			o.DropCount != w.opts.DropCount || o.HasDropCount != w.opts.HasDropCount {
			t.Fatalf("packet %d: options %+v, want %+v", i, o, w.opts)
		}
	}
	if _, _, err := r.ReadPacket(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if r.Section().ByteOrder != binary.BigEndian || r.NumInterfaces() != 2 {
		t.Fatalf("second section %+v, %d interfaces", r.Section(), r.NumInterfaces())
	}
}

func TestPcapngWriterSectionsAndStats(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, WithInterface(Interface{LinkType: LinkTypeEthernet, Name: "a", SnapLen: 10}))
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 0)
	data := bytes.Repeat([]byte{0xaa}, 20)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.WritePacket(CaptureInfo{Timestamp: ts}, data))
	must(w.WriteStatistics(0, ts, 1, 0))
	if err := w.WritePacket(CaptureInfo{Timestamp: ts, InterfaceIndex: 1}, data); err == nil {
		t.Fatal("packet on undefined interface accepted")
	}
	must(w.NewSection(Section{Comment: "second"}))
	if err := w.WritePacket(CaptureInfo{Timestamp: ts}, data); err == nil {
		t.Fatal("packet accepted in a section without interfaces")
	}
	id, err := w.AddInterface(Interface{LinkType: LinkTypeRaw, Name: "b"})
	must(err)
	id2, err := w.AddInterface(Interface{LinkType: LinkTypeEthernet, Name: "c", TSResol: ResolutionNano})
	must(err)
	if id != 0 || id2 != 1 {
		t.Fatalf("ids %d %d", id, id2)
	}
	must(w.WritePacket(CaptureInfo{Timestamp: ts, InterfaceIndex: 1}, data))
	if _, err := w.AddInterface(Interface{TSResol: DecimalResolution(25)}); err == nil {
		t.Fatal("bad resolution accepted")
	}
	if _, err := w.AddInterface(Interface{LinkType: 0x10000}); err == nil {
		t.Fatal("32-bit link type accepted")
	}
	must(w.Flush())

	r, err := NewPcapngReader(bytes.NewReader(buf.Bytes()))
	must(err)
	p, ci, err := r.ReadPacket()
	must(err)
	if len(p) != 10 || ci.Length != 20 || r.SectionIndex() != 0 {
		t.Fatalf("first packet: %d bytes, %+v", len(p), ci)
	}
	p, ci, err = r.ReadPacket()
	must(err)
	if len(p) != 20 || ci.InterfaceIndex != 1 || r.SectionIndex() != 1 || r.Section().Comment != "second" {
		t.Fatalf("second packet: %d bytes, %+v, section %+v", len(p), ci, r.Section())
	}
	if ifc, _ := r.Interface(1); ifc.Name != "c" {
		t.Fatalf("interface 1 = %+v", ifc)
	}
	if _, _, err := r.ReadPacket(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, WithInterface(Interface{LinkType: LinkTypeEthernet}))
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1, 0)
	if err := w.WritePacketWithOptions(CaptureInfo{Timestamp: ts}, nil, PacketOptions{Comment: make([]byte, 70000)}); err == nil {
		t.Error("70000-byte comment accepted")
	}
	if err := w.WritePacket(CaptureInfo{Timestamp: time.Unix(-1, 0)}, nil); err == nil {
		t.Error("timestamp before 1970 accepted")
	}
	if _, err := NewPcapngWriter(&buf, WithSection(Section{Comment: string(make([]byte, 70000))})); err == nil {
		t.Error("70000-byte section comment accepted")
	}
	if _, err := NewPcapngWriter(failWriter{}, WithBufferSize(0), WithInterface(Interface{})); err == nil {
		t.Error("write error not reported")
	}
	if _, err := NewPcapWriter(failWriter{}, LinkTypeEthernet, 0, false, WithBufferSize(0)); err == nil {
		t.Error("write error not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }
