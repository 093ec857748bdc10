package pcap_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dpk/drivers/net/pcap"
	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/pcapng"
)

func TestForwardFileToFile(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pcap"), filepath.Join(dir, "out.pcap")
	want := makePackets(100, 60, 64, 1514, 0, 9000, 2048-128, 2048-127, 1)
	writeCapture(t, in, pcapng.FormatPcap, want)
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+in+",tx_pcap="+out)
	mp := newPool(t, "pool", 1023, mbuf.DefaultBufSize)
	startPort(t, 0, 1, 1, mp, nil)

	info, _ := ethdev.InfoGet(0)
	if info.DriverName != "net_pcap" || info.MaxRxQueues != 1 || info.MaxTxQueues != 1 {
		t.Errorf("info %+v", info)
	}
	if mac, _ := ethdev.MACAddrGet(0); !bytes.Equal(mac[:5], []byte{0x02, 0x70, 0x63, 0x61, 0x70}) {
		t.Errorf("mac %v", mac)
	}
	if l, _ := ethdev.LinkGet(0); !l.Up || l.Speed != ethdev.Speed10G || !l.FullDuplex {
		t.Errorf("link %v", l)
	}
	if n := forwardAll(t, 0, true); n != len(want) {
		t.Errorf("forwarded %d, want %d", n, len(want))
	}
	var nbytes uint64
	for _, p := range want {
		nbytes += uint64(len(p))
	}
	s, _ := ethdev.StatsGet(0)
	if s.IPackets != 100 || s.OPackets != 100 || s.IBytes != nbytes || s.OBytes != nbytes || s.IErrors != 0 || s.RxNoMbuf != 0 {
		t.Errorf("stats %+v", s)
	}
	if err := ethdev.Stop(0); err != nil {
		t.Fatal(err)
	}
	if l, _ := ethdev.LinkGet(0); l.Up {
		t.Error("link up after stop")
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after stop %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
	// Stop flushed the output: it is complete before Close.
	got, r := readCapture(t, out)
	comparePackets(t, "out", toCap(want), got)
	if r.Format() != pcapng.FormatPcap || r.LinkType() != pcapng.LinkTypeEthernet {
		t.Errorf("output %v %v", r.Format(), r.LinkType())
	}
	if h := r.(*pcapng.PcapReader).Header(); !h.Nanosecond || h.SnapLen != pcapng.MaxSnapLen {
		t.Errorf("output header %+v: want nanosecond, snaplen 262144", h)
	}
	// A restart reads the file again from its start; the output goes on.
	if err := ethdev.Start(0); err != nil {
		t.Fatal(err)
	}
	if n := forwardAll(t, 0, true); n != len(want) {
		t.Errorf("after restart forwarded %d, want %d", n, len(want))
	}
	if err := ethdev.Close(0); err != nil {
		t.Fatal(err)
	}
	got, _ = readCapture(t, out)
	comparePackets(t, "out after restart", toCap(append(want, want...)), got)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("after close %d of %d mbufs in the pool", mp.AvailCount(), mp.Size())
	}
}

func toCap(pkts [][]byte) []capPkt {
	out := make([]capPkt, len(pkts))
	for i, p := range pkts {
		out[i] = capPkt{data: p, orig: len(p)}
	}
	return out
}

