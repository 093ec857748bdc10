package main

// io forwards packets as they are, without touching their data: the
// fastest mode (DPDK's iofwd.c).

func init() {
	register(&engine{name: "io", rank: 0, needRx: true, needTx: true, fwd: ioForward})
}

func ioForward(fs *stream) {
	n := fs.rxBurst()
	if n == 0 {
		return
	}
	fs.send(fs.pkts[:n])
}
