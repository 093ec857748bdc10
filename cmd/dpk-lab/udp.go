package main

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"dpk/internal/sys"

	"golang.org/x/sys/unix"
)

// The kernel lab's traffic: a UDP sender in namespace A and a receiver in
// namespace B, each a goroutine locked to an OS thread switched into its
// namespace, with sockets of that namespace.

const (
	udpBatch   = 32   // datagrams per sendmmsg / recvmmsg
	udpDstPort = 9000 // the receiver's port
	udpSrcPort = 10000
	// udpOverhead is what a UDP payload gains on an Ethernet link.
	udpOverhead = 14 + 20 + 8
)

// clock reads CLOCK_MONOTONIC in ns. Both namespaces share the host's
// monotonic clock, and the sender and receiver share this process: the
// reading is the clock_gettime value at start plus Go's monotonic time
// since (the same clock, read through the vDSO without an allocation).
var clock = newMonoClock()

type monoClock struct {
	start time.Time
	base  int64
}

func newMonoClock() monoClock {
	var ts unix.Timespec
	start := time.Now()
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return monoClock{start: start, base: ts.Nano()}
}

// now returns CLOCK_MONOTONIC in ns.
func (c monoClock) now() uint64 { return uint64(c.base + int64(time.Since(c.start))) }

// traffic is what a run sends: rate in packets per second (0 as fast as
// possible), UDP payload size, number of flows (source ports).
type traffic struct {
	rate  uint64
	size  int
	flows int
}

// udpPair is a running sender and receiver.
type udpPair struct {
	stopSend, stopRecv atomic.Bool
	sendDone, recvDone sync.WaitGroup
	sendErr, recvErr   error
}

// startUDP starts the receiver in namespace nsB on dst and the sender in
// nsA from src, sending to dst; cpus, if not empty, are the CPUs their
// threads may run on. It returns once both have their sockets.
func startUDP(m *meter, tr traffic, nsA, nsB string, src, dst netip.Addr, cpus []int) (*udpPair, error) {
	u := &udpPair{}
	ready := make(chan error, 1)
	u.recvDone.Add(1)
	go u.receive(m, nsB, dst, cpus, ready)
	if err := <-ready; err != nil {
		return nil, fmt.Errorf("receiver in %s: %w", nsB, err)
	}
	u.sendDone.Add(1)
	go u.send(m, tr, nsA, src, dst, cpus, ready)
	if err := <-ready; err != nil {
		u.stopReceiving()
		return nil, fmt.Errorf("sender in %s: %w", nsA, err)
	}
	return u, nil
}

// stopSending stops the sender and waits for it.
func (u *udpPair) stopSending() error {
	u.stopSend.Store(true)
	u.sendDone.Wait()
	return u.sendErr
}

// stopReceiving stops the receiver and waits for it.
func (u *udpPair) stopReceiving() error {
	u.stopRecv.Store(true)
	u.recvDone.Wait()
	return u.recvErr
}

// inNamespace locks the goroutine to its thread, moves the thread into ns
// and pins it to cpus. leave switches it back and unlocks it (or lets it
// end with the goroutine when it cannot go back).
func inNamespace(ns string, cpus []int) (leave func(), err error) {
	runtime.LockOSThread()
	back, err := enterNetns(ns)
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	var oldCPUs []int
	if len(cpus) > 0 {
		if old, err := sys.ThreadAffinity(); err == nil && sys.SetThreadAffinity(cpus) == nil {
			oldCPUs = old
		}
	}
	return func() {
		if oldCPUs != nil {
			sys.SetThreadAffinity(oldCPUs)
		}
		if back() == nil {
			runtime.UnlockOSThread()
		}
	}, nil
}

func sockaddr(a netip.Addr, port int) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Addr: a.As4(), Port: port}
}

// udpSocket opens a UDP socket bound to local, with a 100 ms timeout on
// blocking calls so that the loops see their stop flag.
func udpSocket(local netip.Addr, port int) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	if err := unix.Bind(fd, sockaddr(local, port)); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind %v:%d: %w", local, port, err)
	}
	return fd, nil
}

// retryable reports whether a socket call may simply be tried again.
func retryable(err error) bool {
	return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) || errors.Is(err, unix.ENOBUFS)
}

func (u *udpPair) send(m *meter, tr traffic, ns string, src, dst netip.Addr, cpus []int, ready chan<- error) {
	defer u.sendDone.Done()
	leave, err := inNamespace(ns, cpus)
	if err != nil {
		ready <- err
		return
	}
	defer leave()
	fds := make([]int, 0, tr.flows)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for i := 0; i < tr.flows; i++ {
		fd, err := udpSocket(src, udpSrcPort+i)
		if err == nil {
			// No UDP checksum (allowed over IPv4): the datagrams leave
			// complete, without a partial checksum for a driver to finish.
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NO_CHECK, 1)
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 4<<20)
			err = unix.Connect(fd, sockaddr(dst, udpDstPort))
		}
		if err != nil {
			ready <- err
			return
		}
		fds = append(fds, fd)
	}
	b := newMmsgBatch(udpBatch, tr.size)
	ready <- nil

	var seq uint64
	start := time.Now()
	flow := 0
	for !u.stopSend.Load() {
		n := uint64(udpBatch)
		if tr.rate > 0 {
			due := uint64(time.Since(start).Seconds() * float64(tr.rate))
			if due <= seq {
				// Sleep until the next packet is due (at most 10 ms, so the
				// stop flag is seen).
				wait := time.Duration(float64(seq+1)/float64(tr.rate)*1e9) - time.Since(start)
				time.Sleep(min(max(wait, 0), 10*time.Millisecond))
				continue
			}
			n = min(n, due-seq)
		}
		stamp := clock.now()
		for i := uint64(0); i < n; i++ {
			putPayload(b.bufs[i], m.point, seq+i, stamp)
		}
		k, err := sendmmsg(fds[flow], b, int(n))
		if k > 0 {
			seq += uint64(k)
			m.sent.Add(uint64(k))
		}
		if err != nil {
			if retryable(err) {
				runtime.Gosched()
				continue
			}
			u.sendErr = fmt.Errorf("sendmmsg: %w", err)
			return
		}
		flow++
		if flow == len(fds) {
			flow = 0
		}
	}
}

func (u *udpPair) receive(m *meter, ns string, local netip.Addr, cpus []int, ready chan<- error) {
	defer u.recvDone.Done()
	leave, err := inNamespace(ns, cpus)
	if err != nil {
		ready <- err
		return
	}
	defer leave()
	fd, err := udpSocket(local, udpDstPort)
	if err != nil {
		ready <- err
		return
	}
	defer unix.Close(fd)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	b := newMmsgBatch(udpBatch, 2048)
	ready <- nil

	for !u.stopRecv.Load() {
		k, err := recvmmsg(fd, b, unix.MSG_WAITFORONE)
		if err != nil {
			if retryable(err) {
				continue
			}
			u.recvErr = fmt.Errorf("recvmmsg: %w", err)
			return
		}
		now := clock.now()
		m.mu.Lock()
		for i := 0; i < k; i++ {
			l := b.msgLen(i)
			point, seq, stamp, ok := parsePayload(b.bufs[i][:l])
			if !ok || point != m.point {
				m.foreign++
				continue
			}
			var lat uint64
			if now > stamp {
				lat = now - stamp
			}
			m.add(seq, lat, l+udpOverhead)
		}
		m.mu.Unlock()
	}
}
