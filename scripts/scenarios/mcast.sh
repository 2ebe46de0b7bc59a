#!/usr/bin/env bash
# Scenario `mcast`: multicast group memberships on v4 and v6.
#   scripts/scenarios/mcast.sh up|down
# Namespace nsnap-mcast with lo and a veth s0 (10.77.0.1/24, fd77::1/64) to
# nsnap-mcast-peer; a holder joins 239.1.2.3, 224.1.1.1 (twice: users 2) and
# ff15::1234, ff02::fb on s0, and 239.255.255.250, ff05::1:3 on lo.  Some
# groups have names in the namespace's /etc/hosts, so -g resolves them.
SCENARIO=mcast
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	ns_create peer
	veth_pair
	addr "" s0 10.77.0.1/24 fd77::1/64
	addr peer p0 10.77.0.2/24 fd77::2/64
	ip -n "$(ns_name)" link set lo multicast on
	ip -n "$(ns_name)" route add 224.0.0.0/4 dev s0
	HOSTS_EXTRA=$'239.1.2.3\tmcast-app.example\nff15::1234\tmcast6-app.example\n239.255.255.250\tssdp-group\n'
	etc_overlay
	start "" mcast
	wait_ready mcast 30
}

scenario_main "${1-}" up peer
