#!/usr/bin/env bash
# drivers.sh: dpk-testpmd against DPDK 22.11's dpdk-testpmd on the kernel
# drivers (net_af_packet, net_af_xdp, net_tap), in one command, as root.
#
#   bench/drivers.sh                      every driver, 10-second windows
#   bench/drivers.sh --seconds 20         longer windows
#   bench/drivers.sh --driver af_xdp      one driver (repeatable: af_packet, af_xdp, tap)
#   bench/drivers.sh --keep-going         a failed run becomes an n/a row instead of
#                                         ending the script
#   bench/drivers.sh --out DIR            also keep the raw outputs in DIR
#
# Every run happens in network namespaces of its own, made fresh for the
# run and deleted after it (also on Ctrl-C or an error), so nothing from
# the host's namespace or an earlier run is on the wire. IPv6 is off in
# them (no router solicitations or DAD on the links). DPDK's tool runs
# first, then dpk's, never both at once, with the same command lines:
#
#   EAL:  --no-huge -m 1024 --no-pci --file-prefix <own> <lcores> --vdev <driver>
#   app:  -- --forward-mode=<engine> --burst=32 --stats-period=1
#
# Rows "<driver> txonly->rxonly Mpps": one namespace holds a veth pair
# vA <-> vB. A sink testpmd (--forward-mode=rxonly, -l 0-1: its forwarding
# lcore on CPU 1) is started on vB, then a sender testpmd
# (--forward-mode=txonly, 64-byte UDP frames, --lcores 0@1,1@0: its
# forwarding lcore on CPU 0) on vA. testpmd runs one engine for all its
# ports, so the two ends are two processes; each has a CPU for its
# forwarding lcore (their main lcores only print statistics). For tap the
# drivers make their own interfaces (dtA, dtB), which the script puts in a
# Linux bridge as they appear: sender tap -> bridge -> sink tap (the frames'
# destination, testpmd's default peer 02:00:00:00:00:00, is unknown to
# the bridge, which floods it to the other port). The figure is the sink's
# Rx-pps; the sender's Tx-pps is listed below the table.
#
# Rows "<driver> io forwarding Mpps": three namespaces G, F and S and two
# veth pairs, gA (G) <-> fA (F) and fB (F) <-> sB (S). The testpmd under
# test forwards in io mode in F between port 0 on fA and port 1 on fB
# (-l 0-1: CPU 1); for tap its ports are taps in F, bridged to fA and fB.
# The traffic comes from a generator that is the same for both tools:
# dpdk-testpmd --forward-mode=txonly over net_af_packet on gA (--lcores
# 0@1,1@0: CPU 0), as fast as it can; the kernel in S is the sink (sB has
# no address: the frames are dropped there). The figure is the
# forwarder's Tx-pps summed over its ports (packets forwarded); the
# generator's rate is listed below the table. On two CPUs the generator
# and the forwarder each spin one; the kernel's work of the veth and bridge
# hops runs in both.
#
# Each run's window starts 2 s after the last process printed its first
# "Port statistics" block and lasts --seconds; the figures are the means of
# the --stats-period blocks printed inside it (the lines "drivers.sh:
# window start|end" are written into the outputs). dpk runs with
# GODEBUG=gctrace=1: the summary gives the GC cycles during each window
# (0 when the packet path allocates nothing). The load average is printed
# at the start and recorded for every run: the machine may be shared and
# the figures move with it. The target is dpk/DPDK >= 1.0 on each row.
#
# Exit status: 0 when the comparison ran (targets met or not), also when
# not root or dpdk-testpmd is missing and cannot be installed (it says
# why); 1 when a run failed without --keep-going or a tool did not build.
# Needs bash, iproute2 (ip), coreutils (stdbuf), awk and Go.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

