package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/internal/sys"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/pkt/checksum"
	rring "dpk/ring"
)

// The ring lab runs without root, inside one process: the two dpk ports
// are net_ring ports, and two more net_ring ports wired to them stand for
// the namespaces: a generator sends UDP frames into port 0 and a sink
// receives what port 1 sends.
//
//	generator ─ net_ring2 ═ rings ═ net_ring0 [dpk port] ─ io fwd ─ [dpk port] net_ring1 ═ rings ═ net_ring3 ─ sink
//
// The generator builds each frame in an mbuf and stamps the TSC in its
// payload just before sending; the sink reads the TSC on arrival. The
// rings hold more than the pool has mbufs, so the forwarder's TX never
// fails: the lab is lossless, and at full speed measures how fast the
// whole chain goes with the generator held back by the supply of mbufs.

const (
	// ringLabRing is the slots of each ring, more than the lab's pool has
	// mbufs: TX on a ring never fails, and nothing is dropped. A sink that
	// falls behind (it shares a CPU with the generator) holds the mbufs,
	// and the generator waits for them.
	ringLabRing  = 32768
	ringLabPool  = 16383
	ringGenBurst = 32
)

// ringNet is a built ring lab. Close tears it down.
type ringNet struct {
	pool     *mempool.Mempool
	ports    [4]uint16 // dpk A, dpk B, generator, sink
	rings    []*rring.Ring
	opened   []uint16
	frame    []byte // template: Ethernet + IPv4 + UDP, payload zeroed
	cpus     []int
	nsPerTSC float64

	stopGen, stopSink atomic.Bool
	genDone, sinkDone sync.WaitGroup
}

// newRingNet creates the four ring ports (not started).
func newRingNet(pool *mempool.Mempool) (_ *ringNet, err error) {
	r := &ringNet{pool: pool, nsPerTSC: 1e9 / float64(sys.TimerHz())}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	// Create the rings first, larger than net_ring's own (1024): the
	// ports attach to them by name.
	for _, name := range []string{"dpklab_a_in", "dpklab_a_out", "dpklab_b_in", "dpklab_b_out"} {
		rg, err := rring.CreateElem(name, 8, ringLabRing, eal.SocketIDAny, rring.FlagSPEnq|rring.FlagSCDeq)
		if err != nil {
			return nil, fmt.Errorf("ring %s: %w", name, err)
		}
		r.rings = append(r.rings, rg)
	}
	for i, dev := range []string{
		"net_ring0,rx=dpklab_a_in,tx=dpklab_a_out",
		"net_ring1,rx=dpklab_b_in,tx=dpklab_b_out",
		"net_ring2,rx=dpklab_a_out,tx=dpklab_a_in",
		"net_ring3,rx=dpklab_b_out,tx=dpklab_b_in",
	} {
		if err := ethdev.Probe(dev); err != nil {
			return nil, err
		}
		p, err := ethdev.PortByName(fmt.Sprintf("net_ring%d", i))
		if err != nil {
			return nil, err
		}
		r.ports[i] = p
		r.opened = append(r.opened, p)
	}
	for _, p := range r.ports[2:] {
		if err := setupPort(p, pool); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *ringNet) describe() string {
	return fmt.Sprintf("net_ring: generator -> port %d (net_ring2) -> dpk port %d (net_ring0) => io fwd => dpk port %d (net_ring1) -> port %d (net_ring3) -> sink",
		r.ports[2], r.ports[0], r.ports[1], r.ports[3])
}

func (r *ringNet) driverName() string { return "net_ring" }

func (r *ringNet) portIDs() (uint16, uint16) { return r.ports[0], r.ports[1] }

func (r *ringNet) created() []string { return nil }

func (r *ringNet) frameLen(size int) int { return size + udpOverhead }

// udpTemplate returns an Ethernet/IPv4/UDP frame with size payload bytes
// (zero), a correct IPv4 checksum and no UDP checksum.
func udpTemplate(src, dst net.HardwareAddr, sip, dip [4]byte, size int) []byte {
	b := make([]byte, udpOverhead+size)
	copy(b[0:6], dst)
	copy(b[6:12], src)
	binary.BigEndian.PutUint16(b[12:], 0x0800)
	h := b[14:34]
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+8+size))
	h[6] = 0x40 // DF
	h[8], h[9] = 64, 17
	copy(h[12:], sip[:])
	copy(h[16:], dip[:])
	binary.BigEndian.PutUint16(h[10:], checksum.IPv4Header(h))
	u := b[34:]
	binary.BigEndian.PutUint16(u[0:], udpSrcPort)
	binary.BigEndian.PutUint16(u[2:], udpDstPort)
	binary.BigEndian.PutUint16(u[4:], uint16(8+size))
	return b
}

func (r *ringNet) start(m *meter, tr traffic) error {
	r.frame = udpTemplate(net.HardwareAddr{2, 0x64, 0x6c, 0, 0, 0xa0}, net.HardwareAddr{2, 0x64, 0x6c, 0, 0, 0xa1},
		[4]byte{10, 99, 0, 1}, [4]byte{10, 99, 0, 2}, tr.size)
	cache, err := mempool.NewCache(256)
	if err != nil {
		return err
	}
	r.stopGen.Store(false)
	r.stopSink.Store(false)
	r.genDone.Add(1)
	r.sinkDone.Add(1)
	go r.sink(m)
	go r.generate(m, tr, cache)
	return nil
}

