package pkt_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"dpk/internal/testutil"
)

// pcapDir returns the directory of the real captures the tests read.
func pcapDir(t testing.TB) string { return testutil.SharedData(t, "pcaps") }

// readPcap returns the frames of a classic libpcap file with Ethernet link
// type, skipping the test if the file is absent.
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	d, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("no capture %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(d) < 24 {
		t.Fatalf("%s: short pcap header", path)
	}
	var bo binary.ByteOrder
	switch binary.BigEndian.Uint32(d) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		bo = binary.BigEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		bo = binary.LittleEndian
	default:
		t.Fatalf("%s: not a pcap file", path)
	}
	if lt := bo.Uint32(d[20:]); lt != 1 {
		return nil // not Ethernet
	}
	var frames [][]byte
	for off := 24; off+16 <= len(d); {
		n := int(bo.Uint32(d[off+8:]))
		off += 16
		if off+n > len(d) {
			t.Fatalf("%s: record past end of file", path)
		}
		frames = append(frames, d[off:off+n:off+n])
		off += n
	}
	return frames
}

// pcapFiles lists the captures under pcapDir.
func pcapFiles(t testing.TB) []string {
	dir := pcapDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.pcap"))
	if len(files) == 0 {
		t.Fatal("no captures in " + dir)
	}
	return files
}
