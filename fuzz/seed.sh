#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds taken from the fixtures: the
# snapshot archives (gzip, plain tar, and small ustar/gnu/pax tars of a few
# files each) for `archive` and `end_to_end`, the files inside them for the
# parser targets (`parse_ss`: the socket and summary files ss reads), and the
# recorded command lines for `args` (cases/*.txt) and `ss_args` (cases/ss*.txt,
# with and without an etc/hosts). Seeds are named
# by their SHA-1, so running it again adds nothing twice.
#
#   fuzz/seed.sh            # from the repository root or from fuzz/
set -euo pipefail

fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
corpus="$fuzz/corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# add TARGET FILE: copies FILE into the target's corpus under its hash.
add() {
    local dir="$corpus/$1"
    mkdir -p "$dir"
    [ -f "$2" ] || return 0
    local size
    size=$(stat -c %s "$2")
    # Keep seeds small enough for fast mutation.
    [ "$size" -le 262144 ] || return 0
    cp "$2" "$dir/$(sha1sum "$2" | cut -c1-40)"
}

# add_text TARGET: the standard input as one seed.
add_text() {
    local f="$work/text"
    cat >"$f"
    add "$1" "$f"
}

for t in parse_sockets parse_unix parse_ss parse_net parse_procs parse_etc parse_manifest archive args ss_args end_to_end; do
    mkdir -p "$corpus/$t"
done

n=0
for archive in "$root"/fixtures/*/snapshot.tar.gz; do
    n=$((n + 1))
    x="$work/x$n"
    mkdir -p "$x"
    tar -xzf "$archive" -C "$x"
    add archive "$archive"
    add end_to_end "$archive"
    gzip -dc "$archive" >"$work/plain.tar"
    add archive "$work/plain.tar"
    add end_to_end "$work/plain.tar"
    # The same tar in gzip members that say their length (the collector's format,
    # docs/snapshot-format.md), cut every 16 KiB so that small seeds hold several.
    python3 - "$work/plain.tar" "$work/members.tar.gz" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as out:
    for i in range(0, max(len(data), 1), 16384):
        part = data[i:i + 16384]
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = c.compress(part) + c.flush()
        total = 24 + len(body) + 8
        out.write(bytes([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3]) + struct.pack("<H2sHII", 12, b"NS", 8, total, len(part)))
        out.write(body + struct.pack("<II", zlib.crc32(part), len(part)))
PY
    add archive "$work/members.tar.gz"
    add end_to_end "$work/members.tar.gz"

    # Small tars (a manifest, a few tables, one process) in three header
    # formats, and the same gzipped.
    (
        cd "$x"
        small=()
        for f in netsnap.json netsnap-end.json netsnap-ifaces.json \
            proc/net/tcp proc/net/udp6 proc/net/unix proc/net/route \
            proc/net/snmp proc/net/sctp/eps proc/net/igmp proc/net/dev \
            etc/services; do
            [ -e "$f" ] && small+=("$f")
        done
        pid=$(find proc -mindepth 1 -maxdepth 1 -name '[0-9]*' 2>/dev/null | sort | head -n 1 || true)
        [ -n "$pid" ] && small+=("$pid")
        frame=$(find frames -mindepth 2 -maxdepth 3 -path '*/proc/net/tcp' 2>/dev/null | sort | head -n 1 || true)
        [ -n "$frame" ] && small+=("$frame")
        [ ${#small[@]} -gt 0 ] || exit 0
        for fmt in ustar gnu pax; do
            tar --format=$fmt -cf "$work/small-$fmt.tar" "${small[@]}" 2>/dev/null || continue
            gzip -9nc "$work/small-$fmt.tar" >"$work/small-$fmt.tar.gz"
        done
    )
    for f in "$work"/small-*.tar "$work"/small-*.tar.gz; do
        [ -e "$f" ] || continue
        add archive "$f"
        add end_to_end "$f"
        rm -f "$f"
    done

    # The files, by format family (frames included).
    while IFS= read -r -d '' f; do
        rel=${f#"$x"/}
        rel=${rel#frames/*/}
        case "$rel" in
        proc/net/tcp | proc/net/tcp6 | proc/net/udp | proc/net/udp6 | \
            proc/net/udplite | proc/net/udplite6 | proc/net/raw | proc/net/raw6 | \
            proc/net/sctp/eps | proc/net/sctp/assocs)
            add parse_sockets "$f" ;;
        proc/net/unix) add parse_unix "$f" ;;
        proc/net/route | proc/net/rt_cache | proc/net/ipv6_route | proc/net/dev | \
            proc/net/if_inet6 | proc/net/igmp | proc/net/igmp6 | proc/net/snmp | \
            proc/net/snmp6 | proc/net/netstat | proc/net/sctp/snmp | \
            netsnap-ifaces.json | sys/class/net/*)
            add parse_net "$f" ;;
        proc/[0-9]*/cmdline | proc/[0-9]*/stat) add parse_procs "$f" ;;
        etc/*) add parse_etc "$f" ;;
        netsnap.json | netsnap-end.json) add parse_manifest "$f" ;;
        esac
        case "$rel" in
        proc/net/tcp | proc/net/tcp6 | proc/net/udp | proc/net/udp6 | proc/net/raw | \
            proc/net/raw6 | proc/net/unix | proc/net/packet | proc/net/netlink | \
            proc/net/sockstat | proc/net/sockstat6 | proc/net/snmp)
            add parse_ss "$f" ;;
        esac
    done < <(find "$x" -type f -print0)
    # fd links: their targets, and their paths.
    while IFS= read -r -d '' f; do
        rel=${f#"$x"/}
        readlink "$f" | tr -d '\n' | add_text parse_procs
        printf '%s' "${rel#frames/*/}" | add_text parse_procs
    done < <(find "$x" -type l -path '*/fd/*' -print0 | head -z -n 40)
done

# Command lines: one seed per recorded line, arguments separated by NUL.
for cases in "$root"/fixtures/cases/*.txt; do
    while IFS= read -r line; do
        case "$line" in '#'* | '') continue ;; esac
        # shellcheck disable=SC2086
        printf '%s\0' $line | head -c -1 | add_text args
    done <"$cases"
done

# ss command lines (cases/ss*.txt, split as a shell splits words): an
# etc/hosts text, NUL, then the arguments separated by NUL, once with no
# hosts and once with the server fixture's etc/hosts.
tar -xzf "$root/fixtures/server/snapshot.tar.gz" -C "$work" etc/hosts 2>/dev/null || true
python3 - "$work/ss-seeds" "$work/etc/hosts" "$root"/fixtures/cases/ss*.txt <<'PY'
import hashlib, os, shlex, sys
out, hosts_file, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(out, exist_ok=True)
hosts = open(hosts_file, "rb").read() if os.path.exists(hosts_file) else b""
for path in cases:
    for line in open(path, encoding="utf-8"):
        if line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        for h in (b"", hosts):
            seed = h + b"\0" + b"\0".join(w.encode() for w in words)
            with open(os.path.join(out, hashlib.sha1(seed).hexdigest()), "wb") as f:
                f.write(seed)
PY
for f in "$work"/ss-seeds/*; do
    add ss_args "$f"
done

for t in "$corpus"/*/; do
    printf '%-16s %4d seeds\n' "$(basename "$t")" "$(find "$t" -type f | wc -l)"
done