func (r *ringNet) stopSending() error {
	r.stopGen.Store(true)
	r.genDone.Wait()
	return nil
}

func (r *ringNet) stopReceiving() error {
	r.stopSink.Store(true)
	r.sinkDone.Wait()
	return nil
}

// pinned locks the goroutine to its thread and pins that to cpus; the
// returned function undoes both.
func pinned(cpus []int) func() {
	runtime.LockOSThread()
	var old []int
	if len(cpus) > 0 {
		if o, err := sys.ThreadAffinity(); err == nil && sys.SetThreadAffinity(cpus) == nil {
			old = o
		}
	}
	return func() {
		if old != nil {
			sys.SetThreadAffinity(old)
		}
		runtime.UnlockOSThread()
	}
}

// idle backs off a polling loop that found nothing: it yields the CPU for
// the first polls, then sleeps briefly.
func idle(n *int) {
	*n++
	if *n < 256 {
		runtime.Gosched()
		return
	}
	time.Sleep(20 * time.Microsecond)
}

// generate sends frames on the generator port until stopGen.
func (r *ringNet) generate(m *meter, tr traffic, cache *mempool.Cache) {
	defer r.genDone.Done()
	defer pinned(r.cpus)()
	var pend [ringGenBurst]*mbuf.Mbuf
	np := 0
	var seq, sent uint64 // seq: next to build; sent: taken by the port
	frame := r.frame
	flows := uint64(max(tr.flows, 1))
	port := r.ports[2]
	start := time.Now()
	idles := 0
	for !r.stopGen.Load() {
		n := ringGenBurst
		if tr.rate > 0 {
			due := uint64(time.Since(start).Seconds() * float64(tr.rate))
			if due <= sent {
				wait := time.Duration(float64(sent+1)/float64(tr.rate)*1e9) - time.Since(start)
				time.Sleep(min(max(wait, 0), 10*time.Millisecond))
				continue
			}
			n = int(min(uint64(n), due-sent))
		}
		if np < n && mbuf.AllocBulkCache(r.pool, pend[np:n], cache) == nil {
			for _, mb := range pend[np:n] {
				mb.SetLen(uint16(len(frame)))
				d := mb.Data()
				copy(d, frame)
				binary.BigEndian.PutUint16(d[34:], uint16(udpSrcPort+seq%flows))
				putPayload(d[udpOverhead:], m.point, seq, 0)
				seq++
			}
			np = n
		}
		if np == 0 {
			idle(&idles)
			continue
		}
		k := min(np, n)
		stamp := sys.Rdtsc()
		for _, mb := range pend[:k] {
			binary.LittleEndian.PutUint64(mb.Data()[udpOverhead+16:], stamp)
		}
		s := ethdev.TxBurst(port, 0, pend[:k])
		if s == 0 {
			idle(&idles)
			continue
		}
		idles = 0
		sent += uint64(s)
		m.sent.Add(uint64(s))
		np = copy(pend[:], pend[s:np])
	}
	mbuf.FreeBulk(pend[:np], eal.LcoreIDAny)
	r.pool.CacheFlush(cache)
}

// sink receives on the sink port until stopSink.
func (r *ringNet) sink(m *meter) {
	defer r.sinkDone.Done()
	defer pinned(r.cpus)()
	var pkts [64]*mbuf.Mbuf
	var free mbuf.Freer
	port := r.ports[3]
	idles := 0
	for !r.stopSink.Load() {
		n := ethdev.RxBurst(port, 0, pkts[:])
		if n == 0 {
			idle(&idles)
			continue
		}
		idles = 0
		now := sys.Rdtsc()
		m.mu.Lock()
		for _, mb := range pkts[:n] {
			d := mb.Data()
			if len(d) < udpOverhead {
				m.foreign++
				continue
			}
			point, seq, stamp, ok := parsePayload(d[udpOverhead:])
			if !ok || point != m.point {
				m.foreign++
				continue
			}
			var lat uint64
			if now > stamp {
				lat = uint64(float64(now-stamp) * r.nsPerTSC)
			}
			m.add(seq, lat, int(mb.PktLen()))
		}
		m.mu.Unlock()
		free.FreeBulk(pkts[:n])
	}
	free.Flush()
}

// Close stops the traffic, then stops and closes the ports and frees the
// rings.
func (r *ringNet) Close() error {
	r.stopSending()
	r.stopReceiving()
	var errs []error
	for i := len(r.opened) - 1; i >= 0; i-- {
		ethdev.Stop(r.opened[i])
		if err := ethdev.Close(r.opened[i]); err != nil {
			errs = append(errs, err)
		}
	}
	r.opened = nil
	for _, rg := range r.rings {
		if err := rg.Free(); err != nil {
			errs = append(errs, err)
		}
	}
	r.rings = nil
	return errors.Join(errs...)
}
