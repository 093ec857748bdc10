package main

// mbuf_autotest is a functional self-check of package mbuf in the spirit
// of DPDK's app/test/test_mbuf.c: the pktmbuf API on one mbuf (append,
// prepend, adj, trim and their failures), allocating a whole pool, resets
// on reallocation, freeing segments, reference counts, clones of single and
// chained packets, attaching to an mbuf of another pool, linearize, read,
// TX offload fields, bulk allocation and free, the sanity check, private
// areas, zero-on-free pools and two lcores freeing shared mbufs at once.
// After every step each pool must hold all its mbufs again and pass audit.

import (
	"bytes"
	"errors"
	"fmt"
	"unsafe"

	"dpk/eal"
	"dpk/mbuf"
	"dpk/mempool"
)

func init() {
	register("mbuf_autotest", testMbuf)
}

const (
	mbTestCacheSize  = 32
	mbTestDataSize   = 2048 // MBUF_DATA_SIZE: headroom + data room
	mbTestNbMbuf     = 128
	mbTestDataLen    = 1464
	mbTestDataLen2   = 50
	mbTestHdr1Len    = 20
	mbTestHdr2Len    = 30
	mbTestAllHdrsLen = mbTestHdr1Len + mbTestHdr2Len
	mbTestBurst      = 8
	mbTestPriv2Size  = 128
	mbTestMagic      = 0x42424242
)

// mbufTest holds the pools and the lcore the steps run on.
type mbufTest struct {
	pool  *mempool.Mempool // test_pktmbuf_pool
	pool2 *mempool.Mempool // test_pktmbuf_pool2: private area, for clones
	lcore uint32
}

func testMbuf() (err error) {
	t := &mbufTest{lcore: eal.MainLcore().ID()}
	var pools []*mempool.Mempool
	defer func() {
		for _, mp := range pools {
			if e := mp.Free(); e != nil && err == nil {
				err = fmt.Errorf("free mempool %s: %w", mp.Name(), e)
			}
		}
	}()
	if t.pool, err = mbuf.PoolCreate("test_pktmbuf_pool", mbTestNbMbuf, mbTestCacheSize, 0, mbTestDataSize, eal.SocketIDAny); err != nil {
		return fmt.Errorf("cannot allocate mbuf pool: %w", err)
	}
	pools = append(pools, t.pool)
	// As in DPDK, this pool has no data room: its mbufs only ever attach
	// to others' buffers.
	if t.pool2, err = mbuf.PoolCreate("test_pktmbuf_pool2", mbTestNbMbuf, mbTestCacheSize, mbTestPriv2Size, 0, eal.SocketIDAny); err != nil {
		return fmt.Errorf("cannot allocate mbuf pool 2: %w", err)
	}
	pools = append(pools, t.pool2)

	steps := []struct {
		name string
		fn   func() error
	}{
		{"pool parameters", t.testPoolParams},
		{"pktmbuf API", t.testOnePktmbuf},
		{"whole pool", t.testPool},
		{"reset on reallocation", t.testPoolPtr},
		{"free segments", t.testFreeSegment},
		{"reference count", t.testRefcnt},
		{"clone, update, detach", t.testClone},
		{"attach from a different pool", t.testAttachOtherPool},
		{"linearize", t.testLinearize},
		{"read", t.testRead},
		{"chain append and trim", t.testChainAppendTrim},
		{"TX offload", t.testTxOffload},
		{"bulk alloc and free", t.testBulk},
		{"failing sanity check", t.testSanityCheck},
		{"private area", t.testPriv},
		{"zero on free", t.testZeroOnFree},
		{"window offsets", t.testOffsets},
		{"refcnt on all lcores", t.testRefcntLcores},
	}
	for _, s := range steps {
		fmt.Printf("mbuf test: %s\n", s.name)
		if err := s.fn(); err != nil {
			return fmt.Errorf("mbuf test %q failed: %w", s.name, err)
		}
		for _, mp := range pools {
			if !mp.Full() {
				return fmt.Errorf("mbuf test %q: pool %s leaks: %d of %d mbufs free afterwards", s.name, mp.Name(), mp.AvailCount(), mp.Size())
			}
			if err := mp.Audit(); err != nil {
				return fmt.Errorf("mbuf test %q: %w", s.name, err)
			}
		}
	}
	return nil
}

// freeAll frees every non-nil chain (the cleanup of a failing step).
func (t *mbufTest) freeAll(ms ...*mbuf.Mbuf) {
	for _, m := range ms {
		m.Free(t.lcore)
	}
}

