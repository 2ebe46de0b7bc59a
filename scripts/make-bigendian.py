#!/usr/bin/env python3
"""Derive the `bigendian` fixture's snapshot from a little-endian one.

  make-bigendian.py SOURCE.tar.gz OUT.tar.gz

What a big-endian machine writes differently, and only that, is rewritten:
the IPv4 addresses that the kernel prints as one host-order 32-bit number in
hex (`%08X`), i.e. every 8-hex-digit address group of
  proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}  local and remote
                                                         address (4 groups in
                                                         the *6 files)
  proc/net/igmp                                          multicast group
  proc/net/route                                         destination, gateway,
                                                         mask
has its bytes reversed, and netsnap.json says "byte_order": "big".  Ports,
queues and other numbers are host values and print the same; ipv6_route,
if_inet6 and igmp6 are in network order already; rt_cache has been a bare
header since Linux 3.6.  Every other entry, and the
order and metadata of all entries, stay as they are.  The script checks that
decoding both archives (each with its byte order) gives the same sockets.
"""
import gzip
import importlib.util
import io
import json
import os
import re
import sys
import tarfile

INET = {"tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6"}
INET_LINE = re.compile(rb"^(\s*\d+: )([0-9A-F]+)(:[0-9A-F]{4} )([0-9A-F]+)(:[0-9A-F]{4} .*)$", re.S)


def swap_groups(hexaddr):
    if len(hexaddr) % 8:
        raise ValueError(f"address {hexaddr!r} is not made of 8-digit groups")
    return b"".join(bytes.fromhex(hexaddr[i:i + 8].decode())[::-1].hex().upper().encode()
                    for i in range(0, len(hexaddr), 8))


def swap_inet(data):
    lines = data.split(b"\n")
    for i in range(1, len(lines)):
        m = INET_LINE.match(lines[i])
        if m:
            lines[i] = m[1] + swap_groups(m[2]) + m[3] + swap_groups(m[4]) + m[5]
        elif lines[i].strip():
            raise ValueError(f"unexpected line {lines[i]!r}")
    return b"\n".join(lines)


def swap_igmp(data):
    out = []
    for line in data.split(b"\n"):
        m = re.match(rb"^(\t\t\t\t)([0-9A-F]{8})( .*)$", line)
        out.append(m[1] + swap_groups(m[2]) + m[3] if m else line)
    return b"\n".join(out)


def swap_tab_columns(data, columns):
    lines = data.split(b"\n")
    for i in range(1, len(lines)):
        if not lines[i].strip():
            continue
        f = lines[i].split(b"\t")
        for c in columns:
            f[c] = swap_groups(f[c])
        lines[i] = b"\t".join(f)
    return b"\n".join(lines)


def rewrite(path, data):
    name = path[len("proc/net/"):] if path.startswith("proc/net/") else None
    if name in INET:
        return swap_inet(data)
    if name == "igmp":
        return swap_igmp(data)
    if name == "route":
        return swap_tab_columns(data, (1, 2, 7))
    if path == "netsnap.json":
        text = data.decode()
        new, n = re.subn(r'"byte_order"(\s*):(\s*)"little"', r'"byte_order"\1:\2"big"', text)
        if n != 1:
            manifest = json.loads(text)
            manifest["byte_order"] = "big"
            new = json.dumps(manifest, indent=1) + "\n"
        return new.encode()
    return data


def load_stats():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("stats", os.path.join(here, "snapshot-stats.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(src, out):
    with tarfile.open(src, "r:*") as tin, open(out, "wb") as raw, \
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tout:
        for m in tin:
            if m.isfile():
                data = rewrite(m.name, tin.extractfile(m).read())
                m.size = len(data)
                tout.addfile(m, io.BytesIO(data))
            else:
                tout.addfile(m)
    stats = load_stats()
    a, b = stats.Snapshot(src), stats.Snapshot(out)
    for table in INET:
        ra = stats.inet_rows(a, table, "little")
        rb = stats.inet_rows(b, table, "big")
        if ra != rb:
            sys.exit(f"{table}: decoding differs after the rewrite")
    print(f"make-bigendian: {out}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
