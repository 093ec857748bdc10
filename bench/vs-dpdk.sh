#!/usr/bin/env bash
# vs-dpdk.sh: dpk against DPDK 22.11 on this machine, in one command.
#
#   bench/vs-dpdk.sh                 ring (both live) + short mempool run vs the stored baseline
#                                    + testpmd io forwarding (both live)
#   bench/vs-dpdk.sh --ring-only     only ring_perf_autotest
#   bench/vs-dpdk.sh --mempool-only  only mempool_perf_autotest
#   bench/vs-dpdk.sh --testpmd       only the testpmd comparison (also --testpmd-only)
#   bench/vs-dpdk.sh --full          the full mempool run (all 720 lines, 5 s each: about an hour)
#   bench/vs-dpdk.sh --out DIR       also keep the raw outputs in DIR
#
# The section options add up: --ring-only --testpmd runs those two.
#
# ring_perf_autotest runs twice in the same invocation, DPDK's dpdk-test
# first (installed from Debian's dpdk-dev if missing), then dpk-test, with
# the EAL flags the stored baselines were made with; every figure line is
# paired by section and label and the ratio dpk/DPDK of cycles is printed
# (lower is better), with the lines beyond the targets marked.
#
# mempool_perf_autotest is compared with DPDK's stored run
# (/work/shared/data/baselines/dpdk-22.11-mempool_perf.txt), as the real one
# takes an hour. By default dpk runs only the "with cache" section with
# 1-second measurements (about 3 minutes); --full runs all of it with DPDK's
# 5 seconds. DPK_PERF_TIME_S, DPK_MEMPOOL_PERF_SECTIONS and
# DPK_MEMPOOL_PERF_FILTER, when set, override the short run's choices (see
# cmd/dpk-test/mempool_perf.go).
#
# testpmd runs dpdk-testpmd, then dpk-testpmd (never both at once), on
# lcores 0-1, forwarding in io mode between two ports:
#   --no-huge -m 1024 -l 0-1 --vdev net_null0 --vdev net_null1 [--no-pci: DPDK]
#   -- --forward-mode=io --nb-cores=1 --burst=32 --rxd=1024 --txd=1024 --stats-period=1
# then the same with net_ring0 and net_ring1 plus --tx-first (the rings
# start empty: each port sends one burst first, and the 64 packets then go
# round). Each run forwards for DPK_TESTPMD_SECONDS (10) seconds counted
# from its first "Port statistics" block (the RX flush before forwarding
# takes up to 4 s with net_null), then gets SIGINT and is waited for. The
# rows "testpmd io net_null Mpps" and "testpmd io net_ring Mpps" compare
# the steady-state rates (the ports' Rx-pps summed, periods after the first
# two); the target is dpk/DPDK >= 0.8. dpk runs with GODEBUG=gctrace=1 and
# the summary says how many GC cycles ran during the window (0 when the
# packet path allocates nothing) and the process's RSS at both ends.
#
# Exit status: 0 when the comparisons ran, whether or not the targets are
# met; non-zero when a tool failed to build or run. Needs bash, awk and Go.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

do_ring=0
do_mempool=0
do_testpmd=0
full=0
outdir=""
while (($#)); do
	case "$1" in
	--ring-only) do_ring=1 ;;
	--mempool-only) do_mempool=1 ;;
	--testpmd | --testpmd-only) do_testpmd=1 ;;
	--full) full=1 ;;
	--out)
		[[ $# -ge 2 ]] || { echo "vs-dpdk: --out needs a directory" >&2; exit 2; }
		outdir=$2
		shift
		;;
	-h | --help) usage; exit 0 ;;
	*) echo "vs-dpdk: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
if ((!do_ring && !do_mempool && !do_testpmd)); then
	do_ring=1 do_mempool=1 do_testpmd=1
fi
tp_secs=${DPK_TESTPMD_SECONDS:-10}
[[ $tp_secs =~ ^[1-9][0-9]*$ ]] || { echo "vs-dpdk: DPK_TESTPMD_SECONDS=$tp_secs: want a whole number of seconds" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
baseline=${DPK_MEMPOOL_BASELINE:-/work/shared/data/baselines/dpdk-22.11-mempool_perf.txt}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vs-dpdk.XXXXXX")
# File prefixes of our own: another run on the machine keeps its own.
dpdk_prefix="vsdpdk_dpdk_$$"
dpk_prefix="vsdpdk_dpk_$$"
prefixes=("$dpdk_prefix" "$dpk_prefix")
# The testpmd runs still going (stopped by cleanup on an early exit).
running_pids=()
cleanup() {
	local pid base p
	for pid in "${running_pids[@]}"; do
		kill -INT "$pid" 2>/dev/null || continue
		for _ in {1..50}; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
	for base in /var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk" /tmp/dpdk; do
		for p in "${prefixes[@]}"; do
			rm -rf "${base:?}/${p:?}"
		done
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "vs-dpdk: $*" >&2
	exit 1
}

# show_failure NAME OUT ERR: the tail of a failed tool's output.
show_failure() {
	echo "vs-dpdk: $1 failed; last lines of its output:" >&2
	tail -n 20 "$2" >&2 || true
	tail -n 20 "$3" >&2 || true
}

keep() {
	if [[ -n $outdir ]]; then
		mkdir -p "$outdir"
		cp "$@" "$outdir"/
	fi
}

command -v go >/dev/null || die "go not found in PATH"
if ((do_ring || do_mempool)); then
	echo "== building dpk-test"
	go build -o "$tmp/dpk-test" ./cmd/dpk-test || die "go build ./cmd/dpk-test failed"
fi
if ((do_testpmd)); then
	echo "== building dpk-testpmd"
	go build -o "$tmp/dpk-testpmd" ./cmd/dpk-testpmd || die "go build ./cmd/dpk-testpmd failed"
fi
echo "== building the comparison helper"
go build -o "$tmp/vsdpdk" ./bench/vsdpdk || die "go build ./bench/vsdpdk failed"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both sides)"