func (t *mbufTest) testPoolParams() error {
	if got := mbuf.DataRoomSize(t.pool); got != mbTestDataSize {
		return fmt.Errorf("data room size %d, want %d", got, mbTestDataSize)
	}
	if got := mbuf.PrivSizeOf(t.pool2); got != mbTestPriv2Size {
		return fmt.Errorf("private size %d, want %d", got, mbTestPriv2Size)
	}
	if mp, err := mbuf.PoolCreate("test_bad_priv", 16, 0, 13, mbTestDataSize, eal.SocketIDAny); err == nil {
		mp.Free()
		return errors.New("a pool with a private size that is not a multiple of 8 was created")
	}
	return nil
}

// testOnePktmbuf is test_one_pktmbuf.
func (t *mbufTest) testOnePktmbuf() error {
	m, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return fmt.Errorf("cannot allocate mbuf: %w", err)
	}
	defer t.freeAll(m)
	if m.PktLen() != 0 || m.DataLen() != 0 || m.NbSegs() != 1 || m.Refcnt() != 1 || m.Next() != nil {
		return fmt.Errorf("fresh mbuf: %v", m)
	}
	if m.Headroom() != mbuf.DefaultHeadroom || m.Tailroom() != mbTestDataSize-mbuf.DefaultHeadroom {
		return fmt.Errorf("fresh mbuf: headroom %d tailroom %d", m.Headroom(), m.Tailroom())
	}
	if m.Pool() != t.pool || m.Port != mbuf.PortInvalid {
		return fmt.Errorf("fresh mbuf: pool %v port %d", m.Pool(), m.Port)
	}
	fmt.Println(m)

	data, err := m.Append(mbTestDataLen)
	if err != nil {
		return fmt.Errorf("cannot append data: %w", err)
	}
	if m.PktLen() != mbTestDataLen || m.DataLen() != mbTestDataLen || len(data) != mbTestDataLen {
		return fmt.Errorf("after append: pkt_len %d data_len %d", m.PktLen(), m.DataLen())
	}
	if unsafe.Pointer(&data[0]) != m.Mtod() {
		return errors.New("appended bytes of an empty mbuf do not start at Mtod")
	}
	for i := range data {
		data[i] = 0x66
	}
	if !m.IsContiguous() {
		return errors.New("buffer should be contiguous")
	}
	if _, err := m.Append(m.Tailroom() + 1); !errors.Is(err, mbuf.ErrNoTailroom) {
		return fmt.Errorf("append beyond the tailroom: error %v, want ErrNoTailroom", err)
	}
	if _, err := m.Append(mbTestDataLen2); err != nil {
		return fmt.Errorf("cannot append more data: %w", err)
	}
	if m.PktLen() != mbTestDataLen+mbTestDataLen2 || m.DataLen() != mbTestDataLen+mbTestDataLen2 {
		return fmt.Errorf("after second append: pkt_len %d data_len %d", m.PktLen(), m.DataLen())
	}
	if err := m.Trim(mbTestDataLen2); err != nil {
		return fmt.Errorf("cannot trim data: %w", err)
	}
	if m.PktLen() != mbTestDataLen || m.DataLen() != mbTestDataLen {
		return fmt.Errorf("after trim: pkt_len %d data_len %d", m.PktLen(), m.DataLen())
	}
	if err := m.Trim(m.DataLen() + 1); !errors.Is(err, mbuf.ErrTooShort) {
		return fmt.Errorf("trim beyond the data: error %v, want ErrTooShort", err)
	}

	hdr, err := m.Prepend(mbTestHdr1Len)
	if err != nil {
		return fmt.Errorf("cannot prepend: %w", err)
	}
	if uintptr(unsafe.Pointer(&data[0]))-uintptr(unsafe.Pointer(&hdr[0])) != mbTestHdr1Len {
		return errors.New("prepend failed: header not right before the data")
	}
	if m.PktLen() != mbTestDataLen+mbTestHdr1Len || m.DataLen() != mbTestDataLen+mbTestHdr1Len {
		return fmt.Errorf("after prepend: pkt_len %d data_len %d", m.PktLen(), m.DataLen())
	}
	for i := range hdr {
		hdr[i] = 0x55
	}
	hdr, err = m.Prepend(mbTestHdr2Len)
	if err != nil {
		return fmt.Errorf("cannot prepend: %w", err)
	}
	if uintptr(unsafe.Pointer(&data[0]))-uintptr(unsafe.Pointer(&hdr[0])) != mbTestAllHdrsLen {
		return errors.New("second prepend failed: headers not right before the data")
	}
	if m.PktLen() != mbTestDataLen+mbTestAllHdrsLen || m.DataLen() != mbTestDataLen+mbTestAllHdrsLen {
		return fmt.Errorf("after second prepend: pkt_len %d data_len %d", m.PktLen(), m.DataLen())
	}
	for i := range hdr {
		hdr[i] = 0x55
	}
	if !m.IsContiguous() {
		return errors.New("buffer should be contiguous")
	}
	if err := m.Check(true); err != nil {
		return err
	}
	if err := m.Check(false); err != nil {
		return err
	}
	fmt.Println(m)
	if _, err := m.Prepend(m.Headroom() + 1); !errors.Is(err, mbuf.ErrNoHeadroom) {
		return fmt.Errorf("prepend beyond the headroom: error %v, want ErrNoHeadroom", err)
	}

	if err := m.Adj(mbTestAllHdrsLen); err != nil {
		return fmt.Errorf("adj: %w", err)
	}
	if m.Mtod() != unsafe.Pointer(&data[0]) {
		return errors.New("adj failed: data does not start where it did")
	}
	if m.PktLen() != mbTestDataLen || m.DataLen() != mbTestDataLen {
		return fmt.Errorf("after adj: pkt_len %d data_len %d", m.PktLen(), m.DataLen())
	}
	if err := m.Adj(m.DataLen() + 1); !errors.Is(err, mbuf.ErrTooShort) {
		return fmt.Errorf("adj beyond the data: error %v, want ErrTooShort", err)
	}
	for i, b := range m.Data() {
		if b != 0x66 {
			return fmt.Errorf("data corrupted at offset %d", i)
		}
	}
	if m.Headroom()+m.DataLen()+m.Tailroom() != m.BufLen() {
		return fmt.Errorf("headroom %d + data %d + tailroom %d != buf_len %d", m.Headroom(), m.DataLen(), m.Tailroom(), m.BufLen())
	}
	return nil
}

