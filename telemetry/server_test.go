package telemetry_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/ethdev/ethdevtest"
	"dpk/internal/testutil"
	"dpk/mbuf"
	"dpk/mempool"
	"dpk/telemetry"
)

// initEAL initialises the EAL with one lcore, no hugepages and a unique
// file prefix, plus extra options, and returns the arguments it was given.
// app, if not nil, is appended after "--".
func initEAL(t *testing.T, extra []string, app []string) []string {
	t.Helper()
	args := append([]string{"telemetry.test", "--no-huge", "-l", "0", "--file-prefix", testutil.Prefix(t)}, extra...)
	if app != nil {
		args = append(append(args, "--"), app...)
	}
	if _, err := eal.Init(args); err != nil {
		t.Fatalf("eal.Init(%q): %v", args, err)
	}
	t.Cleanup(func() {
		if err := eal.Cleanup(); err != nil && !errors.Is(err, eal.ErrNotInit) {
			t.Errorf("eal.Cleanup: %v", err)
		}
	})
	return args
}

type client struct {
	t *testing.T
	c *net.UnixConn
}

// dial connects to the telemetry socket and reads the greeting.
func dial(t *testing.T, path string) (*client, []byte) {
	t.Helper()
	c, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &client{t, c}
	return cl, cl.read()
}

func (c *client) read() []byte {
	c.t.Helper()
	buf := make([]byte, telemetry.MaxOutputLen)
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.c.Read(buf)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return buf[:n]
}

func (c *client) send(msg []byte) []byte {
	c.t.Helper()
	if _, err := c.c.Write(msg); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	return c.read()
}

// query sends a command and returns the value under the command's name.
func (c *client) query(cmd string) any {
	c.t.Helper()
	raw := c.send([]byte(cmd))
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		c.t.Fatalf("%s: bad reply %q: %v", cmd, raw, err)
	}
	name, _, _ := strings.Cut(cmd, ",")
	v, ok := r[name]
	if !ok || len(r) != 1 {
		c.t.Fatalf("%s: reply %s has not the one key %q", cmd, raw, name)
	}
	return v
}

func (c *client) dict(cmd string) map[string]any {
	c.t.Helper()
	v, ok := c.query(cmd).(map[string]any)
	if !ok {
		c.t.Fatalf("%s: not a dict: %v", cmd, v)
	}
	return v
}