// TestJumboChains reads 9000-byte packets into pools of small data rooms:
// each packet becomes a chain, written back whole.
func TestJumboChains(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	want := makePackets(50, 9000, 60, 8999, 129, 128, 65535, 70000)
	writeCapture(t, in, pcapng.FormatPcap, want)
	testutil.InitEAL(t, "--in-memory")
	for _, room := range []uint16{mbuf.DefaultBufSize, 512 + mbuf.DefaultHeadroom, 129 + mbuf.DefaultHeadroom, 64 + mbuf.DefaultHeadroom} {
		t.Run(fmt.Sprint(room), func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprintf("out%d.pcap", room))
			mp := newPool(t, fmt.Sprint("jumbo", room), 8191, room)
			port := probePort(t, fmt.Sprintf("net_pcap_j%d,rx_pcap=%s,tx_pcap=%s", room, in, out))
			startPort(t, port, 1, 1, mp, nil)
			pkts := make([]*mbuf.Mbuf, 8)
			total, segs := 0, 0
			for {
				n := ethdev.RxBurst(port, 0, pkts)
				if n == 0 {
					break
				}
				for _, m := range pkts[:n] {
					if err := m.Check(true); err != nil {
						t.Fatal(err)
					}
					if int(m.PktLen()) != len(want[total]) {
						t.Fatalf("packet %d: pkt_len %d, want %d", total, m.PktLen(), len(want[total]))
					}
					if b := m.Read(0, m.PktLen(), make([]byte, m.PktLen())); !bytes.Equal(b, want[total]) {
						t.Fatalf("packet %d: content differs", total)
					}
					segs = max(segs, int(m.NbSegs()))
					total++
				}
				ethdev.TxBurst(port, 0, pkts[:n])
			}
			if total != len(want) {
				t.Errorf("received %d, want %d", total, len(want))
			}
			if wantSegs := (70000-int(room-mbuf.DefaultHeadroom)+int(room)-1)/int(room) + 1; segs != wantSegs {
				t.Errorf("longest chain %d segments, want %d", segs, wantSegs)
			}
			if err := ethdev.Close(port); err != nil {
				t.Fatal(err)
			}
			got, r := readCapture(t, out)
			comparePackets(t, out, toCap(want), got)
			if h := r.(*pcapng.PcapReader).Header(); h.SnapLen != pcapng.MaxSnapLen {
				t.Errorf("snaplen %d", h.SnapLen)
			}
			if mp.AvailCount() != mp.Size() {
				t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
			}
		})
	}
}

// TestTxCut: a packet longer than the snapshot length is written cut, with
// its original length.
func TestTxCut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.pcap")
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,tx_pcap="+out)
	mp := newPool(t, "pool", 255, mbuf.DefaultBufSize)
	startPort(t, 0, 1, 1, mp, nil)
	const segs, l = 150, 150 * 2000
	want := makePackets(1, l)[0]
	var head *mbuf.Mbuf
	for i := range segs {
		m, err := mbuf.Alloc(mp, eal.LcoreIDAny)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.Append(2000)
		copy(b, want[i*2000:])
		if head == nil {
			head = m
		} else if err := mbuf.Chain(head, m); err != nil {
			t.Fatal(err)
		}
	}
	if n := ethdev.TxBurst(0, 0, []*mbuf.Mbuf{head}); n != 1 {
		t.Fatalf("sent %d", n)
	}
	if xstat(t, 0, "tx_pcap_cut") != 1 {
		t.Errorf("tx_pcap_cut %d", xstat(t, 0, "tx_pcap_cut"))
	}
	if s, _ := ethdev.StatsGet(0); s.OPackets != 1 || s.OBytes != pcapng.MaxSnapLen {
		t.Errorf("stats %+v", s)
	}
	ethdev.Close(0)
	got, _ := readCapture(t, out)
	if len(got) != 1 || !bytes.Equal(got[0].data, want[:pcapng.MaxSnapLen]) || got[0].orig != l {
		t.Errorf("written: %d packets", len(got))
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}

