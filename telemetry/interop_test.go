package telemetry_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"dpk/eal"
	"dpk/ethdev"
	"dpk/telemetry"
)

// dpdkTelemetryPy is DPDK's own client, from Debian's dpdk-dev package.
const dpdkTelemetryPy = "/usr/bin/dpdk-telemetry.py"

// TestDPDKClient runs DPDK 22.11's usertools/dpdk-telemetry.py against
// this process: it finds the socket from the file prefix alone, reads the
// greeting, lists the commands and sends each line of its standard input,
// printing one JSON reply per line.
func TestDPDKClient(t *testing.T) {
	if _, err := os.Stat(dpdkTelemetryPy); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: %v (CI installs dpdk-dev)", dpdkTelemetryPy, err)
		}
		t.Skipf("%s: %v (apt-get install dpdk-dev)", dpdkTelemetryPy, err)
	}
	args := initEAL(t, nil, []string{"--app-opt"})
	port, _ := startFakePort(t, "fake0", 9, 100)

	cmds := []string{
		fmt.Sprintf("/ethdev/stats,%d", port),
		"/info",
		"/ethdev/list",
		fmt.Sprintf("/ethdev/xstats,%d", port),
		fmt.Sprintf("/ethdev/link_status,%d", port),
		"/eal/params",
		"/eal/app_params",
		"/help,/ethdev/stats",
		"/nope",
		"/ethdev/stats,99",
		"/mempool/list",
		"/mempool/info,fake0_pool",
		fmt.Sprintf("/ethdev/info,%d", port),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, dpdkTelemetryPy, "-f", eal.FilePrefix())
	cmd.Stdin = strings.NewReader(strings.Join(cmds, "\n") + "\n")
	// The script looks in $RUNTIME_DIRECTORY first; the EAL does not.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RUNTIME_DIRECTORY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", cmd, err, out, stderr.Bytes())
	}
	t.Logf("dpdk-telemetry.py -f %s:\n%s", eal.FilePrefix(), out)

	var replies []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, telemetry.MaxOutputLen), telemetry.MaxOutputLen*2)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		replies = append(replies, r)
	}
	if len(replies) != len(cmds) {
		t.Fatalf("%d replies to %d commands:\n%s", len(replies), len(cmds), out)
	}
	get := func(i int) any {
		name, _, _ := strings.Cut(cmds[i], ",")
		v, ok := replies[i][name]
		if !ok {
			t.Fatalf("reply %d %v has no %s", i, replies[i], name)
		}
		return v
	}

	st, err := ethdev.StatsGet(port)
	if err != nil {
		t.Fatal(err)
	}
	if st.IPackets != 9 || st.OPackets != 9 || st.IBytes != 900 || st.OBytes != 900 {
		t.Fatalf("port stats %+v", st)
	}
	want := map[string]any{
		"ipackets": st.IPackets, "opackets": st.OPackets, "ibytes": st.IBytes, "obytes": st.OBytes,
		"imissed": st.IMissed, "ierrors": st.IErrors, "oerrors": st.OErrors, "rx_nombuf": st.RxNoMbuf,
		"q_ipackets": st.QIPackets[:], "q_opackets": st.QOPackets[:], "q_ibytes": st.QIBytes[:],
		"q_obytes": st.QOBytes[:], "q_errors": st.QErrors[:],
	}
	if got, w := jsonOf(t, get(0)), jsonOf(t, want); got != w {
		t.Errorf("%s:\n got %s\nwant %s", cmds[0], got, w)
	}
	if info := get(1).(map[string]any); info["pid"] != float64(os.Getpid()) || info["version"] != telemetry.Version ||
		info["max_output_len"] != float64(telemetry.MaxOutputLen) {
		t.Errorf("/info = %v", info)
	}
	if got := get(2); !reflect.DeepEqual(got, []any{float64(port)}) {
		t.Errorf("/ethdev/list = %v", got)
	}
	xs, err := ethdev.Xstats(port)
	if err != nil {
		t.Fatal(err)
	}
	x := get(3).(map[string]any)
	for _, e := range xs {
		if x[e.Name] != float64(e.Value) {
			t.Errorf("xstat %s = %v, want %d", e.Name, x[e.Name], e.Value)
		}
	}
	if l := get(4); !reflect.DeepEqual(l, map[string]any{"status": "UP", "speed": 10000.0, "duplex": "full-duplex"}) {
		t.Errorf("link %v", l)
	}
	if got := strs(get(5)); !reflect.DeepEqual(got, args[:6]) {
		t.Errorf("/eal/params = %q, want %q", got, args[:6])
	}
	if got := strs(get(6)); !reflect.DeepEqual(got, []string{"--app-opt"}) {
		t.Errorf("/eal/app_params = %q", got)
	}
	if h := get(7).(map[string]any); h["/ethdev/stats"] == "" {
		t.Errorf("/help = %v", h)
	}
	for i := 8; i < 10; i++ {
		if v := get(i); v != nil {
			t.Errorf("%s = %v, want null", cmds[i], v)
		}
	}
	if got := strs(get(10)); !reflect.DeepEqual(got, []string{"fake0_pool"}) {
		t.Errorf("/mempool/list = %q", got)
	}
	if mi := get(11).(map[string]any); mi["name"] != "fake0_pool" || mi["size"] != 255.0 || mi["used_count"] != 0.0 {
		t.Errorf("/mempool/info = %v", mi)
	}
	if pi := get(12).(map[string]any); pi["name"] != "fake0" || pi["dev_started"] != 1.0 || pi["port_id"] != float64(port) {
		t.Errorf("/ethdev/info = %v", pi)
	}
}
