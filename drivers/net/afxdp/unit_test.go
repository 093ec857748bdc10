package afxdp

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"unsafe"

	"dpk/ethdev"

	"golang.org/x/sys/unix"
)

func TestParseArgs(t *testing.T) {
	for _, c := range []struct {
		args string
		want config
		err  string
	}{
		{"net_af_xdp0,iface=eth0", config{iface: "eth0", queueCount: 1, busyBudget: 64}, ""},
		{"net_af_xdp0,iface=eth0,start_queue=2,queue_count=4,shared_umem=1,busy_budget=0,force_copy=1,xdp_prog=/tmp/x.o",
			config{iface: "eth0", startQueue: 2, queueCount: 4, sharedUmem: true, busyBudget: 0, forceCopy: true, xdpProg: "/tmp/x.o"}, ""},
		{"net_af_xdp0,iface=eth0,force_copy=0,shared_umem=yes", config{iface: "eth0", queueCount: 1, busyBudget: 64, sharedUmem: true}, ""},
		{"net_af_xdp0", config{}, "no interface"},
		{"net_af_xdp0,iface=", config{}, "needs an interface name"},
		{"net_af_xdp0,iface=a,iface=b", config{}, "given 2 times"},
		{"net_af_xdp0,iface=averyveryverylongname", config{}, "not an interface name"},
		{"net_af_xdp0,iface=a/b", config{}, "not an interface name"},
		{"net_af_xdp0,iface=eth0,queue_count=0", config{}, "at least 1"},
		{"net_af_xdp0,iface=eth0,queue_count=x", config{}, "not a number"},
		{"net_af_xdp0,iface=eth0,start_queue=255,queue_count=2", config{}, "goes past"},
		{"net_af_xdp0,iface=eth0,busy_budget=65536", config{}, "above the maximum"},
		{"net_af_xdp0,iface=eth0,force_copy=maybe", config{}, "not 0 or 1"},
		{"net_af_xdp0,iface=eth0,xdp_prog=", config{}, "needs the path"},
	} {
		d, err := ethdev.ParseDevargs(c.args)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseArgs(d)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
}

// fakeRing is a ring in ordinary memory, with the kernel's side played by
// the test.
type fakeRing struct {
	mem []uint64 // producer, consumer, flags, then entries (8-byte aligned)
	r   xskRing
}

func newFakeRing(t *testing.T, size, esize uint32, prod, cons uint32) *fakeRing {
	t.Helper()
	f := &fakeRing{mem: make([]uint64, 3+int(size*esize/8))}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&f.mem[0])), len(f.mem)*8)
	r, err := mapRing(b, unix.XDPRingOffset{Producer: 0, Consumer: 8, Flags: 16, Desc: 24}, size, esize)
	if err != nil {
		t.Fatal(err)
	}
	f.r = r
	*f.r.prod, *f.r.cons = prod, cons
	return f
}

// TestRingProducer fills a producer ring across the wrap of the 32-bit
// indices, with the consumer (the kernel) lagging.
func TestRingProducer(t *testing.T) {
	start := uint32(math.MaxUint32 - 5)
	f := newFakeRing(t, 8, addrEntrySize, start, start)
	r := &f.r
	r.initProducer()
	if n := r.free(1); n != 8 {
		t.Fatalf("empty ring: free %d, want 8", n)
	}
	for i := uint32(0); i < 5; i++ {
		*r.addr(r.cachedProd + i) = uint64(100 + i)
	}
	r.submit(5)
	if *r.prod != start+5 || r.pending() != 5 {
		t.Fatalf("prod %d pending %d after 5", *r.prod, r.pending())
	}
	if n := r.free(4); n != 3 {
		t.Fatalf("free %d, want 3", n)
	}
	// The kernel consumes 4: the cache is refreshed only when asked for more than it shows.
	*r.cons += 4
	if n := r.free(3); n != 3 {
		t.Fatalf("free(3) %d, want the cached 3", n)
	}
	if n := r.free(4); n != 7 {
		t.Fatalf("free(4) %d, want 7 after the refresh", n)
	}
	for i := uint32(0); i < 7; i++ {
		*r.addr(r.cachedProd + i) = uint64(200 + i)
	}
	r.submit(7)
	if n := r.free(1); n != 0 {
		t.Fatalf("full ring: free %d", n)
	}
	// Entries 4.. (slots wrap) hold 104, 200..206.
	want := []uint64{104, 200, 201, 202, 203, 204, 205, 206}
	for i, w := range want {
		if got := *r.addr(*r.cons + uint32(i)); got != w {
			t.Errorf("entry %d: %d, want %d", i, got, w)
		}
	}
	if *r.prod != start+12 || *r.prod >= start {
		t.Errorf("producer %d did not wrap to %d", *r.prod, start+12)
	}
}

