package main

import (
	"strings"
	"testing"
)

// The verbose dump, compared with what DPDK 22.11's testpmd prints for the
// same packets (captured from dpdk-testpmd runs).
func TestDumpPktBurst(t *testing.T) {
	tp, out := newApp(t, "net_ring0", "--", "--burst=1")
	if err := txOnlyBegin(tp, 0); err != nil {
		t.Fatal(err)
	}
	fs := testStream(tp, 0, 0)
	fs.txMAC = macA // DPDK's net_ring port has 00:00:00:00:00:00; ours is random
	tp.setVerbose(3)
	txOnly(fs)
	got := collect(0)
	freeAll(got)
	tp.setVerbose(0)
	want := "Change verbose level from 0 to 3\n" +
		"port 0/queue 0: sent 1 packets\n" +
		"  src=02:AA:00:00:00:01 - dst=02:00:00:00:00:00 - pool=mb_pool_0 - type=0x0800 - length=64 - nb_segs=1 - sw ptype: L2_ETHER L3_IPV4 L4_UDP  - l2_len=14 - l3_len=20 - l4_len=8 - Send queue=0x0\n" +
		"  ol_flags: RTE_MBUF_F_TX_L4_NO_CKSUM \n" +
		"port 0/queue 0: received 1 packets\n" +
		"  src=02:AA:00:00:00:01 - dst=02:00:00:00:00:00 - pool=mb_pool_0 - type=0x0800 - length=64 - nb_segs=1 - sw ptype: L2_ETHER L3_IPV4 L4_UDP  - l2_len=14 - l3_len=20 - l4_len=8 - Receive queue=0x0\n" +
		"  ol_flags: RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN RTE_MBUF_F_RX_OUTER_L4_CKSUM_UNKNOWN \n" +
		"Change verbose level from 3 to 0\n"
	if s := out.String(); !strings.HasSuffix(s, want) {
		t.Errorf("verbose output:\n%s\nwant it to end with:\n%s", s, want)
	}
}

func TestOlFlagLists(t *testing.T) {
	for _, tc := range []struct {
		rx   bool
		fl   uint64
		want string
	}{
		{true, 0, "RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN RTE_MBUF_F_RX_OUTER_L4_CKSUM_UNKNOWN "},
		{true, 1<<1 | 1<<7 | 1<<3, "RTE_MBUF_F_RX_RSS_HASH RTE_MBUF_F_RX_L4_CKSUM_BAD RTE_MBUF_F_RX_IP_CKSUM_GOOD RTE_MBUF_F_RX_OUTER_L4_CKSUM_UNKNOWN "},
		{false, 1<<55 | 1<<54 | 3<<52, "RTE_MBUF_F_TX_IP_CKSUM RTE_MBUF_F_TX_UDP_CKSUM RTE_MBUF_F_TX_IPV4 "},
		{false, 0, "RTE_MBUF_F_TX_L4_NO_CKSUM "},
	} {
		got := txOlFlagList(tc.fl)
		if tc.rx {
			got = rxOlFlagList(tc.fl)
		}
		if got != tc.want {
			t.Errorf("flags %#x: %q, want %q", tc.fl, got, tc.want)
		}
	}
}
