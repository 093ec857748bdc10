package pcap

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/mbuf"
	"dpk/pcapng"
)

// flushInterval is how long written packets may wait in the buffer before
// a TX burst flushes them to the file.
const flushInterval = 100 * time.Millisecond

// txQueue is one TX queue: a capture file written packet by packet, or,
// with no tx_pcap, a queue that counts and drops. It is made at probe and
// kept until Close.
type txQueue struct {
	id   int
	name string // device name, for messages
	path string // the tx_pcap file; "" for a dropping queue

	f         *os.File
	w         pcapng.Writer
	scratch   []byte // a chained packet, gathered
	lastFlush time.Time
	errLogged bool
	free      mbuf.Freer

	stats     ethdev.QueueStats
	writeErrs atomic.Uint64
	cut       atomic.Uint64
}

// open creates or truncates the file and writes its header.
func (q *txQueue) open(format pcapng.Format) error {
	f, err := os.OpenFile(q.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("tx_pcap=%s: %w", q.path, err)
	}
	var w pcapng.Writer
	if format == pcapng.FormatPcapng {
		w, err = pcapng.NewPcapngWriter(f,
			pcapng.WithSection(pcapng.Section{UserAppl: "dpk net_pcap"}),
			pcapng.WithInterface(pcapng.Interface{
				LinkType: pcapng.LinkTypeEthernet, SnapLen: snapLen,
				TSResol: pcapng.ResolutionNano, Name: q.name,
			}))
	} else {
		w, err = pcapng.NewPcapWriter(f, pcapng.LinkTypeEthernet, snapLen, true)
	}
	if err == nil {
		err = w.Flush() // a valid, empty capture from the start
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("tx_pcap=%s: %w", q.path, err)
	}
	q.f, q.w = f, w
	q.scratch = make([]byte, snapLen)
	q.lastFlush = time.Now()
	return nil
}

// TxBurst writes every packet to the file, or drops it on a dropping
// queue, and frees the mbufs. It takes them all.
func (q *txQueue) TxBurst(pkts []*mbuf.Mbuf) int {
	if len(pkts) == 0 {
		return 0
	}
	var bytes uint64
	if q.w == nil {
		for _, m := range pkts {
			bytes += uint64(m.PktLen())
		}
		q.free.FreeBulk(pkts)
		q.stats.Add(uint64(len(pkts)), bytes)
		return len(pkts)
	}
	var sent, bad, werr, cut uint64
	var now time.Time
	for _, m := range pkts {
		l := m.PktLen()
		caplen := min(l, snapLen)
		if caplen < l {
			cut++
		}
		var data []byte
		if caplen > 0 {
			// A view of a contiguous packet, or its segments gathered.
			if data = m.Read(0, caplen, q.scratch); data == nil {
				bad++ // pkt_len longer than the segments hold
				continue
			}
		}
		now = time.Now()
		if err := q.w.WritePacket(pcapng.CaptureInfo{Timestamp: now, Length: int(l)}, data); err != nil {
			werr++
			q.writeError(err)
			continue
		}
		sent++
		bytes += uint64(caplen)
	}
	q.free.FreeBulk(pkts)
	if sent > 0 && now.Sub(q.lastFlush) >= flushInterval {
		if err := q.w.Flush(); err != nil {
			q.writeError(err)
		}
		q.lastFlush = now
	}
	q.stats.Add(sent, bytes)
	if bad+werr > 0 {
		q.stats.AddErrors(bad + werr)
		q.writeErrs.Store(q.writeErrs.Load() + werr)
	}
	if cut > 0 {
		q.cut.Store(q.cut.Load() + cut)
	}
	return len(pkts)
}

func (q *txQueue) writeError(err error) {
	if !q.errLogged {
		q.errLogged = true
		eal.Logf(eal.LogErr, logType, "%s tx queue %d: %s: %v", q.name, q.id, q.path, err)
	}
}

// flush writes the buffered packets to the file and returns the freed
// mbufs to their pools; a write error is logged.
func (q *txQueue) flush() {
	if q.w != nil {
		if err := q.w.Flush(); err != nil {
			q.writeError(err)
		}
		q.lastFlush = time.Now()
	}
	q.free.Flush()
}

// close flushes and closes the file; the queue drops from then on.
func (q *txQueue) close() error {
	q.free.Flush()
	if q.f == nil {
		return nil
	}
	err := q.w.Flush()
	if e := q.f.Close(); err == nil {
		err = e
	}
	q.f, q.w = nil, nil
	if err != nil {
		return fmt.Errorf("tx_pcap=%s: %w", q.path, err)
	}
	return nil
}