// allocAll takes every mbuf of mp, one at a time, and checks one more fails.
func (t *mbufTest) allocAll(mp *mempool.Mempool) ([]*mbuf.Mbuf, error) {
	ms := make([]*mbuf.Mbuf, 0, mp.Size())
	for i := uint32(0); i < mp.Size(); i++ {
		m, err := mbuf.Alloc(mp, t.lcore)
		if err != nil {
			mbuf.FreeBulk(ms, t.lcore)
			return nil, fmt.Errorf("cannot allocate mbuf %d of %d: %w", i, mp.Size(), err)
		}
		ms = append(ms, m)
	}
	if extra, err := mbuf.Alloc(mp, t.lcore); err == nil {
		extra.Free(t.lcore)
		mbuf.FreeBulk(ms, t.lcore)
		return nil, fmt.Errorf("allocated %d mbufs from a pool of %d", mp.Size()+1, mp.Size())
	}
	return ms, nil
}

// testPool is test_pktmbuf_pool: allocate the whole pool, clone each mbuf
// to pool2, free everything.
func (t *mbufTest) testPool() error {
	ms, err := t.allocAll(t.pool)
	if err != nil {
		return err
	}
	defer mbuf.FreeBulk(ms, t.lcore)
	seen := map[*mbuf.Mbuf]bool{}
	for _, m := range ms {
		if seen[m] {
			return fmt.Errorf("mbuf %p allocated twice", m)
		}
		seen[m] = true
		if err := m.Check(true); err != nil {
			return err
		}
	}
	clones := make([]*mbuf.Mbuf, 0, len(ms))
	defer func() { mbuf.FreeBulk(clones, t.lcore) }()
	for _, m := range ms {
		c, err := mbuf.Clone(m, t.pool2, t.lcore)
		if err != nil {
			return fmt.Errorf("cannot clone mbuf: %w", err)
		}
		clones = append(clones, c)
		if m.Refcnt() != 2 {
			return fmt.Errorf("refcnt %d after a clone, want 2", m.Refcnt())
		}
	}
	return nil
}

// testPoolPtr is test_pktmbuf_pool_ptr: move every mbuf's data offset,
// free them; reallocated mbufs must be reset to the default headroom.
func (t *mbufTest) testPoolPtr() error {
	ms, err := t.allocAll(t.pool)
	if err != nil {
		return err
	}
	for _, m := range ms {
		m.SetDataOff(m.DataOff() + 64)
		m.SetLen(100)
		m.Port = 3
		m.OlFlags = mbuf.FlagRxVLAN
	}
	mbuf.FreeBulk(ms, t.lcore)
	ms, err = t.allocAll(t.pool)
	if err != nil {
		return err
	}
	defer mbuf.FreeBulk(ms, t.lcore)
	for _, m := range ms {
		if m.DataOff() != mbuf.DefaultHeadroom || m.PktLen() != 0 || m.DataLen() != 0 || m.Port != mbuf.PortInvalid || m.OlFlags != 0 {
			return fmt.Errorf("reallocated mbuf not reset: %v", m)
		}
	}
	return nil
}