// TestRingConsumer reads a consumer ring across the index wrap.
func TestRingConsumer(t *testing.T) {
	start := uint32(math.MaxUint32 - 2)
	f := newFakeRing(t, 4, descEntrySize, start, start)
	r := &f.r
	r.initConsumer()
	if n := r.avail(32); n != 0 {
		t.Fatalf("empty ring: avail %d", n)
	}
	for i := uint32(0); i < 4; i++ {
		d := r.desc(start + i)
		d.Addr, d.Len = joinAddr(uint64(i)*4096, 384), 60+i
	}
	*r.prod = start + 4
	if n := r.avail(3); n != 3 {
		t.Fatalf("avail(3) %d", n)
	}
	for i := uint32(0); i < 3; i++ {
		d := r.desc(r.cachedCons + i)
		c, off := splitAddr(d.Addr)
		if c != uint64(i)*4096 || off != 384 || d.Len != 60+i {
			t.Errorf("desc %d: chunk %d off %d len %d", i, c, off, d.Len)
		}
	}
	r.release(3)
	if *r.cons != start+3 {
		t.Fatalf("consumer %d", *r.cons)
	}
	if n := r.avail(32); n != 1 {
		t.Fatalf("avail %d, want 1 (cached)", n)
	}
	r.release(1)
	if n := r.avail(32); n != 0 || *r.cons != start+4 {
		t.Fatalf("avail %d cons %d", n, *r.cons)
	}
	*r.flags = xdpRingNeedWakeup
	if !r.needWakeup() {
		t.Error("need_wakeup flag not seen")
	}
}

func TestMapRingBounds(t *testing.T) {
	b := make([]byte, 64+8*16)
	if _, err := mapRing(b, unix.XDPRingOffset{Producer: 0, Consumer: 4, Flags: 8, Desc: 64}, 16, 8); err != nil {
		t.Errorf("fitting layout refused: %v", err)
	}
	for _, off := range []unix.XDPRingOffset{
		{Producer: 0, Consumer: 4, Flags: 8, Desc: 72},
		{Producer: 1 << 40, Consumer: 4, Flags: 8, Desc: 64},
		{Producer: 2, Consumer: 4, Flags: 8, Desc: 64},
	} {
		if _, err := mapRing(b, off, 16, 8); err == nil {
			t.Errorf("layout %+v accepted for %d bytes", off, len(b))
		}
	}
}

func TestAddr(t *testing.T) {
	a := joinAddr(0xabcdef012345, 0x1c0)
	if c, o := splitAddr(a); c != 0xabcdef012345 || o != 0x1c0 {
		t.Errorf("split(%#x) = %#x, %#x", a, c, o)
	}
}

func TestBitmap(t *testing.T) {
	b := newBitmap(130)
	if !b.set(0) || !b.set(129) || !b.set(64) || b.set(64) || b.set(192) {
		t.Fatal("set")
	}
	if !b.take(64) || b.take(64) || b.take(1) || b.take(1000) {
		t.Fatal("take")
	}
	var got []uint32
	b.drain(func(i uint32) { got = append(got, i) })
	if len(got) != 2 || got[0] != 0 || got[1] != 129 || b.take(0) {
		t.Errorf("drain: %v", got)
	}
}

