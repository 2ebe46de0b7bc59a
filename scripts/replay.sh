#!/usr/bin/env bash
# replay.sh: the oracle. Runs the REAL netstat (or ss) on a netsnap snapshot.
#
#   scripts/replay.sh [--uid UID] [--tool netstat|ss] [--allow-live] SNAPSHOT OUTDIR < CASES
#
# SNAPSHOT is a .tar.gz, a .tar or an already-extracted directory.  CASES has
# one command line of arguments per line (see scripts/slug.py for the exact
# rules: shell-word splitting, `#` comments, a blank line = no arguments).
# For every case OUTDIR/<slug>.args, .stdout, .stderr and .status are written.
#
# How: the snapshot is unpacked into a temporary directory; then, in a private
# mount namespace (and an empty network namespace, so nothing can reach the
# network), its proc/ tree is copied into a tmpfs so that readdir lists pids and
# fds in ascending order like procfs does, the tmpfs is bind-mounted over /proc,
# and the snapshot's etc files (or empty files where it has none) are
# bind-mounted over /etc/{hosts,services,protocols,networks,passwd,group,hostname}
# next to an nsswitch.conf that only uses those files.  Each case then runs as
# `LC_ALL=C timeout 20 netstat ARGS` (or `PROC_ROOT=/proc ss ARGS`) with stdin
# from /dev/null, as root or, with --uid, as that uid (setpriv).
#
# netstat views that ask the running kernel instead of files (`-i`, `-c` loops)
# are refused unless --allow-live is given; their output would describe this
# host.  For ss nothing is refused (its `-i` is TCP info; see docs/ss-behaviour.md).
# With --one-round, `-c` views are allowed and every run is stopped after
# 0.7 s, that is after the first round of a `-c` loop (status 124).
# Must run as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ETC_FILES=(hosts services protocols networks passwd group hostname)

usage() {
	sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

die() {
	echo "replay: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- inner part
# Runs inside `unshare -m -n`; $work holds the prepared files.
inner() {
	local work=$1 root=$2 outdir=$3 uid=$4 tool=$5 limit=${6:-20}
	mount --make-rprivate /

	mkdir "$work/proc"
	mount -t tmpfs -o mode=0755 netsnap-proc "$work/proc"
	python3 "$here/proctree.py" build "$root/proc" "$work/proc"

	mkdir "$work/etc"
	local f
	for f in "${ETC_FILES[@]}"; do
		if [[ -f $root/etc/$f ]]; then
			cp -- "$root/etc/$f" "$work/etc/$f"
		else
			: >"$work/etc/$f"
		fi
	done
	printf '%s\n' 'passwd: files' 'group: files' 'hosts: files' 'networks: files' \
		'protocols: files' 'services: files' >"$work/etc/nsswitch.conf"
	: >"$work/etc/host.conf"
	chmod 0644 "$work"/etc/*
	for f in "${ETC_FILES[@]}" nsswitch.conf host.conf; do
		[[ -f /etc/$f ]] || die "/etc/$f does not exist on this host: nothing to bind over"
		mount --bind "$work/etc/$f" "/etc/$f"
	done

	mount --bind "$work/proc" /proc

	# Run it by name, found through a fixed PATH, so that argv[0] (which getopt's
	# messages print) is "netstat" or "ss", as when a user types the command.
	local path=/usr/sbin:/usr/bin:/sbin:/bin
	PATH=$path command -v "$tool" >/dev/null || die "$tool not found in $path"
	local -a runas=() envs=("PATH=$path" LC_ALL=C)
	[[ $tool == ss ]] && envs+=(PROC_ROOT=/proc)
	[[ -n $uid ]] && runas=(setpriv "--reuid=$uid" "--regid=$uid" --clear-groups)

	local slug status
	local -a args
	cd /
	while IFS= read -r slug; do
		mapfile -t args <"$outdir/$slug.args"
		status=0
		env -i "${envs[@]}" timeout "$limit" "${runas[@]}" "$tool" "${args[@]}" \
			</dev/null >"$outdir/$slug.stdout" 2>"$outdir/$slug.stderr" || status=$?
		echo "$status" >"$outdir/$slug.status"
	done <"$work/slugs"
}

if [[ ${1-} == --inner ]]; then
	shift
	inner "$@"
	exit 0
fi

# ---------------------------------------------------------------- outer part
uid="" tool=netstat allow_live=0 limit=20
while [[ $# -gt 0 ]]; do
	case $1 in
	--uid) uid=${2:?--uid needs a value}; shift 2 ;;
	--uid=*) uid=${1#--uid=}; shift ;;
	--tool) tool=${2:?--tool needs a value}; shift 2 ;;
	--tool=*) tool=${1#--tool=}; shift ;;
	--allow-live) allow_live=1; shift ;;
	--one-round)
		# `-c` loops: stop each run after its first round (netstat flushes
		# stdout before it sleeps), so a snapshot's frame gives one round.
		export NETSNAP_REPLAY_ONE_ROUND=1 limit=0.7; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	-*) echo "replay: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[[ $# -eq 2 ]] || usage
snapshot=$1 outdir=$2
[[ $tool == netstat || $tool == ss ]] || die "--tool must be netstat or ss"
[[ -z $uid || $uid =~ ^[0-9]+$ ]] || die "--uid must be a number"
[[ $EUID -eq 0 ]] || die "must run as root (it needs unshare -m and mount)"
[[ -e $snapshot ]] || die "$snapshot: no such file or directory"

work=$(mktemp -d "${TMPDIR:-/tmp}/netsnap-replay.XXXXXX")
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$work/cases"
mkdir -p -- "$outdir"
outdir=$(cd -- "$outdir" && pwd)

if [[ -d $snapshot ]]; then
	top=$(cd -- "$snapshot" && pwd)
else
	mkdir "$work/snap"
	# GNU tar recognises gzip by its magic bytes; it drops leading `/` and refuses `..`.
	tar -xf "$snapshot" -C "$work/snap" --no-same-owner ||
		die "$snapshot: cannot unpack"
	top=$work/snap
fi
root=$(python3 "$here/proctree.py" find-root "$top")
python3 "$here/proctree.py" check "$root" "$uid"

# Write the .args files, then keep only the cases that files can answer.
python3 "$here/slug.py" --write-args "$outdir" "$work/cases" >"$work/all-slugs"
: >"$work/slugs"
while IFS= read -r slug; do
	mapfile -t args <"$outdir/$slug.args"
	# live-only knows netstat's options; ss's letters mean other things (`-i` is
	# TCP info, `-c` does not exist), and every ss view that replay runs reads
	# files under PROC_ROOT (docs/ss-behaviour.md), so nothing is skipped for ss.
	if [[ $tool == netstat && $allow_live -eq 0 ]] &&
		python3 "$here/proctree.py" live-only "${args[@]}"; then
		echo "replay: skipping '${args[*]}': it asks the running kernel, not the snapshot" >&2
		rm -f -- "$outdir/$slug.args"
		continue
	fi
	printf '%s\n' "$slug" >>"$work/slugs"
done <"$work/all-slugs"

unshare --mount --propagation private --net -- "${BASH_SOURCE[0]}" --inner \
	"$work" "$root" "$outdir" "$uid" "$tool" "$limit"
echo "replay: $(wc -l <"$work/slugs") cases of $tool written to $outdir" >&2
