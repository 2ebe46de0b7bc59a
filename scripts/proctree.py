#!/usr/bin/env python3
"""Helpers of scripts/replay.sh (the oracle); not meant to be run by hand.

  proctree.py find-root DIR
      print the directory inside DIR that holds the snapshot (the one with
      proc/net), or fail.
  proctree.py check ROOT UID
      print warnings about replaying this snapshot (byte order, euid,
      unreadable fd directories); exit 1 if it cannot be replayed here.
  proctree.py build SRC DEST
      copy the snapshot's proc tree SRC into the empty tmpfs DEST so that
      every directory lists its numeric entries in ascending order (as procfs
      does), then verify that order by reading the directories back.
  proctree.py live-only ARG...
      exit 0 if netstat with these arguments would query the running kernel
      instead of files (interface table `-i`, or a `-c` loop), else 1.
"""
import json
import os
import stat
import sys
import tempfile


def die(msg):
    print(f"replay: {msg}", file=sys.stderr)
    sys.exit(1)


def warn(msg):
    print(f"replay: warning: {msg}", file=sys.stderr)


# ---------------------------------------------------------------- find-root

def find_root(top):
    if os.path.isdir(os.path.join(top, "proc", "net")):
        return top
    subdirs = [e for e in sorted(os.listdir(top)) if os.path.isdir(os.path.join(top, e))]
    found = [d for d in subdirs if os.path.isdir(os.path.join(top, d, "proc", "net"))]
    if len(found) == 1:
        return os.path.join(top, found[0])
    die(f"no proc/net directory in {top} (nor in exactly one subdirectory of it)")


# ---------------------------------------------------------------- check

def check(root, uid):
    manifest = {}
    path = os.path.join(root, "netsnap.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    else:
        warn("no netsnap.json: assuming a little-endian source, USER_HZ 100, euid 0")
    host_order = sys.byteorder
    order = manifest.get("byte_order", "little")
    if order != host_order:
        die(f"snapshot byte order is {order}, this host is {host_order}: the real netstat "
            "would decode its addresses wrongly, so it cannot serve as the oracle here")
    hz = manifest.get("user_hz", 100)
    if hz != os.sysconf("SC_CLK_TCK"):
        warn(f"snapshot USER_HZ {hz} differs from this host's; -o timers will differ")
    euid = manifest.get("euid", 0)
    want = int(uid) if uid != "" else 0
    if euid != want:
        warn(f"snapshot was taken with euid {euid} but the replay runs as uid {want}")
    denied = []
    proc = os.path.join(root, "proc")
    for name in os.listdir(proc):
        fd = os.path.join(proc, name, "fd")
        if name.isdigit() and os.path.isdir(fd) and stat.S_IMODE(os.lstat(fd).st_mode) == 0:
            denied.append(int(name))
    if denied and want == 0:
        warn(f"{len(denied)} fd directories were unreadable to the collector but root reads "
             "them anyway: replay with --uid to reproduce netstat's permission messages")


# ---------------------------------------------------------------- build

def numeric_key(name):
    return (0, int(name), "") if name.isdigit() else (1, 0, name)


def probe_order(dest):
    """Return True if this tmpfs lists entries in reverse creation order."""
    probe = tempfile.mkdtemp(dir=dest)
    for name in ("1", "2", "3"):
        os.mkdir(os.path.join(probe, name))
    listed = os.listdir(probe)
    for name in ("1", "2", "3"):
        os.rmdir(os.path.join(probe, name))
    os.rmdir(probe)
    if listed == ["3", "2", "1"]:
        return True
    if listed == ["1", "2", "3"]:
        return False
    die(f"tmpfs lists entries in neither creation order nor its reverse: {listed}")


def copy_tree(src, dest, reverse, late_modes):
    """Copy directory src into the existing directory dest."""
    names = sorted(os.listdir(src), key=numeric_key)
    for name in (reversed(names) if reverse else names):
        s = os.path.join(src, name)
        d = os.path.join(dest, name)
        st = os.lstat(s)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(s), d)
        elif stat.S_ISDIR(st.st_mode):
            os.mkdir(d, 0o755)
            if mode & 0o500 == 0o500:
                copy_tree(s, d, reverse, late_modes)
            elif mode != 0:
                die(f"{s}: directory mode {mode:o} is neither 0000 nor readable")
            # Mode 0000 marks an fd directory the collector could not read; any other
            # directory becomes world-readable, as procfs directories are.
            late_modes.append((d, 0 if mode == 0 else 0o555))
        elif stat.S_ISREG(st.st_mode):
            with open(s, "rb") as fh:
                data = fh.read()
            with open(d, "wb") as fh:
                fh.write(data)
            os.chmod(d, 0 if mode == 0 else 0o444)
        else:
            warn(f"{s}: not a file, directory or symlink; skipped")


