#!/usr/bin/env python3
"""Hand-make the `sctp` fixture's snapshot (this kernel has no SCTP module).

  make-sctp-snapshot.py OUT.tar.gz

The proc/net/sctp/{eps,assocs} files follow the kernel's seq_file formats
(net/sctp/proc.c, 6.x): per endpoint
  "%8p %8p %-3d %-3d %-4d %-5d %5u %5llu " + one "ADDR " per local address + "\\n"
per association
  "%8p %8p %-3d %-3d %-2d %-4d %4d %8d %8d %7u %5llu %-5d %5d " + " "
  + local addresses ("*" before the primary) + "<-> " + remote addresses
  + "\\t%8lu %5d %5d %4d %4d %4d %8d %8d %8d %8d %8d\\n"
where an address is %pI4 (dotted) or %pI6 (eight 4-digit groups, uncompressed),
each followed by one space, and %p prints a hashed pointer as 16 hex digits.
The other socket tables are the kernel's headers plus two TCP rows; two
processes hold some of the SCTP sockets.  The output is deterministic.
"""
import gzip
import io
import ipaddress
import json
import sys
import tarfile

MTIME = 1767225600  # 2026-01-01T00:00:00Z, fixed so the archive is reproducible

EPS_HEADER = " ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS\n"
ASSOCS_HEADER = (" ASSOC     SOCK   STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT "
                 "RPORT LADDRS <-> RADDRS HBINT INS OUTS MAXRT T1X T2X RTXC "
                 "wmema wmemq sndbuf rcvbuf\n")
TCP_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
              "   uid  timeout inode").ljust(149) + "\n"
TCP6_HEADER = ("  sl  local_address                         remote_address                        "
               "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
UDP_HEADER = ("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
              "   uid  timeout inode ref pointer drops").ljust(127) + "\n"
UDP6_HEADER = ("  sl  local_address                         remote_address                        "
               "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n")
RAW_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
              "   uid  timeout inode ref pointer drops\n")
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"

# SCTP_SOCKET_UDP (one-to-many) = 0, SCTP_SOCKET_TCP (one-to-one) = 2.
# sk_state: 1 ESTABLISHED, 2 SYN_SENT, 7 CLOSE, 10 LISTEN.
# Association state: 1 COOKIE_WAIT, 3 ESTABLISHED.
ENDPOINTS = [
    # sty, sst, hbkt, lport, uid, inode, addresses
    (2, 10, 29, 5000, 0, 41001, ["10.0.0.1", "192.168.7.7"]),
    (0, 10, 9, 9, 1000, 41002, ["2001:db8::1"]),
    (0, 10, 68, 3868, 4242, 41003, ["0.0.0.0"]),
    (0, 10, 57, 2905, 0, 41004, ["::"]),
    (2, 7, 33, 7777, 0, 41005, ["10.0.0.1"]),
    (2, 10, 12, 36412, 0, 41006, ["2001:db8:1234:5678:9abc:def0:1234:5678", "10.0.0.1",
                                  "::ffff:10.0.0.5"]),
]
ASSOCIATIONS = [
    # sty, sst, st, assoc_id, tx, rx, uid, inode, lport, rport, local, remote
    # (first address of each list is the primary)
    (2, 1, 3, 0, 152, 0, 0, 41010, 5000, 6000,
     ["10.0.0.1", "192.168.7.7"], ["10.0.0.2", "10.0.0.3"]),
    (0, 10, 3, 1, 0, 2048, 1000, 41002, 9, 40000,
     ["2001:db8::1"], ["2001:db8::2", "2001:db8:1234:5678:9abc:def0:1234:5678"]),
    (2, 2, 1, 0, 0, 0, 0, 41011, 40001, 80,
     ["10.0.0.1"], ["198.51.100.77"]),
    (0, 10, 3, 7, 1234567, 7654321, 4242, 41003, 3868, 3868,
     ["10.0.0.1"], ["10.0.0.20", "10.0.0.21", "10.0.0.22"]),
    (2, 1, 3, 0, 0, 0, 0, 41012, 36412, 38412,
     ["::ffff:10.0.0.5", "10.0.0.1", "192.168.7.7"], ["::ffff:10.0.0.6"]),
]
PROCESSES = {
    100: (b"/usr/sbin/sctp-daemon\0", [(3, 41001), (4, 41010), (5, 41011), (7, 41006),
                                       (8, 41012), (9, 1001)]),
    200: (b"sctp-many\0", [(3, 41002), (10, 41003)]),
}


def pointer(n):
    return "%016x" % (0x00000000A1B2C300 + n * 0x1111)


def kaddr(text):
    ip = ipaddress.ip_address(text)
    if ip.version == 4:
        return str(ip)
    return ":".join("%04x" % int.from_bytes(ip.packed[i:i + 2], "big") for i in range(0, 16, 2))


def eps():
    out = [EPS_HEADER]
    for i, (sty, sst, hbkt, lport, uid, inode, addrs) in enumerate(ENDPOINTS):
        line = "%8s %8s %-3d %-3d %-4d %-5d %5u %5u " % (
            pointer(2 * i), pointer(2 * i + 1), sty, sst, hbkt, lport, uid, inode)
        line += "".join(kaddr(a) + " " for a in addrs)
        out.append(line + "\n")
    return "".join(out)


