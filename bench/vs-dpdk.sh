#!/usr/bin/env bash
# vs-dpdk.sh: dpk against DPDK 22.11 on this machine, in one command.
#
#   bench/vs-dpdk.sh                 ring (both live) + short mempool run vs the stored baseline
#                                    + testpmd io forwarding (both live)
#   bench/vs-dpdk.sh --ring-only     only ring_perf_autotest
#   bench/vs-dpdk.sh --mempool-only  only mempool_perf_autotest
#   bench/vs-dpdk.sh --testpmd       only the testpmd comparison (also --testpmd-only)
#   bench/vs-dpdk.sh --classify-only the classification libraries: lpm, lpm6, fib, fib6 and hash
#                                    perf autotests, and dpdk-test-acl (about half an hour)
#   bench/vs-dpdk.sh --drivers       the kernel drivers: dpdk-testpmd and dpk-testpmd txonly->rxonly
#                                    and io forwarding over net_af_packet, net_af_xdp and net_tap
#                                    between namespaces (root; bench/drivers.sh, about 6 minutes)
#   bench/vs-dpdk.sh --full          everything: ring, the full mempool run (all 720 lines, 5 s
#                                    each: about an hour), testpmd, the classification rows and
#                                    the kernel drivers
#   bench/vs-dpdk.sh --out DIR       also keep the raw outputs in DIR
#
# The section options add up: --ring-only --testpmd runs those two; --full
# with section options runs those sections, the mempool one in full.
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
# The classification rows (--classify-only, --full) run, for each suite of
# DPK_CLASSIFY_SUITES (default "lpm lpm6 fib fib6 hash acl"; commas or
# blanks), DPDK's tool then dpk's, one at a time:
#   dpdk-test --no-huge -m M --no-pci -l 0-1 <suite>_perf_autotest  (</dev/null)
#   dpk-test  --no-huge -m M -l 0-1 <suite>_perf_autotest
# with M = 1024, except 2048 for fib6 (its trie FIB of 1,000,000 tbl8
# groups takes 1 GiB: DPDK's fib6_perf_autotest fails with -m 1024). The
# targets, as ratios dpk/DPDK of cycles: lookups at most 1.2 for lpm (single,
# bulk and x4), 1.5 for lpm6, fib, fib6 and hash (Lookup and Lookup_bulk of
# every key size, section and variant, and the FBK ticks per lookup); adds
# and deletes are informational. hash_perf_autotest runs in full on both
# sides (DPDK's cannot be shortened): about 10 minutes each on this machine.
# acl: for each rule file of DPK_ACL_RULES (default "acl1_1k fw1_1k
# ipc1_1k" in /work/shared/data/acl/classbench, DPK_ACL_DATA), dpk-test-acl
# --gentrace=65536 makes a trace, then on lcore 0, with --verbose=0
# --iter=DPK_ACL_ITER (100), dpdk-test-acl classifies it with --alg=scalar,
# sse, avx2, avx512x16 and avx512x32 (with --force-max-simd-bitwidth=512;
# a method the CPU lacks is left out) and dpk-test-acl with --alg=scalar.
# The target: dpk's packets per second at least 0.5 of DPDK's scalar method;
# DPDK's other methods and its best are listed without target. With
# DPK_CPUPROFILE_DIR=DIR, each dpk-test run writes a CPU profile of itself
# to DIR/dpk-<suite>.prof (go tool pprof DIR/dpk-<suite>.prof), with the
# binary kept beside it as DIR/dpk-test.
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
do_classify=0
do_drivers=0
full=0
outdir=""
while (($#)); do
	case "$1" in
	--ring-only) do_ring=1 ;;
	--mempool-only) do_mempool=1 ;;
	--testpmd | --testpmd-only) do_testpmd=1 ;;
	--classify-only | --classify) do_classify=1 ;;
	--drivers | --drivers-only) do_drivers=1 ;;
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
if ((!do_ring && !do_mempool && !do_testpmd && !do_classify && !do_drivers)); then
	do_ring=1 do_mempool=1 do_testpmd=1
	((full)) && do_classify=1 do_drivers=1
