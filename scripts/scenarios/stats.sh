#!/usr/bin/env bash
# Scenario `stats`: counters in every section of `netstat -s` and `-s6`.
#   scripts/scenarios/stats.sh up|down
# nsnap-stats (s0: 10.88.0.1/24, fd00:88::1/64) - veth - nsnap-stats-peer, a
# router (p0: .2/::2; p1: 10.88.1.1/24, fd00:88:1::1/64, MTU 1280) - veth -
# nsnap-stats-far (f0: 10.88.1.2, fd00:88:1::2).  After `up` the traffic is
# over (scripts/scenarios/stats_traffic.py from-us, then from-peer): echoes,
# every ICMP and ICMPv6 type both ways, router errors (TTL, unreachable,
# packet too big, redirects), UDP and UDP-Lite to open and closed ports,
# fragments both ways, lone fragments left to time out, bad checksums, bad
# headers, truncated packets, unknown protocols, packets not for us,
# broadcast, multicast, ECN marks, TCP with data, refused, reset, unanswered
# and overflowing a listen queue, MPTCP.  Servers stay up until `down`.
SCENARIO=stats
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRAFFIC=$SCENARIO_DIR/stats_traffic.py

serve() { # serve NS_SUFFIX ROLE
	local st
	st=$(state_dir)
	: >>"$st/$2.log"
	setsid ip netns exec "$(ns_name "$1")" "$PYTHON" "$TRAFFIC" "$2" "$st" \
		</dev/null >>"$st/$2.log" 2>&1 &
	echo $! >>"$st/pids"
	wait_ready "$2"
}

up() {
	local us peer far
	us=$(ns_name) peer=$(ns_name peer) far=$(ns_name far)
	ns_create
	ns_create peer
	ns_create far
	ip link add s0 netns "$us" address 02:88:00:00:00:01 type veth \
		peer name p0 netns "$peer" address 02:88:00:00:00:02
	ip link add p1 netns "$peer" mtu 1280 type veth peer name f0 netns "$far" mtu 1280
	ip -n "$us" link set s0 up
	ip -n "$peer" link set p0 up
	ip -n "$peer" link set p1 up
	ip -n "$far" link set f0 up
	addr "" s0 10.88.0.1/24 fd00:88::1/64
	addr peer p0 10.88.0.2/24 fd00:88::2/64
	addr peer p1 10.88.1.1/24 fd00:88:1::1/64
	addr far f0 10.88.1.2/24 fd00:88:1::2/64
	ip -n "$us" route add 10.88.0.0/16 via 10.88.0.2
	ip -n "$us" route add 10.88.0.77/32 via 10.88.0.2
	ip -n "$us" -6 route add fd00:88::/32 via fd00:88::2
	ip -n "$us" -6 route add fd00:88::77/128 via fd00:88::2
	ip -n "$far" route add default via 10.88.1.1
	ip -n "$far" -6 route add default via fd00:88:1::1
	ip -n "$peer" route add 10.88.3.0/24 via 10.88.0.1
	ip -n "$peer" -6 route add fd00:99::/64 via fd00:88::1
	ip -n "$peer" neigh add 10.88.0.77 lladdr 02:88:00:00:00:77 dev p0 nud permanent
	ip -n "$peer" -6 neigh add fd00:88::77 lladdr 02:88:00:00:00:77 dev p0 nud permanent
	ip -n "$peer" -6 neigh add fd00:88::99 lladdr 02:88:00:00:00:01 dev p0 nud permanent
	ip netns exec "$peer" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip netns exec "$us" sysctl -qw net.ipv4.ipfrag_time=1 net.ipv6.ip6frag_time=1
	etc_overlay
	serve peer serve-peer
	serve "" serve-us
	ip netns exec "$us" "$PYTHON" "$TRAFFIC" from-us >>"$(state_dir)/from-us.log" 2>&1
	ip netns exec "$peer" "$PYTHON" "$TRAFFIC" from-peer >>"$(state_dir)/from-peer.log" 2>&1
	sleep 2 # lone fragments time out after 1 s
}

scenario_main "${1-}" up peer far