func TestInfiniteRx(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	want := makePackets(7, 60, 1000, 3000)
	writeCapture(t, in, pcapng.FormatPcap, want)
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+in+",infinite_rx=1")
	mp := newPool(t, "pool", 511, mbuf.DefaultBufSize)
	startPort(t, 0, 1, 1, mp, &ethdev.Conf{RxMode: ethdev.RxMode{Offloads: ethdev.RxOffloadTimestamp}})
	pkts := make([]*mbuf.Mbuf, 5)
	for i := 0; i < 20; {
		n := ethdev.RxBurst(0, 0, pkts)
		if n != len(pkts) {
			t.Fatalf("burst of %d", n)
		}
		for _, m := range pkts[:n] {
			w := want[i%len(want)]
			if b := m.Read(0, m.PktLen(), make([]byte, m.PktLen())); !bytes.Equal(b, w) {
				t.Fatalf("packet %d: %d bytes, want packet %d (%d bytes)", i, m.PktLen(), i%len(want), len(w))
			}
			if ts := pcap.RxTimestamp(m); ts != baseTime.UnixNano()+int64(i%len(want))*1e9+123 {
				t.Fatalf("packet %d: timestamp %d", i, ts)
			}
			i++
		}
		// No tx_pcap: the TX queue counts and drops.
		if s := ethdev.TxBurst(0, 0, pkts[:n]); s != n {
			t.Fatalf("tx took %d", s)
		}
	}
	s, _ := ethdev.StatsGet(0)
	if s.IPackets != 20 || s.OPackets != 20 || s.IBytes != s.OBytes {
		t.Errorf("stats %+v", s)
	}
	// The loaded packets hold mbufs until Close.
	ethdev.Stop(0)
	if got, want := mp.Size()-mp.AvailCount(), uint32(7+2); got != want {
		t.Errorf("%d mbufs held by the stopped port, want %d (the file's packets)", got, want)
	}
	ethdev.Close(0)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back after close", mp.AvailCount(), mp.Size())
	}
}

func TestInfiniteRxPoolTooSmall(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	writeCapture(t, in, pcapng.FormatPcap, makePackets(100, 60))
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+in+",infinite_rx=1")
	mp := newPool(t, "pool", 63, mbuf.DefaultBufSize)
	ethdev.Configure(0, 1, 1, nil)
	err := ethdev.RxQueueSetup(0, 0, 512, -1, nil, mp)
	if err == nil || !strings.Contains(err.Error(), in) || !strings.Contains(err.Error(), "100 packets") {
		t.Errorf("setup with a 63-mbuf pool: %v", err)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back after the failed setup", mp.AvailCount(), mp.Size())
	}
}

// TestNoMbuf: when the pool is empty the packet waits; none is lost.
func TestNoMbuf(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	want := makePackets(300, 60, 5000)
	writeCapture(t, in, pcapng.FormatPcap, want)
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+in)
	mp := newPool(t, "pool", 40, mbuf.DefaultBufSize)
	startPort(t, 0, 1, 1, mp, nil)
	held := make([]*mbuf.Mbuf, 0, 64)
	pkts := make([]*mbuf.Mbuf, 32)
	got := 0
	for rounds := 0; got < len(want); rounds++ {
		if rounds > 10000 {
			t.Fatalf("stuck after %d packets", got)
		}
		n := ethdev.RxBurst(0, 0, pkts)
		for _, m := range pkts[:n] {
			if b := m.Read(0, m.PktLen(), make([]byte, m.PktLen())); !bytes.Equal(b, want[got]) {
				t.Fatalf("packet %d differs (%d bytes)", got, m.PktLen())
			}
			got++
		}
		held = append(held, pkts[:n]...)
		if n == 0 {
			// Out of mbufs: give them back and go on.
			mbuf.FreeBulk(held, eal.LcoreIDAny)
			held = held[:0]
		}
	}
	mbuf.FreeBulk(held, eal.LcoreIDAny)
	s, _ := ethdev.StatsGet(0)
	if s.RxNoMbuf == 0 || s.IPackets != uint64(len(want)) {
		t.Errorf("stats %+v: want rx_nombuf > 0 and %d packets", s, len(want))
	}
	ethdev.Close(0)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}