func strs(v any) []string {
	a, _ := v.([]any)
	out := []string{}
	for _, x := range a {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestGreetingAndBuiltins(t *testing.T) {
	args := initEAL(t, nil, []string{"-p", "0x3", "--", "x"})
	path := telemetry.SocketPath()
	if want := filepath.Join(eal.RuntimeDir(eal.FilePrefix()), "dpdk_telemetry.v2"); path != want {
		t.Fatalf("socket at %q, want %q", path, want)
	}
	c, greeting := dial(t, path)
	want := fmt.Sprintf(`{"version":"DPDK 22.11.0-dpk","pid":%d,"max_output_len":16384}`, os.Getpid())
	if string(greeting) != want || !bytes.Equal(greeting, telemetry.Greeting()) {
		t.Fatalf("greeting %s, want %s", greeting, want)
	}

	list := strs(c.query("/"))
	for _, w := range []string{"/", "/eal/app_params", "/eal/params", "/ethdev/info", "/ethdev/link_status",
		"/ethdev/list", "/ethdev/stats", "/ethdev/xstats", "/help", "/info", "/mempool/info", "/mempool/list"} {
		if !strings.Contains(" "+strings.Join(list, " ")+" ", " "+w+" ") {
			t.Errorf("%s missing from / = %v", w, list)
		}
	}
	info := c.dict("/info")
	if info["version"] != telemetry.Version || info["pid"] != float64(os.Getpid()) || info["max_output_len"] != float64(16384) {
		t.Errorf("/info = %v", info)
	}
	if h := c.query("/help"); h != "Returns help text for a command. Parameters: string command" {
		t.Errorf("/help = %v", h)
	}
	if h := c.dict("/help,/ethdev/stats"); h["/ethdev/stats"] != "Returns the common stats for a port. Parameters: int port_id" {
		t.Errorf("/help,/ethdev/stats = %v", h)
	}
	if got := strs(c.query("/eal/params")); !reflect.DeepEqual(got, args[:6]) {
		t.Errorf("/eal/params = %q, want %q", got, args[:6])
	}
	if got := strs(c.query("/eal/app_params")); !reflect.DeepEqual(got, []string{"-p", "0x3", "--", "x"}) {
		t.Errorf("/eal/app_params = %q", got)
	}
	for _, cmd := range []string{"/nope", "/help,/nope", "/ethdev/stats", "/mempool/info"} {
		if v := c.query(cmd); v != nil {
			t.Errorf("%s = %v, want null", cmd, v)
		}
	}
}

// startFakePort creates a started fake port with one queue pair and moves
// n packets of size bytes in and out of it.
func startFakePort(t *testing.T, name string, n int, size uint16) (uint16, *ethdevtest.Fake) {
	t.Helper()
	port, f, err := ethdevtest.New(name)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := mbuf.PoolCreate(name+"_pool", 255, 0, 0, mbuf.DefaultBufSize, eal.SocketIDAny)
	if err != nil {
		t.Fatal(err)
	}
	if err := ethdev.Configure(port, 1, 1, &ethdev.Conf{}); err != nil {
		t.Fatal(err)
	}
	if err := ethdev.RxQueueSetup(port, 0, 128, eal.SocketIDAny, nil, mp); err != nil {
		t.Fatal(err)
	}
	if err := ethdev.TxQueueSetup(port, 0, 128, eal.SocketIDAny, nil); err != nil {
		t.Fatal(err)
	}
	if err := ethdev.Start(port); err != nil {
		t.Fatal(err)
	}
	ms := make([]*mbuf.Mbuf, n)
	if err := mbuf.AllocBulk(mp, ms, eal.LcoreIDAny); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if _, err := m.Append(size); err != nil {
			t.Fatal(err)
		}
	}
	f.Inject(0, ms...)
	pkts := make([]*mbuf.Mbuf, 64)
	got := ethdev.RxBurst(port, 0, pkts)
	if got != n {
		t.Fatalf("rx %d of %d", got, n)
	}
	if sent := ethdev.TxBurst(port, 0, pkts[:got]); sent != got {
		t.Fatalf("tx %d of %d", sent, got)
	}
	mbuf.FreeBulk(f.Sent(0), eal.LcoreIDAny)
	return port, f
}

func TestEthdevCommands(t *testing.T) {
	initEAL(t, nil, nil)
	port, f := startFakePort(t, "fake0", 7, 60)
	c, _ := dial(t, telemetry.SocketPath())
	p := fmt.Sprint(port)

	if got := c.query("/ethdev/list"); !reflect.DeepEqual(got, []any{float64(port)}) {
		t.Errorf("/ethdev/list = %v", got)
	}

	st, err := ethdev.StatsGet(port)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"ipackets": st.IPackets, "opackets": st.OPackets, "ibytes": st.IBytes, "obytes": st.OBytes,
		"imissed": st.IMissed, "ierrors": st.IErrors, "oerrors": st.OErrors, "rx_nombuf": st.RxNoMbuf,
		"q_ipackets": st.QIPackets[:], "q_opackets": st.QOPackets[:], "q_ibytes": st.QIBytes[:],
		"q_obytes": st.QOBytes[:], "q_errors": st.QErrors[:],
	}
	if st.IPackets != 7 || st.OBytes != 7*60 {
		t.Fatalf("fake port stats %+v", st)
	}
	raw := c.send([]byte("/ethdev/stats," + p))
	var stats map[string]map[string]any
	if err := json.Unmarshal(raw, &stats); err != nil {
		t.Fatal(err)
	}
	if got, wantJSON := jsonOf(t, stats["/ethdev/stats"]), jsonOf(t, want); got != wantJSON {
		t.Errorf("/ethdev/stats,%s:\n got %s\nwant %s", p, got, wantJSON)
	}
	// DPDK's key order.
	if !strings.HasPrefix(string(raw), `{"/ethdev/stats":{"ipackets":7,"opackets":7,"ibytes":420,"obytes":420,"imissed":0,"ierrors":0,"oerrors":0,"rx_nombuf":0,"q_ipackets":[7,0,`) {
		t.Errorf("raw stats %s", raw)
	}

	xs, err := ethdev.Xstats(port)
	if err != nil {
		t.Fatal(err)
	}
	x := c.dict("/ethdev/xstats," + p)
	if len(x) != len(xs) {
		t.Errorf("%d xstats, want %d", len(x), len(xs))
	}
	for _, e := range xs {
		if x[e.Name] != float64(e.Value) {
			t.Errorf("xstat %s = %v, want %d", e.Name, x[e.Name], e.Value)
		}
	}

	if l := c.dict("/ethdev/link_status," + p); !reflect.DeepEqual(l, map[string]any{"status": "UP", "speed": float64(10000), "duplex": "full-duplex"}) {
		t.Errorf("link %v", l)
	}
	f.SetLink(false)
	if raw := c.send([]byte("/ethdev/link_status," + p)); string(raw) != `{"/ethdev/link_status":{"status":"DOWN"}}` {
		t.Errorf("link down: %s", raw)
	}

	info := c.dict("/ethdev/info," + p)
	mac, _ := ethdev.MACAddrGet(port)
	for k, v := range map[string]any{
		"name": "fake0", "state": 1.0, "nb_rx_queues": 1.0, "nb_tx_queues": 1.0, "port_id": float64(port),
		"mtu": 1500.0, "mac_addr": strings.ToUpper(net.HardwareAddr(mac[:]).String()), "promiscuous": 0.0,
		"dev_started": 1.0, "dev_configured": 1.0, "rxq_state": []any{1.0}, "txq_state": []any{1.0},
		"numa_node": -1.0, "dev_flags": 64.0, "rx_offloads": 0.0, "tx_offloads": 0.0, "ethdev_rss_hf": 0.0,
	} {
		if !reflect.DeepEqual(info[k], v) {
			t.Errorf("/ethdev/info %s = %v, want %v", k, info[k], v)
		}
	}
	for _, k := range []string{"rx_mbuf_size_min", "scattered_rx", "all_multicast", "lro"} {
		if _, ok := info[k]; !ok {
			t.Errorf("/ethdev/info has no %s", k)
		}
	}

	// Parameters as DPDK reads them: strtoul base 0 with trailing bytes
	// ignored, atoi for stats; anything else is null.
	for _, cmd := range []string{
		fmt.Sprintf("/ethdev/info,%#x", port), fmt.Sprintf("/ethdev/info,%#o", port),
		"/ethdev/info," + p + "junk", "/ethdev/stats," + p + ",extra", "/ethdev/xstats," + p + " ",
	} {
		if v, ok := c.query(cmd).(map[string]any); !ok || len(v) == 0 {
			t.Errorf("%s = %v", cmd, v)
		}
	}
	for _, cmd := range []string{"/ethdev/stats", "/ethdev/stats,", "/ethdev/stats,x", "/ethdev/stats,-1",
		"/ethdev/stats, 0", "/ethdev/stats,31", "/ethdev/xstats,65536", "/ethdev/info,99999999999999999999999",
		"/ethdev/link_status,+0", "/ethdev/xstats"} {
		if v := c.query(cmd); v != nil {
			t.Errorf("%s = %v, want null", cmd, v)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var norm any
	json.Unmarshal(b, &norm)
	b, _ = json.Marshal(norm)
	return string(b)
}

func TestMempoolCommands(t *testing.T) {
	initEAL(t, nil, nil)
	mp, err := mempool.Create("tel_pool", 100, 64, 10, 8, eal.SocketIDAny, 0)
	if err != nil {
		t.Fatal(err)
	}
	objs := make([]unsafe.Pointer, 30)
	if err := mp.GetBulk(objs, eal.LcoreIDAny); err != nil {
		t.Fatal(err)
	}
	defer mp.PutBulk(objs, eal.LcoreIDAny)
	c, _ := dial(t, telemetry.SocketPath())

	list := strs(c.query("/mempool/list"))
	if !reflect.DeepEqual(list, []string{"tel_pool"}) {
		t.Errorf("/mempool/list = %q", list)
	}
	info := c.dict("/mempool/info,tel_pool")
	for k, v := range map[string]any{
		"name": "tel_pool", "pool_id": float64(mp.Index()), "flags": 0.0, "socket_id": -1.0, "size": 100.0,
		"cache_size": 10.0, "elt_size": 64.0, "header_size": 64.0, "trailer_size": 0.0, "private_data_size": 8.0,
		"ops_index": 0.0, "populated_size": 100.0, "avail_count": 70.0, "used_count": 30.0,
		"common_pool_count": 70.0, "total_cache_count": 0.0, "mz_name": "MP_tel_pool", "mz_flags": 0.0,
	} {
		if !reflect.DeepEqual(info[k], v) {
			t.Errorf("/mempool/info %s = %v, want %v", k, info[k], v)
		}
	}
	for _, k := range []string{"mz_len", "mz_hugepage_sz", "mz_socket_id"} {
		if _, ok := info[k]; !ok {
			t.Errorf("/mempool/info has no %s", k)
		}
	}
	if v := c.dict("/mempool/info,nosuch"); len(v) != 0 {
		t.Errorf("unknown pool: %v", v)
	}
	if v := c.query("/mempool/info"); v != nil {
		t.Errorf("no pool name: %v", v)
	}
}

// Malformed and oversized messages get DPDK's replies; the connection and
// the server carry on.
func TestMalformedMessages(t *testing.T) {
	initEAL(t, nil, nil)
	c, _ := dial(t, telemetry.SocketPath())
	for _, tc := range []struct {
		msg  []byte
		want string
	}{
		{append([]byte("/info,"), bytes.Repeat([]byte("x"), 100000)...), ""},
		{append([]byte("/nope"), bytes.Repeat([]byte("y"), 5000)...), `{"/nopeyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy":null}`},
		{[]byte("\x00\xff\xfe"), `{"(null)":null}`},
		{[]byte("\xff\xfe,/info"), `{"` + "\ufffd\ufffd" + `":null}`},
		{[]byte(",,,,"), `{"(null)":null}`},
		{[]byte(`/"}{`), `{"/\"}{":null}`},
		{[]byte("/info\n"), `{"/info\n":null}`},
	} {
		got := c.send(tc.msg)
		if !json.Valid(got) {
			t.Errorf("%.20q: invalid JSON %q", tc.msg, got)
		}
		if tc.want != "" && string(got) != tc.want {
			t.Errorf("%.20q: got %s, want %s", tc.msg, got, tc.want)
		}
	}
	if v := c.dict("/info"); v["pid"] != float64(os.Getpid()) {
		t.Errorf("after garbage: %v", v)
	}
	// An empty message ends the connection, as a zero read does in DPDK;
	// the server goes on serving others.
	if _, err := c.c.Write(nil); err != nil {
		t.Fatal(err)
	}
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.c.Read(make([]byte, 100)); err != io.EOF {
		t.Errorf("after an empty message: %d bytes, %v; want EOF", n, err)
	}
	c2, _ := dial(t, telemetry.SocketPath())
	if v := c2.dict("/info"); v["pid"] != float64(os.Getpid()) {
		t.Errorf("second client: %v", v)
	}
}

func TestConcurrentClients(t *testing.T) {
	initEAL(t, nil, nil)
	path := telemetry.SocketPath()
	clients := make([]*client, telemetry.MaxConnections)
	for i := range clients {
		clients[i], _ = dial(t, path)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, telemetry.MaxOutputLen)
			for j := 0; j < 50; j++ {
				cmd := []string{"/", "/info", "/help,/info", "/eal/params"}[(i+j)%4]
				if _, err := c.c.Write([]byte(cmd)); err != nil {
					errs <- err
					return
				}
				c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
				n, err := c.c.Read(buf)
				if err != nil {
					errs <- err
					return
				}
				var r map[string]any
				if err := json.Unmarshal(buf[:n], &r); err != nil {
					errs <- fmt.Errorf("client %d %s: %q: %v", i, cmd, buf[:n], err)
					return
				}
				name, _, _ := strings.Cut(cmd, ",")
				if _, ok := r[name]; !ok {
					errs <- fmt.Errorf("client %d: reply %s to %s", i, buf[:n], cmd)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// One client too many is told so and disconnected.
	extra, refusal := dial(t, path)
	var r map[string]string
	if err := json.Unmarshal(refusal, &r); err != nil || !strings.Contains(r["error"], "too many") {
		t.Errorf("refusal %q", refusal)
	}
	extra.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := extra.c.Read(make([]byte, 10)); err != io.EOF {
		t.Errorf("refused client read: %v, want EOF", err)
	}

	// When one leaves, a new client is served.
	clients[0].c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, greeting := dial(t, path)
		if bytes.HasPrefix(greeting, []byte(`{"version"`)) {
			c.dict("/info")
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no room after a client left: %s", greeting)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Cleanup closes every connection, ends every goroutine and removes the
// socket file.
func TestCleanup(t *testing.T) {
	before := runtime.NumGoroutine()
	initEAL(t, nil, nil)
	path := telemetry.SocketPath()
	var cs []*client
	for i := 0; i < 3; i++ {
		c, _ := dial(t, path)
		c.query("/info")
		cs = append(cs, c)
	}
	// One connection half-way: a message sent, its reply not read.
	cs[2].c.Write([]byte("/"))
	if err := eal.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file after cleanup: %v", err)
	}
	if telemetry.SocketPath() != "" {
		t.Errorf("SocketPath after cleanup: %q", telemetry.SocketPath())
	}
	for i, c := range cs[:2] {
		c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.c.Read(make([]byte, 100)); err != io.EOF {
			t.Errorf("client %d after cleanup: %v, want EOF", i, err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// A socket file left by a dead process is replaced; one a live process
// answers on makes the server take the next name, as DPDK does.
func TestStaleAndLiveSockets(t *testing.T) {
	prefix := testutil.Prefix(t)
	dir := eal.RuntimeDir(prefix)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	base := filepath.Join(dir, telemetry.SocketName)
	stale, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: base, Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()

	args := []string{"telemetry.test", "--no-huge", "-l", "0", "--file-prefix", prefix}
	if _, err := eal.Init(args); err != nil {
		t.Fatal(err)
	}
	if p := telemetry.SocketPath(); p != base {
		t.Errorf("over a stale file: %q, want %q", p, base)
	}
	c, _ := dial(t, base)
	c.query("/info")
	eal.Cleanup()

	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	live, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: base, Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if _, err := eal.Init(args); err != nil {
		t.Fatal(err)
	}
	if p := telemetry.SocketPath(); p != base+":1" {
		t.Errorf("beside a live socket: %q, want %q", p, base+":1")
	}
	c, _ = dial(t, base+":1")
	c.query("/info")
	eal.Cleanup()
	if _, err := os.Stat(base + ":1"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s:1 after cleanup: %v", base, err)
	}
	if _, err := os.Stat(base); err != nil {
		t.Errorf("the other process's socket: %v", err)
	}
}

// With --in-memory the socket lives in a runtime directory made for it.
func TestInMemory(t *testing.T) {
	initEAL(t, []string{"--in-memory"}, nil)
	dir := eal.RuntimeDir(eal.FilePrefix())
	path := telemetry.SocketPath()
	if path != filepath.Join(dir, telemetry.SocketName) {
		t.Fatalf("in-memory socket %q", path)
	}
	c, _ := dial(t, path)
	c.query("/info")
	eal.Cleanup()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("runtime dir after cleanup: %v", err)
	}
}

func TestNoTelemetry(t *testing.T) {
	initEAL(t, []string{"--no-telemetry"}, nil)
	if p := telemetry.SocketPath(); p != "" {
		t.Fatalf("socket %q with --no-telemetry", p)
	}
	if _, err := os.Stat(filepath.Join(eal.RunDir(), telemetry.SocketName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file: %v", err)
	}
}