func TestRingSize(t *testing.T) {
	for _, c := range []struct {
		in   uint16
		want uint32
	}{{0, defaultDescs}, {1, minDescs}, {64, 64}, {65, 128}, {1000, 1024}, {1024, 1024}} {
		if got := ringSize(c.in); got != c.want {
			t.Errorf("ringSize(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestJudge(t *testing.T) {
	alive := func(pid int) bool { return pid == 42 }
	self := ownName()
	for _, c := range []struct {
		name, want string
		custom     bool
		here       bool
		v          verdict
	}{
		{progName(7), "", false, false, verdictReplace}, // dead
		{progName(42), "", false, false, verdictRefuse}, // alive
		{self, "", false, false, verdictReplace},        // ours, no port holds it
		{self, "", false, true, verdictRefuse},          // a port of ours holds it
		{"xdp_sock_prog", "", false, false, verdictRefuse},
		{"dpk_xsk_x", "", false, false, verdictRefuse},
		{"dpk_xsk_-3", "", false, false, verdictRefuse},
		{"my_prog", "my_prog", true, false, verdictReplace},
		{"other", "my_prog", true, false, verdictRefuse},
	} {
		if v, _ := judge(c.name, c.want, c.custom, c.here, alive); v != c.v {
			t.Errorf("judge(%q, %q, custom %v, here %v) = %d, want %d", c.name, c.want, c.custom, c.here, v, c.v)
		}
	}
}

// nlMsg builds a netlink message.
func nlMsg(typ, flags uint16, seq uint32, body []byte) []byte {
	b := make([]byte, 16, 16+len(body)+3)
	binary.NativeEndian.PutUint32(b[0:], uint32(16+len(body)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint16(b[6:], flags)
	binary.NativeEndian.PutUint32(b[8:], seq)
	b = append(b, body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func linkReply(seq uint32, attached uint8, id uint32) []byte {
	var xdp []byte
	xdp = appendAttr(xdp, unix.IFLA_XDP_ATTACHED, []byte{attached})
	xdp = appendAttr(xdp, unix.IFLA_XDP_PROG_ID, u32(id))
	xdp = appendAttr(xdp, unix.IFLA_XDP_DRV_PROG_ID, u32(id))
	body := appendAttr(ifinfomsg(3), unix.IFLA_MTU, u32(1500))
	body = appendAttr(body, unix.IFLA_XDP|nlaFNested, xdp)
	return nlMsg(unix.RTM_NEWLINK, 0, seq, body)
}

func errMsg(seq uint32, code int32, text string) []byte {
	body := binary.NativeEndian.AppendUint32(nil, uint32(code))
	body = append(body, nlMsg(unix.RTM_SETLINK, 0, seq, nil)...)
	flags := uint16(nlmFCapped)
	if text != "" {
		flags |= nlmFAckTLVs
		body = appendAttr(body, nlmsgerrAttrMsg, append([]byte(text), 0))
	}
	return nlMsg(unix.NLMSG_ERROR, flags, seq, body)
}

func TestParseNetlink(t *testing.T) {
	p, done, err := parseNetlink(append(linkReply(9, 0, 0), linkReply(7, xdpAttachedDrv, 55)...), 7, unix.RTM_NEWLINK)
	if err != nil || !done || len(p) != 1 {
		t.Fatalf("link reply: %d payloads, done %v, %v", len(p), done, err)
	}
	st, err := parseLinkXDP(p[0])
	if err != nil || st.attached != xdpAttachedDrv || st.id(unix.XDP_FLAGS_DRV_MODE) != 55 || st.id(unix.XDP_FLAGS_SKB_MODE) != 0 {
		t.Errorf("state %+v, %v", st, err)
	}
	if _, done, err := parseNetlink(errMsg(3, 0, ""), 3, 0xffff); err != nil || !done {
		t.Errorf("ack: done %v, %v", done, err)
	}
	_, done, err = parseNetlink(errMsg(3, -int32(unix.EBUSY), "XDP program already attached"), 3, 0xffff)
	var ne *netlinkError
	if !done || !errors.Is(err, unix.EBUSY) || !errors.As(err, &ne) || ne.msg != "XDP program already attached" {
		t.Errorf("error: done %v, %v", done, err)
	}
	for _, bad := range [][]byte{
		{1, 2, 3},
		nlMsg(unix.NLMSG_ERROR, 0, 1, []byte{1})[:17],
		func() []byte { b := linkReply(1, 1, 1); binary.NativeEndian.PutUint32(b, 9); return b }(),
	} {
		if _, _, err := parseNetlink(bad, 1, unix.RTM_NEWLINK); err == nil {
			t.Errorf("malformed %x accepted", bad)
		}
	}
	if _, err := parseLinkXDP([]byte{1, 2}); err == nil {
		t.Error("short ifinfomsg accepted")
	}
}
