#!/usr/bin/env bash
# record-continuous.sh: (re)record fixtures/continuous, the `netstat -c` views.
#
#   scripts/record-continuous.sh
#
# Brings up the server scenario, takes a 3-frame snapshot inside its namespace
# (netsnap-collect --count 3 --interval 1), tears it down, splits the snapshot
# into one snapshot per frame (scripts/split-frames.py), and replays the real
# netstat on each frame for every line of fixtures/cases/continuous.txt with
# `replay.sh --one-round` (each run stopped after its first round).  The
# expected output of a case is the rounds of frame 0, 1, 2 in turn, as
# `netstat -c` prints one round per second: a round that ends by itself (an
# error, or `-s`, which ignores -c) ends the run with its status; a round cut
# after its output (status 124 from the stop) goes on to the next frame, and
# after the last frame the status is 0 (what `netsnap netstat -c` does at the
# end of a snapshot).  Must run as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
fixture=$repo/fixtures/continuous
cases=$repo/fixtures/cases/continuous.txt
[[ $EUID -eq 0 ]] || { echo "record-continuous: must run as root" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/netsnap-continuous.XXXXXX")
up=0
cleanup() {
	[[ $up -eq 1 ]] && "$here/scenarios/server.sh" down || true
	rm -rf -- "$work"
}
trap cleanup EXIT

(cd "$repo" && cargo build --release -q -p netsnap-collector)
collector=$repo/target/release/netsnap-collect

mkdir -p "$fixture"
"$here/scenarios/server.sh" up
up=1
ip netns exec nsnap-server "$collector" --count 3 --interval 1 -o "$fixture/snapshot.tar.gz" --force
"$here/scenarios/server.sh" down
up=0
chmod 0644 "$fixture/snapshot.tar.gz"

frames=$(python3 "$here/split-frames.py" "$fixture/snapshot.tar.gz" "$work/frames")
for ((k = 0; k < frames; k++)); do
	"$here/replay.sh" --one-round "$work/frames/frame-$k.tar.gz" "$work/out-$k" <"$cases"
done

rm -rf -- "$fixture/expected"
mkdir -p "$fixture/expected"
for args in "$work/out-0"/*.args; do
	slug=$(basename "$args" .args)
	exp=$fixture/expected/$slug
	cp "$args" "$exp.args"
	: >"$exp.stdout"
	: >"$exp.stderr"
	status=0
	for ((k = 0; k < frames; k++)); do
		cat "$work/out-$k/$slug.stdout" >>"$exp.stdout"
		cat "$work/out-$k/$slug.stderr" >>"$exp.stderr"
		st=$(cat "$work/out-$k/$slug.status")
		if [[ $st != 124 ]]; then
			status=$st
			break
		fi
	done
	echo "$status" >"$exp.status"
done
echo "record-continuous: $(ls "$fixture/expected" | grep -c '\.args$') cases over $frames frames" >&2
