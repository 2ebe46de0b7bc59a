#!/usr/bin/env bash
# record-ifaces.sh: (re)record fixtures/ifaces/ (netstat -i and -ie views).
# Must run as root.
#
#   scripts/record-ifaces.sh [--continuous]
#
# With --continuous it records fixtures/ifaces-continuous/ instead: a 3-frame
# snapshot (--count 3 --interval 1) and the cases of
# fixtures/cases/ifaces-continuous.txt (`-ic` and friends), each run live for
# 2.5 s, that is three rounds of `netstat -c` (one per second, as the frames),
# its status 124 (stopped by timeout in the third sleep) recorded as 0, which
# is what `netsnap netstat -c` exits with after the last frame.  The namespace
# is quiet, and checked unchanged before and after, so every round describes
# every frame.
#
# `netstat -i` asks the running kernel by ioctl, so its expected output cannot
# be replayed from a snapshot (scripts/replay.sh refuses): it is recorded LIVE,
# inside the namespace, right after the capture.  Steps:
#   1. scripts/scenarios/ifaces.sh up (interfaces, addresses, some traffic);
#   2. wait until the namespace is quiet: `netstat -iae` and
#      /proc/net/{dev,if_inet6} identical twice in a row, 2 s apart (MLD
#      reports go on for a few seconds after interfaces come up);
#   3. inside nsnap-ifaces, in one go: netsnap-collect -o snapshot.tar.gz,
#      then for every case of fixtures/cases/ifaces.txt
#      `env -i PATH=... LC_ALL=C timeout 20 netstat ARGS </dev/null` into
#      expected/<slug>.{args,stdout,stderr,status} (the file conventions of
#      scripts/replay.sh and scripts/slug.py);
#   4. check that nothing moved meanwhile: /proc/net/dev and `netstat -iae`
#      again, which must equal what they were before the capture; otherwise
#      start again from step 2 (at most 5 times);
#   5. scripts/scenarios/ifaces.sh down.
#
# Collector: $COLLECTOR if set, else `cargo build --release -p
# netsnap-collector` and its netsnap-collect (under $CARGO_TARGET_DIR or
# target/).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
NS=nsnap-ifaces
ENVS=(PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C)

log() { echo "record-ifaces: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- inner part
# Runs inside the namespace: capture, then every case, as fast as possible.
if [[ ${1-} == --inner ]]; then
	collector=$2 out=$3 slugs=$4 frames=$5
	limit=20
	if [[ $frames -gt 1 ]]; then
		limit=2.5
		"$collector" -o "$out/snapshot.tar.gz" --force --count "$frames" --interval 1 \
			2>"$out/collector.log"
	else
		"$collector" -o "$out/snapshot.tar.gz" --force 2>"$out/collector.log"
	fi
	while IFS= read -r slug; do
		mapfile -t args <"$out/expected/$slug.args"
		status=0
		env -i "${ENVS[@]}" timeout "$limit" netstat "${args[@]}" </dev/null \
			>"$out/expected/$slug.stdout" 2>"$out/expected/$slug.stderr" || status=$?
		[[ $frames -gt 1 && $status == 124 ]] && status=0
		echo "$status" >"$out/expected/$slug.status"
	done <"$slugs"
	exit 0
fi

frames=1 name=ifaces
if [[ ${1-} == --continuous ]]; then
	frames=3 name=ifaces-continuous
fi

# ---------------------------------------------------------------- outer part
[[ $EUID -eq 0 ]] || die "must run as root"
command -v netstat >/dev/null || die "netstat not found"

if [[ -n ${COLLECTOR:-} ]]; then
	collector=$COLLECTOR
else
	(cd "$repo" && cargo build --release -q -p netsnap-collector)
	collector=${CARGO_TARGET_DIR:-$repo/target}/release/netsnap-collect
fi
[[ -x $collector ]] || die "$collector: not an executable"
collector=$(cd "$(dirname "$collector")" && pwd)/$(basename "$collector")
log "collector: $collector"

work=$(mktemp -d "${TMPDIR:-/tmp}/netsnap-ifaces.XXXXXX")
chmod 0755 "$work"
up=0
cleanup() {
	[[ $up -eq 1 ]] && "$here/scenarios/ifaces.sh" down || true
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { ip netns exec "$NS" env -i "${ENVS[@]}" "$@"; }
state() { # what must not move between the capture and the last netstat
	in_ns sh -c 'cat /proc/net/dev /proc/net/if_inet6; netstat -iae'
}
wait_quiet() {
	local a b i
	a=$(state)
	for ((i = 0; i < 60; i++)); do
		sleep 2
		b=$(state)
		[[ $a == "$b" ]] && return 0
		a=$b
	done
	die "$NS did not fall quiet in 120 s"
}

"$here/scenarios/ifaces.sh" up >&2
up=1

out=$work/ifaces
for attempt in 1 2 3 4 5; do
	rm -rf -- "$out"
	mkdir -p "$out/expected"
	python3 "$here/slug.py" --write-args "$out/expected" "$repo/fixtures/cases/$name.txt" \
		>"$work/slugs"
	wait_quiet
	before=$(state)
	ip netns exec "$NS" bash "${BASH_SOURCE[0]}" --inner "$collector" "$out" "$work/slugs" "$frames"
	after=$(state)
	if [[ $before == "$after" ]]; then
		break
	fi
	log "attempt $attempt: counters moved during the recording; again"
	[[ $attempt -lt 5 ]] || die "the namespace would not stay quiet"
done
cat "$out/collector.log" >&2
rm -f -- "$out/collector.log"

"$here/scenarios/ifaces.sh" down >&2
up=0

dest=$repo/fixtures/$name
rm -rf -- "$dest/expected"
mkdir -p "$dest"
cp "$out/snapshot.tar.gz" "$dest/snapshot.tar.gz"
cp -r "$out/expected" "$dest/expected"
chmod 0644 "$dest/snapshot.tar.gz" "$dest"/expected/*
log "done: $(wc -l <"$work/slugs") cases in $dest/expected"
