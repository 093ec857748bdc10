package pcapng

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"dpk/internal/testutil"
)

// packet is one packet as read, with its data copied.
type packet struct {
	data []byte
	ci   CaptureInfo
	opts PacketOptions // pcapng only; slices copied
}

// readAll reads every packet of r; it fails the test on an error other than
// io.EOF.
func readAll(t testing.TB, r Reader) []packet {
	t.Helper()
	var pkts []packet
	for {
		data, ci, err := r.ReadPacket()
		if err == io.EOF {
			return pkts
		}
		if err != nil {
			t.Fatalf("packet %d: %v", len(pkts), err)
		}
		p := packet{data: bytes.Clone(data), ci: ci}
		if ng, ok := r.(*PcapngReader); ok {
			o := ng.PacketOptions()
			o.Comment, o.Hash = bytes.Clone(o.Comment), bytes.Clone(o.Hash)
			p.opts = o
		}
		pkts = append(pkts, p)
	}
}

func readAllBytes(t testing.TB, b []byte) []packet {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return readAll(t, r)
}

// samePackets compares data, lengths, timestamps (to within tol) and
// interface indices.
func samePackets(t testing.TB, got, want []packet, tol time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d packets, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.data, w.data) {
			t.Fatalf("packet %d: data differs (%d vs %d bytes)", i, len(g.data), len(w.data))
		}
		if g.ci.CaptureLength != w.ci.CaptureLength || g.ci.Length != w.ci.Length {
			t.Fatalf("packet %d: lengths %d/%d, want %d/%d", i, g.ci.CaptureLength, g.ci.Length, w.ci.CaptureLength, w.ci.Length)
		}
		if d := g.ci.Timestamp.Sub(w.ci.Timestamp); d < 0 || d > tol {
			// Timestamps are truncated, never rounded up.
			if d > 0 || -d > tol {
				t.Fatalf("packet %d: timestamp %v, want %v (diff %v)", i, g.ci.Timestamp.UTC(), w.ci.Timestamp.UTC(), d)
			}
		}
		if g.ci.InterfaceIndex != w.ci.InterfaceIndex {
			t.Fatalf("packet %d: interface %d, want %d", i, g.ci.InterfaceIndex, w.ci.InterfaceIndex)
		}
	}
}

// pcapDir returns the shared captures' directory.
func pcapDir(t testing.TB) string { return testutil.SharedData(t, "pcaps") }

// sharedCaptures lists every capture file under the shared data directory.
func sharedCaptures(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(pcapDir(t), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (filepath.Ext(p) == ".pcap" || filepath.Ext(p) == ".pcapng") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no captures under shared/data/pcaps")
	}
	return files
}

// sharedPcaps lists the classic pcap files among the shared captures.
func sharedPcaps(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, f := range sharedCaptures(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) >= 4 && isPcapMagic(b) {
			files = append(files, f)
		}
	}
	return files
}

// requireTool returns the path of a Wireshark tool, skipping the test if it
// is missing outside CI and failing it in CI.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed (CI is set): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return p
}

// blockBuilder builds pcapng blocks by hand, for malformed and unusual input.
type blockBuilder struct {
	o   binary.AppendByteOrder
	buf []byte
}

func (b *blockBuilder) u16(v uint16) *blockBuilder { b.buf = b.o.AppendUint16(b.buf, v); return b }
func (b *blockBuilder) u32(v uint32) *blockBuilder { b.buf = b.o.AppendUint32(b.buf, v); return b }
func (b *blockBuilder) raw(v []byte) *blockBuilder { b.buf = append(b.buf, v...); return b }

// block appends a well-formed block of type typ with the given body.
func (b *blockBuilder) block(typ uint32, body []byte) *blockBuilder {
	n := uint32(12 + len(body))
	return b.u32(typ).u32(n).raw(body).u32(n)
}

// opt returns one encoded option, padded.
func opt(o binary.AppendByteOrder, code uint16, val []byte) []byte {
	b := o.AppendUint16(nil, code)
	b = o.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	return append(b, make([]byte, pad4(len(val))-len(val))...)
}

// shbBody returns a section header body (after type and length).
func shbBody(o binary.AppendByteOrder, opts ...[]byte) []byte {
	b := o.AppendUint32(nil, byteOrderMagic)
	b = o.AppendUint16(b, 1)
	b = o.AppendUint16(b, 0)
	b = o.AppendUint64(b, ^uint64(0))
	for _, op := range opts {
		b = append(b, op...)
	}
	return b
}

func idbBody(o binary.AppendByteOrder, lt LinkType, snaplen uint32, opts ...[]byte) []byte {
	b := o.AppendUint16(nil, uint16(lt))
	b = o.AppendUint16(b, 0)
	b = o.AppendUint32(b, snaplen)
	for _, op := range opts {
		b = append(b, op...)
	}
	return b
}

func epbBody(o binary.AppendByteOrder, id uint32, ts uint64, data []byte, origlen uint32, opts ...[]byte) []byte {
	b := o.AppendUint32(nil, id)
	b = o.AppendUint32(b, uint32(ts>>32))
	b = o.AppendUint32(b, uint32(ts))
	b = o.AppendUint32(b, uint32(len(data)))
	b = o.AppendUint32(b, origlen)
	b = append(b, data...)
	b = append(b, make([]byte, pad4(len(data))-len(data))...)
	for _, op := range opts {
		b = append(b, op...)
	}
	return b
}

func isMalformed(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe) && errors.Is(err, ErrMalformed)
}
