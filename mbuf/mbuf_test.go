package mbuf_test

import (
	"bytes"
	"errors"
	"testing"
	"unsafe"

	"dpk/eal"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
)

const any = eal.LcoreIDAny

func newPool(t *testing.T, name string, n uint32, cache uint32) *mempool.Mempool {
	t.Helper()
	mp, err := mbuf.PoolCreate(name, n, cache, 16, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

func TestAllocFreeAndLayout(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "pool", 63, 8)
	if mbuf.DataRoomSize(mp) != mbuf.DefaultBufSize || mbuf.PrivSizeOf(mp) != 16 {
		t.Fatalf("data room %d priv %d", mbuf.DataRoomSize(mp), mbuf.PrivSizeOf(mp))
	}
	m, err := mbuf.Alloc(mp, any)
	if err != nil {
		t.Fatal(err)
	}
	if m.Headroom() != mbuf.DefaultHeadroom || m.DataLen() != 0 || m.PktLen() != 0 || m.NbSegs() != 1 ||
		m.Refcnt() != 1 || m.Port != mbuf.PortInvalid || m.BufLen() != mbuf.DefaultBufSize || m.PrivSize() != 16 {
		t.Fatalf("fresh mbuf: %v", m)
	}
	if err := m.Check(true); err != nil {
		t.Fatal(err)
	}
	if uintptr(m.BufAddr())-uintptr(unsafe.Pointer(m)) != mbuf.HeaderSize+16 {
		t.Errorf("buffer not after header and private area")
	}
	if m.Pool() != mp {
		t.Errorf("pool of mbuf is %v", m.Pool())
	}
	if mbuf.FromOffset(m.Offset()) != m {
		t.Errorf("offset round trip")
	}
	if m.BufIOVA() != uint64(uintptr(m.BufAddr())) {
		t.Errorf("IOVA is not VA")
	}
	in := mp.InUseCount()
	m.Free(any)
	if mp.InUseCount() != in-1 {
		t.Errorf("in use %d after free, was %d", mp.InUseCount(), in)
	}
	if err := mp.Audit(); err != nil {
		t.Fatal(err)
	}
}

func TestDataOps(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "pool", 31, 0)
	m, _ := mbuf.Alloc(mp, any)
	defer m.Free(any)
	b, err := m.Append(100)
	if err != nil || len(b) != 100 {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = byte(i)
	}
	if m.DataLen() != 100 || m.PktLen() != 100 || m.Tailroom() != mbuf.DefaultBufSize-128-100 {
		t.Fatalf("after append: %v", m)
	}
	h, err := m.Prepend(14)
	if err != nil || len(h) != 14 {
		t.Fatal(err)
	}
	copy(h, "ETHERNETHEADER")
	if m.Headroom() != 128-14 || m.DataLen() != 114 || !bytes.HasPrefix(m.Data(), []byte("ETHERNETHEADER")) {
		t.Fatalf("after prepend: %v", m)
	}
	if *(*byte)(m.MtodOffset(14)) != 0 || *(*byte)(m.MtodOffset(15)) != 1 {
		t.Errorf("MtodOffset")
	}
	if _, err := m.Prepend(200); !errors.Is(err, mbuf.ErrNoHeadroom) {
		t.Errorf("prepend past headroom: %v", err)
	}
	if _, err := m.Append(5000); !errors.Is(err, mbuf.ErrNoTailroom) {
		t.Errorf("append past tailroom: %v", err)
	}
	if err := m.Adj(14); err != nil || m.DataLen() != 100 || m.Data()[0] != 0 {
		t.Errorf("adj: %v %v", err, m)
	}
	if err := m.Trim(50); err != nil || m.DataLen() != 50 || m.PktLen() != 50 {
		t.Errorf("trim: %v %v", err, m)
	}
	if err := m.Adj(51); !errors.Is(err, mbuf.ErrTooShort) {
		t.Errorf("adj too far: %v", err)
	}
	if err := m.Trim(51); !errors.Is(err, mbuf.ErrTooShort) {
		t.Errorf("trim too far: %v", err)
	}
	m.SetTxOffload(14, 20, 20, 1448, 0, 0)
	if m.L2Len() != 14 || m.L3Len() != 20 || m.L4Len() != 20 || m.TSOSegsz() != 1448 {
		t.Errorf("tx offload %d %d %d %d", m.L2Len(), m.L3Len(), m.L4Len(), m.TSOSegsz())
	}
	m.SetTxOffload(0, 0, 0, 0, 300, 100)
	if m.OuterL3Len() != 300 || m.OuterL2Len() != 100 {
		t.Errorf("outer lengths %d %d", m.OuterL3Len(), m.OuterL2Len())
	}
	if err := m.Check(true); err != nil {
		t.Error(err)
	}
}

