#!/usr/bin/env bash
# Scenario `nonroot`: root and an ordinary user (NONROOT_UID, default 65534)
# both hold sockets; the capture is meant to be taken as that user.
#   scripts/scenarios/nonroot.sh up|down
# root: listeners 0.0.0.0:22, [::]:22, 127.0.0.1:25, a unix listener, UDP 53,
# one loopback connection.  The user: listeners on 8080 (v4, v6), connections
# to root's port 25 and to its own 8080, a unix client of root's socket, its
# own unix listener, UDP 127.0.0.1:5353.
SCENARIO=nonroot
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	etc_overlay
	chmod 1777 "$(scratch_dir)"
	start "" nonroot-root "$(scratch_dir)"
	wait_ready nonroot-root
	start "" nonroot-user "$(scratch_dir)" "${NONROOT_UID:-65534}"
	wait_ready nonroot-user
	sleep 0.3
}

scenario_main "${1-}" up