if ((do_ring)); then
	if [[ ! -x /usr/bin/dpdk-test ]]; then
		echo "== /usr/bin/dpdk-test missing: installing Debian's dpdk-dev"
		apt-get update && apt-get install -y dpdk-dev || die "cannot install dpdk-dev"
	fi
	echo
	echo "== DPDK: dpdk-test --no-huge -m 1024 --no-pci -l 0-1 ring_perf_autotest"
	if ! /usr/bin/dpdk-test --no-huge -m 1024 --no-pci -l 0-1 --file-prefix "$dpdk_prefix" \
		ring_perf_autotest </dev/null >"$tmp/dpdk-ring.txt" 2>"$tmp/dpdk-ring.err" ||
		! grep -q '^Test OK' "$tmp/dpdk-ring.txt"; then
		show_failure "dpdk-test ring_perf_autotest" "$tmp/dpdk-ring.txt" "$tmp/dpdk-ring.err"
		exit 1
	fi
	echo "== dpk: dpk-test --no-huge -m 1024 -l 0-1 ring_perf_autotest"
	if ! "$tmp/dpk-test" --no-huge -m 1024 -l 0-1 --file-prefix "$dpk_prefix" \
		ring_perf_autotest </dev/null >"$tmp/dpk-ring.txt" 2>"$tmp/dpk-ring.err" ||
		! grep -q '^Test OK' "$tmp/dpk-ring.txt"; then
		show_failure "dpk-test ring_perf_autotest" "$tmp/dpk-ring.txt" "$tmp/dpk-ring.err"
		exit 1
	fi
	keep "$tmp/dpdk-ring.txt" "$tmp/dpk-ring.txt"
	echo
	"$tmp/vsdpdk" ring "$tmp/dpdk-ring.txt" "$tmp/dpk-ring.txt" || die "ring comparison failed"
fi

if ((do_mempool)); then
	[[ -r $baseline ]] || die "stored DPDK baseline $baseline not readable"
	if ((full)); then
		unset DPK_PERF_TIME_S DPK_MEMPOOL_PERF_SECTIONS DPK_MEMPOOL_PERF_FILTER
		what="full run: every section, TIME_S 5 (about an hour)"
	else
		export DPK_PERF_TIME_S=${DPK_PERF_TIME_S:-1}
		export DPK_MEMPOOL_PERF_SECTIONS=${DPK_MEMPOOL_PERF_SECTIONS:-cache}
		export DPK_MEMPOOL_PERF_FILTER=${DPK_MEMPOOL_PERF_FILTER:-}
		what="short run: sections ${DPK_MEMPOOL_PERF_SECTIONS}, TIME_S ${DPK_PERF_TIME_S}${DPK_MEMPOOL_PERF_FILTER:+, filter \"$DPK_MEMPOOL_PERF_FILTER\"} (--full for all of it)"
	fi
	echo
	echo "== dpk: dpk-test --no-huge -m 1024 -l 0-1 mempool_perf_autotest ($what)"
	if ! "$tmp/dpk-test" --no-huge -m 1024 -l 0-1 --file-prefix "$dpk_prefix" \
		mempool_perf_autotest </dev/null >"$tmp/dpk-mempool.txt" 2>"$tmp/dpk-mempool.err" ||
		! grep -q '^Test OK' "$tmp/dpk-mempool.txt"; then
		show_failure "dpk-test mempool_perf_autotest" "$tmp/dpk-mempool.txt" "$tmp/dpk-mempool.err"
		exit 1
	fi
	keep "$tmp/dpk-mempool.txt"
	echo
	"$tmp/vsdpdk" mempool "$baseline" "$tmp/dpk-mempool.txt" || die "mempool comparison failed"
fi

# rss_kb PID: the process's resident set in KiB, or nothing.
rss_kb() {
	awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
}