def assocs():
    out = [ASSOCS_HEADER]
    for i, (sty, sst, st, aid, tx, rx, uid, inode, lport, rport, local, remote) in \
            enumerate(ASSOCIATIONS):
        line = "%8s %8s %-3d %-3d %-2d %-4d %4d %8d %8d %7u %5u %-5d %5d " % (
            pointer(100 + 2 * i), pointer(101 + 2 * i), sty, sst, st, 0, aid, tx, rx, uid,
            inode, lport, rport)
        line += " "
        line += "".join(("*" if j == 0 else "") + kaddr(a) + " " for j, a in enumerate(local))
        line += "<-> "
        line += "".join(("*" if j == 0 else "") + kaddr(a) + " " for j, a in enumerate(remote))
        line += "\t%8u %5d %5d %4d %4d %4d %8d %8d %8d %8d %8d" % (
            30000, 10, 10, 10, 0, 0, 0, 1, tx, 212992, 212992)
        out.append(line + "\n")
    return "".join(out)


def tcp():
    rows = [
        # local, remote, state, inode
        ("00000000:0016", "00000000:0000", 0x0A, 1001),
        ("0100000A:9C41", "0200000A:0050", 0x01, 1002),
    ]
    out = [TCP_HEADER]
    for i, (loc, rem, st, inode) in enumerate(rows):
        line = "%4d: %s %s %02X %08X:%08X %02X:%08X %08X %5u %8d %d %d %s %d %d %d %d %d" % (
            i, loc, rem, st, 0, 0, 0, 0, 0, 0, 0, inode, 1, pointer(200 + i), 100, 0, 0, 10, 0)
        out.append(line.ljust(149) + "\n")
    return "".join(out)


def main(out):
    manifest = {
        "format": "netsnap", "format_version": 1,
        "collector": "hand-made by scripts/make-sctp-snapshot.py",
        "capture_start": "2026-01-01T00:00:00.000Z", "hostname": "sctp-fixture",
        "kernel_release": "6.18.44", "machine": "x86_64", "byte_order": "little",
        "user_hz": 100, "euid": 0, "full_cmdline": False, "netns": "net:[4026531840]",
        "interfaces": [], "reverse_dns": {}, "missing": [],
        "tables": ["proc/net/tcp", "proc/net/tcp6", "proc/net/udp", "proc/net/udp6",
                   "proc/net/udplite", "proc/net/udplite6", "proc/net/raw", "proc/net/raw6",
                   "proc/net/unix", "proc/net/sctp/eps", "proc/net/sctp/assocs"],
    }
    with open("/etc/services", "rb") as fh:
        services = fh.read()
    with open("/etc/protocols", "rb") as fh:
        protocols = fh.read()
    files = [
        ("netsnap.json", (json.dumps(manifest, indent=1) + "\n").encode()),
        ("proc/net/tcp", tcp().encode()),
        ("proc/net/tcp6", TCP6_HEADER.encode()),
        ("proc/net/udp", UDP_HEADER.encode()),
        ("proc/net/udp6", UDP6_HEADER.encode()),
        ("proc/net/udplite", UDP_HEADER.encode()),
        ("proc/net/udplite6", UDP6_HEADER.encode()),
        ("proc/net/raw", RAW_HEADER.encode()),
        ("proc/net/raw6", UDP6_HEADER.encode()),
        ("proc/net/unix", UNIX_HEADER.encode()),
        ("proc/net/sctp/eps", eps().encode()),
        ("proc/net/sctp/assocs", assocs().encode()),
        ("etc/hosts", b"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                      b"10.0.0.1\tsctp-a.netsnap.test sctp-a\n"
                      b"10.0.0.2\tsctp-b.netsnap.test\n"
                      b"2001:db8::2\tsctp6-peer.netsnap.test\n"),
        ("etc/services", services),
        ("etc/protocols", protocols),
        ("etc/networks", b"link-local\t169.254.0.0\n"),
        ("etc/hostname", b"sctp-fixture\n"),
        ("etc/passwd", b"root:x:0:0:::\nnobody:x:65534:65534:::\n"
                       b"sctp-user-with-long-name:x:1000:1000:::\n"),
        ("etc/group", b"root:x:0:\nnogroup:x:65534:\n"),
    ]
    links = []
    for pid, (cmdline, fds) in sorted(PROCESSES.items()):
        files.append((f"proc/{pid}/cmdline", cmdline))
        files.append((f"proc/{pid}/stat", b"%d (%s) S 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 "
                      b"1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 "
                      b"0 0 0 0 0 0\n" % (pid, cmdline.rstrip(b"\0").rsplit(b"/", 1)[-1][:15],
                                           pid, pid)))
        for fd, inode in fds:
            links.append((f"proc/{pid}/fd/{fd}", f"socket:[{inode}]"))
    end = {"capture_end": "2026-01-01T00:00:00.000Z", "processes": len(PROCESSES),
           "vanished_processes": 0, "vanished_fds": 0, "fd_denied": [], "warnings": []}
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=MTIME) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
        def add(path, data=None, target=None):
            ti = tarfile.TarInfo(path)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "root", "root"
            if target is None:
                ti.mode, ti.size = 0o644, len(data)
                tar.addfile(ti, io.BytesIO(data))
            else:
                ti.mode, ti.type, ti.linkname = 0o777, tarfile.SYMTYPE, target
                tar.addfile(ti)
        for path, data in files:
            add(path, data)
        for path, target in links:
            add(path, target=target)
        add("netsnap-end.json", (json.dumps(end, indent=1) + "\n").encode())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