secs=10
drivers=()
keep_going=0
outdir=""
while (($#)); do
	case "$1" in
	--seconds)
		[[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "drivers.sh: --seconds needs a whole number of seconds" >&2; exit 2; }
		secs=$2
		shift
		;;
	--driver)
		[[ $# -ge 2 ]] || { echo "drivers.sh: --driver needs a name (af_packet, af_xdp, tap)" >&2; exit 2; }
		case "$2" in
		af_packet | af_xdp | tap) drivers+=("$2") ;;
		*) echo "drivers.sh: unknown driver $2 (have af_packet, af_xdp, tap)" >&2; exit 2 ;;
		esac
		shift
		;;
	--keep-going) keep_going=1 ;;
	--out)
		[[ $# -ge 2 ]] || { echo "drivers.sh: --out needs a directory" >&2; exit 2; }
		outdir=$2
		shift
		;;
	-h | --help) usage; exit 0 ;;
	*) echo "drivers.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
((${#drivers[@]})) || drivers=(af_packet af_xdp tap)

if ((EUID != 0)); then
	echo "drivers.sh: needs root (network namespaces, veth pairs, AF_XDP and tap devices): skipped"
	exit 0
fi
for c in ip stdbuf awk go; do
	command -v "$c" >/dev/null || { echo "drivers.sh: $c not found in PATH" >&2; exit 1; }
done
dpdk_testpmd=/usr/bin/dpdk-testpmd
if [[ ! -x $dpdk_testpmd ]]; then
	echo "== $dpdk_testpmd missing: installing Debian's dpdk-dev"
	if ! { apt-get update && apt-get install -y dpdk-dev; } || [[ ! -x $dpdk_testpmd ]]; then
		echo "drivers.sh: dpdk-testpmd is missing and Debian's dpdk-dev could not be installed: skipped"
		exit 0
	fi
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/drivers.XXXXXX")
spec=$tmp/rows.tsv
: >"$spec"
tag=$$
nsseq=0
namespaces=() # made by this script, deleted by cleanup or teardown
prefixes=()   # EAL --file-prefix values, their runtime directories removed at the end
running=()    # testpmd processes still running

# kill_running: stop the testpmd processes still running (SIGINT, then
# SIGKILL after 5 s).
kill_running() {
	local pid
	for pid in "${running[@]}"; do
		kill -INT "$pid" 2>/dev/null || continue
		for _ in {1..50}; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	running=()
}

# teardown: stop this run's processes and delete its namespaces (and every
# interface in them).
teardown() {
	local ns
	kill_running
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	namespaces=()
}

cleanup() {
	local base p
	teardown
	for base in /var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk" /tmp/dpdk; do
		for p in "${prefixes[@]}"; do
			rm -rf "${base:?}/${p:?}"
		done
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

loadavg() {
	cut -d' ' -f1-3 /proc/loadavg
}

# row LABEL SIDE KIND VALUE: one line of the comparison helper's input.
row() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$spec"
}

# failed NAME OUT ERR: say why a run failed (the tail of its outputs).
failed() {
	echo "drivers.sh: $1 failed; last lines of its output:" >&2
	tail -n 15 "$2" >&2 2>/dev/null || true
	tail -n 15 "$3" >&2 2>/dev/null || true
}

# reason OUT ERR: a one-line reason from a failed testpmd's outputs.
reason() {
	local r
	r=$(grep -h -m1 -E 'Cause:|[Ee]rror|[Ff]ailed|cannot|panic' "$1" "$2" 2>/dev/null | head -n1 | tr -s ' \t' ' ' || true)
	echo "${r:-see the output above}"
}

# mkns: a fresh namespace with lo up and IPv6 off; prints its name.
mkns() {
	local ns="dpkdrv${tag}_$((++nsseq))"
	ip netns add "$ns"
	namespaces+=("$ns")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	NS=$ns
}

# veth NS_A A NS_B B: a veth pair A (in NS_A) <-> B (in NS_B), both up.
veth() {
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# bridge NS BR PORT...: a bridge in NS with the given ports, all up.
bridge() {
	local ns=$1 br=$2 p
	shift 2
	ip -n "$ns" link add "$br" type bridge forward_delay 0 stp_state 0
	for p in "$@"; do
		ip -n "$ns" link set "$p" master "$br"
		ip -n "$ns" link set "$p" up
	done
	ip -n "$ns" link set "$br" up
}

# wait_link NS IF: wait up to 30 s for interface IF to exist in NS.
wait_link() {
	local i
	for ((i = 0; i < 300; i++)); do
		ip -n "$1" link show "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

forget() {
	local p rest=()
	for p in "${running[@]}"; do
		[[ $p == "$1" ]] || rest+=("$p")
	done
	running=("${rest[@]}")
}

# start NS OUT ERR CMD...: start a testpmd in NS in the background (the
# outputs opened for appending: the window markers go in the same files);
# its pid in PID.
start() {
	local ns=$1 out=$2 err=$3
	shift 3
	: >"$out"
	: >"$err"
	ip netns exec "$ns" "$@" </dev/null >>"$out" 2>>"$err" &
	PID=$!
	running+=("$PID")
}

# wait_stats PID OUT: wait up to 60 s for the first "Port statistics" block.
wait_stats() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q '^Port statistics' "$2" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop PID OUT: SIGINT, wait up to 30 s; success when the process exited
# 0 or 130 (DPDK's testpmd re-raises SIGINT after its clean exit) and
# printed "Bye..."; otherwise the reason is in WHY.
stop() {
	local pid=$1 out=$2 i rc
	kill -INT "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		forget "$pid"
		WHY="still running 30 s after SIGINT (killed)"
		return 1
	fi
	wait "$pid" && rc=0 || rc=$?
	forget "$pid"
	if ((rc != 0 && rc != 130)); then
		WHY="exit status $rc after SIGINT"
		return 1
	fi
	grep -q 'Bye\.\.\.' "$out" || { WHY="no \"Bye...\" after SIGINT"; return 1; }
}

# mark WHAT FILE...: write a window marker line into the outputs.
mark() {
	local what=$1 f t
	shift
	t=$(date +%s.%N)
	for f in "$@"; do
		echo "drivers.sh: window $what t=$t" >>"$f"
	done
}

# vdev DRIVER N IFACE: the --vdev argument.
vdev() {
	case "$1" in
	af_packet) echo "net_af_packet$2,iface=$3" ;;
	af_xdp) echo "net_af_xdp$2,iface=$3" ;;
	tap) echo "net_tap$2,iface=$3" ;;
	esac
}

# tool SIDE: the command that runs that side's testpmd (in TOOL).
tool() {
	if [[ $1 == dpdk ]]; then
		TOOL=(stdbuf -oL "$dpdk_testpmd")
	else
		TOOL=(env GODEBUG=gctrace=1 stdbuf -oL "$tmp/dpk-testpmd")
	fi
}

# eal SIDE ROLE: the EAL options (in EAL) of a process; ROLE sink/fwd runs
# its forwarding lcore on CPU 1, ROLE src/gen on CPU 0.
eal() {
	local p="drv${tag}_$1_$2"
	prefixes+=("$p")
	EAL=(--no-huge -m 1024 --no-pci --file-prefix "$p")
	case "$2" in
	sink | fwd) EAL+=(-l 0-1) ;;
	*) EAL+=(--lcores '0@1,1@0') ;;
	esac
}

