package pcap_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"dpk/ethdev"
	"dpk/internal/testutil"
	"dpk/mbuf"
)

// TestRoundTripSharedCaptures forwards every packet of every shared capture
// from rx_pcap to tx_pcap and checks the output holds the same packets,
// byte for byte (timestamps differ: TX stamps the time of sending).
func TestRoundTripSharedCaptures(t *testing.T) {
	files := sharedPcaps(t)
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "pool", 4095, mbuf.DefaultBufSize)
	dir := t.TempDir()
	var npkt, chained, longest int
	for i, in := range files {
		want, _ := readCapture(t, in)
		out := filepath.Join(dir, fmt.Sprintf("out%d.pcap", i))
		port := probePort(t, fmt.Sprintf("net_pcap0,rx_pcap=%s,tx_pcap=%s", in, out))
		startPort(t, port, 1, 1, mp, nil)
		n := forwardAll(t, port, true)
		s, _ := ethdev.StatsGet(port)
		if err := ethdev.Close(port); err != nil {
			t.Fatal(err)
		}
		var nbytes uint64
		for _, p := range want {
			nbytes += uint64(len(p.data))
			if len(p.data) > mbuf.DefaultDataroom {
				chained++
			}
			longest = max(longest, len(p.data))
		}
		if n != len(want) || s.IPackets != uint64(len(want)) || s.OPackets != s.IPackets || s.IBytes != nbytes || s.OBytes != nbytes || s.IErrors != 0 {
			t.Errorf("%s: forwarded %d of %d packets, stats %+v", in, n, len(want), s)
		}
		got, _ := readCapture(t, out)
		comparePackets(t, in, want, got)
		npkt += len(want)
	}
	t.Logf("%d captures, %d packets, %d longer than one mbuf's data room (longest %d bytes)", len(files), npkt, chained, longest)
	if mp.AvailCount() != mp.Size() {
		t.Errorf("%d of %d mbufs back", mp.AvailCount(), mp.Size())
	}
}