// testFreeSegment is test_pktmbuf_free_segment: chains of segments freed
// one segment at a time.
func (t *mbufTest) testFreeSegment() error {
	ms, err := t.allocAll(t.pool)
	if err != nil {
		return err
	}
	const chainLen = 4
	var heads []*mbuf.Mbuf
	for i := 0; i < len(ms); i += chainLen {
		for j := 1; j < chainLen && i+j < len(ms); j++ {
			if err := mbuf.Chain(ms[i], ms[i+j]); err != nil {
				mbuf.FreeBulk(heads, t.lcore)
				mbuf.FreeBulk(ms[i:], t.lcore)
				return err
			}
		}
		heads = append(heads, ms[i])
	}
	for _, h := range heads {
		if h.NbSegs() != chainLen {
			mbuf.FreeBulk(heads, t.lcore)
			return fmt.Errorf("chain of %d segments, want %d", h.NbSegs(), chainLen)
		}
	}
	for _, m := range heads {
		for m != nil {
			next := m.Next()
			m.FreeSeg(t.lcore)
			m = next
		}
	}
	return nil
}

// testRefcnt checks that a free with other references left only drops one.
func (t *mbufTest) testRefcnt() error {
	m, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return err
	}
	before := t.pool.AvailCount()
	if got := m.RefcntUpdate(2); got != 3 {
		t.freeAll(m)
		return fmt.Errorf("refcnt update +2 from 1 gave %d, want 3", got)
	}
	m.Free(t.lcore)
	m.Free(t.lcore)
	if m.Refcnt() != 1 || t.pool.AvailCount() != before {
		t.freeAll(m)
		return fmt.Errorf("after two frees of three references: refcnt %d, %d free (want 1 and %d)", m.Refcnt(), t.pool.AvailCount(), before)
	}
	m.Free(t.lcore)
	if t.pool.AvailCount() != before+1 {
		return fmt.Errorf("last free did not return the mbuf: %d free, want %d", t.pool.AvailCount(), before+1)
	}
	return nil
}

// testClone is testclone_testupdate_testdetach.
func (t *mbufTest) testClone() error {
	m, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return fmt.Errorf("cannot allocate mbuf: %w", err)
	}
	var clone, clone2 *mbuf.Mbuf
	defer func() { t.freeAll(m, clone, clone2) }()
	if _, err := m.Append(4); err != nil {
		return err
	}
	*(*uint32)(m.Mtod()) = mbTestMagic

	if clone, err = mbuf.Clone(m, t.pool2, t.lcore); err != nil {
		return fmt.Errorf("cannot clone data: %w", err)
	}
	if *(*uint32)(clone.Mtod()) != mbTestMagic || clone.Mtod() != m.Mtod() {
		return errors.New("invalid data in clone")
	}
	if !clone.IsIndirect() || clone.IsDirect() || clone.PktLen() != 4 || clone.Pool() != t.pool2 {
		return fmt.Errorf("clone: %v", clone)
	}
	if m.Refcnt() != 2 {
		return fmt.Errorf("invalid refcnt %d in m, want 2", m.Refcnt())
	}
	clone.Free(t.lcore)
	clone = nil
	if m.Refcnt() != 1 {
		return fmt.Errorf("refcnt %d in m after freeing the clone, want 1", m.Refcnt())
	}

	// Same with a chained mbuf.
	next, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return err
	}
	if _, err := next.Append(4); err != nil {
		t.freeAll(next)
		return err
	}
	*(*uint32)(next.Mtod()) = mbTestMagic
	if err := mbuf.Chain(m, next); err != nil {
		t.freeAll(next)
		return err
	}
	if m.PktLen() != 8 || m.NbSegs() != 2 {
		return fmt.Errorf("chain: pkt_len %d nb_segs %d, want 8 and 2", m.PktLen(), m.NbSegs())
	}
	if clone, err = mbuf.Clone(m, t.pool2, t.lcore); err != nil {
		return fmt.Errorf("cannot clone a chain: %w", err)
	}
	if *(*uint32)(clone.Mtod()) != mbTestMagic || clone.Next() == nil || *(*uint32)(clone.Next().Mtod()) != mbTestMagic {
		return errors.New("invalid data in the clone of a chain")
	}
	if clone.NbSegs() != 2 || clone.PktLen() != 8 {
		return fmt.Errorf("clone of a chain: nb_segs %d pkt_len %d, want 2 and 8", clone.NbSegs(), clone.PktLen())
	}
	if err := clone.Check(true); err != nil {
		return err
	}
	if m.Refcnt() != 2 || m.Next().Refcnt() != 2 {
		return fmt.Errorf("refcnt m %d, m.next %d, want 2 and 2", m.Refcnt(), m.Next().Refcnt())
	}
	// Clone the clone: it attaches to the direct mbufs.
	if clone2, err = mbuf.Clone(clone, t.pool2, t.lcore); err != nil {
		return fmt.Errorf("cannot clone the clone: %w", err)
	}
	if *(*uint32)(clone2.Mtod()) != mbTestMagic || clone2.Next() == nil || *(*uint32)(clone2.Next().Mtod()) != mbTestMagic {
		return errors.New("invalid data in clone2")
	}
	if m.Refcnt() != 3 || m.Next().Refcnt() != 3 {
		return fmt.Errorf("refcnt m %d, m.next %d, want 3 and 3", m.Refcnt(), m.Next().Refcnt())
	}
	if clone.Refcnt() != 1 {
		return fmt.Errorf("refcnt of the first clone %d, want 1", clone.Refcnt())
	}
	// Free the direct mbuf first: its buffer must live on in the clones.
	m.Free(t.lcore)
	m = nil
	if *(*uint32)(clone2.Next().Mtod()) != mbTestMagic {
		return errors.New("clone2 data lost when the original was freed")
	}
	clone.Free(t.lcore)
	clone = nil
	clone2.Free(t.lcore)
	clone2 = nil
	return nil
}