app() {
	APP=(-- "--forward-mode=$1" --burst=32 --stats-period=1)
}

# abort LABEL SIDE MSG: record the failure; end the script unless --keep-going.
abort() {
	row "$1" "$2" fail "$3"
	teardown
	if ((!keep_going)); then
		echo "drivers.sh: $1 ($2): $3 (--keep-going makes it an n/a row)" >&2
		exit 1
	fi
}

# run_pair DRIVER SIDE: txonly -> rxonly over a veth pair (tap: a bridge).
run_pair() {
	local drv=$1 side=$2 label="$1 txonly->rxonly Mpps" ns rxif txif d
	local rout="$tmp/$drv-pair-$side-rx.out" rerr="$tmp/$drv-pair-$side-rx.err"
	local tout="$tmp/$drv-pair-$side-tx.out" terr="$tmp/$drv-pair-$side-tx.err"
	local rpid tpid
	mkns
	ns=$NS
	if [[ $drv == tap ]]; then
		rxif=dtB txif=dtA
		ip -n "$ns" link add br0 type bridge forward_delay 0 stp_state 0
		ip -n "$ns" link set br0 up
	else
		rxif=vB txif=vA
		veth "$ns" vA "$ns" vB
	fi
	tool "$side"
	eal "$side" sink
	app rxonly
	echo "   sink:   ${TOOL[-1]##*/} ${EAL[*]} --vdev $(vdev "$drv" 0 "$rxif") ${APP[*]}"
	start "$ns" "$rout" "$rerr" "${TOOL[@]}" "${EAL[@]}" --vdev "$(vdev "$drv" 0 "$rxif")" "${APP[@]}"
	rpid=$PID
	if ! wait_stats "$rpid" "$rout"; then
		failed "$side rxonly sink" "$rout" "$rerr"
		abort "$label" "$side" "rxonly sink did not start: $(reason "$rout" "$rerr")"
		return 0
	fi
	if [[ $drv == tap ]]; then
		wait_link "$ns" "$rxif" && ip -n "$ns" link set "$rxif" master br0 && ip -n "$ns" link set "$rxif" up ||
			{ abort "$label" "$side" "tap $rxif did not appear"; return 0; }
	fi
	eal "$side" src
	app txonly
	echo "   sender: ${TOOL[-1]##*/} ${EAL[*]} --vdev $(vdev "$drv" 0 "$txif") ${APP[*]}"
	start "$ns" "$tout" "$terr" "${TOOL[@]}" "${EAL[@]}" --vdev "$(vdev "$drv" 0 "$txif")" "${APP[@]}"
	tpid=$PID
	if [[ $drv == tap ]]; then
		wait_link "$ns" "$txif" && ip -n "$ns" link set "$txif" master br0 && ip -n "$ns" link set "$txif" up ||
			{ abort "$label" "$side" "tap $txif did not appear"; return 0; }
	fi
	if ! wait_stats "$tpid" "$tout"; then
		failed "$side txonly sender" "$tout" "$terr"
		abort "$label" "$side" "txonly sender did not start: $(reason "$tout" "$terr")"
		return 0
	fi
	sleep 2
	row "$label" "$side" load "$(loadavg)"
	mark start "$rout" "$rerr" "$tout" "$terr"
	sleep "$secs"
	mark end "$rout" "$rerr" "$tout" "$terr"
	if ! stop "$tpid" "$tout"; then
		failed "$side txonly sender" "$tout" "$terr"
		abort "$label" "$side" "txonly sender: $WHY"
		return 0
	fi
	if ! stop "$rpid" "$rout"; then
		failed "$side rxonly sink" "$rout" "$rerr"
		abort "$label" "$side" "rxonly sink: $WHY"
		return 0
	fi
	row "$label" "$side" rx "$rout"
	row "$label" "$side" tx "$tout"
	if [[ $side == dpk ]]; then
		row "$label" "$side" gc "$rerr"
		row "$label" "$side" gc "$terr"
	fi
	for d in "$rout" "$rerr" "$tout" "$terr"; do
		keep "$d"
	done
	teardown
}

