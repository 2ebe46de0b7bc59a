#!/usr/bin/env bash
# Scenario `bench-many`: about 50,000 live TCP sockets, for timing the collector.
#   scripts/scenarios/bench-many.sh up|down     (CONNS, PROCS from the environment)
# CONNS (default 24000) established loopback connections, every fourth over
# IPv6, both ends held, spread over PROCS (default 32) processes that each
# listen on 127.0.0.1 and [::1] port 5000+k.  scripts/bench-collector.sh
# builds the same state in its own namespace and times the tools on it.
SCENARIO=bench-many
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	etc_overlay
	ip netns exec "$(ns_name)" sysctl -q -w net.ipv4.ip_local_port_range="10000 65000"
	start "" bench-many "${CONNS:-24000}" "${PROCS:-32}"
	wait_ready bench-many 600
}

scenario_main "${1-}" up
