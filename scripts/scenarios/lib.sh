# Shared helpers of the scenario scripts (sourced, not run).
#
# A scenario NAME lives in network namespace nsnap-NAME (and, where it needs
# a far end, nsnap-NAME-peer joined by a veth pair).  Its files:
#   /etc/netns/nsnap-NAME/*     per-namespace /etc overlay (`ip netns exec`
#                               bind-mounts these over /etc/*), so the host's
#                               own /etc stays untouched
#   /run/netsnap-scenarios/NAME state: pids of every process the scenario
#                               started, one log per holder (with its
#                               @@ready line)
#   /tmp/nsnap-NAME             scratch (unix socket paths)
# Everything is created by `up` and removed by `down`.

set -euo pipefail

SCENARIO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
STATE_ROOT=/run/netsnap-scenarios

log() { echo "scenario $SCENARIO: $*" >&2; }
die() { log "error: $*"; exit 1; }

ns_name() { echo "nsnap-$SCENARIO${1:+-$1}"; }
state_dir() { echo "$STATE_ROOT/$SCENARIO"; }
scratch_dir() { echo "/tmp/nsnap-$SCENARIO"; }

# ns_create [SUFFIX]: a fresh namespace with lo up.
ns_create() {
	local ns
	ns=$(ns_name "${1-}")
	if ip netns list | grep -qx "$ns\( (id: [0-9]*)\)\{0,1\}"; then
		die "$ns already exists: run '$0 down' first"
	fi
	ip netns add "$ns"
	ip -n "$ns" link set lo up
}

# veth_pair: s0 in nsnap-NAME, p0 in nsnap-NAME-peer.
veth_pair() {
	local ns peer
	ns=$(ns_name) peer=$(ns_name peer)
	ip link add s0 netns "$ns" type veth peer name p0 netns "$peer"
	ip -n "$ns" link set s0 up
	ip -n "$peer" link set p0 up
}

# addr NS_SUFFIX DEV ADDR/LEN...: IPv6 addresses get nodad, so they work at once.
addr() {
	local ns dev a
	ns=$(ns_name "$1") dev=$2
	shift 2
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" addr add "$a" dev "$dev" nodad
		else
			ip -n "$ns" addr add "$a" dev "$dev"
		fi
	done
}

# etc_overlay [SUFFIX]: fixed, machine-independent /etc files for the namespace.
# hosts/passwd/group get the scenario's additions from stdin-less variables:
#   HOSTS_EXTRA, PASSWD_EXTRA, GROUP_EXTRA, SERVICES_EXTRA (may be empty).
etc_overlay() {
	local ns dir
	ns=$(ns_name "${1-}")
	dir=/etc/netns/$ns
	mkdir -p "$dir"
	{
		printf '127.0.0.1\tlocalhost\n'
		printf '::1\tlocalhost ip6-localhost ip6-loopback\n'
		printf '%s' "${HOSTS_EXTRA-}"
	} >"$dir/hosts"
	{
		printf '%s\n' 'root:x:0:0:root:/root:/bin/bash' \
			'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin' \
			'bin:x:2:2:bin:/bin:/usr/sbin/nologin' \
			'sys:x:3:3:sys:/dev:/usr/sbin/nologin' \
			'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin'
		printf '%s' "${PASSWD_EXTRA-}"
	} >"$dir/passwd"
	{
		printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'bin:x:2:' 'sys:x:3:' 'nogroup:x:65534:'
		printf '%s' "${GROUP_EXTRA-}"
	} >"$dir/group"
	{
		cat /etc/services
		printf '%s' "${SERVICES_EXTRA-}"
	} >"$dir/services"
	printf 'link-local\t169.254.0.0\n' >"$dir/networks"
	echo "$ns" >"$dir/hostname"
	chmod 0644 "$dir"/*
}

# start NS_SUFFIX ROLE [ARGS...]: start holder.py ROLE inside the namespace, in
# the background, detached; it records its pids and prints @@ready when set.
start() {
	local ns role st
	ns=$(ns_name "$1") role=$2
	shift 2
	st=$(state_dir)
	setsid ip netns exec "$ns" "$PYTHON" "$SCENARIO_DIR/holder.py" "$role" "$st" "$@" \
		</dev/null >>"$st/$role.log" 2>&1 &
	echo $! >>"$st/pids"
}

# wait_ready ROLE [SECONDS]
wait_ready() {
	local role=$1 secs=${2:-60} st i
	st=$(state_dir)
	for ((i = 0; i < secs * 10; i++)); do
		# (The log appears once the backgrounded holder has started.)
		grep -qsx '@@ready' "$st/$role.log" && return 0
		grep -qsx '@@failed' "$st/$role.log" && { cat "$st/$role.log" >&2; die "$role failed"; }
		sleep 0.1
	done
	cat "$st/$role.log" >&2
	die "$role not ready after ${secs}s"
}

prepare_state() {
	local st
	st=$(state_dir)
	[[ -e $st ]] && die "$st exists: run '$0 down' first"
	mkdir -p "$st"
	: >"$st/pids"
	rm -rf -- "$(scratch_dir)"
	mkdir -p "$(scratch_dir)"
	chmod 0755 "$(scratch_dir)"
}

# teardown [SUFFIX...]: kill the processes this scenario started (by pid, as
# recorded, plus any left in its namespaces: only the scenario puts processes
# there), delete the namespaces, overlays, state and scratch.
teardown() {
	local st ns pid suffix
	st=$(state_dir)
	local -a pids=()
	[[ -f $st/pids ]] && mapfile -t pids <"$st/pids"
	for suffix in "" "$@"; do
		ns=$(ns_name "$suffix")
		if [[ -e /run/netns/$ns ]]; then
			while read -r pid; do pids+=("$pid"); done < <(ip netns pids "$ns" 2>/dev/null || true)
		fi
	done
	for pid in "${pids[@]}"; do
		[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
	done
	sleep 0.3
	for pid in "${pids[@]}"; do
		[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null || true
	done
	for suffix in "" "$@"; do
		ns=$(ns_name "$suffix")
		[[ -e /run/netns/$ns ]] && ip netns del "$ns"
		rm -rf -- "/etc/netns/$ns"
	done
	rmdir /etc/netns 2>/dev/null || true
	rm -rf -- "$st" "$(scratch_dir)"
	rmdir "$STATE_ROOT" 2>/dev/null || true
}

# main UP_FUNCTION PEER_SUFFIXES...: dispatch `up` / `down`.
scenario_main() {
	local cmd=${1-} upfn=$2
	shift 2
	case $cmd in
	up)
		prepare_state
		trap 'teardown '"$*" EXIT
		"$upfn"
		trap - EXIT
		echo "READY $SCENARIO ns=$(ns_name)"
		;;
	down) teardown "$@" ;;
	*) echo "usage: $0 up|down" >&2; exit 2 ;;
	esac
}
