#!/usr/bin/env python3
"""Writes a synthetic snapshot with N sockets, for timing the wasm API
(web/tests/bench.mjs). Not a fixture: nothing in it was recorded.

Usage: web/tests/make-big-snapshot.py N OUT.tar.gz [--no-processes]

About 70% of the rows go to proc/net/tcp, 20% to tcp6, 5% to udp, 5% to
proc/net/unix, with mixed states, queues, uids and addresses in the
kernel's format. Every socket belongs to one of 500 processes (fd links
proc/<pid>/fd/<n> -> socket:[inode]) unless --no-processes.
"""

import io
import json
import random
import sys
import tarfile

TCP_HEADER = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
).ljust(149) + "\n"
TCP6_HEADER = (
    "  sl  local_address                         remote_address                        st tx_queue rx_queue"
    " tr tm->when retrnsmt   uid  timeout inode\n"
)
UDP_HEADER = (
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
)
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"
PROGRAMS = ["/usr/sbin/nginx", "/usr/bin/python3", "/usr/sbin/sshd", "postgres", "/usr/bin/redis-server", "java"]
UIDS = [0, 33, 101, 1000, 65534]


def v4(rng):
    """A random IPv4 address as the kernel prints it (little-endian word)."""
    a = [10, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)]
    return f"{a[3] << 24 | a[2] << 16 | a[1] << 8 | a[0]:08X}"


def v6(rng):
    """A random 2001:db8::/32 address, four little-endian words."""
    words = [0x00B80D20, rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(32)]
    return "".join(f"{w:08X}" for w in words)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n, out = int(args[0]), args[1]
    processes = "--no-processes" not in sys.argv
    rng = random.Random(4)
    counts = {"tcp": n * 70 // 100, "tcp6": n * 20 // 100, "udp": n * 5 // 100}
    counts["unix"] = n - sum(counts.values())
    inode = 1_000_000
    inodes = []
    tables = {}

    rows = [TCP_HEADER]
    for i in range(counts["tcp"]):
        inode += 1
        inodes.append(inode)
        listen = i % 50 == 0
        st = 0x0A if listen else rng.choice([1, 1, 1, 1, 6, 8, 2, 4])
        rem = "00000000:0000" if listen else f"{v4(rng)}:{rng.randrange(1024, 65536):04X}"
        row = (
            f"{i:4d}: {v4(rng)}:{rng.choice([22, 80, 443, 5432, rng.randrange(1024, 65536)]):04X} {rem} {st:02X}"
            f" {rng.choice([0, 0, 0, rng.randrange(100000)]):08X}:{rng.choice([0, 0, rng.randrange(5000)]):08X}"
            f" 00:00000000 00000000 {rng.choice(UIDS):5d}        0 {inode} 1 {0xFFFF888000000000 + i * 64:016x} 20 4 30 10 -1"
        )
        rows.append(row.ljust(149) + "\n")
    tables["proc/net/tcp"] = "".join(rows)

    rows = [TCP6_HEADER]
    for i in range(counts["tcp6"]):
        inode += 1
        inodes.append(inode)
        listen = i % 50 == 0
        st = 0x0A if listen else 1
        rem = "0" * 32 + ":0000" if listen else f"{v6(rng)}:{rng.randrange(1024, 65536):04X}"
        rows.append(
            f"{i:4d}: {v6(rng)}:{rng.choice([22, 443, rng.randrange(1024, 65536)]):04X} {rem} {st:02X}"
            f" 00000000:00000000 00:00000000 00000000 {rng.choice(UIDS):5d}        0 {inode} 1 {0xFFFF888000000000 + i * 64:016x} 20 4 30 10 -1\n"
        )
    tables["proc/net/tcp6"] = "".join(rows)

    rows = [UDP_HEADER]
    for i in range(counts["udp"]):
        inode += 1
        inodes.append(inode)
        rows.append(
            f"{i:5d}: {v4(rng)}:{rng.randrange(1, 65536):04X} 00000000:0000 07 00000000:00000000 00:00000000 00000000"
            f" {rng.choice(UIDS):5d}        0 {inode} 2 {0xFFFF888000000000 + i * 64:016x} 0\n"
        )
    tables["proc/net/udp"] = "".join(rows)

    rows = [UNIX_HEADER]
    for i in range(counts["unix"]):
        inode += 1
        inodes.append(inode)
        listen = i % 20 == 0
        flags, st = ("00010000", "01") if listen else ("00000000", "03")
        path = f" /run/app{i % 997}/sock{i}" if listen or i % 3 == 0 else ""
        rows.append(f"{0xFFFF888000000000 + i * 64:016x}: 00000002 00000000 {flags} 0001 {st} {inode}{path}\n")
    tables["proc/net/unix"] = "".join(rows)

    manifest = {
        "format": "netsnap",
        "format_version": 1,
        "collector": "make-big-snapshot.py",
        "capture_start": "2026-01-01T00:00:00.000Z",
        "hostname": "big",
        "kernel_release": "6.1.0-synthetic",
        "machine": "x86_64",
        "byte_order": "little",
        "user_hz": 100,
        "euid": 0,
        "tables": list(tables),
    }
    with tarfile.open(out, "w:gz", compresslevel=6, format=tarfile.GNU_FORMAT) as tar:

        def add(name, data, kind=tarfile.REGTYPE, link=""):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.mtime = 1767225600
            if kind == tarfile.SYMTYPE:
                info.linkname = link
                info.mode = 0o777
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))

        add("netsnap.json", json.dumps(manifest).encode())
        for name, text in tables.items():
            add(name, text.encode())
        add("etc/passwd", b"root:x:0:0:::\nwww-data:x:33:33:::\nsystemd-network:x:101:101:::\nalice:x:1000:1000:::\nnobody:x:65534:65534:::\n")
        if processes:
            per = -(-len(inodes) // 500)
            for p in range(500):
                pid = 1000 + p
                mine = inodes[p * per : (p + 1) * per]
                if not mine:
                    break
                add(f"proc/{pid}/cmdline", PROGRAMS[p % len(PROGRAMS)].encode() + b"\0")
                add(f"proc/{pid}/stat", f"{pid} (prog) S 1\n".encode())
                for fd, ino in enumerate(mine, start=3):
                    add(f"proc/{pid}/fd/{fd}", b"", tarfile.SYMTYPE, f"socket:[{ino}]")
        add("netsnap-end.json", json.dumps({"capture_end": "2026-01-01T00:00:01.000Z", "warnings": []}).encode())


if __name__ == "__main__":
    main()
