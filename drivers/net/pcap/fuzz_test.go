package pcap_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pcapng"
)

// FuzzPcapRx writes the fuzz input to a file and runs the driver's RX over
// it, in file or infinite_rx mode, for a bounded number of bursts: the probe
// may fail with an error, the queue may stop at a malformed record, but
// nothing panics, every mbuf is consistent and every mbuf returns to the
// pool at Close. The seed corpus (testdata/fuzz/FuzzPcapRx) holds small
// real captures, pcapng ones and truncated copies.
func FuzzPcapRx(f *testing.F) {
	dir := f.TempDir()
	for _, format := range []pcapng.Format{pcapng.FormatPcap, pcapng.FormatPcapng} {
		path := filepath.Join(dir, "seed")
		writeCapture(f, path, format, makePackets(3, 60, 300, 2100))
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
		f.Add(b[:len(b)-7], false)
	}
	testutil.InitEAL(f, "--in-memory")
	captureLog(f) // malformed inputs log an error each
	// A small data room, so that packets become chains.
	mp := newPool(f, "pool", 2047, 256+mbuf.DefaultHeadroom)
	seq := 0
	f.Fuzz(func(t *testing.T, data []byte, infinite bool) {
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		seq++
		name := fmt.Sprintf("net_pcap_fuzz%d", seq)
		devargs := name + ",rx_pcap=" + path + ",tx_pcap=/dev/null"
		if infinite {
			devargs += ",infinite_rx=1"
		}
		if err := ethdev.Probe(devargs); err != nil {
			return // not a capture file: a clean error
		}
		port, err := ethdev.PortByName(name)
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := ethdev.Close(port); err != nil {
				t.Error(err)
			}
			if mp.AvailCount() != mp.Size() {
				t.Fatalf("%d of %d mbufs back after close", mp.AvailCount(), mp.Size())
			}
		}()
		if err := ethdev.Configure(port, 1, 1, nil); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.RxQueueSetup(port, 0, 512, -1, nil, mp); err != nil {
			if infinite {
				return // the file does not fit the pool
			}
			t.Fatal(err)
		}
		if err := ethdev.TxQueueSetup(port, 0, 512, -1, nil); err != nil {
			t.Fatal(err)
		}
		if err := ethdev.Start(port); err != nil {
			t.Fatal(err)
		}
		pkts := make([]*mbuf.Mbuf, 32)
		var total uint64
		for range 100 {
			n := ethdev.RxBurst(port, 0, pkts)
			for _, m := range pkts[:n] {
				if err := m.Check(true); err != nil {
					t.Fatal(err)
				}
				total += uint64(m.PktLen())
			}
			ethdev.TxBurst(port, 0, pkts[:n])
			if n == 0 {
				break
			}
		}
		s, _ := ethdev.StatsGet(port)
		if s.IBytes != total || s.OBytes != total || s.IPackets != s.OPackets {
			t.Fatalf("stats %+v, %d bytes seen", s, total)
		}
	})
}