def verify(dest):
    """Check that every directory lists numeric entries in ascending order."""
    checked = 0
    for dirpath, dirnames, _ in os.walk(dest):
        listed = [n for n in os.listdir(dirpath) if n.isdigit()]
        if listed != sorted(listed, key=int):
            die(f"{dirpath}: readdir order is not ascending: {listed[:10]}")
        checked += 1
    return checked


def build(src, dest):
    if os.listdir(dest):
        die(f"{dest} is not empty")
    reverse = probe_order(dest)
    late_modes = []
    copy_tree(src, dest, reverse, late_modes)
    # Directory modes last (deepest first), so mode 0000 does not stop the copy.
    verify(dest)
    for path, mode in reversed(late_modes):
        os.chmod(path, mode)
    os.chmod(dest, 0o555)


# ---------------------------------------------------------------- live-only

SHORT = set("ACFMacdeghilnNoprsStuUvVWwx2f64?Z")
LONG = ["route", "interfaces", "groups", "statistics", "masquerade", "verbose", "wide",
        "numeric", "numeric-hosts", "numeric-ports", "numeric-users", "symbolic", "extend",
        "programs", "timers", "continuous", "listening", "all", "fib", "cache", "context",
        "tcp", "udp", "udplite", "sctp", "raw", "unix", "l2cap", "rfcomm", "protocol",
        "inet", "ip", "tcpip", "inet6", "ipx", "ax25", "x25", "netrom", "rose", "ddp",
        "appletalk", "bluetooth", "help", "version"]
LONG_LETTER = {"route": "r", "interfaces": "i", "statistics": "s", "masquerade": "M",
               "continuous": "c", "help": "h", "version": "V"}


def live_only(args):
    """Approximate netstat's getopt loop; True if the run would ask the kernel."""
    count = {c: 0 for c in "irsMc"}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            name = arg[2:].split("=", 1)[0]
            matches = [o for o in LONG if o.startswith(name)] if name else []
            if name in LONG:
                matches = [name]
            if len(matches) != 1:
                return False  # usage error before any mode runs
            if matches[0] == "protocol" and "=" not in arg:
                i += 1
            letter = LONG_LETTER.get(matches[0])
            if letter in ("h", "V"):
                return False
            if letter:
                count[letter] += 1
        elif arg.startswith("-") and len(arg) > 1:
            for pos, c in enumerate(arg[1:], 1):
                if c not in SHORT or c in "?hV":
                    return False  # usage error, help or version: exits at once
                if c == "A":
                    if pos == len(arg) - 1:
                        i += 1
                    break
                if c in count:
                    count[c] += 1
    modes = count["i"] + count["r"] + count["s"] + count["M"]
    if modes > 1:
        return False  # usage error
    loops = count["c"] > 0 and count["s"] == 0 and not os.environ.get("NETSNAP_REPLAY_ONE_ROUND")
    return count["i"] == 1 or loops


def main(argv):
    if len(argv) == 2 and argv[0] == "find-root":
        print(find_root(argv[1]))
    elif len(argv) == 3 and argv[0] == "check":
        check(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == "build":
        build(argv[1], argv[2])
    elif argv[:1] == ["live-only"]:
        return 0 if live_only(argv[1:]) else 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
