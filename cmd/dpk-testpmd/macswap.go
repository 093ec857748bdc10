package main

import "dpk/pkt"

// macswap swaps each packet's source and destination Ethernet addresses
// and sends it back out (DPDK's macswap.c).

func init() {
	register(&engine{name: "macswap", rank: 2, needRx: true, needTx: true, fwd: macSwap})
}

func macSwap(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	fl := fs.txFlags
	for _, m := range fs.pkts[:n] {
		if m.DataLen() >= pkt.EthernetLen {
			pkt.Ethernet(m.Data()).SwapAddrs()
		}
		setTxFields(m, fl)
	}
	fs.send(fs.pkts[:n])
}
