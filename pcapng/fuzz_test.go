package pcapng

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fuzzLimit is the block size limit the fuzz targets use: small, so that
// a test input can reach it.
const fuzzLimit = 1 << 20

// fuzzRead reads every packet of b with a reader made by open and checks
// the reader's promises: no panic, errors of the documented kinds, lengths
// that agree, a buffer within the limit. It returns the packets if the
// whole stream read cleanly.
func fuzzRead(t *testing.T, b []byte, open func(io.Reader) (Reader, error)) (Reader, []packet, bool) {
	r, err := open(bytes.NewReader(b))
	if err != nil {
		if !isMalformed(err) && !errors.Is(err, ErrUnknownFormat) {
			t.Fatalf("constructor: unexpected error kind %T: %v", err, err)
		}
		return nil, nil, false
	}
	var pkts []packet
	dst := make([]byte, 128)
	for i := 0; ; i++ {
		var data []byte
		var ci CaptureInfo
		if i%2 == 0 {
			data, ci, err = r.ReadPacket()
		} else {
			var n int
			ci, n, err = r.ReadPacketInto(dst)
			if err == nil {
				if n != min(len(dst), ci.CaptureLength) {
					t.Fatalf("ReadPacketInto: n %d, caplen %d", n, ci.CaptureLength)
				}
				data = dst[:n]
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if !isMalformed(err) {
				t.Fatalf("packet %d: unexpected error kind %T: %v", i, err, err)
			}
			if _, _, err2 := r.ReadPacket(); err2 != err {
				t.Fatalf("error not sticky: %v then %v", err, err2)
			}
			return r, pkts, false
		}
		if i%2 == 0 && len(data) != ci.CaptureLength {
			t.Fatalf("packet %d: %d bytes, caplen %d", i, len(data), ci.CaptureLength)
		}
		if ci.CaptureLength > fuzzLimit {
			t.Fatalf("packet %d: caplen %d over the limit", i, ci.CaptureLength)
		}
		p := packet{data: bytes.Clone(data), ci: ci}
		if i%2 == 1 {
			p.data = nil // cut to dst: not comparable
		}
		if ng, ok := r.(*PcapngReader); ok {
			o := ng.PacketOptions()
			o.Comment, o.Hash = bytes.Clone(o.Comment), bytes.Clone(o.Hash)
			p.opts = o
			if _, ok := ng.Interface(ci.InterfaceIndex); !ok && (ci.InterfaceIndex != 0 || ng.NumInterfaces() != 0) {
				t.Fatalf("packet %d on undefined interface %d", i, ci.InterfaceIndex)
			}
		}
		pkts = append(pkts, p)
	}
	var buf []byte
	switch r := r.(type) {
	case *PcapReader:
		buf = r.in.buf
	case *PcapngReader:
		buf = r.in.buf
	}
	if cap(buf) > max(fuzzLimit, initialBufSize) || cap(buf) > 2*max(len(b), initialBufSize) {
		t.Fatalf("buffer grew to %d bytes for %d bytes of input", cap(buf), len(b))
	}
	return r, pkts, true
}

func samePacketsFuzz(t *testing.T, got, want []packet) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("round trip: %d packets, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if w.data != nil && !bytes.Equal(g.data, w.data) || g.ci.CaptureLength != w.ci.CaptureLength || g.ci.Length != w.ci.Length {
			t.Fatalf("round trip: packet %d differs: %+v vs %+v", i, g.ci, w.ci)
		}
		if !g.ci.Timestamp.Equal(w.ci.Timestamp) {
			t.Fatalf("round trip: packet %d timestamp %v, want %v", i, g.ci.Timestamp, w.ci.Timestamp)
		}
	}
}

func FuzzPcapReader(f *testing.F) {
	f.Add(makeFile(f, FormatPcap, 3, 60, false))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, pkts, ok := fuzzRead(t, b, func(r io.Reader) (Reader, error) {
			return NewPcapReader(r, WithMaxBlockSize(fuzzLimit))
		})
		if !ok {
			return
		}
		// What reads cleanly writes back and reads the same.
		h := r.(*PcapReader).Header()
		var out bytes.Buffer
		w, err := NewPcapWriter(&out, LinkType(uint32(h.LinkType)|uint32(h.FCS)<<28), max(h.SnapLen, MaxSnapLen), h.Nanosecond, WithByteOrder(h.ByteOrder))
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range pkts {
			if p.data == nil {
				p.data = make([]byte, p.ci.CaptureLength) // read cut to dst: not compared
			}
			if p.ci.Length == 0 {
				p.ci.Length = p.ci.CaptureLength
				pkts[i].ci.Length = p.ci.Length
			}
			if err := w.WritePacket(p.ci, p.data); err != nil {
				return // a timestamp past 2106, from a fraction over a second
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r2, err := NewPcapReader(bytes.NewReader(out.Bytes()), WithMaxBlockSize(fuzzLimit))
		if err != nil {
			t.Fatal(err)
		}
		if r2.Header().LinkType != h.LinkType || r2.Header().FCS != h.FCS {
			t.Fatalf("header %+v, want %+v", r2.Header(), h)
		}
		samePacketsFuzz(t, readAll(t, r2), pkts)
	})
}

