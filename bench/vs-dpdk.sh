#!/usr/bin/env bash
# vs-dpdk.sh: dpk against DPDK 22.11 on this machine, in one command.
#
#   bench/vs-dpdk.sh                 ring (both live) + short mempool run vs the stored baseline
#   bench/vs-dpdk.sh --ring-only     only ring_perf_autotest
#   bench/vs-dpdk.sh --mempool-only  only mempool_perf_autotest
#   bench/vs-dpdk.sh --full          the full mempool run (all 720 lines, 5 s each: about an hour)
#   bench/vs-dpdk.sh --out DIR       also keep the raw outputs in DIR
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
# Exit status: 0 when the comparisons ran, whether or not the targets are
# met; non-zero when a tool failed to build or run. Needs bash, awk and Go.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

do_ring=1
do_mempool=1
full=0
outdir=""
while (($#)); do
	case "$1" in
	--ring-only) do_mempool=0 ;;
	--mempool-only) do_ring=0 ;;
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
if ((!do_ring && !do_mempool)); then
	echo "vs-dpdk: --ring-only and --mempool-only exclude each other" >&2
	exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
baseline=${DPK_MEMPOOL_BASELINE:-/work/shared/data/baselines/dpdk-22.11-mempool_perf.txt}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vs-dpdk.XXXXXX")
# File prefixes of our own: another run on the machine keeps its own.
dpdk_prefix="vsdpdk_dpdk_$$"
dpk_prefix="vsdpdk_dpk_$$"
cleanup() {
	rm -rf "$tmp"
	local base
	for base in /var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk" /tmp/dpdk; do
		rm -rf "${base:?}/$dpdk_prefix" "${base:?}/$dpk_prefix"
	done
}
trap cleanup EXIT

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
echo "== building dpk-test and the comparison helper"
go build -o "$tmp/dpk-test" ./cmd/dpk-test || die "go build ./cmd/dpk-test failed"
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

echo
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg) (above ~0.5 on this 2-CPU machine, other work competed with the lcores)"
