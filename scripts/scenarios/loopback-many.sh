#!/usr/bin/env bash
# Scenario `loopback-many`: thousands of loopback TCP connections.
#   scripts/scenarios/loopback-many.sh up|down     (N4, N6 from the environment)
# Listeners 127.0.0.1:5000, [::1]:5000 and 0.0.0.0:6000; N4 (default 2500) IPv4
# and N6 (default 500) IPv6 connections from fixed ports 20000+i, every 50th
# IPv4 one from 127.0.0.2 to port 6000.  Some have keepalive timers, some
# unread data (Recv-Q), five a full window (Send-Q).  The listener process
# holds the accepted ends, its forked child the connecting ends.
SCENARIO=loopback-many
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	etc_overlay
	start "" loopback-many "${N4:-2500}" "${N6:-500}"
	wait_ready loopback-many 180
}

scenario_main "${1-}" up
