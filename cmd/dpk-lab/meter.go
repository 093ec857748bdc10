package main

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
)

// Every test packet's UDP payload starts with this header (little endian):
//
//	0  magic   "DPKL"
//	4  point   which run of a sweep sent it
//	8  seq     sequence number, from 0 for each run
//	16 stamp   send time: CLOCK_MONOTONIC ns (kernel lab) or TSC (ring lab)
//
// The rest of the payload is left as it is.
const (
	payloadMagic = 0x4c4b5044 // "DPKL"
	payloadHdr   = 24
)

// putPayload writes the test header at the start of b.
func putPayload(b []byte, point uint32, seq, stamp uint64) {
	_ = b[payloadHdr-1]
	binary.LittleEndian.PutUint32(b[0:], payloadMagic)
	binary.LittleEndian.PutUint32(b[4:], point)
	binary.LittleEndian.PutUint64(b[8:], seq)
	binary.LittleEndian.PutUint64(b[16:], stamp)
}

// parsePayload reads the test header; ok is false when b is not a test
// packet.
func parsePayload(b []byte) (point uint32, seq, stamp uint64, ok bool) {
	if len(b) < payloadHdr || binary.LittleEndian.Uint32(b[0:]) != payloadMagic {
		return 0, 0, 0, false
	}
	return binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:]), true
}

// meter counts what one run sent and received. The sender adds to sent;
// the receiver records each packet under the lock (taken once per batch);
// the display takes a snapshot once a second.
type meter struct {
	point uint32
	sent  atomic.Uint64

	mu        sync.Mutex
	recv      uint64 // test packets of this run received
	bytes     uint64 // their Ethernet frame bytes
	next      uint64 // highest sequence number seen + 1
	reordered uint64 // packets older than one received before them
	foreign   uint64 // packets that were not this run's
	total     hist
	interval  hist // since the last snapshot
}

// counts is a snapshot of a meter's counters.
type counts struct {
	sent, recv, bytes, missing, reordered, foreign uint64
}

// add records one received packet; the caller holds m.mu.
func (m *meter) add(seq, latNs uint64, frameLen int) {
	m.recv++
	m.bytes += uint64(frameLen)
	switch {
	case seq >= m.next:
		m.next = seq + 1
	default:
		m.reordered++
	}
	m.total.Add(latNs)
	m.interval.Add(latNs)
}

// snapshot returns the counters and moves the latencies recorded since the
// last snapshot into iv.
func (m *meter) snapshot(iv *hist) counts {
	sent := m.sent.Load()
	m.mu.Lock()
	defer m.mu.Unlock()
	c := counts{sent: sent, recv: m.recv, bytes: m.bytes, reordered: m.reordered, foreign: m.foreign}
	if m.next > m.recv {
		c.missing = m.next - m.recv
	}
	if iv != nil {
		*iv = m.interval
		m.interval.Reset()
	}
	return c
}

// totals returns the counters and a copy of the whole run's latencies.
func (m *meter) totals(all *hist) counts {
	c := m.snapshot(nil)
	m.mu.Lock()
	*all = m.total
	m.mu.Unlock()
	return c
}
