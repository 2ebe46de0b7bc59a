#!/usr/bin/env bash
# Scenario `unix`: every kind of unix domain socket.
#   scripts/scenarios/unix.sh up|down
# Stream, datagram and seqpacket sockets; listening, accepted, connected, left
# in a backlog, unbound; named by path, abstract (one with an embedded NUL),
# unnamed socket pairs; paths of 100 and 107 (the maximum) bytes, with spaces,
# a tab, a newline (forges a bogus line in /proc/net/unix), non-UTF-8 and UTF-8
# bytes.  Paths live under /tmp/nsnap-unix.  Two processes share the listener.
SCENARIO=unix
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	etc_overlay
	start "" unix "$(scratch_dir)"
	wait_ready unix
}

scenario_main "${1-}" up