func fill(t *testing.T, mp *mempool.Mempool, n int, start byte) *mbuf.Mbuf {
	t.Helper()
	m, err := mbuf.Alloc(mp, any)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Append(uint16(n))
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = start + byte(i)
	}
	return m
}

func TestChainReadLinearize(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "pool", 63, 0)
	full := mp.AvailCount()
	head := fill(t, mp, 100, 0)
	for i := 1; i < 4; i++ {
		if err := mbuf.Chain(head, fill(t, mp, 100, byte(i*100))); err != nil {
			t.Fatal(err)
		}
	}
	if head.NbSegs() != 4 || head.PktLen() != 400 || head.IsContiguous() {
		t.Fatalf("chain: %v", head)
	}
	if err := head.Check(true); err != nil {
		t.Fatal(err)
	}
	// A read inside one segment is a view; across segments it is a copy.
	v := head.Read(110, 20, nil)
	if len(v) != 20 || v[0] != 110 {
		t.Fatalf("view read %v", v)
	}
	buf := make([]byte, 64)
	c := head.Read(90, 30, buf)
	for i, b := range c {
		if b != byte(90+i) {
			t.Fatalf("copy read byte %d = %d", i, b)
		}
	}
	if head.Read(390, 20, buf) != nil || head.Read(90, 30, nil) != nil {
		t.Error("read past end or into a short buffer succeeded")
	}
	// Append goes to the last segment.
	if _, err := head.Append(10); err != nil || head.LastSeg().DataLen() != 110 || head.PktLen() != 410 {
		t.Fatalf("append to chain: %v", head)
	}
	head.Trim(10)
	if err := head.Linearize(any); err != nil {
		t.Fatal(err)
	}
	if head.NbSegs() != 1 || head.DataLen() != 400 || head.PktLen() != 400 {
		t.Fatalf("linearized %v", head)
	}
	for i, b := range head.Data() {
		if b != byte(i) {
			t.Fatalf("linear byte %d = %d", i, b)
		}
	}
	head.Free(any)
	if mp.AvailCount() != full {
		t.Errorf("avail %d, want %d: segments leaked", mp.AvailCount(), full)
	}
	// A chain too long for the first buffer does not linearize and is intact.
	h2 := fill(t, mp, 2000, 0)
	mbuf.Chain(h2, fill(t, mp, 1000, 0))
	if err := h2.Linearize(any); !errors.Is(err, mbuf.ErrNoTailroom) || h2.NbSegs() != 2 {
		t.Errorf("linearize too long: %v, %v", err, h2)
	}
	mbuf.FreeBulk([]*mbuf.Mbuf{h2, nil}, any)
	if mp.AvailCount() != full {
		t.Errorf("avail %d after FreeBulk, want %d", mp.AvailCount(), full)
	}
}

func TestCloneAndRefcnt(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "direct", 63, 0)
	ip := newPool(t, "indirect", 63, 0)
	full, ifull := mp.AvailCount(), ip.AvailCount()
	m := fill(t, mp, 60, 1)
	mbuf.Chain(m, fill(t, mp, 40, 200))
	c1, err := mbuf.Clone(m, ip, any)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := mbuf.Clone(c1, ip, any) // clone of a clone attaches to the direct buffers
	if err != nil {
		t.Fatal(err)
	}
	if !c1.IsIndirect() || c1.NbSegs() != 2 || c1.PktLen() != 100 || m.Refcnt() != 3 {
		t.Fatalf("clone %v, direct refcnt %d", c1, m.Refcnt())
	}
	if &c1.Data()[0] != &m.Data()[0] || &c2.Data()[0] != &m.Data()[0] {
		t.Error("clone does not share the buffer")
	}
	if err := c2.Check(true); err != nil {
		t.Error(err)
	}
	m.Free(any) // the buffers stay while clones hold them
	if mp.AvailCount() != full-2 {
		t.Fatalf("direct freed early: avail %d", mp.AvailCount())
	}
	if c1.Data()[0] != 1 {
		t.Error("data gone after freeing direct")
	}
	c1.Free(any)
	c2.Free(any)
	if mp.AvailCount() != full || ip.AvailCount() != ifull {
		t.Errorf("after freeing clones: avail %d/%d, indirect %d/%d", mp.AvailCount(), full, ip.AvailCount(), ifull)
	}
	for _, p := range []*mempool.Mempool{mp, ip} {
		if err := p.Audit(); err != nil {
			t.Error(err)
		}
	}
	// refcnt > 1: Free only drops a reference.
	x, _ := mbuf.Alloc(mp, any)
	x.RefcntUpdate(1)
	x.Free(any)
	if mp.AvailCount() != full-1 || x.Refcnt() != 1 {
		t.Errorf("free with refcnt 2 returned the mbuf")
	}
	x.Free(any)
	if mp.AvailCount() != full {
		t.Error("last free did not return the mbuf")
	}
}

