#!/usr/bin/env python3
"""Stand-in for netsnap-collect, used to record fixtures until the real
collector exists (and to cross-check it afterwards).

  standin-collect.py -o SNAPSHOT.tar.gz [--force] [--full-cmdline]

Writes the layout of docs/snapshot-format.md (format version 1): netsnap.json
first, the socket tables, the other proc/net files, ip_local_port_range,
sys/class/net attributes, etc files (passwd and group reduced to names of
ids), then per process in ascending pid order cmdline, stat and the socket fd
links in ascending fd order, and netsnap-end.json last.  Processes are taken
when their network namespace is ours or cannot be told; an fd directory that
cannot be read is archived as an empty directory of mode 0000.
"""
import argparse
import datetime
import errno
import io
import json
import os
import subprocess
import sys
import tarfile
import time

SOCKET_TABLES = ["tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6",
                 "unix", "packet", "netlink", "sctp/eps", "sctp/assocs"]
OTHER_NET = ["route", "ipv6_route", "rt_cache", "dev", "dev_mcast", "if_inet6", "igmp",
             "igmp6", "snmp", "snmp6", "netstat", "sockstat", "sockstat6", "protocols",
             "arp", "sctp/snmp"]
SYS_ATTRS = ["address", "mtu", "flags", "tx_queue_len", "type", "ifindex", "operstate",
             "carrier"]
ETC_COPIES = ["hosts", "services", "protocols", "networks", "hostname"]


def now_rfc3339():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


class Snapshot:
    def __init__(self):
        self.entries = []  # (path, kind, data-or-target, mode)
        self.missing = []
        self.warnings = []

    def read(self, src, path):
        try:
            with open(src, "rb") as fh:
                data = fh.read()
        except OSError as err:
            self.missing.append({"path": path, "error": errno.errorcode.get(err.errno, str(err.errno))})
            return None
        self.entries.append((path, "file", data, 0o444))
        return data

    def add_file(self, path, data):
        self.entries.append((path, "file", data, 0o444))


def reduce_passwd(data, group=False):
    out = []
    for line in data.decode("utf-8", "surrogateescape").splitlines():
        f = line.split(":")
        if len(f) < 3 or line.startswith("#"):
            continue
        if group:
            out.append(f"{f[0]}:x:{f[2]}:")
        elif len(f) >= 4:
            out.append(f"{f[0]}:x:{f[2]}:{f[3]}:::")
    return ("\n".join(out) + "\n").encode("utf-8", "surrogateescape") if out else b""


def interfaces():
    try:
        raw = subprocess.run(["ip", "-j", "address", "show"], capture_output=True,
                             check=True).stdout
        links = json.loads(raw)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return []
    out = []
    for link in links:
        for a in link.get("addr_info", []):
            fam = a.get("family")
            out.append({"name": a.get("label", link.get("ifname")),
                        "family": fam, "address": a.get("local"),
                        "netmask": a.get("prefixlen"), "broadcast": a.get("broadcast"),
                        "destination": a.get("address") if a.get("address") != a.get("local") else None,
                        "flags": link.get("flags", [])})
    return out


