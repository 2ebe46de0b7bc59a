#!/usr/bin/env bash
# record-fixtures.sh: (re)record netsnap's fixtures.  Must run as root.
#
#   scripts/record-fixtures.sh [NAME...]
#
# NAME: server loopback-many unix procs nonroot sctp bigendian mcast no-manifest (default: all;
# bigendian is derived from server's snapshot and expected outputs).
# For a scenario NAME it runs scripts/scenarios/NAME.sh up, captures the
# namespace with the collector INSIDE it into fixtures/NAME/snapshot.tar.gz,
# tears the scenario down, checks the snapshot against states.json, and replays
# the real netstat for every line of fixtures/cases/netstat.txt (and of
# fixtures/cases/NAME.txt where it exists; loopback-many uses only its own
# list) into fixtures/NAME/expected/, and of fixtures/cases/netstat-views.txt
# (routes, statistics, groups) into fixtures/NAME/expected-views/
# (scripts/replay.sh).
#
# Collector: $COLLECTOR if set ("standin" = scripts/standin-collect.py);
# otherwise `cargo build --release -p netsnap-collector` and
# target/release/netsnap-collect, falling back to the stand-in (with a
# warning) if that binary does not produce a snapshot yet.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
fixtures=$repo/fixtures
cases=$fixtures/cases/netstat.txt
NONROOT_UID=${NONROOT_UID:-65534}
ALL=(server loopback-many unix procs nonroot sctp bigendian mcast no-manifest malformed)