# run_io DRIVER SIDE: io forwarding between two veth pairs, fed by a
# dpdk-testpmd txonly generator over net_af_packet in the same way for
# both sides.
run_io() {
	local drv=$1 side=$2 label="$1 io forwarding Mpps" g f s p0 p1 d
	local fout="$tmp/$drv-io-$side-fwd.out" ferr="$tmp/$drv-io-$side-fwd.err"
	local gout="$tmp/$drv-io-$side-gen.out" gerr="$tmp/$drv-io-$side-gen.err"
	local fpid gpid
	mkns
	g=$NS
	mkns
	f=$NS
	mkns
	s=$NS
	veth "$g" gA "$f" fA
	veth "$f" fB "$s" sB
	if [[ $drv == tap ]]; then
		p0=dtA p1=dtB
	else
		p0=fA p1=fB
	fi
	tool "$side"
	eal "$side" fwd
	app io
	echo "   forwarder: ${TOOL[-1]##*/} ${EAL[*]} --vdev $(vdev "$drv" 0 "$p0") --vdev $(vdev "$drv" 1 "$p1") ${APP[*]}"
	start "$f" "$fout" "$ferr" "${TOOL[@]}" "${EAL[@]}" --vdev "$(vdev "$drv" 0 "$p0")" --vdev "$(vdev "$drv" 1 "$p1")" "${APP[@]}"
	fpid=$PID
	if [[ $drv == tap ]]; then
		if ! wait_link "$f" dtA || ! wait_link "$f" dtB; then
			failed "$side io forwarder" "$fout" "$ferr"
			abort "$label" "$side" "the forwarder's taps did not appear: $(reason "$fout" "$ferr")"
			return 0
		fi
		bridge "$f" brA fA dtA
		bridge "$f" brB fB dtB
	fi
	if ! wait_stats "$fpid" "$fout"; then
		failed "$side io forwarder" "$fout" "$ferr"
		abort "$label" "$side" "io forwarder did not start: $(reason "$fout" "$ferr")"
		return 0
	fi
	TOOL=(stdbuf -oL "$dpdk_testpmd")
	eal "$side" gen
	app txonly
	echo "   generator: dpdk-testpmd ${EAL[*]} --vdev $(vdev af_packet 0 gA) ${APP[*]}"
	start "$g" "$gout" "$gerr" "${TOOL[@]}" "${EAL[@]}" --vdev "$(vdev af_packet 0 gA)" "${APP[@]}"
	gpid=$PID
	if ! wait_stats "$gpid" "$gout"; then
		failed "generator" "$gout" "$gerr"
		abort "$label" "$side" "the generator did not start: $(reason "$gout" "$gerr")"
		return 0
	fi
	sleep 2
	row "$label" "$side" load "$(loadavg)"
	mark start "$fout" "$ferr" "$gout"
	sleep "$secs"
	mark end "$fout" "$ferr" "$gout"
	if ! stop "$gpid" "$gout"; then
		failed "generator" "$gout" "$gerr"
		abort "$label" "$side" "generator: $WHY"
		return 0
	fi
	if ! stop "$fpid" "$fout"; then
		failed "$side io forwarder" "$fout" "$ferr"
		abort "$label" "$side" "io forwarder: $WHY"
		return 0
	fi
	row "$label" "$side" fwd "$fout"
	row "$label" "$side" tx "$gout"
	[[ $side == dpk ]] && row "$label" "$side" gc "$ferr"
	for d in "$fout" "$ferr" "$gout" "$gerr"; do
		keep "$d"
	done
	teardown
}

keep() {
	if [[ -n $outdir ]]; then
		mkdir -p "$outdir"
		cp "$1" "$outdir"/
	fi
}

echo "== building dpk-testpmd and the comparison helper"
go build -o "$tmp/dpk-testpmd" ./cmd/dpk-testpmd || { echo "drivers.sh: go build ./cmd/dpk-testpmd failed" >&2; exit 1; }
go build -o "$tmp/driverscmp" ./bench/driverscmp || { echo "drivers.sh: go build ./bench/driverscmp failed" >&2; exit 1; }
load0=$(loadavg)
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
echo "load average at start: $load0"

for drv in "${drivers[@]}"; do
	for side in dpdk dpk; do
		echo
		echo "== $drv txonly->rxonly, $side ($secs s, load average $(loadavg))"
		run_pair "$drv" "$side"
	done
	for side in dpdk dpk; do
		echo
		echo "== $drv io forwarding, $side ($secs s, load average $(loadavg))"
		run_io "$drv" "$side"
	done
done

echo
"$tmp/driverscmp" -load "$load0" -seconds "$secs" "$spec" || { echo "drivers.sh: the comparison helper failed" >&2; exit 1; }
echo "load average at the end: $(loadavg)"
