#!/usr/bin/env bash
# Scenario `server`: a server namespace with a veth link to a peer namespace.
#   scripts/scenarios/server.sh up|down
# Holds, in nsnap-server: TCP v4/v6 listeners (named, long-named, duplicated,
# unnamed and dual-stack ports, one with a full accept queue), ESTABLISHED
# connections both ways (v4, v6 with long addresses, v4-mapped, loopback),
# TIME_WAIT, CLOSE_WAIT, FIN_WAIT2, SYN_SENT and SYN_RECV sockets, keepalive timers,
# Recv-Q/Send-Q data, UDP bound/connected (v4, v6, v4-mapped), UDP-Lite, and
# RAW sockets (icmp, ipv6-icmp, an unnamed protocol, a connected one).
# One process (python3) owns them; its forked child in nsnap-server-peer owns
# the far ends.  TIME_WAIT lasts 60 s: capture soon after READY.
SCENARIO=server
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	ns_create peer
	veth_pair
	addr "" s0 10.77.0.1/24 2001:db8:1234:5678:9abc:def0:1234:5678/64 \
		10.77.0.11/24 2001:db8:1234:5678::11/64
	addr peer p0 10.77.0.2/24 2001:db8:1234:5678::2/64 2001:db8:1234:5678:fedc:ba98:7654:3210/64
	# Half-open handshakes without iptables.  SYN_SENT: the peer cannot route
	# its answers back to our .11 addresses (blackhole routes there).  SYN_RECV:
	# the peer sends SYNs from .12 addresses that nobody owns, and our SYN-ACKs
	# go to a MAC address nobody has (a permanent neighbour entry, so no
	# failed resolution aborts the half-open connection).
	ip -n "$(ns_name peer)" route add blackhole 10.77.0.11/32
	ip -n "$(ns_name peer)" -6 route add blackhole 2001:db8:1234:5678::11/128
	ip -n "$(ns_name)" neigh add 10.77.0.12 lladdr 02:00:00:00:00:12 dev s0 nud permanent
	ip -n "$(ns_name)" -6 neigh add 2001:db8:1234:5678::12 lladdr 02:00:00:00:00:12 dev s0 nud permanent
	local ns
	for ns in "$(ns_name)" "$(ns_name peer)"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.tcp_syn_retries=20 net.ipv4.tcp_synack_retries=20
	done
	HOSTS_EXTRA=$'10.77.0.1\tserver.netsnap.test server\n'
	HOSTS_EXTRA+=$'10.77.0.2\tpeer-with-a-rather-long-hostname.netsnap.test peer\n'
	HOSTS_EXTRA+=$'2001:db8:1234:5678::2\tpeer6.netsnap.test\n'
	HOSTS_EXTRA+=$'2001:db8:1234:5678:fedc:ba98:7654:3210\tpeer6-long.netsnap.test\n'
	SERVICES_EXTRA=$'netsnap-extremely-long-service-name 7777/tcp\n'
	SERVICES_EXTRA+=$'netsnap-first\t9090/tcp\nnetsnap-second\t9090/tcp\n'
	etc_overlay
	start "" server "$(ns_name peer)"
	wait_ready server
}

scenario_main "${1-}" up peer
