package pkt_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// A tiny reader and writer of classic pcap files for the oracle tests.

// ptCapture is one capture file's packets.
type ptCapture struct {
	name     string // path below the pcaps directory, e.g. "zeek/pbb.pcap"
	linkType uint32
	packets  [][]byte // captured bytes (caplen) of each frame
}

func ptReadPcap(path string) (linkType uint32, packets [][]byte, err error) {
	d, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	if len(d) < 24 {
		return 0, nil, errors.New("pcap: short file header")
	}
	var bo binary.ByteOrder
	switch binary.LittleEndian.Uint32(d) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.BigEndian
	default:
		return 0, nil, fmt.Errorf("pcap: bad magic %x (pcapng is not supported)", d[:4])
	}
	linkType = bo.Uint32(d[20:]) & 0x0fffffff
	for off := 24; off < len(d); {
		if off+16 > len(d) {
			return 0, nil, errors.New("pcap: short record header")
		}
		n := int(bo.Uint32(d[off+8:]))
		off += 16
		if off+n > len(d) {
			return 0, nil, errors.New("pcap: short record")
		}
		packets = append(packets, d[off:off+n:off+n])
		off += n
	}
	return linkType, packets, nil
}

// ptWritePcap writes Ethernet packets to a new pcap file.
func ptWritePcap(path string, packets [][]byte) error {
	b := make([]byte, 24, 24+len(packets)*80)
	binary.LittleEndian.PutUint32(b[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(b[4:], 2)
	binary.LittleEndian.PutUint16(b[6:], 4)
	binary.LittleEndian.PutUint32(b[16:], 262144)
	binary.LittleEndian.PutUint32(b[20:], 1)
	for i, p := range packets {
		var h [16]byte
		binary.LittleEndian.PutUint32(h[0:], uint32(1_700_000_000+i))
		binary.LittleEndian.PutUint32(h[8:], uint32(len(p)))
		binary.LittleEndian.PutUint32(h[12:], uint32(len(p)))
		b = append(append(b, h[:]...), p...)
	}
	return os.WriteFile(path, b, 0o644)
}

// ptPcapDir finds shared/data/pcaps in a parent of the package directory.
// It skips the test when there is none, unless CI is set.
func ptPcapDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", "pcaps")
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") != "" {
		t.Fatal("shared/data/pcaps not found beside the repository, and CI is set")
	}
	t.Skip("shared/data/pcaps not found beside the repository")
	return ""
}

// ptCaptures reads every capture under pcaps/{tcpdump,zeek,tcpreplay}.
func ptCaptures(t *testing.T) []ptCapture {
	t.Helper()
	root := ptPcapDir(t)
	var caps []ptCapture
	for _, sub := range []string{"tcpdump", "zeek", "tcpreplay"} {
		files, err := filepath.Glob(filepath.Join(root, sub, "*.pcap"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		for _, f := range files {
			lt, pkts, err := ptReadPcap(f)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			caps = append(caps, ptCapture{name: sub + "/" + filepath.Base(f), linkType: lt, packets: pkts})
		}
	}
	if len(caps) == 0 {
		t.Fatalf("no captures in %s", root)
	}
	return caps
}
