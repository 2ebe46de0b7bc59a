#!/usr/bin/env bash
# Scenario `routes`: routing tables for netstat -r, -r6, -rC.
#   scripts/scenarios/routes.sh up|down
# In nsnap-routes: veth s0 (up, peer p0 in nsnap-routes-peer) and veth s1
# (no carrier: its peer p1 stays down), an ifb interface (up), a bridge with
# a 15-byte name (up) and a second ifb that is down; IPv4 and IPv6 addresses;
# a default route with a named gateway, static routes with metrics, MTU
# (advmss), window and rtt attributes, a host route, unreachable, prohibit
# and blackhole routes (v4 and v6), a route on the link without carrier,
# networks named in etc/networks, IPv6 routes via link-local and global
# gateways with metric variants (0xffffffff shows as -1), expiring routes.
# No processes: the routing tables are the state.
SCENARIO=routes
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	ns_create peer
	local ns peer
	ns=$(ns_name) peer=$(ns_name peer)
	veth_pair
	ip link add s1 netns "$ns" type veth peer name p1 netns "$peer"
	ip -n "$ns" link set s1 up
	ip -n "$ns" link add ifb7 type ifb
	ip -n "$ns" link set ifb7 up
	ip -n "$ns" link add ifbdown type ifb
	ip -n "$ns" link add verylongifname0 type bridge
	ip -n "$ns" link set verylongifname0 up
	ip -n "$ns" link set ifbdown up

	addr "" s0 10.81.0.1/24 2001:db8:81::1/64
	addr "" s1 10.82.0.1/24 2001:db8:82::1/64
	addr "" ifb7 192.168.77.1/24 2001:db8:77::1/64
	addr "" verylongifname0 172.16.5.1/24 2001:db8:5::1/64
	addr "" ifbdown 10.83.0.1/24 2001:db8:83::1/64
	addr peer p0 10.81.0.2/24 2001:db8:81::2/64
	ip -n "$peer" link set p0 up
	ip -n "$ns" link set ifbdown down

	local r="ip -n $ns route" r6="ip -n $ns -6 route"
	$r add default via 10.81.0.254 dev s0 onlink
	$r add 10.90.0.0/16 via 10.81.0.2 metric 5 advmss 1360 window 64 rtt 300ms
	$r add 10.91.0.7 via 10.81.0.2
	$r add 10.97.0.0/16 via 10.81.0.2 mtu lock 1400 window 8192 rtt 2s rttvar 1s
	$r add 10.98.0.0/24 dev s0 metric 100 advmss 1460
	$r add unreachable 10.92.0.0/16
	$r add prohibit 10.93.0.0/16 metric 7
	$r add blackhole 10.94.0.0/16
	$r add unreachable 10.95.1.1
	$r add 10.96.0.0/16 dev s1 metric 3
	$r add 169.254.0.0/16 dev s0 metric 1000
	$r add 192.168.78.0/24 via 192.168.77.9 dev ifb7
	$r add 172.17.0.0/16 via 172.16.5.200 dev verylongifname0 metric 20
	$r add 10.99.0.0/16 via 10.81.0.2 metric 4294967295

	$r6 add default via fe80::1 dev s0 metric 1024
	$r6 add default via fe80::2 dev s0 metric 2048
	$r6 add 2001:db8:99::/48 via 2001:db8:81::fe metric 10 mtu 1400
	$r6 add 2001:db8:98::/48 via 2001:db8:81::2 metric 4294967295
	$r6 add 2001:db8:96::7/128 via 2001:db8:81::2
	$r6 add unreachable 2001:db8:97::/48
	$r6 add prohibit 2001:db8:95::/48 metric 9
	$r6 add blackhole 2001:db8:94::/48
	$r6 add 2001:db8:93::/48 dev s1 metric 1
	$r6 add 2001:db8:92::/64 via 2001:db8:77::9 dev ifb7 expires 3600
	$r6 add 2001:db8:1234:5678:9abc:def0:1234:0/112 via 2001:db8:5::ff dev verylongifname0

	HOSTS_EXTRA=$'10.81.0.254\tgw.netsnap.test gw\n'
	HOSTS_EXTRA+=$'10.81.0.2\trouter-with-a-very-long-name.netsnap.test router\n'
	HOSTS_EXTRA+=$'10.91.0.7\thostroute.netsnap.test\n'
	HOSTS_EXTRA+=$'10.95.1.1\tunreach-host\n'
	HOSTS_EXTRA+=$'172.16.5.200\tbr-gw\n'
	HOSTS_EXTRA+=$'fe80::1\tll-router\n'
	HOSTS_EXTRA+=$'2001:db8:81::fe\tgw6.netsnap.test\n'
	HOSTS_EXTRA+=$'2001:db8:99::\tnet99-named-as-a-host.netsnap.test\n'
	HOSTS_EXTRA+=$'2001:db8:96::7\thost6\n'
	etc_overlay
	local dir=/etc/netns/$ns
	{
		printf 'loopback\t127.0.0.0\n'
		printf 'link-local\t169.254.0.0\n'
		printf 'corpnet\t10.90.0.0\n'
		printf 'unreach-net\t10.92.0.0\n'
		printf 'lab\t192.168.77.0\n'
		printf 'a-network-with-a-long-name\t10.97.0.0\n'
		printf 'bridged\t172.17.0.0\n'
	} >"$dir/networks"
	chmod 0644 "$dir/networks"
}

scenario_main "${1-}" up peer