def collect(full_cmdline):
    snap = Snapshot()
    start = now_rfc3339()
    own_ns = os.readlink("/proc/self/ns/net")
    tables = []
    for name in SOCKET_TABLES:
        if snap.read(f"/proc/net/{name}", f"proc/net/{name}") is not None:
            tables.append(f"proc/net/{name}")
    for name in OTHER_NET:
        snap.read(f"/proc/net/{name}", f"proc/net/{name}")
    snap.read("/proc/sys/net/ipv4/ip_local_port_range", "proc/sys/net/ipv4/ip_local_port_range")
    try:
        ifaces = sorted(os.listdir("/sys/class/net"))
    except OSError:
        ifaces = []
    for iface in ifaces:
        for attr in SYS_ATTRS:
            snap.read(f"/sys/class/net/{iface}/{attr}", f"sys/class/net/{iface}/{attr}")
    for name in ETC_COPIES:
        snap.read(f"/etc/{name}", f"etc/{name}")
    for name, grp in (("passwd", False), ("group", True)):
        try:
            with open(f"/etc/{name}", "rb") as fh:
                snap.add_file(f"etc/{name}", reduce_passwd(fh.read(), grp))
        except OSError as err:
            snap.missing.append({"path": f"etc/{name}", "error": errno.errorcode.get(err.errno, "?")})

    processes = vanished = vanished_fds = 0
    denied = []
    pids = sorted(int(n) for n in os.listdir("/proc") if n.isdigit())
    for pid in pids:
        base = f"/proc/{pid}"
        try:
            ns = os.readlink(f"{base}/ns/net")
        except FileNotFoundError:
            vanished += 1
            continue
        except PermissionError:
            ns = None
        except OSError:
            continue
        if ns is not None and ns != own_ns:
            continue
        try:
            fds = sorted(int(n) for n in os.listdir(f"{base}/fd") if n.isdigit())
        except PermissionError:
            denied.append(pid)
            snap.entries.append((f"proc/{pid}/fd", "dir", None, 0))
            continue
        except FileNotFoundError:
            vanished += 1
            continue
        links = []
        for fd in fds:
            try:
                target = os.readlink(f"{base}/fd/{fd}")
            except FileNotFoundError:
                vanished_fds += 1
                continue
            except OSError:
                continue
            if target.startswith("socket:["):
                links.append((fd, target))
        if not links:
            continue
        try:
            with open(f"{base}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"{base}/stat", "rb") as fh:
                statdata = fh.read()
        except FileNotFoundError:
            vanished += 1
            continue
        if not full_cmdline and b"\0" in cmdline:
            cmdline = cmdline[: cmdline.index(b"\0") + 1]
        snap.add_file(f"proc/{pid}/cmdline", cmdline)
        snap.add_file(f"proc/{pid}/stat", statdata)
        for fd, target in links:
            snap.entries.append((f"proc/{pid}/fd/{fd}", "link", target, 0o777))
        processes += 1

    uname = os.uname()
    try:
        with open("/proc/sys/kernel/random/boot_id") as fh:
            boot_id = fh.read().strip()
    except OSError:
        boot_id = ""
    header = {
        "format": "netsnap", "format_version": 1,
        "collector": "netsnap-standin-collect 0 (scripts/standin-collect.py)",
        "capture_start": start, "boot_id": boot_id, "hostname": uname.nodename,
        "kernel_release": uname.release, "machine": uname.machine,
        "byte_order": sys.byteorder, "user_hz": os.sysconf("SC_CLK_TCK"),
        "euid": os.geteuid(), "full_cmdline": full_cmdline, "netns": own_ns,
        "interfaces": interfaces(), "reverse_dns": {}, "missing": snap.missing,
        "tables": tables,
    }
    end = {
        "capture_end": now_rfc3339(), "processes": processes,
        "vanished_processes": vanished, "vanished_fds": vanished_fds,
        "fd_denied": denied, "warnings": snap.warnings,
    }
    return header, snap.entries, end


def write(out, header, entries, end):
    mtime = int(time.time())

    def info(path, kind, size=0, mode=0o444, target=""):
        ti = tarfile.TarInfo(path)
        ti.mtime, ti.mode, ti.uid, ti.gid = mtime, mode, 0, 0
        ti.uname = ti.gname = "root"
        if kind == "file":
            ti.type, ti.size = tarfile.REGTYPE, size
        elif kind == "link":
            ti.type, ti.linkname = tarfile.SYMTYPE, target
        else:
            ti.type = tarfile.DIRTYPE
        return ti

    with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        def add_json(path, obj):
            data = (json.dumps(obj, indent=1) + "\n").encode()
            tar.addfile(info(path, "file", len(data)), io.BytesIO(data))
        add_json("netsnap.json", header)
        for path, kind, payload, mode in entries:
            if kind == "file":
                tar.addfile(info(path, kind, len(payload), mode), io.BytesIO(payload))
            elif kind == "link":
                tar.addfile(info(path, kind, mode=mode, target=payload))
            else:
                tar.addfile(info(path, kind, mode=mode))
        add_json("netsnap-end.json", end)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--full-cmdline", action="store_true")
    opts = ap.parse_args()
    if os.path.exists(opts.output) and not opts.force:
        sys.exit(f"{opts.output} exists (use --force)")
    header, entries, end = collect(opts.full_cmdline)
    tmp = opts.output + ".part"
    write(tmp, header, entries, end)
    os.replace(tmp, opts.output)
    print(f"standin-collect: {opts.output}: {end['processes']} processes, "
          f"{len(entries)} entries, {len(end['fd_denied'])} fd dirs denied", file=sys.stderr)


if __name__ == "__main__":
    main()
