package pcap_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pcapng"
)

// capPkt is one packet of a capture file.
type capPkt struct {
	data []byte
	orig int // length on the wire
	ts   time.Time
}

// readCapture reads every packet of a pcap or pcapng file.
func readCapture(t testing.TB, path string) ([]capPkt, pcapng.Reader) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapng.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []capPkt
	for {
		data, ci, err := r.ReadPacket()
		if err == io.EOF {
			return out, r
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, capPkt{data: bytes.Clone(data), orig: ci.Length, ts: ci.Timestamp})
	}
}

// writeCapture writes packets to a new capture file; their timestamps are
// one second apart from 2024-01-01.
func writeCapture(t testing.TB, path string, format pcapng.Format, pkts [][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w pcapng.Writer
	if format == pcapng.FormatPcapng {
		w, err = pcapng.NewPcapngWriter(f, pcapng.WithInterface(pcapng.Interface{LinkType: pcapng.LinkTypeEthernet, TSResol: pcapng.ResolutionNano}))
	} else {
		w, err = pcapng.NewPcapWriter(f, pcapng.LinkTypeEthernet, 0, true)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		if err := w.WritePacket(pcapng.CaptureInfo{Timestamp: baseTime.Add(time.Duration(i)*time.Second + 123), Length: len(p)}, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

var baseTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// makePackets returns n packets of the given sizes (cycled), each with a
// distinct first bytes (an index) and pseudo-random content.
func makePackets(n int, sizes ...int) [][]byte {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	out := make([][]byte, n)
	for i := range out {
		p := make([]byte, sizes[i%len(sizes)])
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		if len(p) >= 4 {
			p[0], p[1], p[2], p[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		}
		out[i] = p
	}
	return out
}

// newPool creates an mbuf pool with a data room (headroom included) of dataRoom bytes.
func newPool(t testing.TB, name string, n uint32, dataRoom uint16) *mempool.Mempool {
	t.Helper()
	mp, err := mbuf.PoolCreate(name, n, 0, 0, dataRoom, -1)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

// startPort configures port with nrx/ntx queues on pool mp and starts it.
func startPort(t testing.TB, port, nrx, ntx uint16, mp *mempool.Mempool, conf *ethdev.Conf) {
	t.Helper()
	if err := ethdev.Configure(port, nrx, ntx, conf); err != nil {
		t.Fatal(err)
	}
	for q := uint16(0); q < nrx; q++ {
		if err := ethdev.RxQueueSetup(port, q, 512, -1, nil, mp); err != nil {
			t.Fatal(err)
		}
	}
	for q := uint16(0); q < ntx; q++ {
		if err := ethdev.TxQueueSetup(port, q, 512, -1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := ethdev.Start(port); err != nil {
		t.Fatal(err)
	}
}

// probePort creates a port from devargs and returns its id.
func probePort(t testing.TB, devargs string) uint16 {
	t.Helper()
	if err := ethdev.Probe(devargs); err != nil {
		t.Fatal(err)
	}
	d, _ := ethdev.ParseDevargs(devargs)
	p, err := ethdev.PortByName(d.Name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// forwardAll moves packets from RX queue 0 to TX queue 0 of port until
// the RX file is exhausted (its end or an error) and returns how many.
// With check, every mbuf is checked for consistency.
func forwardAll(t testing.TB, port uint16, check bool) int {
	t.Helper()
	pkts := make([]*mbuf.Mbuf, 32)
	total := 0
	for i := 0; ; i++ {
		n := ethdev.RxBurst(port, 0, pkts)
		for _, m := range pkts[:n] {
			if check {
				if err := m.Check(true); err != nil {
					t.Fatalf("packet %d: %v", total, err)
				}
				if m.Port != port {
					t.Fatalf("packet %d: port %d, want %d", total, m.Port, port)
				}
			}
		}
		total += n
		if s := ethdev.TxBurst(port, 0, pkts[:n]); s != n {
			t.Fatalf("tx took %d of %d", s, n)
		}
		if n == 0 {
			eof, _ := ethdev.XstatByName(port, "rx_pcap_eof")
			errs, _ := ethdev.XstatByName(port, "rx_pcap_errors")
			if eof > 0 || errs > 0 {
				return total
			}
			if i > 1<<20 {
				t.Fatalf("no end of file after %d packets", total)
			}
		}
	}
}

// comparePackets checks that got holds the packets of want, byte for byte.
func comparePackets(t testing.TB, name string, want, got []capPkt) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d packets, want %d", name, len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !bytes.Equal(got[i].data, want[i].data) {
			t.Errorf("%s: packet %d differs: %d bytes, want %d", name, i, len(got[i].data), len(want[i].data))
			return
		}
		if got[i].orig != len(want[i].data) {
			t.Errorf("%s: packet %d: original length %d, want %d", name, i, got[i].orig, len(want[i].data))
			return
		}
	}
}

// sharedPcaps returns the shared test captures of tcpdump, zeek and
// tcpreplay.
func sharedPcaps(t testing.TB) []string {
	t.Helper()
	root := testutil.SharedData(t, "pcaps")
	var files []string
	for _, sub := range []string{"tcpdump", "zeek", "tcpreplay"} {
		m, _ := filepath.Glob(filepath.Join(root, sub, "*.pcap"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("%s holds no captures", root)
	}
	return files
}

// logCapture collects the EAL log for a test.
type logCapture struct{ bytes.Buffer }

func captureLog(t testing.TB) *logCapture {
	var c logCapture
	old := eal.SetLogOutput(&c)
	t.Cleanup(func() { eal.SetLogOutput(old) })
	return &c
}

func xstat(t testing.TB, port uint16, name string) uint64 {
	t.Helper()
	v, err := ethdev.XstatByName(port, name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