// testAttachOtherPool is test_attach_from_different_pool, with Detach.
func (t *mbufTest) testAttachOtherPool() error {
	m, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return err
	}
	mi, err := mbuf.Alloc(t.pool2, t.lcore)
	if err != nil {
		t.freeAll(m)
		return err
	}
	defer func() { t.freeAll(mi, m) }()
	ownBuf := mi.BufAddr()
	if ownBuf != unsafe.Add(unsafe.Pointer(mi), mbuf.HeaderSize+mbTestPriv2Size) {
		return errors.New("buffer of an mbuf with a private area is not after it")
	}
	if _, err := m.Append(100); err != nil {
		return err
	}
	copy(m.Data(), bytes.Repeat([]byte{0xab}, 100))
	if err := mbuf.Attach(mi, m); err != nil {
		return fmt.Errorf("attach: %w", err)
	}
	if !mi.IsIndirect() || mi.Mtod() != m.Mtod() || mi.DataLen() != 100 || mi.PktLen() != 100 || m.Refcnt() != 2 {
		return fmt.Errorf("after attach: %v; direct refcnt %d", mi, m.Refcnt())
	}
	if !bytes.Equal(mi.Data(), m.Data()) {
		return errors.New("attached mbuf does not see the data")
	}
	m2, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return err
	}
	if err := mbuf.Attach(m2, mi); err != nil { // attach to an indirect mbuf
		t.freeAll(m2)
		return fmt.Errorf("attach to an indirect mbuf: %w", err)
	}
	if m2.Mtod() != m.Mtod() || m.Refcnt() != 3 {
		t.freeAll(m2)
		return fmt.Errorf("attach to an indirect mbuf: direct refcnt %d, want 3", m.Refcnt())
	}
	t.freeAll(m2)
	if err := mbuf.Attach(m, mi); !errors.Is(err, mbuf.ErrNotDirect) {
		return fmt.Errorf("attach of a shared mbuf: error %v, want ErrNotDirect", err)
	}
	mi.Detach(t.lcore)
	if mi.IsIndirect() || !mi.IsDirect() || mi.BufAddr() != ownBuf || mi.DataLen() != 0 {
		return fmt.Errorf("after detach: %v", mi)
	}
	if m.Refcnt() != 1 {
		return fmt.Errorf("direct refcnt %d after detach, want 1", m.Refcnt())
	}
	return nil
}

// makeChain builds a packet of pktLen bytes over nbSegs segments holding
// byte i%255 at offset i (as test_mbuf_linearize).
func (t *mbufTest) makeChain(pktLen, nbSegs int) (*mbuf.Mbuf, error) {
	segLen := max(pktLen/nbSegs, 1)
	var head *mbuf.Mbuf
	for off := 0; off < pktLen; {
		m, err := mbuf.Alloc(t.pool, t.lcore)
		if err != nil {
			t.freeAll(head)
			return nil, fmt.Errorf("cannot create segment: %w", err)
		}
		clear(unsafe.Slice((*byte)(m.Mtod()), m.Tailroom()))
		n := min(pktLen-off, segLen)
		d, err := m.Append(uint16(n))
		if err != nil {
			t.freeAll(head, m)
			return nil, fmt.Errorf("cannot append %d bytes: %w", n, err)
		}
		for i := range d {
			d[i] = byte((off + i) % 0xff)
		}
		if head == nil {
			head = m
		} else if err := mbuf.Chain(head, m); err != nil {
			t.freeAll(head, m)
			return nil, err
		}
		off += n
	}
	return head, nil
}

