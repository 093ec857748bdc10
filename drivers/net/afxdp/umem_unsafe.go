package afxdp

import (
	"fmt"
	"os"
	"unsafe"

	"dpk/mbuf"
	"dpk/mempool"
)

// umemGeometry is how an mbuf pool's memory is registered as a UMEM, so
// that its mbufs' data rooms are AF_XDP frames with no copy in between
// (what DPDK's af_xdp does with XDP_UMEM_UNALIGNED_CHUNK_FLAG):
//
//   - the UMEM is the pool's objects, from the page holding the first mbuf
//     to the page holding the end of the last one;
//   - every mbuf is a chunk whose address is its header's offset in the
//     UMEM, chunkSize bytes long: header, private area and data room;
//   - the UMEM frame headroom covers header, private area and the mbuf
//     headroom, so the kernel puts a packet at the mbuf's usual data
//     offset plus XDP_PACKET_HEADROOM (256 bytes the XDP program may use).
//
// Chunks need not be a power of two long nor aligned: unaligned chunk mode.
type umemGeometry struct {
	view      umemView
	first     uint64 // UMEM offset of the pool's first mbuf
	stride    uint64 // bytes from one mbuf to the next
	n         uint32 // mbufs in the pool
	bufOff    uint32 // the data room's offset from its mbuf header
	bufLen    uint32 // the data room's length
	chunkSize uint32
	headroom  uint32
}

// poolGeometry works out the UMEM of an mbuf pool.
func poolGeometry(mp *mempool.Mempool) (umemGeometry, error) {
	var g umemGeometry
	room := uint32(mbuf.DataRoomSize(mp))
	if room <= mbuf.DefaultHeadroom+xdpPacketHeadroom+minFrame {
		return g, fmt.Errorf("pool %s: data room of %d bytes is too small for AF_XDP: it needs the %d-byte mbuf headroom, %d bytes of XDP headroom and room for a frame (use at least %d, mbuf.DefaultBufSize is %d)",
			mp.Name(), room, mbuf.DefaultHeadroom, xdpPacketHeadroom, mbuf.DefaultHeadroom+xdpPacketHeadroom+minFrame+1, mbuf.DefaultBufSize)
	}
	var lo, hi, prev uintptr
	var firstObj unsafe.Pointer
	stride := uintptr(0)
	irregular := false
	var bufOff uintptr
	mp.ObjIter(func(obj unsafe.Pointer, idx uint32) {
		a := uintptr(obj)
		m := mbuf.FromPointer(obj)
		if idx == 0 {
			lo, firstObj = a, obj
			bufOff = uintptr(m.BufAddr()) - a
		} else {
			if d := a - prev; stride == 0 {
				stride = d
			} else if d != stride {
				irregular = true
			}
			if uintptr(m.BufAddr())-a != bufOff {
				irregular = true
			}
		}
		prev = a
		hi = a
	})
	if irregular || lo == 0 {
		return g, fmt.Errorf("pool %s: mbufs are not evenly spaced: the pool cannot be a UMEM", mp.Name())
	}
	if stride == 0 {
		stride = bufOff + uintptr(room)
	}
	page := uintptr(os.Getpagesize())
	base := lo &^ (page - 1)
	end := (hi + bufOff + uintptr(room) + page - 1) &^ (page - 1)
	g = umemGeometry{
		view:      umemView{base: unsafe.Add(firstObj, -int(lo-base)), size: uint64(end - base)},
		first:     uint64(lo - base),
		stride:    uint64(stride),
		n:         mp.Size(),
		bufOff:    uint32(bufOff),
		bufLen:    room,
		chunkSize: uint32(bufOff) + room,
		headroom:  uint32(bufOff) + mbuf.DefaultHeadroom,
	}
	return g, nil
}

// mbufAt returns the mbuf whose chunk is at UMEM offset chunk.
func (g *umemGeometry) mbufAt(chunk uint64) *mbuf.Mbuf {
	return mbuf.FromPointer(g.view.mbufAt(chunk))
}

// chunkOf returns m's chunk address.
func (g *umemGeometry) chunkOf(m *mbuf.Mbuf) uint64 { return g.view.offsetOf(m.Pointer()) }

// index returns the pool index of the mbuf at chunk, and whether chunk
// really is one of the pool's mbufs.
func (g *umemGeometry) index(chunk uint64) (uint32, bool) {
	if chunk < g.first {
		return 0, false
	}
	d := chunk - g.first
	i := d / g.stride
	if d-i*g.stride != 0 || i >= uint64(g.n) {
		return 0, false
	}
	return uint32(i), true
}
