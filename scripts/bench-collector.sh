#!/usr/bin/env bash
# Times netsnap-collect against `netstat -tanp > /dev/null` on the same live
# state: a fresh network namespace holding about 50,000 TCP sockets (issue 5).
#
#   sudo scripts/bench-collector.sh [--rounds N] [--conns N] [--procs P]
#                                   [--collector PATH] [--out FILE]
#
# Builds namespace nsnap-bench-collector (scripts/scenarios/lib.sh) with
# holder.py's `bench-many` role: CONNS (default 24000) established loopback
# connections, both ends held, spread over PROCS (default 32) processes with
# two listeners each, so 2*CONNS+2*PROCS TCP sockets.  Then ROUNDS (default 5)
# rounds, each running both tools once inside the namespace, in alternating
# order:
#   netsnap-collect -o OUT      (OUT removed before each run; default /tmp/x.tar.gz)
#   netstat -tanp > /dev/null
# and prints medians and ranges (wall-clock and CPU seconds), the archive size
# and the socket count.  Everything it creates is removed on exit (trap), whatever
# happens.  Needs root, ip, python3 and netstat.
SCENARIO=bench-collector
source "$(dirname "${BASH_SOURCE[0]}")/scenarios/lib.sh"

ROUNDS=5 CONNS=24000 PROCS=32 OUT=/tmp/x.tar.gz COLLECTOR=
while (($#)); do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--conns) CONNS=$2; shift 2 ;;
	--procs) PROCS=$2; shift 2 ;;
	--collector) COLLECTOR=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--rounds N] [--conns N] [--procs P] [--collector PATH] [--out FILE]" >&2; exit 2 ;;
	esac
done
ROOT=$(cd "$SCENARIO_DIR/../.." && pwd)
if [[ -z $COLLECTOR ]]; then
	for c in "${CARGO_TARGET_DIR:-$ROOT/target}/release/netsnap-collect" "$ROOT/target/release/netsnap-collect"; do
		[[ -x $c ]] && { COLLECTOR=$c; break; }
	done
fi
[[ -x $COLLECTOR ]] || die "no collector binary: cargo build --release -p netsnap-collector, or --collector PATH"
COLLECTOR=$(realpath "$COLLECTOR")
((EUID == 0)) || die "needs root"
command -v netstat >/dev/null || die "needs netstat"
[[ -e $OUT ]] && die "$OUT exists; remove it or pass --out"

prepare_state
trap 'rm -f -- "$OUT"; teardown' EXIT
trap 'exit 130' INT TERM
ns=$(ns_name)
ns_create
etc_overlay
# Room for the connections: ephemeral ports (file descriptors are spread
# over the processes, see holder.py).
ip netns exec "$ns" sysctl -q -w net.ipv4.ip_local_port_range="10000 65000"
t0=$EPOCHREALTIME
start "" bench-many "$CONNS" "$PROCS"
wait_ready bench-many 600
log "state built in $(bc <<<"$EPOCHREALTIME - $t0") s"

load=$(cut -d' ' -f1-3 /proc/loadavg)
# The timing loop runs in one shell inside the namespace, so `ip netns exec`
# itself is not timed.  Output: lines "TOOL WALL CPU".
times=$(ip netns exec "$ns" bash -s -- "$ROUNDS" "$COLLECTOR" "$OUT" <<'INNER'
set -euo pipefail
rounds=$1 collector=$2 out=$3
TIMEFORMAT='%R %U %S'
# Prints "TOOL WALL CPU" (seconds; CPU = user + system of the tool).
timed() {
	local tool=$1 t
	shift
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	awk -v tool="$tool" '{ printf "%s %s %.3f\n", tool, $1, $2 + $3 }' <<<"$t"
}
run_collect() {
	rm -f -- "$out"
	timed collect "$collector" -o "$out"
	[[ -s $out ]]
}
run_netstat() { timed netstat netstat -tanp; }
# One untimed warm-up each (page cache, dentries).
run_collect >/dev/null
run_netstat >/dev/null
for ((r = 0; r < rounds; r++)); do
	if ((r % 2 == 0)); then run_collect; run_netstat; else run_netstat; run_collect; fi
done
INNER
)
socks=$(ip netns exec "$ns" bash -c 'cat /proc/net/tcp /proc/net/tcp6' | grep -vc 'local_address')
procs=$(ip netns pids "$ns" | wc -l)
size=$(stat -c %s "$OUT")
lines=$(ip netns exec "$ns" netstat -tanp 2>/dev/null | wc -l)
entries=$(tar -tzf "$OUT" | wc -l)

stats() { # tool column -> "median min max"
	awk -v t="$1" -v c="$2" '$1 == t { print $c }' <<<"$times" | sort -g |
		awk '{ v[NR] = $1 } END {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f", m, v[1], v[NR] }'
}
read -r cm cmin cmax <<<"$(stats collect 2)"
read -r nm nmin nmax <<<"$(stats netstat 2)"
read -r ccm ccmin ccmax <<<"$(stats collect 3)"
read -r ncm ncmin ncmax <<<"$(stats netstat 3)"
echo
echo "TCP sockets: $socks (proc/net/tcp + tcp6 rows), $procs processes holding them; netstat -tanp printed $lines lines"
echo "archive: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f MB", s / 1e6 }'), $entries entries)"
echo "rounds: $ROUNDS, alternating; seconds (wall clock, and CPU = user + system)"
echo "load average before the rounds: $load"
echo
echo "| tool | wall median | wall min | wall max | CPU median | CPU min | CPU max |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| \`netsnap-collect -o $OUT\` | $cm | $cmin | $cmax | $ccm | $ccmin | $ccmax |"
echo "| \`netstat -tanp > /dev/null\` | $nm | $nmin | $nmax | $ncm | $ncmin | $ncmax |"
echo
awk -v c="$cm" -v n="$nm" -v cc="$ccm" -v nc="$ncm" 'BEGIN { printf "netstat / collector (medians): wall %.2fx, CPU %.2fx\n", n / c, nc / cc }'
echo
echo "raw:"; sed 's/^/  /' <<<"$times"
