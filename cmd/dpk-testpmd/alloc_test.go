package main

import (
	"runtime"
	"testing"
	"time"

	"dpk/ethdev"
	"dpk/mbuf"
)

// The packet path allocates nothing: each engine's burst function, and a
// whole forwarding run on a worker lcore.

func TestEngineBurstAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	tp, _ := newApp(t, "net_ring0", "net_ring1", "net_null0")
	if err := txOnlyBegin(tp, 2); err != nil {
		t.Fatal(err)
	}
	var pkts, back [32]*mbuf.Mbuf
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			rx, tx := uint16(0), uint16(1)
			if e.name == "icmpecho" {
				tx = 0
			}
			fs := testStream(tp, rx, tx)
			// Each run builds a burst from a template, injects it, runs
			// the engine, and takes back what it sent.
			var tmpl *mbuf.Mbuf
			if e.name == "icmpecho" {
				tmpl = icmpEchoRequest(t, tp, ip4B, 1)
			} else {
				tmpl = udpPacket(t, tp, spec4)
			}
			frame := append([]byte(nil), tmpl.Data()...)
			freeAll([]*mbuf.Mbuf{tmpl})
			run := func() {
				for i := range pkts {
					m, _ := mbuf.Alloc(tp.pool, fs.lc.id)
					b, _ := m.Append(uint16(len(frame)))
					copy(b, frame)
					pkts[i] = m
				}
				if e.needRx {
					ethdev.TxBurst(0, 0, pkts[:])
				} else {
					freeAll(pkts[:])
				}
				e.fwd(fs)
				for p := uint16(0); p < 2; p++ {
					for {
						n := ethdev.RxBurst(p, 0, back[:])
						if n == 0 {
							break
						}
						freeAll(back[:n])
					}
				}
			}
			run()
			if n := testing.AllocsPerRun(50, run); n != 0 {
				t.Errorf("%s: %v allocations per burst, want 0", e.name, n)
			}
			if (e.needRx && fs.rxPackets < 50*32) || (e.needTx && fs.txPackets < 50*32) {
				t.Errorf("%s did not forward: rx %d tx %d", e.name, fs.rxPackets, fs.txPackets)
			}
		})
	}
}

// TestForwardingAllocs forwards on a worker lcore and counts the heap
// allocations of the whole process over a steady-state window.
func TestForwardingAllocs(t *testing.T) {
	for _, mode := range []string{"io", "macswap", "csum", "txonly", "flowgen"} {
		t.Run(mode, func(t *testing.T) {
			tp, out := newApp(t, "net_null0", "net_null1", "--", "--forward-mode="+mode)
			if err := tp.startPacketForwarding(0); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // warm up
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			time.Sleep(300 * time.Millisecond)
			runtime.ReadMemStats(&after)
			tp.stopPacketForwarding()
			var pkts uint64
			for _, fs := range tp.cfg.streams {
				pkts += fs.rxPackets + fs.txPackets
			}
			mallocs := after.Mallocs - before.Mallocs
			t.Logf("%s: %d packets, %d heap allocations in the window", mode, pkts, mallocs)
			if pkts < 10000 {
				t.Fatalf("only %d packets forwarded:\n%s", pkts, out)
			}
			// A few allocations come from the runtime and the test
			// itself; none may scale with the packets.
			if mallocs > 50 {
				t.Errorf("%d heap allocations while forwarding %d packets", mallocs, pkts)
			}
		})
	}
}
