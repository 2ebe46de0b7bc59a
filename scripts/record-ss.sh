#!/usr/bin/env bash
# record-ss.sh: record what the real ss (iproute2 6.1) prints for the existing
# socket fixtures' snapshots.  Must run as root.  No new captures are made.
#
#   scripts/record-ss.sh [NAME...]
#
# NAME: server loopback-many unix procs mcast nonroot malformed sctp no-manifest
# bigendian (default: all).  For each NAME the lines of fixtures/cases/ss.txt
# (loopback-many: only fixtures/cases/ss-loopback-many.txt, its listings are
# 6000 lines) are replayed with `scripts/replay.sh --tool ss` on
# fixtures/NAME/snapshot.tar.gz into fixtures/NAME/expected-ss/ (.args,
# .stdout, .stderr, .status per case; ss runs as `PROC_ROOT=/proc ss ARGS`
# over the ordered proc copy).  nonroot is replayed as uid $NONROOT_UID
# (65534), as record-fixtures.sh does.  bigendian cannot be replayed on this
# little-endian host: its expected-ss/ is a copy of server's, which its
# snapshot must reproduce.  Behaviour: docs/ss-behaviour.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fixtures=$(cd "$here/.." && pwd)/fixtures
NONROOT_UID=${NONROOT_UID:-65534}
ALL=(server loopback-many unix procs mcast nonroot malformed sctp no-manifest bigendian)

log() { echo "record-ss: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $EUID -eq 0 ]] || die "must run as root"
command -v ss >/dev/null || die "ss not found"
log "$(ss --version)"

cases_for() { # NAME: the case list of that fixture
	if [[ $1 == loopback-many ]]; then
		echo "$fixtures/cases/ss-loopback-many.txt"
	else
		echo "$fixtures/cases/ss.txt"
	fi
}

record() { # NAME
	local name=$1 out=$fixtures/$1/expected-ss
	local -a opts=()
	[[ -f $fixtures/$name/snapshot.tar.gz ]] || die "$name: no fixtures/$name/snapshot.tar.gz"
	[[ $name == nonroot ]] && opts=(--uid "$NONROOT_UID")
	rm -rf -- "$out"
	"$here/replay.sh" --tool ss "${opts[@]}" "$fixtures/$name/snapshot.tar.gz" "$out" \
		<"$(cases_for "$name")"
}

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${ALL[@]}")
for name in "${names[@]}"; do
	case $name in
	bigendian)
		[[ -d $fixtures/server/expected-ss ]] || die "bigendian needs server's expected-ss first"
		rm -rf -- "$fixtures/bigendian/expected-ss"
		cp -r "$fixtures/server/expected-ss" "$fixtures/bigendian/expected-ss"
		log "== bigendian: copied server's expected-ss"
		;;
	server | loopback-many | unix | procs | mcast | nonroot | malformed | sctp | no-manifest)
		log "== $name"
		record "$name"
		;;
	*) die "unknown fixture $name (known: ${ALL[*]})" ;;
	esac
done
ss --version | head -1 >"$fixtures/SS-VERSION"
log "done: ${names[*]}"
