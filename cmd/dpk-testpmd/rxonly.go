package main

import "dpk/mbuf"

// rxonly receives packets and frees them (DPDK's rxonly.c).

func init() {
	register(&engine{name: "rxonly", rank: 4, needRx: true, fwd: rxOnly})
}

func rxOnly(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	mbuf.FreeBulk(fs.pkts[:n], fs.lc.id)
}
