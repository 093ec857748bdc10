package pcapng

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// makeFile writes n packets of size bytes in format; pcapng packets carry a
// comment and flags when withOpts.
func makeFile(tb testing.TB, format Format, n, size int, withOpts bool) []byte {
	tb.Helper()
	var buf bytes.Buffer
	var w Writer
	var err error
	if format == FormatPcap {
		w, err = NewPcapWriter(&buf, LinkTypeEthernet, 0, true)
	} else {
		w, err = NewPcapngWriter(&buf, WithInterface(Interface{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}))
	}
	if err != nil {
		tb.Fatal(err)
	}
	data := make([]byte, size)
	ts := time.Unix(1700000000, 0)
	for i := range n {
		ci := CaptureInfo{Timestamp: ts.Add(time.Duration(i) * time.Microsecond)}
		if ngw, ok := w.(*PcapngWriter); ok && withOpts {
			err = ngw.WritePacketWithOptions(ci, data, PacketOptions{Comment: []byte("hello"), Flags: FlagsInbound})
		} else {
			err = w.WritePacket(ci, data)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestZeroAllocRead(t *testing.T) {
	const runs = 400
	for _, tc := range []struct {
		name     string
		format   Format
		size     int
		withOpts bool
	}{
		{"pcap-64", FormatPcap, 64, false},
		{"pcap-1514", FormatPcap, 1514, false},
		{"pcapng-64", FormatPcapng, 64, false},
		{"pcapng-1514", FormatPcapng, 1514, false},
		{"pcapng-1514-options", FormatPcapng, 1514, true},
		{"pcapng-9000", FormatPcapng, 9000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := makeFile(t, tc.format, 2*runs+10, tc.size, tc.withOpts)
			r, err := NewReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]byte, 2048) // an mbuf's data room
			var fail error
			allocs := testing.AllocsPerRun(runs, func() {
				ci, n, err := r.ReadPacketInto(dst)
				if err != nil || ci.CaptureLength != tc.size || n != min(tc.size, len(dst)) {
					fail = err
				}
			})
			if fail != nil {
				t.Fatal(fail)
			}
			if allocs != 0 {
				t.Errorf("ReadPacketInto: %v allocations per packet", allocs)
			}
			allocs = testing.AllocsPerRun(runs/2, func() {
				data, _, err := r.ReadPacket()
				if err != nil || len(data) != tc.size {
					fail = err
				}
				if ng, ok := r.(*PcapngReader); ok && tc.withOpts && string(ng.PacketOptions().Comment) != "hello" {
					fail = io.ErrUnexpectedEOF
				}
			})
			if fail != nil {
				t.Fatal(fail)
			}
			if allocs != 0 {
				t.Errorf("ReadPacket: %v allocations per packet", allocs)
			}
		})
	}
}

func TestZeroAllocWrite(t *testing.T) {
	data := make([]byte, 1514)
	ts := time.Unix(1700000000, 123456789)
	pw, err := NewPcapWriter(io.Discard, LinkTypeEthernet, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	ngw, err := NewPcapngWriter(io.Discard, WithInterface(Interface{LinkType: LinkTypeEthernet, TSResol: ResolutionNano}))
	if err != nil {
		t.Fatal(err)
	}
	comment := []byte("a comment")
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"pcap", func() error { return pw.WritePacket(CaptureInfo{Timestamp: ts}, data) }},
		{"pcapng", func() error { return ngw.WritePacket(CaptureInfo{Timestamp: ts}, data) }},
		{"pcapng-options", func() error {
			return ngw.WritePacketWithOptions(CaptureInfo{Timestamp: ts}, data, PacketOptions{Comment: comment, Flags: FlagsOutbound, HasDropCount: true})
		}},
	} {
		var fail error
		allocs := testing.AllocsPerRun(1000, func() {
			if err := tc.f(); err != nil {
				fail = err
			}
		})
		if fail != nil {
			t.Fatal(fail)
		}
		if allocs != 0 {
			t.Errorf("%s: %v allocations per packet", tc.name, allocs)
		}
	}
}