// TestMalformed: a truncated file delivers its whole packets, then the
// queue stops; the error is logged once with the file and offset.
func TestMalformed(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.pcap")
	want := makePackets(10, 100)
	writeCapture(t, full, pcapng.FormatPcap, want)
	b, _ := os.ReadFile(full)
	trunc := filepath.Join(dir, "trunc.pcap")
	os.WriteFile(trunc, b[:len(b)-50], 0o644) // inside the last packet's data
	bad := filepath.Join(dir, "bad.pcap")
	b2 := bytes.Clone(b)
	off := 24 + 3*(16+100)
	copy(b2[off+8:], []byte{0xff, 0xff, 0xff, 0x7f}) // 4th record: huge caplen
	os.WriteFile(bad, b2, 0o644)

	testutil.InitEAL(t, "--in-memory")
	log := captureLog(t)
	mp := newPool(t, "pool", 255, mbuf.DefaultBufSize)
	for i, c := range []struct {
		file   string
		n      int
		offset int
	}{{trunc, 9, 24 + 9*116}, {bad, 3, off}} {
		log.Reset()
		port := probePort(t, fmt.Sprintf("net_pcap%d,rx_pcap=%s", i, c.file))
		startPort(t, port, 1, 1, mp, nil)
		n := forwardAll(t, port, true)
		for range 3 {
			n += ethdev.RxBurst(port, 0, make([]*mbuf.Mbuf, 4))
		}
		if n != c.n {
			t.Errorf("%s: %d packets, want %d", c.file, n, c.n)
		}
		s, _ := ethdev.StatsGet(port)
		if s.IErrors != 1 || xstat(t, port, "rx_pcap_errors") != 1 || xstat(t, port, "rx_pcap_eof") != 0 {
			t.Errorf("%s: ierrors %d, xstats rx_pcap_errors %d rx_pcap_eof %d", c.file, s.IErrors, xstat(t, port, "rx_pcap_errors"), xstat(t, port, "rx_pcap_eof"))
		}
		msg := log.String()
		if strings.Count(msg, c.file) != 1 || !strings.Contains(msg, fmt.Sprintf("offset %d", c.offset)) {
			t.Errorf("%s: log %q: want one message with the file and offset %d", c.file, msg, c.offset)
		}
		t.Logf("log: %s", strings.TrimSpace(msg))
		ethdev.Close(port)
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}

func TestPcapngInOut(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pcapng"), filepath.Join(dir, "out.pcapng")
	want := makePackets(64, 60, 1500, 4000)
	writeCapture(t, in, pcapng.FormatPcapng, want)
	testutil.InitEAL(t, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+in+",tx_pcap="+out+",tx_format=pcapng")
	mp := newPool(t, "pool", 1023, mbuf.DefaultBufSize)
	startPort(t, 0, 1, 1, mp, &ethdev.Conf{RxMode: ethdev.RxMode{Offloads: ethdev.RxOffloadTimestamp}})
	pkts := make([]*mbuf.Mbuf, 1)
	if n := ethdev.RxBurst(0, 0, pkts); n != 1 || pcap.RxTimestamp(pkts[0]) != baseTime.UnixNano()+123 {
		t.Fatalf("first packet: n %d timestamp %d", n, pcap.RxTimestamp(pkts[0]))
	}
	ethdev.TxBurst(0, 0, pkts)
	if n := forwardAll(t, 0, true); n != len(want)-1 {
		t.Errorf("forwarded %d", n+1)
	}
	ethdev.Close(0)
	got, r := readCapture(t, out)
	if r.Format() != pcapng.FormatPcapng {
		t.Errorf("output format %v", r.Format())
	}
	if ifc, _ := r.Interface(0); ifc.TSResol != pcapng.ResolutionNano || ifc.LinkType != pcapng.LinkTypeEthernet {
		t.Errorf("output interface %+v", ifc)
	}
	comparePackets(t, "pcapng", toCap(want), got)
}

// TestQueues: one RX queue per rx_pcap and one TX queue per tx_pcap, in order.
func TestQueues(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 3 {
		f := filepath.Join(dir, fmt.Sprintf("in%d.pcap", i))
		writeCapture(t, f, pcapng.FormatPcap, makePackets(i+1, 100*(i+1)))
		files = append(files, f)
	}
	o0, o1 := filepath.Join(dir, "o0.pcap"), filepath.Join(dir, "o1.pcap")
	testutil.InitEAL(t, "--in-memory",
		"--vdev", fmt.Sprintf("net_pcap0,rx_pcap=%s,rx_pcap=%s,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s", files[0], files[1], files[2], o0, o1),
		"--vdev", "net_pcap1,tx_pcap=/dev/null,tx_pcap=/dev/null",
		"--vdev", "net_pcap2,rx_pcap="+files[2])
	log := captureLog(t)
	probePort(t, "net_pcap3,rx_pcap="+files[0]+",infinite_rx=1,infinite_rx=1,phy_mac=1")
	if m := log.String(); !strings.Contains(m, "infinite_rx has not been enabled") || !strings.Contains(m, "phy_mac ignored") {
		t.Errorf("log %q: want warnings for infinite_rx twice and phy_mac", m)
	}
	mp := newPool(t, "pool", 1023, mbuf.DefaultBufSize)
	for port, q := range [][2]uint16{{3, 2}, {2, 2}, {1, 1}, {1, 1}} {
		info, _ := ethdev.InfoGet(uint16(port))
		if info.MaxRxQueues != q[0] || info.MaxTxQueues != q[1] {
			t.Errorf("port %d: %d rx %d tx queues, want %d %d", port, info.MaxRxQueues, info.MaxTxQueues, q[0], q[1])
		}
		startPort(t, uint16(port), q[0], q[1], mp, nil)
	}
	pkts := make([]*mbuf.Mbuf, 32)
	for q := range uint16(3) {
		n := ethdev.RxBurst(0, q, pkts)
		if n != int(q)+1 || pkts[0].PktLen() != 100*uint32(q+1) {
			t.Errorf("port 0 queue %d: %d packets", q, n)
		}
		ethdev.TxBurst(0, q%2, pkts[:n])
	}
	// net_pcap1 has no rx_pcap: its RX queues receive nothing.
	if n := ethdev.RxBurst(1, 1, pkts); n != 0 {
		t.Errorf("tx-only port received %d", n)
	}
	// net_pcap2 has no tx_pcap: its TX queue drops and counts.
	n := ethdev.RxBurst(2, 0, pkts)
	ethdev.TxBurst(2, 0, pkts[:n])
	if s, _ := ethdev.StatsGet(2); s.OPackets != 3 || s.OBytes != 900 {
		t.Errorf("dropping tx queue: stats %+v", s)
	}
	// infinite_rx given twice is not enabled (as DPDK): the file ends.
	if n := ethdev.RxBurst(3, 0, pkts); n != 1 {
		t.Errorf("infinite_rx twice: %d packets", n)
	}
	ethdev.TxBurst(3, 0, pkts[:1])
	for _, p := range ethdev.Ports() {
		if err := ethdev.Close(p); err != nil {
			t.Error(err)
		}
	}
	g0, _ := readCapture(t, o0)
	g1, _ := readCapture(t, o1)
	if len(g0) != 1+3 || len(g1) != 2 {
		t.Errorf("o0 %d packets, o1 %d", len(g0), len(g1))
	}
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}

func TestBadArgs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.pcap")
	writeCapture(t, good, pcapng.FormatPcap, makePackets(1, 60))
	text := filepath.Join(dir, "text.pcap")
	os.WriteFile(text, []byte("this is not a capture file\n"), 0o644)
	short := filepath.Join(dir, "short.pcap")
	os.WriteFile(short, []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0}, 0o644)
	empty := filepath.Join(dir, "empty.pcap")
	os.WriteFile(empty, nil, 0o644)
	var many []string
	for range 17 {
		many = append(many, "rx_pcap="+good)
	}
	for _, c := range []struct{ devargs, want string }{
		{"net_pcap0", "rx_pcap"},
		{"net_pcap0,iface=eth0", "net_af_packet"},
		{"net_pcap0,rx_iface=eth0,tx_pcap=/dev/null", "net_af_packet"},
		{"net_pcap0,rx_iface_in=eth0", "net_af_packet"},
		{"net_pcap0,tx_iface=eth0", "files only"},
		{"net_pcap0,rx_pcap=" + filepath.Join(dir, "missing.pcap"), filepath.Join(dir, "missing.pcap")},
		{"net_pcap0,rx_pcap=" + text, text},
		{"net_pcap0,rx_pcap=" + short, short},
		{"net_pcap0,rx_pcap=" + empty, empty},
		{"net_pcap0,rx_pcap=" + dir, dir},
		{"net_pcap0,tx_pcap=" + filepath.Join(dir, "no/such/dir.pcap"), "no/such/dir.pcap"},
		{"net_pcap0,rx_pcap=", "file name"},
		{"net_pcap0,tx_pcap=/dev/null,tx_format=pcapx", "tx_format"},
		{"net_pcap0,rx_pcap=" + good + ",infinite_rx=maybe", "infinite_rx"},
		{"net_pcap0," + strings.Join(many, ","), "at most 16"},
		{"net_pcap0,rx_pcap=" + good + ",bogus=1", "valid: rx_pcap, tx_pcap"},
	} {
		_, err := eal.Init([]string{"t", "--in-memory", "--no-huge", "-l", "0", "--vdev", c.devargs})
		if err == nil {
			eal.Cleanup()
			t.Errorf("--vdev %s accepted", c.devargs)
			continue
		}
		if !strings.Contains(err.Error(), "net_pcap0") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--vdev %s: error %q does not name the device and %q", c.devargs, err, c.want)
		}
	}
	t.Run("message", func(t *testing.T) {
		_, err := eal.Init([]string{"t", "--in-memory", "--no-huge", "-l", "0", "--vdev", "net_pcap0,rx_pcap=" + text})
		if err == nil {
			eal.Cleanup()
			t.Fatal("accepted")
		}
		t.Logf("%v", err)
		_, err = eal.Init([]string{"t", "--in-memory", "--no-huge", "-l", "0", "--vdev", "net_pcap0,iface=eth0"})
		if err == nil {
			eal.Cleanup()
			t.Fatal("accepted")
		}
		t.Logf("%v", err)
	})
}