func TestZeroOnFree(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp, err := mbuf.PoolCreateConfig(mbuf.PoolConfig{Name: "zero", N: 3, DataRoomSize: 512, Socket: -1, ZeroOnFree: true})
	if err != nil {
		t.Fatal(err)
	}
	ms := make([]*mbuf.Mbuf, 3)
	if err := mbuf.AllocBulk(mp, ms, any); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		b, _ := m.Append(300)
		for i := range b {
			b[i] = 0xAA
		}
	}
	mbuf.FreeBulk(ms, any)
	mbuf.AllocBulk(mp, ms, any)
	for _, m := range ms {
		for i, b := range m.Buf() {
			if b != 0 {
				t.Fatalf("byte %d of a reused buffer is %#x: data leaked", i, b)
			}
		}
	}
	if err := mbuf.AllocBulk(mp, make([]*mbuf.Mbuf, 1), any); !errors.Is(err, mempool.ErrNoObjects) {
		t.Errorf("alloc from an empty pool: %v", err)
	}
}

func TestZeroAllocs(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	mp := newPool(t, "pool", 1023, 256)
	ms := make([]*mbuf.Mbuf, 32)
	lc := eal.MainLcore().ID()
	c := mp.DefaultCache(lc)
	for name, fn := range map[string]func(){
		"bulk-cache": func() {
			if err := mbuf.AllocBulkCache(mp, ms, c); err != nil {
				t.Fatal(err)
			}
			mbuf.FreeBulk(ms, lc)
		},
		"bulk-nocache": func() {
			if err := mbuf.AllocBulk(mp, ms, any); err != nil {
				t.Fatal(err)
			}
			mbuf.FreeBulk(ms, any)
		},
		"single": func() {
			m, err := mbuf.Alloc(mp, lc)
			if err != nil {
				t.Fatal(err)
			}
			m.Append(64)
			m.Prepend(14)
			m.Free(lc)
		},
	} {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", name, n)
		}
	}
}

func BenchmarkAllocFreeBulk32(b *testing.B) {
	testutil.InitEAL(b, "--in-memory")
	mp, _ := mbuf.PoolCreate("bench", 8191, 256, 0, mbuf.DefaultBufSize, -1)
	ms := make([]*mbuf.Mbuf, 32)
	lc := eal.MainLcore().ID()
	c := mp.DefaultCache(lc)
	b.ReportAllocs()
	for b.Loop() {
		mbuf.AllocBulkCache(mp, ms, c)
		mbuf.FreeBulk(ms, lc)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*32), "ns/mbuf")
}

func TestFreer(t *testing.T) {
	testutil.InitEAL(t, "--in-memory")
	pools := []*mempool.Mempool{newPool(t, "f1", 511, 0), newPool(t, "f2", 511, 0)}
	var f mbuf.Freer
	ms := make([]*mbuf.Mbuf, 40)
	for round := 0; round < 50; round++ {
		for i := range ms {
			m, err := mbuf.Alloc(pools[i%2], any)
			if err != nil {
				t.Fatal(err)
			}
			if i%5 == 0 { // some chains
				mbuf.Chain(m, fill(t, pools[(i+1)%2], 10, 0))
			}
			ms[i] = m
		}
		f.FreeBulk(ms)
	}
	f.Flush()
	for _, p := range pools {
		if p.AvailCount() != p.Size() {
			t.Errorf("%s: %d of %d back", p.Name(), p.AvailCount(), p.Size())
		}
		if err := p.Audit(); err != nil {
			t.Error(err)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		mbuf.AllocBulk(pools[0], ms[:32], any)
		f.FreeBulk(ms[:32])
	}); n != 0 {
		t.Errorf("Freer: %v allocs", n)
	}
}