func FuzzPcapngReader(f *testing.F) {
	f.Add(makeFile(f, FormatPcapng, 3, 60, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, pkts, ok := fuzzRead(t, b, func(r io.Reader) (Reader, error) {
			return NewPcapngReader(r, WithMaxBlockSize(fuzzLimit))
		})
		if !ok {
			return
		}
		ng := r.(*PcapngReader)
		if ng.SectionIndex() != 0 {
			return // the round trip below writes one section
		}
		// What reads cleanly writes back and reads the same.
		var out bytes.Buffer
		w, err := NewPcapngWriter(&out, WithSection(ng.Section()), WithByteOrder(ng.Section().ByteOrder))
		if err != nil {
			t.Fatal(err)
		}
		exact := true
		for i := range ng.NumInterfaces() {
			ifc, _ := ng.Interface(i)
			if _, err := w.AddInterface(ifc); err != nil {
				if ifc.LinkType > 0xffff {
					t.Fatal(err)
				}
				return // a resolution of whole seconds cannot be written
			}
			exact = exact && !ifc.TSResol.IsBinary()
		}
		for i, p := range pkts {
			if p.data == nil {
				p.data = make([]byte, p.ci.CaptureLength)
			}
			if p.ci.Length == 0 {
				p.ci.Length = p.ci.CaptureLength
				pkts[i].ci.Length = p.ci.Length
			}
			ifc, _ := ng.Interface(p.ci.InterfaceIndex)
			if ifc.SnapLen != 0 && p.ci.CaptureLength > int(ifc.SnapLen) {
				return // the writer cuts to the snapshot length
			}
			if err := w.WritePacketWithOptions(p.ci, p.data, p.opts); err != nil {
				return // no timestamp (a Simple Packet Block), or out of range
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r2, err := NewPcapngReader(bytes.NewReader(out.Bytes()), WithMaxBlockSize(2*fuzzLimit))
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, r2)
		if !exact {
			for i := range got {
				got[i].ci.Timestamp = pkts[i].ci.Timestamp // binary resolutions round
			}
		}
		samePacketsFuzz(t, got, pkts)
		for i := range got {
			g, w := got[i].opts, pkts[i].opts
			if !bytes.Equal(g.Comment, w.Comment) || g.Flags != w.Flags || g.DropCount != w.DropCount || !bytes.Equal(g.Hash, w.Hash) ||
				g.PacketID != w.PacketID || g.Queue != w.Queue || g.HasQueue != w.HasQueue {
				t.Fatalf("round trip: packet %d options %+v, want %+v", i, g, w)
			}
		}
	})
}

func FuzzReader(f *testing.F) {
	f.Add(makeFile(f, FormatPcap, 2, 60, false))
	f.Add(makeFile(f, FormatPcapng, 2, 60, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRead(t, b, func(r io.Reader) (Reader, error) {
			return NewReader(r, WithMaxBlockSize(fuzzLimit))
		})
	})
}

// TestWriteFuzzSeeds regenerates the seed corpora under testdata/fuzz from
// small shared captures, their editcap conversions and hand-built files. It
// runs only with PCAPNG_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("PCAPNG_WRITE_SEEDS") == "" {
		t.Skip("set PCAPNG_WRITE_SEEDS=1 to regenerate testdata/fuzz")
	}
	dir := pcapDir(t)
	tmp := t.TempDir()
	seeds := map[string]map[string][]byte{"FuzzPcapReader": {}, "FuzzPcapngReader": {}, "FuzzReader": {}}
	add := func(target, name string, b []byte) { seeds[target][name] = b }
	for _, n := range []string{"tcpdump/pppoe.pcap", "zeek/tunnels_4in4.pcap", "tcpdump/802.1ad_QinQ.pcap",
		"tcpdump/ipv6-srh-ext-header.pcap", "tcpdump/mpls-over-udp.pcap", "tcpreplay/test.rewrite_vlan802.1ad.pcap"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(n)
		if len(b) > 400 {
			b = b[:400] // truncated mid-record
			base = "trunc-" + base
		}
		add("FuzzPcapReader", base, b)
		add("FuzzPcapReader", "cut-"+base, b[:len(b)*2/3])
		add("FuzzReader", base, b)
		if len(b) < 400 {
			nsec := filepath.Join(tmp, "n.pcap")
			runTool(t, "editcap", "-F", "nsecpcap", filepath.Join(dir, n), nsec)
			nb, _ := os.ReadFile(nsec)
			add("FuzzPcapReader", "nsec-"+base, nb)
			ng := filepath.Join(tmp, "a.pcapng")
			runTool(t, "editcap", "-F", "pcapng", "-a", "1:seed comment", nsec, ng)
			ngb, _ := os.ReadFile(ng)
			add("FuzzPcapngReader", "editcap-"+base+"ng", ngb)
			add("FuzzPcapngReader", "cut-editcap-"+base+"ng", ngb[:len(ngb)*3/4])
			add("FuzzReader", "editcap-"+base+"ng", ngb)
		}
	}
	// Big-endian, several interfaces and resolutions, options, statistics.
	var out bytes.Buffer
	w, err := NewPcapngWriter(&out, WithByteOrder(orderOf(true)), WithSection(Section{Comment: "seed"}),
		WithInterface(Interface{LinkType: LinkTypeEthernet, Name: "eth0", TSResol: ResolutionNano, SnapLen: 100}),
		WithInterface(Interface{LinkType: LinkTypeRaw, TSResol: BinaryResolution(20), TSOffset: 10}))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range synthPackets(4, 2) {
		p.data = p.data[:min(len(p.data), 40)]
		o := PacketOptions{Comment: []byte("c" + strconv.Itoa(i)), Flags: uint32(i), HasDropCount: i == 2, Hash: []byte{2, 1}}
		if err := w.WritePacketWithOptions(p.ci, p.data, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteStatistics(1, synthPackets(1, 1)[0].ci.Timestamp, 4, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	add("FuzzPcapngReader", "dpk-be-multi", out.Bytes())
	add("FuzzReader", "dpk-be-multi", out.Bytes())
	big := makeFile(t, FormatPcap, 3, 30, false)
	add("FuzzPcapReader", "dpk-nsec", big)

	for target, m := range seeds {
		d := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range m {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(d, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d seeds", target, len(m))
	}
}