// testLinearize is test_mbuf_linearize_check, plus a chain too long for
// its first segment.
func (t *mbufTest) testLinearize() error {
	for _, c := range []struct{ size, segs int }{{128, 1}, {64, 64}, {512, 10}, {250, 11}, {123, 8}} {
		m, err := t.makeChain(c.size, c.segs)
		if err != nil {
			return err
		}
		if err := m.Check(true); err != nil {
			t.freeAll(m)
			return fmt.Errorf("chain %d/%d: %w", c.size, c.segs, err)
		}
		if err := m.Linearize(t.lcore); err != nil {
			t.freeAll(m)
			return fmt.Errorf("linearize %d bytes in %d segments: %w", c.size, c.segs, err)
		}
		if !m.IsContiguous() || m.PktLen() != uint32(c.size) || m.DataLen() != uint16(c.size) || m.Next() != nil {
			t.freeAll(m)
			return fmt.Errorf("linearized %d/%d: %v", c.size, c.segs, m)
		}
		for i, b := range m.Data() {
			if b != byte(i%0xff) {
				t.freeAll(m)
				return fmt.Errorf("linearize %d/%d: incorrect data at offset %d", c.size, c.segs, i)
			}
		}
		t.freeAll(m)
	}
	// 3 segments of 1000 bytes cannot fit in the first one's buffer.
	m, err := t.makeChain(3000, 3)
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	if err := m.Linearize(t.lcore); !errors.Is(err, mbuf.ErrNoTailroom) {
		return fmt.Errorf("linearize of a packet larger than a buffer: error %v, want ErrNoTailroom", err)
	}
	if m.NbSegs() != 3 || m.PktLen() != 3000 {
		return fmt.Errorf("failed linearize changed the packet: %v", m)
	}
	return m.Check(true)
}

// testRead is test_pktmbuf_read and test_pktmbuf_read_from_offset over a chain.
func (t *mbufTest) testRead() error {
	m, err := t.makeChain(250, 5) // 5 segments of 50 bytes
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	buf := make([]byte, 250)
	for _, r := range []struct{ off, n uint32 }{{0, 50}, {10, 20}, {40, 20}, {0, 250}, {249, 1}, {120, 100}} {
		got := m.Read(r.off, r.n, buf)
		if uint32(len(got)) != r.n {
			return fmt.Errorf("read %d bytes at %d: got %d", r.n, r.off, len(got))
		}
		for i, b := range got {
			if b != byte((r.off+uint32(i))%0xff) {
				return fmt.Errorf("read %d bytes at %d: wrong byte at %d", r.n, r.off, i)
			}
		}
		inOneSeg := r.off/50 == (r.off+r.n-1)/50
		if inOneSeg && &got[0] == &buf[0] {
			return fmt.Errorf("read %d bytes at %d within a segment copied instead of viewing", r.n, r.off)
		}
		if !inOneSeg && &got[0] != &buf[0] {
			return fmt.Errorf("read %d bytes at %d across segments did not use the buffer", r.n, r.off)
		}
	}
	if m.Read(200, 51, buf) != nil {
		return errors.New("read beyond the packet succeeded")
	}
	if m.Read(40, 20, buf[:10]) != nil {
		return errors.New("read across segments into a short buffer succeeded")
	}
	return nil
}

// testChainAppendTrim checks that Append and Trim on a chain act on its
// last segment and keep pkt_len right.
func (t *mbufTest) testChainAppendTrim() error {
	m, err := t.makeChain(100, 2)
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	last := m.LastSeg()
	if _, err := m.Append(10); err != nil {
		return err
	}
	if last.DataLen() != 60 || m.DataLen() != 50 || m.PktLen() != 110 {
		return fmt.Errorf("append to a chain: first %d last %d pkt_len %d, want 50, 60, 110", m.DataLen(), last.DataLen(), m.PktLen())
	}
	if err := m.Trim(20); err != nil {
		return err
	}
	if last.DataLen() != 40 || m.PktLen() != 90 {
		return fmt.Errorf("trim of a chain: last %d pkt_len %d, want 40 and 90", last.DataLen(), m.PktLen())
	}
	if err := m.Trim(41); !errors.Is(err, mbuf.ErrTooShort) {
		return fmt.Errorf("trim beyond the last segment: error %v, want ErrTooShort", err)
	}
	return m.Check(true)
}

