#!/usr/bin/env python3
"""Count what a snapshot holds, and check a scenario's promises.

  snapshot-stats.py SNAPSHOT                 print the counters as JSON
  snapshot-stats.py SNAPSHOT --check STATES  exit 1 unless every promise holds

SNAPSHOT is a .tar.gz/.tar (read in memory) or an extracted directory.
STATES (fixtures/<case>/states.json) has the counters' shape with a condition
string in place of each number: ">=N", "<=N", "==N" or ">N"; any other value
must be equal.  Keys starting with "_" are comments.  Counter names
are documented in fixtures/README.md ("states.json").
"""
import ipaddress
import json
import os
import re
import stat
import sys
import tarfile

TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
              6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
              11: "CLOSING"}
TIMERS = {0: "off", 1: "on", 2: "keepalive", 3: "timewait", 4: "probe"}
INET_TABLES = ["tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6"]
UNIX_TYPES = {1: "STREAM", 2: "DGRAM", 3: "RAW", 4: "RDM", 5: "SEQPACKET"}
UNIX_LINE = re.compile(rb"^[0-9a-fA-F]+: ([0-9A-F]{8}) ([0-9A-F]{8}) ([0-9A-F]{8}) "
                       rb"([0-9A-F]{4}) ([0-9A-F]{2}) +(\d+)(?: (.*))?$")


class Snapshot:
    """files: path -> bytes; links: path -> target; dirmodes: path -> mode."""

    def __init__(self, path):
        self.files, self.links, self.dirmodes = {}, {}, {}
        if os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                for name in dirnames + filenames:
                    full = os.path.join(dirpath, name)
                    rel = os.path.relpath(full, path)
                    st = os.lstat(full)
                    if stat.S_ISLNK(st.st_mode):
                        self.links[rel] = os.readlink(full)
                    elif stat.S_ISDIR(st.st_mode):
                        self.dirmodes[rel] = stat.S_IMODE(st.st_mode)
                    elif stat.S_ISREG(st.st_mode):
                        with open(full, "rb") as fh:
                            self.files[rel] = fh.read()
        else:
            with tarfile.open(path, "r:*") as tar:
                for m in tar:
                    name = m.name.removeprefix("./")
                    if m.issym():
                        self.links[name] = m.linkname
                    elif m.isdir():
                        self.dirmodes[name.rstrip("/")] = m.mode
                    elif m.isfile():
                        self.files[name] = tar.extractfile(m).read()


def ipv4(hexaddr, order):
    return str(ipaddress.IPv4Address(int.from_bytes(bytes.fromhex(hexaddr), "big" if order == "big" else "little")))


def ipv6(hexaddr, order):
    raw = b"".join(bytes.fromhex(hexaddr[i:i + 8])[:: 1 if order == "big" else -1]
                   for i in range(0, 32, 8))
    return ipaddress.IPv6Address(raw)


def inet_rows(snap, table, order):
    data = snap.files.get(f"proc/net/{table}")
    if data is None:
        return []
    rows = []
    for line in data.splitlines()[1:]:
        f = line.split()
        if len(f) < 10:
            continue
        la, lp = f[1].decode().split(":")
        ra, rp = f[2].decode().split(":")
        tx, rx = (int(x, 16) for x in f[4].decode().split(":"))
        tr = int(f[5].decode().split(":")[0], 16)
        if len(la) == 8:
            laddr, raddr = ipv4(la, order), ipv4(ra, order)
            mapped = False
        else:
            l6, r6 = ipv6(la, order), ipv6(ra, order)
            mapped = l6.ipv4_mapped is not None
            laddr = str(l6.ipv4_mapped) if mapped else str(l6)
            raddr = str(r6.ipv4_mapped) if r6.ipv4_mapped else str(r6)
        rows.append({"table": table, "laddr": laddr, "lport": int(lp, 16), "raddr": raddr,
                     "rport": int(rp, 16), "st": int(f[3], 16), "tx": tx, "rx": rx, "tr": tr,
                     "uid": int(f[7]), "inode": int(f[9]), "mapped": mapped})
    return rows