// TestZeroAllocs: the packet path allocates nothing, with infinite_rx and
// TX to /dev/null as with a file read to its end.
func TestZeroAllocs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pcap")
	writeCapture(t, in, pcapng.FormatPcap, makePackets(1000, 60, 1514, 4000, 300))
	testutil.InitEAL(t, "--in-memory",
		"--vdev", "net_pcap0,rx_pcap="+in+",infinite_rx=1,tx_pcap=/dev/null",
		"--vdev", "net_pcap1,rx_pcap="+in+",tx_pcap=/dev/null",
		"--vdev", "net_pcap2,rx_pcap="+in+",tx_pcap=/dev/null,tx_format=pcapng")
	mp := newPool(t, "pool", 4095, mbuf.DefaultBufSize)
	conf := &ethdev.Conf{RxMode: ethdev.RxMode{Offloads: ethdev.RxOffloadTimestamp}}
	for _, p := range ethdev.Ports() {
		startPort(t, p, 1, 1, mp, conf)
	}
	pkts := make([]*mbuf.Mbuf, 32)
	for _, p := range ethdev.Ports() {
		burst := func() {
			n := ethdev.RxBurst(p, 0, pkts)
			if n == 0 {
				t.Fatalf("port %d: no packet", p)
			}
			ethdev.TxBurst(p, 0, pkts[:n])
		}
		burst() // warm up: the reader's buffer, the writer's, the caches
		if a := testing.AllocsPerRun(25, burst); a != 0 {
			t.Errorf("port %d: %v allocations per rx+tx burst", p, a)
		}
	}
}

func BenchmarkInfiniteRxToDevNull(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.pcap")
	writeCapture(b, in, pcapng.FormatPcap, makePackets(256, 64))
	testutil.InitEAL(b, "--in-memory", "--vdev", "net_pcap0,rx_pcap="+in+",infinite_rx=1,tx_pcap=/dev/null")
	mp := newPool(b, "pool", 4095, mbuf.DefaultBufSize)
	startPort(b, 0, 1, 1, mp, nil)
	pkts := make([]*mbuf.Mbuf, 32)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		k := ethdev.RxBurst(0, 0, pkts)
		ethdev.TxBurst(0, 0, pkts[:k])
		n += k
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/packet")
}