// testTxOffload is test_tx_offload: the packed fields.
func (t *mbufTest) testTxOffload() error {
	m, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	m.SetTxOffload(14, 20, 20, 1448, 40, 14)
	if m.L2Len() != 14 || m.L3Len() != 20 || m.L4Len() != 20 || m.TSOSegsz() != 1448 || m.OuterL3Len() != 40 || m.OuterL2Len() != 14 {
		return fmt.Errorf("tx offload fields %d %d %d %d %d %d, want 14 20 20 1448 40 14",
			m.L2Len(), m.L3Len(), m.L4Len(), m.TSOSegsz(), m.OuterL3Len(), m.OuterL2Len())
	}
	m.SetTxOffload(0x7f, 0x1ff, 0xff, 0xffff, 0x1ff, 0x7f)
	if m.L2Len() != 0x7f || m.L3Len() != 0x1ff || m.L4Len() != 0xff || m.TSOSegsz() != 0xffff || m.OuterL3Len() != 0x1ff || m.OuterL2Len() != 0x7f {
		return errors.New("tx offload fields at their maxima do not read back")
	}
	m.SetTxOffload(0x80, 0, 0, 0, 0, 0)
	if m.L2Len() != 0 || m.L3Len() != 0 {
		return fmt.Errorf("l2_len 0x80 should truncate to 0 without spilling: l2 %d l3 %d", m.L2Len(), m.L3Len())
	}
	return nil
}

// testBulk is test_pktmbuf_alloc_bulk and test_neg_pktmbuf_alloc_bulk, and
// FreeBulk of chains from two pools.
func (t *mbufTest) testBulk() error {
	var ms [mbTestBurst]*mbuf.Mbuf
	if err := mbuf.AllocBulk(t.pool, ms[:], t.lcore); err != nil {
		return fmt.Errorf("bulk alloc of %d: %w", len(ms), err)
	}
	for _, m := range ms {
		if m == nil || m.Check(true) != nil || m.DataOff() != mbuf.DefaultHeadroom {
			mbuf.FreeBulk(ms[:], t.lcore)
			return fmt.Errorf("bulk allocated mbuf not fresh: %v", m)
		}
	}
	mbuf.FreeBulk(ms[:], t.lcore)
	if !t.pool.Full() {
		return fmt.Errorf("after bulk free: %d of %d free", t.pool.AvailCount(), t.pool.Size())
	}

	// Through an explicit cache, and through none.
	for _, c := range []*mempool.Cache{t.pool.DefaultCache(t.lcore), nil} {
		if err := mbuf.AllocBulkCache(t.pool, ms[:], c); err != nil {
			return err
		}
		mbuf.FreeBulk(ms[:], t.lcore)
	}

	// More than the pool holds: all or nothing.
	big := make([]*mbuf.Mbuf, t.pool.Size()+1)
	if err := mbuf.AllocBulk(t.pool, big, t.lcore); !errors.Is(err, mempool.ErrNoObjects) {
		mbuf.FreeBulk(big, t.lcore)
		return fmt.Errorf("bulk alloc of %d from %d: error %v, want ErrNoObjects", len(big), t.pool.Size(), err)
	}
	for _, m := range big {
		if m != nil {
			return errors.New("failed bulk alloc wrote mbufs")
		}
	}
	if !t.pool.Full() {
		return fmt.Errorf("failed bulk alloc took mbufs: %d of %d free", t.pool.AvailCount(), t.pool.Size())
	}

	// FreeBulk of chains mixing both pools, with clones and nil entries.
	all := make([]*mbuf.Mbuf, 0, 3*mbTestBurst)
	for i := 0; i < mbTestBurst; i++ {
		m, err := t.makeChain(300, 3)
		if err != nil {
			mbuf.FreeBulk(all, t.lcore)
			return err
		}
		all = append(all, m, nil)
		c, err := mbuf.Clone(m, t.pool2, t.lcore)
		if err != nil {
			mbuf.FreeBulk(all, t.lcore)
			return err
		}
		all = append(all, c)
	}
	mbuf.FreeBulk(all, t.lcore)
	return nil
}

// testSanityCheck is test_failing_mbuf_sanity_check: Check must refuse
// broken mbufs.
func (t *mbufTest) testSanityCheck() error {
	m, err := mbuf.Alloc(t.pool, t.lcore)
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	if _, err := m.Append(100); err != nil {
		return err
	}
	if err := m.Check(true); err != nil {
		return fmt.Errorf("good mbuf refused: %w", err)
	}
	breakers := []struct {
		what       string
		spoil, fix func()
	}{
		{"refcnt 0", func() { m.SetRefcnt(0) }, func() { m.SetRefcnt(1) }},
		{"data beyond the buffer", func() { m.SetDataOff(m.BufLen() - 10) }, func() { m.SetDataOff(mbuf.DefaultHeadroom) }},
		{"pkt_len not the sum of data_len", func() { m.SetPktLen(99) }, func() { m.SetPktLen(100) }},
	}
	for _, b := range breakers {
		b.spoil()
		err := m.Check(true)
		b.fix()
		if err == nil {
			return fmt.Errorf("mbuf with %s passed the sanity check", b.what)
		}
	}
	return m.Check(true)
}

