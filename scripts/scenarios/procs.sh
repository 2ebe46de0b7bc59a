#!/usr/bin/env bash
# Scenario `procs`: processes whose names and owners test `-p` and `-e`.
#   scripts/scenarios/procs.sh up|down
# Each process is `sleep infinity` exec'd with a chosen argv[0], holding the
# sockets its parent made: a name longer than 20 bytes, names with spaces, a
# tab and UTF-8, absolute and relative paths, a trailing slash, an empty
# argv[0]; one with 20 listeners on fds 3..22; processes of uid 4242 (no user
# name) and 4243 (user name longer than 10); a listener shared by a parent and
# three children (lowest pid wins) plus a connection between two of them.
SCENARIO=procs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
	ns_create
	PASSWD_EXTRA=$'netsnap-long-username:x:4243:4243::/nonexistent:/usr/sbin/nologin\n'
	GROUP_EXTRA=$'netsnap-long-username:x:4243:\n'
	etc_overlay
	chmod 1777 "$(scratch_dir)"
	start "" procs "$(scratch_dir)"
	wait_ready procs
	sleep 0.3 # let the last exec happen
}

scenario_main "${1-}" up
