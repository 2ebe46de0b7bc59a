#!/usr/bin/env bash
# Scenario `ifaces`: interfaces for `netstat -i` / `-ie`.
#   scripts/scenarios/ifaces.sh up|down
# Namespace nsnap-ifaces (peer: nsnap-ifaces-peer), all made of virtual
# devices this kernel has built in (veth, bridge, tun/tap, ifb, macvlan; no
# module is loaded, and `dummy` is used only if /sys/module/dummy exists):
#   veth0            up, to p0 in the peer; 10.1.0.1/24 brd +, a second
#                    10.1.0.5/24 with the same label (invisible to netstat),
#                    aliases veth0:1 (10.9.0.1/24, no broadcast), veth0:10
#                    (brd +) and veth0:foo (not numeric: sorts after eth10);
#                    IPv6 global, site-local, v4-compatible, v4-mapped, link
#   veth-longname15  15-character name, up, to lp0 in the peer (netstat shows
#                    its counters as 0: its name fills the buffer before ':')
#   eth2 <-> eth10   a pair inside the namespace, MTU 9000; eth10 PROMISC and
#                    ALLMULTI; frames sent on eth2 arrive on eth10
#   vdown0 <-> vdown1  down; vdown0 has 10.4.0.1/24 and alias vdown0:1
#   br0              bridge, up, 10.6.0.1/24; port brport0 (veth to brport1)
#   tun0             tun, up without a reader (no RUNNING), POINTOPOINT,
#                    10.8.0.1 peer 10.8.0.2; packets to 10.8.0.2 are dropped
#   tap0             tap, down
#   ifb0             up, NOARP, with DEBUG NOTRAILERS PORTSEL AUTOMEDIA
#                    DYNAMIC set by SIOCSIFFLAGS (flags=-16... in -ie, `media`)
#   mv0              macvlan on veth0, up, MTU 1400
#   dummy0           only when the dummy driver is present
# Traffic (UDP to the peer, 2 MB so -ie shows MiB, IPv6, raw frames on eth2
# and brport1, packets into tun0, loopback) runs during `up`; IPv6 DAD and
# router solicitations are off, so the namespaces fall quiet a few seconds
# later (MLD reports).  scripts/record-ifaces.sh waits for that.
SCENARIO=ifaces
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

quiet_ipv6() { # NS: no DAD, no router solicitations, on every interface to come
	local k
	for k in accept_dad=0 dad_transmits=0 router_solicitations=0 accept_ra=0; do
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.all.$k" "net.ipv6.conf.default.$k"
	done
}

up() {
	local ns peer
	ns=$(ns_name) peer=$(ns_name peer)
	ns_create
	ns_create peer
	quiet_ipv6 "$ns"
	quiet_ipv6 "$peer"

	ip link add veth0 netns "$ns" type veth peer name p0 netns "$peer"
	ip link add veth-longname15 netns "$ns" type veth peer name lp0 netns "$peer"
	ip -n "$ns" link add eth2 type veth peer name eth10
	ip -n "$ns" link add vdown0 type veth peer name vdown1
	ip -n "$ns" link add br0 type bridge
	ip -n "$ns" link add brport0 type veth peer name brport1
	ip -n "$ns" tuntap add tun0 mode tun
	ip -n "$ns" tuntap add tap0 mode tap
	ip -n "$ns" link add ifb0 type ifb
	ip -n "$ns" link add mv0 link veth0 type macvlan mode bridge
	if [[ -d /sys/module/dummy ]]; then
		ip -n "$ns" link add dummy0 type dummy
	fi

	ip -n "$ns" link set eth2 mtu 9000
	ip -n "$ns" link set eth10 mtu 9000 promisc on allmulticast on
	ip -n "$ns" link set mv0 mtu 1400
	ip -n "$ns" link set brport0 master br0

	ip -n "$ns" addr add 10.1.0.1/24 brd + dev veth0
	ip -n "$ns" addr add 10.1.0.5/24 dev veth0
	ip -n "$ns" addr add 10.9.0.1/24 dev veth0 label veth0:1
	ip -n "$ns" addr add 10.9.10.1/24 brd + dev veth0 label veth0:10
	ip -n "$ns" addr add 10.9.20.1/24 dev veth0 label veth0:foo
	addr "" veth0 fd00:1::1/64 fec0::1/64 ::10.0.0.1/96 ::ffff:10.0.0.2/128
	ip -n "$ns" addr add 10.2.0.1/24 brd + dev veth-longname15
	addr "" veth-longname15 fd00:2::1/64
	ip -n "$ns" addr add 10.3.0.1/24 brd + dev eth2
	ip -n "$ns" addr add 10.4.0.1/24 dev vdown0
	ip -n "$ns" addr add 10.4.1.1/24 dev vdown0 label vdown0:1
	ip -n "$ns" addr add 10.6.0.1/24 brd + dev br0
	addr "" br0 fd00:6::1/64
	ip -n "$ns" addr add 10.8.0.1 peer 10.8.0.2 dev tun0
	ip -n "$ns" addr add 10.7.0.1/24 dev ifb0
	if [[ -d /sys/module/dummy ]]; then
		ip -n "$ns" addr add 10.10.0.1/24 dev dummy0
		ip -n "$ns" link set dummy0 up
	fi

	ip -n "$peer" addr add 10.1.0.2/24 dev p0
	addr peer p0 fd00:1::2/64
	ip -n "$peer" addr add 10.2.0.2/24 dev lp0

	local dev
	for dev in veth0 veth-longname15 eth2 eth10 br0 brport0 brport1 tun0 ifb0 mv0; do
		ip -n "$ns" link set "$dev" up
	done
	ip -n "$peer" link set p0 up
	ip -n "$peer" link set lp0 up
	etc_overlay
	etc_overlay peer

	# Flags only SIOCSIFFLAGS sets (the kernel lets users change DEBUG,
	# NOTRAILERS, NOARP, DYNAMIC, MULTICAST, PORTSEL and AUTOMEDIA).
	ip netns exec "$ns" "$PYTHON" - ifb0 <<-'EOF'
		import fcntl, socket, struct, sys
		SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8913, 0x8914
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		name = sys.argv[1].encode()
		req = struct.pack("16sh14x", name, 0)
		flags = struct.unpack("16sh14x", fcntl.ioctl(s, SIOCGIFFLAGS, req))[1]
		flags |= 0x4 | 0x20 | 0x2000 | 0x4000 | 0x8000  # DEBUG NOTRAILERS PORTSEL AUTOMEDIA DYNAMIC
		fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", name, flags & 0xFFFF))
	EOF

	# Traffic, so that counters differ.
	ip netns exec "$ns" "$PYTHON" - <<-'EOF'
		import socket, time
		u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		for i in range(1500):
		    u.sendto(b"x" * 1400, ("10.1.0.2", 9))          # 2 MB to the peer (port unreachable back)
		for i in range(7):
		    u.sendto(b"y" * 100, ("10.2.0.2", 9))           # over veth-longname15
		    u.sendto(b"z" * 200, ("10.8.0.2", 9))           # into tun0: dropped
		    u.sendto(b"l" * 500, ("127.0.0.1", 9))          # loopback
		u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		for i in range(5):
		    u6.sendto(b"v" * 300, ("fd00:1::2", 9))
		for dev, n in (("eth2", 3), ("brport1", 4)):
		    p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		    p.bind((dev, 0))
		    for i in range(n):
		        p.send(b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5" + b"n" * (60 + 100 * i))
		time.sleep(0.5)
	EOF
}

scenario_main "${1-}" up peer