# forget_pid PID: drop PID from running_pids.
forget_pid() {
	local p rest=()
	for p in "${running_pids[@]}"; do
		[[ $p == "$1" ]] || rest+=("$p")
	done
	running_pids=("${rest[@]}")
}

# run_testpmd NAME OUT ERR CMD...: run a testpmd in the background, wait
# for its first "Port statistics" block (forwarding has started), mark the
# measurement window in ERR (the process appends there too), let it forward
# $tp_secs seconds, stop it with SIGINT and wait for it. DPDK's testpmd
# re-raises SIGINT after its clean exit: status 130 is success too.
run_testpmd() {
	local name=$1 out=$2 err=$3 pid rc i
	shift 3
	: >"$out"
	: >"$err"
	"$@" </dev/null >"$out" 2>>"$err" &
	pid=$!
	running_pids+=("$pid")
	for ((i = 0; ; i++)); do
		grep -q '^Port statistics' "$out" && break
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" && rc=0 || rc=$?
			forget_pid "$pid"
			show_failure "$name (exit status $rc before forwarding)" "$out" "$err"
			return 1
		fi
		if ((i >= 600)); then
			show_failure "$name (no statistics after 60 s)" "$out" "$err"
			return 1
		fi
		sleep 0.1
	done
	echo "vsdpdk: window start t=$(date +%s.%N) rss_kb=$(rss_kb "$pid")" >>"$err"
	sleep "$tp_secs"
	echo "vsdpdk: window end t=$(date +%s.%N) rss_kb=$(rss_kb "$pid")" >>"$err"
	kill -INT "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		forget_pid "$pid"
		show_failure "$name (still running 30 s after SIGINT, killed)" "$out" "$err"
		return 1
	fi
	wait "$pid" && rc=0 || rc=$?
	forget_pid "$pid"
	if ((rc != 0 && rc != 130)) || ! grep -q 'Bye\.\.\.' "$out"; then
		show_failure "$name (exit status $rc after SIGINT)" "$out" "$err"
		return 1
	fi
}

if ((do_testpmd)); then
	if [[ ! -x /usr/bin/dpdk-testpmd ]]; then
		echo "== /usr/bin/dpdk-testpmd missing: installing Debian's dpdk-dev"
		apt-get update && apt-get install -y dpdk-dev || die "cannot install dpdk-dev"
	fi
	command -v stdbuf >/dev/null || die "stdbuf (coreutils) not found: dpdk-testpmd's output would be block-buffered"
	tp_app=(-- --forward-mode=io --nb-cores=1 --burst=32 --rxd=1024 --txd=1024 --stats-period=1)
	tp_args=()
	for drv in net_null net_ring; do
		vdevs=(--vdev "${drv}0" --vdev "${drv}1")
		extra=()
		[[ $drv == net_ring ]] && extra=(--tx-first)
		p_dpdk="vsdpdk_tp_dpdk_${drv}_$$"
		p_dpk="vsdpdk_tp_dpk_${drv}_$$"
		prefixes+=("$p_dpdk" "$p_dpk")
		echo
		echo "== DPDK: dpdk-testpmd --no-huge -m 1024 --no-pci -l 0-1 ${vdevs[*]} ${tp_app[*]} ${extra[*]} (${tp_secs} s)"
		run_testpmd "dpdk-testpmd $drv" "$tmp/dpdk-testpmd-$drv.txt" "$tmp/dpdk-testpmd-$drv.err" \
			stdbuf -oL /usr/bin/dpdk-testpmd --no-huge -m 1024 --no-pci -l 0-1 --file-prefix "$p_dpdk" \
			"${vdevs[@]}" "${tp_app[@]}" "${extra[@]}" || exit 1
		echo "== dpk: GODEBUG=gctrace=1 dpk-testpmd --no-huge -m 1024 -l 0-1 ${vdevs[*]} ${tp_app[*]} ${extra[*]} (${tp_secs} s)"
		run_testpmd "dpk-testpmd $drv" "$tmp/dpk-testpmd-$drv.txt" "$tmp/dpk-testpmd-$drv.err" \
			env GODEBUG=gctrace=1 "$tmp/dpk-testpmd" --no-huge -m 1024 -l 0-1 --file-prefix "$p_dpk" \
			"${vdevs[@]}" "${tp_app[@]}" "${extra[@]}" || exit 1
		keep "$tmp/dpdk-testpmd-$drv.txt" "$tmp/dpk-testpmd-$drv.txt" "$tmp/dpk-testpmd-$drv.err"
		tp_args+=("$drv" "$tmp/dpdk-testpmd-$drv.txt" "$tmp/dpk-testpmd-$drv.txt" "$tmp/dpk-testpmd-$drv.err")
	done
	echo
	"$tmp/vsdpdk" testpmd "${tp_args[@]}" || die "testpmd comparison failed"
fi

echo
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg) (above ~0.5 on this 2-CPU machine, other work competed with the lcores)"