log() { echo "record: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root"

work=$(mktemp -d "${TMPDIR:-/tmp}/netsnap-record.XXXXXX")
active=""
cleanup() {
	[[ -n $active ]] && "$here/scenarios/$active.sh" down || true
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- collector
collector=()
pick_collector() {
	if [[ ${COLLECTOR:-} == standin ]]; then
		collector=(/usr/bin/python3 "$here/standin-collect.py")
	elif [[ -n ${COLLECTOR:-} ]]; then
		collector=("$COLLECTOR")
	else
		local bin=$repo/target/release/netsnap-collect
		if (cd "$repo" && cargo build --release -q -p netsnap-collector) && [[ -x $bin ]] &&
			"$bin" -o "$work/probe.tar.gz" --force >/dev/null 2>&1 &&
			tar -tzf "$work/probe.tar.gz" 2>/dev/null | grep -x 'proc/net/tcp' >/dev/null; then
			collector=("$bin")
		else
			log "warning: netsnap-collect did not produce a snapshot; using scripts/standin-collect.py"
			collector=(/usr/bin/python3 "$here/standin-collect.py")
		fi
	fi
	log "collector: ${collector[*]}"
}

# ---------------------------------------------------------------- steps
replay() { # NAME [replay options]: the cases of case_lists NAME into expected/,
	# and those of cases/netstat-views.txt into expected-views/
	local name=$1
	shift
	local -a lists
	mapfile -t lists < <(case_lists "$name")
	rm -rf -- "$fixtures/$name/expected" "$fixtures/$name/expected-views"
	cat "${lists[@]}" | "$here/replay.sh" "$@" "$fixtures/$name/snapshot.tar.gz" "$fixtures/$name/expected"
	"$here/replay.sh" "$@" "$fixtures/$name/snapshot.tar.gz" "$fixtures/$name/expected-views" \
		<"$fixtures/cases/netstat-views.txt"
}

# case_lists NAME: cases/netstat.txt plus cases/NAME.txt, except that
# loopback-many (6000 sockets) uses only cases/loopback-many.txt.
case_lists() {
	if [[ $1 == loopback-many ]]; then
		echo "$fixtures/cases/loopback-many.txt"
		return
	fi
	echo "$cases"
	[[ -f $fixtures/cases/$1.txt ]] && echo "$fixtures/cases/$1.txt"
	return 0
}

check_states() {
	local name=$1
	cp "$here/scenarios/$name.states.json" "$fixtures/$name/states.json"
	python3 "$here/snapshot-stats.py" "$fixtures/$name/snapshot.tar.gz" \
		--check "$fixtures/$name/states.json" || die "$name: the snapshot breaks states.json"
}

record_scenario() {
	local name=$1 out=$fixtures/$1/snapshot.tar.gz
	mkdir -p "$fixtures/$name"
	active=$name
	"$here/scenarios/$name.sh" up
	if [[ $name == nonroot ]]; then
		local tmp
		tmp=$(mktemp -d "$work/nonroot.XXXXXX")
		chmod 0711 "$work" # the user may pass through, not list
		chmod 0777 "$tmp"
		ip netns exec "nsnap-$name" setpriv --reuid="$NONROOT_UID" --regid="$NONROOT_UID" \
			--clear-groups "${collector[@]}" -o "$tmp/snapshot.tar.gz" --force
		cp "$tmp/snapshot.tar.gz" "$out"
	else
		ip netns exec "nsnap-$name" "${collector[@]}" -o "$out" --force
	fi
	"$here/scenarios/$name.sh" down
	active=""
	chmod 0644 "$out"
	check_states "$name"
	if [[ $name == nonroot ]]; then
		replay "$name" --uid "$NONROOT_UID"
	else
		replay "$name"
	fi
}

record_sctp() {
	mkdir -p "$fixtures/sctp"
	python3 "$here/make-sctp-snapshot.py" "$fixtures/sctp/snapshot.tar.gz"
	cp "$here/scenarios/sctp.states.json" "$fixtures/sctp/states.json"
	replay sctp
}

record_bigendian() {
	[[ -f $fixtures/server/snapshot.tar.gz && -d $fixtures/server/expected ]] ||
		die "bigendian needs the server fixture first"
	mkdir -p "$fixtures/bigendian"
	python3 "$here/make-bigendian.py" "$fixtures/server/snapshot.tar.gz" \
		"$fixtures/bigendian/snapshot.tar.gz"
	# The real netstat cannot read a big-endian snapshot on this host: the
	# expected outputs are the server's, which the snapshot must reproduce.
	rm -rf -- "$fixtures/bigendian/expected" "$fixtures/bigendian/expected-views"
	cp -r "$fixtures/server/expected" "$fixtures/bigendian/expected"
	cp -r "$fixtures/server/expected-views" "$fixtures/bigendian/expected-views"
	sed 's/"byte_order": "little"/"byte_order": "big"/' "$fixtures/server/states.json" \
		>"$fixtures/bigendian/states.json"
	python3 "$here/snapshot-stats.py" "$fixtures/bigendian/snapshot.tar.gz" \
		--check "$fixtures/bigendian/states.json" || die "bigendian: the snapshot breaks states.json"
}

# ---------------------------------------------------------------- main
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${ALL[@]}")
for name in "${names[@]}"; do
	case $name in
	server | loopback-many | unix | procs | nonroot | mcast)
		[[ ${#collector[@]} -gt 0 ]] || pick_collector
		log "== $name"
		record_scenario "$name"
		;;
	sctp) log "== sctp"; record_sctp ;;
	bigendian) log "== bigendian"; record_bigendian ;;
	no-manifest)
		log "== no-manifest"
		mkdir -p "$fixtures/no-manifest"
		python3 "$here/make-no-manifest.py" "$fixtures/server/snapshot.tar.gz" \
			"$fixtures/no-manifest/snapshot.tar.gz"
		replay no-manifest
		;;
	malformed)
		log "== malformed"
		mkdir -p "$fixtures/malformed"
		python3 "$here/make-malformed.py" "$fixtures/server/snapshot.tar.gz" \
			"$fixtures/malformed/snapshot.tar.gz"
		replay malformed
		;;
	*) die "unknown fixture $name (known: ${ALL[*]})" ;;
	esac
done
netstat --version | head -1 >"$fixtures/NETSTAT-VERSION"
log "done: ${names[*]}"