def count(snap):
    manifest = json.loads(snap.files.get("netsnap.json", b"{}") or b"{}")
    order = manifest.get("byte_order", "little")
    c = {"tables": {}, "tcp_states": {}, "timers": {}, "v4_mapped": 0,
         "cut_in_numeric_mode": 0, "recv_q_nonzero": 0, "send_q_nonzero": 0}
    inet_inodes, uids = set(), set()
    for table in INET_TABLES:
        rows = inet_rows(snap, table, order)
        c["tables"][table] = len(rows)
        for r in rows:
            if table.startswith("tcp"):
                name = TCP_STATES.get(r["st"], f"UNKNOWN{r['st']}")
                c["tcp_states"][name] = c["tcp_states"].get(name, 0) + 1
                t = TIMERS.get(r["tr"], f"unkn-{r['tr']}")
                c["timers"][t] = c["timers"].get(t, 0) + 1
            c["v4_mapped"] += r["mapped"]
            if max(len(r["laddr"]) + 1 + len(str(r["lport"])),
                   len(r["raddr"]) + 1 + len(str(r["rport"]))) > 23:
                c["cut_in_numeric_mode"] += 1
            c["recv_q_nonzero"] += r["rx"] > 0
            c["send_q_nonzero"] += r["tx"] > 0
            if r["inode"]:
                inet_inodes.add(r["inode"])
            uids.add(r["uid"])
    c["inet_uids"] = len(uids)
    for name in ("eps", "assocs"):
        data = snap.files.get(f"proc/net/sctp/{name}")
        if data is not None:
            c.setdefault("sctp", {})[name] = max(len(data.splitlines()) - 1, 0)

    u = {"rows": 0, "bogus_lines": 0, "types": {}, "listening": 0, "connected": 0,
         "unconnected": 0, "abstract": 0, "unnamed": 0, "path_whitespace": 0,
         "path_long": 0, "path_non_utf8": 0}
    unix_inodes = set()
    data = snap.files.get("proc/net/unix")
    if data is not None:
        c["tables"]["unix"] = 0
        for line in data.split(b"\n")[1:]:
            if line == b"":
                continue
            m = UNIX_LINE.match(line)
            if not m:
                u["bogus_lines"] += 1
                continue
            u["rows"] += 1
            flags, typ, st, inode = int(m[3], 16), int(m[4], 16), int(m[5], 16), int(m[6])
            path = m[7] or b""
            unix_inodes.add(inode)
            t = UNIX_TYPES.get(typ, "UNKNOWN")
            u["types"][t] = u["types"].get(t, 0) + 1
            if flags & 0x10000:
                u["listening"] += 1
            elif st == 3:
                u["connected"] += 1
            else:
                u["unconnected"] += 1
            if path.startswith(b"@"):
                u["abstract"] += 1
            elif not path:
                u["unnamed"] += 1
            if re.search(rb"\s", path):
                u["path_whitespace"] += 1
            if len(path) >= 100:
                u["path_long"] += 1
            try:
                path.decode("utf-8")
            except UnicodeDecodeError:
                u["path_non_utf8"] += 1
        c["tables"]["unix"] = u["rows"]
    c["unix"] = u

    pids = {}
    for path, target in snap.links.items():
        m = re.fullmatch(r"proc/(\d+)/fd/(\d+)", path)
        sm = re.fullmatch(r"socket:\[(\d+)\]", target)
        if m and sm:
            pids.setdefault(int(m[1]), set()).add(int(sm[1]))
    holders = {}
    for pid, inodes in pids.items():
        for ino in inodes:
            holders.setdefault(ino, set()).add(pid)
    argv0s = []
    for pid in pids:
        cmd = snap.files.get(f"proc/{pid}/cmdline", b"")
        argv0s.append(cmd.split(b"\0", 1)[0])
    p = {"count": len(pids),
         "fd_denied": sum(1 for d, m in snap.dirmodes.items()
                          if re.fullmatch(r"proc/\d+/fd", d) and m == 0),
         "socket_links": sum(len(v) for v in pids.values()),
         "shared_inodes": sum(1 for v in holders.values() if len(v) > 1),
         "identified_inet": len(inet_inodes & holders.keys()),
         "unidentified_inet": len(inet_inodes - holders.keys()),
         "identified_unix": len(unix_inodes & holders.keys()),
         "argv0_long": sum(len(a) > 20 for a in argv0s),
         "argv0_space": sum(b" " in a for a in argv0s),
         "argv0_absolute": sum(a.startswith(b"/") for a in argv0s),
         "argv0_relative_path": sum(b"/" in a and not a.startswith(b"/") for a in argv0s),
         "argv0_empty": sum(a == b"" for a in argv0s)}
    c["processes"] = p
    c["manifest"] = {"present": "netsnap.json" in snap.files,
                     "euid": manifest.get("euid", 0), "byte_order": order}
    return c


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def check(counts, promises):
    have = flatten(counts)
    failures = []
    for key, cond in flatten(promises).items():
        if key.startswith("_"):
            continue  # comments
        value = have.get(key, 0)
        if isinstance(cond, bool) or not isinstance(cond, str):
            ok = value == cond
        else:
            m = re.fullmatch(r"(>=|<=|==|>)\s*(\d+)", cond)
            if m:
                n = int(m[2])
                ok = {">=": value >= n, "<=": value <= n, "==": value == n, ">": value > n}[m[1]]
            else:
                ok = value == cond  # a plain string, e.g. "big"
        if not ok:
            failures.append(f"{key}: have {value}, promised {cond}")
    return failures


def main(argv):
    if len(argv) == 1:
        print(json.dumps(count(Snapshot(argv[0])), indent=1, sort_keys=True))
        return 0
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2]) as fh:
            promises = json.load(fh)
        failures = check(count(Snapshot(argv[0])), promises)
        for f in failures:
            print(f"{argv[0]}: {f}", file=sys.stderr)
        return 1 if failures else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