// testPriv checks the private area and the buffer position after it.
func (t *mbufTest) testPriv() error {
	m, err := mbuf.Alloc(t.pool2, t.lcore)
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	if m.PrivSize() != mbTestPriv2Size || m.Priv() != unsafe.Add(unsafe.Pointer(m), mbuf.HeaderSize) {
		return fmt.Errorf("private area: size %d at %p, want %d at %p", m.PrivSize(), m.Priv(), mbTestPriv2Size, unsafe.Add(unsafe.Pointer(m), mbuf.HeaderSize))
	}
	priv := unsafe.Slice((*byte)(m.Priv()), m.PrivSize())
	for i := range priv {
		priv[i] = 0xee
	}
	if _, err := m.Prepend(m.Headroom()); err != nil {
		return err
	}
	if _, err := m.Append(m.Tailroom()); err != nil {
		return err
	}
	for i := range m.Data() {
		m.Data()[i] = 0x11
	}
	for i, b := range priv {
		if b != 0xee {
			return fmt.Errorf("writing the whole buffer changed private byte %d", i)
		}
	}
	return nil
}

// testZeroOnFree checks a pool created with ZeroOnFree.
func (t *mbufTest) testZeroOnFree() (err error) {
	mp, err := mbuf.PoolCreateConfig(mbuf.PoolConfig{Name: "test_zero_on_free", N: 16, DataRoomSize: 512,
		Socket: eal.SocketIDAny, ZeroOnFree: true})
	if err != nil {
		return err
	}
	defer func() {
		if e := mp.Free(); e != nil && err == nil {
			err = e
		}
	}()
	ms := make([]*mbuf.Mbuf, 16)
	if err := mbuf.AllocBulk(mp, ms, t.lcore); err != nil {
		return err
	}
	for _, m := range ms {
		d, _ := m.Append(m.Tailroom())
		for i := range d {
			d[i] = 0x5a
		}
	}
	mbuf.FreeBulk(ms[:8], t.lcore)
	for _, m := range ms[8:] {
		m.Free(t.lcore)
	}
	if err := mbuf.AllocBulk(mp, ms, t.lcore); err != nil {
		return err
	}
	defer mbuf.FreeBulk(ms, t.lcore)
	for _, m := range ms {
		for i, b := range m.Buf() {
			if b != 0 {
				return fmt.Errorf("mbuf %p byte %d is %#x after free, want 0", m, i, b)
			}
		}
	}
	return nil
}

// testOffsets checks the window offset round trip used across processes.
func (t *mbufTest) testOffsets() error {
	m, err := t.makeChain(100, 2)
	if err != nil {
		return err
	}
	defer t.freeAll(m)
	if mbuf.FromOffset(m.Offset()) != m || mbuf.FromPointer(m.Pointer()) != m {
		return errors.New("offset or pointer round trip lost the mbuf")
	}
	if mbuf.FromOffset(m.Offset()).Next() != m.Next() {
		return errors.New("next segment differs after an offset round trip")
	}
	return nil
}

// testRefcntLcores is a short test_refcnt_mbuf: every lcore holds one
// reference to each of a batch of mbufs and all free them at once; each
// mbuf must go back to the pool exactly once.
func (t *mbufTest) testRefcntLcores() error {
	const batch, iters = 64, 200
	n := eal.LcoreCount()
	var ms [batch]*mbuf.Mbuf
	fn := func(lc *eal.Lcore) error {
		for _, m := range ms {
			m.Free(lc.ID())
		}
		// A bulk of 64 bypasses the caches (it is larger than they are),
		// so the next one needs the objects back in the central ring.
		t.pool.CacheFlush(t.pool.DefaultCache(lc.ID()))
		return nil
	}
	for it := 0; it < iters; it++ {
		if err := mbuf.AllocBulk(t.pool, ms[:], t.lcore); err != nil {
			return err
		}
		for _, m := range ms {
			m.RefcntUpdate(int16(n - 1))
		}
		if err := eal.MpRemoteLaunch(fn, true); err != nil {
			return err
		}
		if err := eal.MpWaitLcore(); err != nil {
			return err
		}
		if !t.pool.Full() {
			return fmt.Errorf("iteration %d: %d of %d mbufs free after %d lcores freed their references", it, t.pool.AvailCount(), t.pool.Size(), n)
		}
	}
	return t.pool.Audit()
}