fi
classify_suites=${DPK_CLASSIFY_SUITES:-lpm lpm6 fib fib6 hash acl}
classify_suites=${classify_suites//,/ }
for s in $classify_suites; do
	case "$s" in
	lpm | lpm6 | fib | fib6 | hash | acl) ;;
	*) echo "vs-dpdk: DPK_CLASSIFY_SUITES: unknown suite $s (have lpm lpm6 fib fib6 hash acl)" >&2; exit 2 ;;
	esac
done
profdir=${DPK_CPUPROFILE_DIR:-}
if [[ -n $profdir ]]; then
	mkdir -p "$profdir" || { echo "vs-dpdk: cannot make DPK_CPUPROFILE_DIR $profdir" >&2; exit 2; }
	profdir=$(cd "$profdir" && pwd)
fi
acl_data=${DPK_ACL_DATA:-/work/shared/data/acl/classbench}
acl_rules=${DPK_ACL_RULES:-acl1_1k fw1_1k ipc1_1k}
acl_rules=${acl_rules//,/ }
acl_iter=${DPK_ACL_ITER:-100}
[[ $acl_iter =~ ^[1-9][0-9]*$ ]] || { echo "vs-dpdk: DPK_ACL_ITER=$acl_iter: want a positive whole number" >&2; exit 2; }
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
if ((do_ring || do_mempool || do_classify)); then
	echo "== building dpk-test"
	go build -o "$tmp/dpk-test" ./cmd/dpk-test || die "go build ./cmd/dpk-test failed"
fi
if ((do_testpmd)); then
	echo "== building dpk-testpmd"
	go build -o "$tmp/dpk-testpmd" ./cmd/dpk-testpmd || die "go build ./cmd/dpk-testpmd failed"
fi
if ((do_classify)) && [[ -n $profdir ]]; then
	cp "$tmp/dpk-test" "$profdir/dpk-test"
fi
if ((do_classify)); then
	echo "== building dpk-test-acl"
	go build -o "$tmp/dpk-test-acl" ./cmd/dpk-test-acl || die "go build ./cmd/dpk-test-acl failed"
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

# loadavg: the load average's three figures.
loadavg() {
	cut -d' ' -f1-3 /proc/loadavg
}

# run_test TOOL OUT ERR CMD...: run a dpdk-test or dpk-test autotest to
# completion (stdin /dev/null: dpdk-test would otherwise drop into its
# prompt) and check it passed.
run_test() {
	local name=$1 out=$2 err=$3
	shift 3
	if ! "$@" </dev/null >"$out" 2>"$err" || ! grep -q '^Test OK' "$out"; then
		show_failure "$name" "$out" "$err"
		return 1
	fi
}

if ((do_classify)); then
	if [[ ! -x /usr/bin/dpdk-test || ! -x /usr/bin/dpdk-test-acl ]]; then
		echo "== /usr/bin/dpdk-test or dpdk-test-acl missing: installing Debian's dpdk-dev"
		apt-get update && apt-get install -y dpdk-dev || die "cannot install dpdk-dev"
	fi
	for suite in $classify_suites; do
		[[ $suite == acl ]] && continue
		test_name=${suite}_perf_autotest
		mem=1024
		[[ $suite == fib6 ]] && mem=2048
		echo
		echo "== DPDK: dpdk-test --no-huge -m $mem --no-pci -l 0-1 $test_name (load average $(loadavg))"
		run_test "dpdk-test $test_name" "$tmp/dpdk-$suite.txt" "$tmp/dpdk-$suite.err" \
			/usr/bin/dpdk-test --no-huge -m "$mem" --no-pci -l 0-1 --file-prefix "$dpdk_prefix" "$test_name" || exit 1
		echo "== dpk: dpk-test --no-huge -m $mem -l 0-1 $test_name (load average $(loadavg))"
		prof=()
		[[ -n $profdir ]] && prof=(env DPK_CPUPROFILE="$profdir/dpk-$suite.prof")
		run_test "dpk-test $test_name" "$tmp/dpk-$suite.txt" "$tmp/dpk-$suite.err" \
			"${prof[@]}" "$tmp/dpk-test" --no-huge -m "$mem" -l 0-1 --file-prefix "$dpk_prefix" "$test_name" || exit 1
		echo "   load average after both: $(loadavg)"
		keep "$tmp/dpdk-$suite.txt" "$tmp/dpk-$suite.txt"
		echo
		"$tmp/vsdpdk" "$suite" "$tmp/dpdk-$suite.txt" "$tmp/dpk-$suite.txt" || die "$suite comparison failed"
	done
	if [[ " $classify_suites " == *" acl "* ]]; then
		acl_dpdk=()
		acl_dpk=()
		acl_eal=(--no-huge -m 1024 -l 0)
		acl_app=(--verbose=0 --iter="$acl_iter")
		for rules in $acl_rules; do
			rf=$acl_data/$rules
			[[ -r $rf ]] || die "ACL rule file $rf not readable (DPK_ACL_DATA, DPK_ACL_RULES)"
			trace=$tmp/$rules.trace
			"$tmp/dpk-test-acl" "${acl_eal[@]}" --in-memory -- --rulesf="$rf" --gentrace=65536 >"$trace" 2>"$tmp/gentrace.err" ||
				{ show_failure "dpk-test-acl --gentrace for $rules" "$trace" "$tmp/gentrace.err"; exit 1; }
			echo
			echo "== ACL $rules: $(grep -vc '^#' "$trace") tuples (dpk-test-acl --gentrace=65536), ${acl_app[*]}"
			for alg in scalar sse avx2 avx512x16 avx512x32; do
				out=$tmp/dpdk-acl-$rules-$alg.txt
				echo "== DPDK: dpdk-test-acl ${acl_eal[*]} --no-pci --force-max-simd-bitwidth=512 -- --rulesf=$rules --tracef=<trace> --alg=$alg (load average $(loadavg))"
				if /usr/bin/dpdk-test-acl "${acl_eal[@]}" --no-pci --force-max-simd-bitwidth=512 --file-prefix "$dpdk_prefix" -- \
					--rulesf="$rf" --tracef="$trace" --alg="$alg" "${acl_app[@]}" </dev/null >"$out" 2>"$out.err" &&
					grep -q '^search_ip5tuples' "$out"; then
					acl_dpdk+=("$out")
				elif [[ $alg == scalar ]]; then
					show_failure "dpdk-test-acl --alg=scalar ($rules)" "$out" "$out.err"
					exit 1
				else
					echo "   (DPDK's $alg method did not run here: $(grep -h 'Cause\|not supported' "$out" "$out.err" | head -1))"
				fi
			done
			out=$tmp/dpk-acl-$rules-scalar.txt
			echo "== dpk: dpk-test-acl ${acl_eal[*]} -- --rulesf=$rules --tracef=<trace> --alg=scalar (load average $(loadavg))"
			if ! "$tmp/dpk-test-acl" "${acl_eal[@]}" --file-prefix "$dpk_prefix" -- \
				--rulesf="$rf" --tracef="$trace" --alg=scalar "${acl_app[@]}" </dev/null >"$out" 2>"$out.err" ||
				! grep -q '^search_ip5tuples' "$out"; then
				show_failure "dpk-test-acl ($rules)" "$out" "$out.err"
				exit 1
			fi
			acl_dpk+=("$out")
		done
		echo "   load average after the ACL runs: $(loadavg)"
		keep "${acl_dpdk[@]}" "${acl_dpk[@]}"
		echo
		"$tmp/vsdpdk" acl "${acl_dpdk[@]}" -- "${acl_dpk[@]}" || die "acl comparison failed"
	fi
fi

if ((do_drivers)); then
	echo
	"$repo/bench/drivers.sh" --keep-going --seconds "$tp_secs" ${outdir:+--out "$outdir/drivers"} ||
		die "drivers comparison failed"
fi

echo
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg) (above ~0.5 on this 2-CPU machine, other work competed with the lcores)"
