#!/usr/bin/env python3
"""Writes fixtures/broken/: damaged snapshots (what no collector writes) and
what netsnap must answer for each.

  make-broken.py FIXTURES_DIR        (as root: replays the real netstat)

Every case is made from fixtures/server/snapshot.tar.gz. For each, the
script writes the damaged input (fixtures/broken/<name>.<ext>) and, in
fixtures/broken/cases.json, the command, and what netsnap must print:

- `error`: the message when nothing can be shown (exit status 2; the CLI
  prints `netsnap: <path>: <error>`); `wasm_error` when the API's differs.
- `diagnostics`: netsnap's own findings, in order (the CLI prints each as
  `netsnap: <diagnostic>` after netstat's stderr); written here by hand.
- `expected`: what netstat prints for the data a correct reader takes from
  the damaged input (the "effective tree": the entries that can be read, the
  last copy of a path met twice, …), recorded with the REAL netstat
  (scripts/replay.sh on that tree) into fixtures/broken/expected/.
- `status`: the CLI's exit status: netstat's, or 3 when netstat's is 0 and
  there are diagnostics, or 2 with an error.
- `ss`: the same input through `netsnap ss`, one entry per command line of
  SS_LINES (`-tanp`, `-s`: both read the whole archive, processes included,
  so netsnap's findings are the case's `diagnostics`): `args` (the whole
  command line after `netsnap`, with the limit flags of the case), `status`
  (ss's, or 3 when ss's is 0 and there are diagnostics, or 2 with the case's
  `error`), `diagnostics`, and `expected`: what the REAL ss printed for the
  effective tree (scripts/replay.sh --tool ss), in fixtures/broken/expected-ss/.
"""
import copy
import gzip
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MTIME = 1764300000
# The ss command lines every broken input is also run with.
SS_LINES = (["-tanp"], ["-s"])


def members(src):
    """(TarInfo, bytes-or-None) of every entry of the server snapshot."""
    out = []
    with tarfile.open(src, "r:gz") as t:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isfile() else None
            out.append((m, data))
    return out


def tar_bytes(entries, fmt=tarfile.GNU_FORMAT, end=True):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for m, data in entries:
            t.addfile(m, io.BytesIO(data) if data is not None else None)
    raw = buf.getvalue()
    if not end:
        raw = raw.rstrip(b"\0")
        raw += b"\0" * ((-len(raw)) % 512)
    return raw


def gz(raw):
    return gzip.compress(raw, 6, mtime=0)


def tree(entries, root):
    """The effective tree: what a correct reader takes from `entries`."""
    for m, data in entries:
        p = os.path.join(root, m.name)
        if m.isdir():
            os.makedirs(p, exist_ok=True)
            os.chmod(p, m.mode)
        elif m.issym():
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if os.path.lexists(p):
                os.remove(p)
            os.symlink(m.linkname, p)
        elif m.isfile():
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)


def file_entry(name, data, like=None):
    m = copy.copy(like) if like is not None else tarfile.TarInfo(name)
    m.name = name
    m.size = len(data)
    m.type = tarfile.REGTYPE
    m.mtime = MTIME
    return (m, data)


def header_offset(entries, index):
    """Byte offset of entry `index`'s header in tar_bytes(entries)."""
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(entries)), mode="r:") as t:
        return t.getmembers()[index].offset


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    fixtures = sys.argv[1]
    src = os.path.join(fixtures, "server", "snapshot.tar.gz")
    out = os.path.join(fixtures, "broken")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "expected"))
    os.makedirs(os.path.join(out, "expected-ss"))
    base = members(src)
    names = [m.name for m, _ in base]
    idx = {n: i for i, n in enumerate(names)}
    raw = tar_bytes(base)
    good_gz = gz(raw)
    cases = []
    trees = {}

    def case(name, data, args, *, status, error=None, wasm_error=None, diagnostics=(), effective=None, ext="tar.gz"):
        fname = f"{name}.{ext}"
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)
        c = {"name": name, "file": fname, "args": args, "status": status}
        if error:
            c["error"] = error
            if wasm_error:
                c["wasm_error"] = wasm_error
        c["diagnostics"] = list(diagnostics)
        if effective is not None:
            c["expected"] = f"expected/{name}"
            trees[name] = (effective, args)
        cases.append(c)

    without = lambda *drop: [e for e in base if e[0].name not in drop]  # noqa: E731
    not_archive = "not a snapshot: the input is neither a gzip-compressed nor a plain tar archive"
    not_snapshot = "not a snapshot: the archive holds no netsnap.json and no proc/net file"

    # --- not archives at all
    case("empty", b"", ["-tan"], status=2, error=not_archive)
    case("text", b"this is not a snapshot\n" * 3, ["-tan"], status=2, error=not_archive, ext="txt")
    rnd = random.Random(6).randbytes(4096)
    case("random", rnd, ["-tan"], status=2, error=not_archive, ext="bin")
    case("gzip-header-only", good_gz[:10], ["-tan"], status=2,
         error="damaged archive: no entry could be read: the gzip stream ends before any tar data")
    case("gzip-of-text", gzip.compress(b"this is not a tar archive\n" * 40, 6, mtime=0), ["-tan"], status=2,
         error="damaged archive: no entry could be read: bad header checksum at byte 0 of the tar stream")
    case("empty-tar", gz(b"\0" * 10240), ["-tan"], status=2, error=not_snapshot)
    readme = file_entry("README", b"hello\n")
    case("unrelated-tar", gz(tar_bytes([readme])), ["-tan"], status=2, error=not_snapshot)
    plain = bytearray(raw)
    plain[148] ^= 0x01  # the first header's checksum
    case("plain-bad-first-checksum", bytes(plain), ["-tan"], status=2, error=not_archive, ext="tar")

    # --- limits (CLI flags; the API has none)
    bomb_entries = base[:3] + [file_entry("proc/net/padding", b"\0" * (8 << 20))] + base[3:]
    case("bomb", gz(tar_bytes(bomb_entries)), ["--max-decompressed", "1M", "netstat", "-tanp"], status=2,
         error="limit exceeded: decompressed size (1048576); raise it with --max-decompressed")
    case("too-many-entries", good_gz, ["--max-entries", "10", "netstat", "-tanp"], status=2,
         error="limit exceeded: number of entries (10); raise it with --max-entries")
    case("entry-too-big", good_gz, ["--max-entry-size", "1K", "netstat", "-tanp"], status=2,
         error="limit exceeded: size of one entry (1024); raise it with --max-entry-size")
    case("line-too-long", good_gz, ["--max-line", "64", "netstat", "-tanp"], status=2,
         error="limit exceeded: line length (64); raise it with --max-line")
    case("memory", good_gz, ["--max-memory", "4K", "netstat", "-tanp"], status=2,
         error="limit exceeded: memory for the snapshot (4096); raise it with --max-memory")

    # --- truncated and corrupt streams
    tcp_at = header_offset(base, idx["proc/net/tcp"])
    cut = tcp_at + 512 + 1000
    tcp_data = base[idx["proc/net/tcp"]][1]
    part = base[: idx["proc/net/tcp"]] + [file_entry("proc/net/tcp", tcp_data[:1000], base[idx["proc/net/tcp"]][0])]
    case("tar-cut-in-tcp", raw[:cut], ["-tan"], status=3, ext="tar",
         diagnostics=[f"proc/net/tcp: content truncated after 1000 of {len(tcp_data)} bytes: the archive ends in the middle of an entry"],
         effective=part)
    # A gzip stream cut in half: the entries before the cut, the one it
    # cuts as far as it inflates, and no processes (-p shows `-`).
    half = good_gz[: len(good_gz) // 2]
    with gzip.GzipFile(fileobj=io.BytesIO(half)) as g:
        got = b""
        try:
            while True:
                chunk = g.read(1)
                if not chunk:
                    break
                got += chunk
        except (EOFError, OSError):
            pass
    eff, pos = [], 0
    cut_note = None
    for m, data in base:
        size = len(data) if data is not None else 0
        start = pos + 512
        if start > len(got):
            break
        if data is not None and start + size > len(got):
            have = got[start:]
            eff.append(file_entry(m.name, have, m))
            cut_note = f"{m.name}: content truncated after {len(have)} of {size} bytes: incomplete deflate stream"
            break
        eff.append((m, data))
        pos = start + size + ((-size) % 512)
    case("gzip-cut-in-half", half, ["-tanp"], status=3, diagnostics=[cut_note], effective=eff)
    upto = idx["proc/net/tcp6"] + 1
    boundary = header_offset(base, upto)
    case("tar-cut-at-entry", raw[:boundary], ["-tan"], status=0, ext="tar", effective=base[:upto])
    case("gzip-trailing-garbage", good_gz + b"garbage after the stream" * 10, ["-tanp"], status=0, effective=base)
    bad = bytearray(raw)
    udp_at = header_offset(base, idx["proc/net/udp"])
    bad[udp_at + 148] ^= 0x01
    case("bad-checksum-middle", gz(bytes(bad)), ["-tanp"], status=3,
         diagnostics=[f"archive: reading stopped after {idx['proc/net/udp']} entries: bad header checksum at byte {udp_at} of the tar stream"],
         effective=base[: idx["proc/net/udp"]])

    # --- paths
    tcp_m, _ = base[idx["proc/net/tcp"]]
    dup_rows = tcp_data.splitlines(keepends=True)
    second = b"".join(dup_rows[:-1])
    after_tcp = idx["proc/net/tcp"] + 1
    dup = base[:after_tcp] + [file_entry("proc/net/tcp", second, tcp_m)] + base[after_tcp:]
    case("duplicate-tcp", gz(tar_bytes(dup)), ["-tan"], status=3,
         diagnostics=["proc/net/tcp: the archive holds this path more than once: the last one is used"],
         effective=[e for e in base if e[0].name != "proc/net/tcp"] + [file_entry("proc/net/tcp", second, tcp_m)])
    for name, bad_name, why in (
        ("absolute-path", "/proc/net/tcp", "absolute entry name"),
        ("dotdot-path", "proc/net/../net/tcp", "entry name with `..`"),
    ):
        ents = [(copy.copy(m), d) for m, d in base]
        ents[idx["proc/net/tcp"]][0].name = bad_name
        n = idx["proc/net/tcp"] + 1
        case(name, gz(tar_bytes(ents)), ["-tan"], status=1,
             diagnostics=[f"archive: entry {n} skipped: {why}: {bad_name}"],
             effective=without("proc/net/tcp"))
    ents = [(copy.copy(m), d) for m, d in base]
    ents[idx["proc/net/tcp"]][0].name = "proc/net/\udcff"
    n = idx["proc/net/tcp"] + 1
    case("non-utf8-name", gz(tar_bytes(ents, fmt=tarfile.GNU_FORMAT).replace(b"proc/net/\xef\xbf\xbd", b"proc/net/\xff")),
         ["-tan"], status=1,
         diagnostics=[f"archive: entry {n} skipped: entry name is not UTF-8: proc/net/\ufffd"],
         effective=without("proc/net/tcp"))

    # --- entry kinds
    def kind_case(name, path, make, what, status, args=("-tan",)):
        ents = [(copy.copy(m), d) for m, d in base]
        i = idx[path]
        m = ents[i][0]
        make(m)
        m.size = 0
        ents[i] = (m, None)
        case(name, gz(tar_bytes(ents)), list(args), status=status,
             diagnostics=[f"{path}: {what}: ignored"], effective=without(path))

    def to_sym(m):
        m.type, m.linkname = tarfile.SYMTYPE, "/etc/passwd"

    def to_hard(m):
        m.type, m.linkname = tarfile.LNKTYPE, "netsnap.json"

    def to_chr(m):
        m.type, m.devmajor, m.devminor = tarfile.CHRTYPE, 1, 3

    def to_fifo(m):
        m.type = tarfile.FIFOTYPE

    def to_dir(m):
        m.type, m.mode = tarfile.DIRTYPE, 0o755

    kind_case("symlink-tcp", "proc/net/tcp", to_sym, "a symbolic link where the collector writes none", 1)
    kind_case("hardlink-tcp", "proc/net/tcp", to_hard, "a hard link, device or fifo, which the collector never writes", 1)
    kind_case("chardev-tcp6", "proc/net/tcp6", to_chr, "a hard link, device or fifo, which the collector never writes", 3)
    kind_case("fifo-tcp6", "proc/net/tcp6", to_fifo, "a hard link, device or fifo, which the collector never writes", 3)
    kind_case("dir-tcp6", "proc/net/tcp6", to_dir, "a directory where the collector writes a file", 3)
    fd_name = next(n for n in names if "/fd/" in n)
    ents = [(copy.copy(m), d) for m, d in base]
    i = idx[fd_name]
    ents[i] = file_entry(fd_name, b"socket:[1]\n", ents[i][0])
    case("fd-link-as-file", gz(tar_bytes(ents)), ["-tanp"], status=3,
         diagnostics=[f"{fd_name}: a regular file where the collector writes a symbolic link: ignored"],
         effective=without(fd_name))
    i = idx[fd_name]
    dup = base[: i + 1] + [base[i]] + base[i + 1:]
    case("duplicate-fd-link", gz(tar_bytes(dup)), ["-tanp"], status=3,
         diagnostics=["archive: 1 fd links appear more than once: one of each is used"], effective=base)

    # --- missing files
    case("no-tcp6", gz(tar_bytes(without("proc/net/tcp6"))), ["-tan"], status=0, effective=without("proc/net/tcp6"))
    nofd = [e for e in base if "/fd/" not in e[0].name]
    case("no-fd-links", gz(tar_bytes(nofd)), ["-tanp"], status=0, effective=nofd)
    case("no-tcp", gz(tar_bytes(without("proc/net/tcp"))), ["-tan"], status=1, effective=without("proc/net/tcp"))

    # --- manifests
    ents = [(copy.copy(m), d) for m, d in base]
    ents[idx["netsnap.json"]] = file_entry("netsnap.json", b"{broken", ents[idx["netsnap.json"]][0])
    case("manifest-not-json", gz(tar_bytes(ents)), ["-tan"], status=3,
         diagnostics=["netsnap.json:1: unreadable manifest, using defaults: key must be a string at line 1 column 2"],
         effective=base)
    ents = [(copy.copy(m), d) for m, d in base]
    ents[idx["netsnap-end.json"]] = file_entry("netsnap-end.json", b"[1, 2", ents[idx["netsnap-end.json"]][0])
    case("end-manifest-not-json", gz(tar_bytes(ents)), ["-tanp"], status=3,
         diagnostics=["netsnap-end.json:1: unreadable closing manifest: invalid type: integer `1`, expected a string at line 1 column 2"],
         effective=base)

    # The real netstat and the real ss on each effective tree.
    ss_status = {}
    for name, (effective, args) in trees.items():
        flags = args[args.index("netstat") + 1:] if "netstat" in args else args
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "tree")
            os.makedirs(root)
            tree(effective, root)
            rec = os.path.join(tmp, "out")
            subprocess.run([os.path.join(HERE, "replay.sh"), root, rec], input=(" ".join(flags) + "\n").encode(),
                           check=True, stdout=subprocess.DEVNULL)
            slug = [f for f in os.listdir(rec) if f.endswith(".args")][0][:-5]
            for ext in ("stdout", "stderr", "status"):
                shutil.copy(os.path.join(rec, f"{slug}.{ext}"), os.path.join(out, "expected", f"{name}.{ext}"))
            rec_ss = os.path.join(tmp, "out-ss")
            lines = "".join(" ".join(line) + "\n" for line in SS_LINES)
            subprocess.run([os.path.join(HERE, "replay.sh"), "--tool", "ss", root, rec_ss], input=lines.encode(),
                           check=True, stdout=subprocess.DEVNULL)
            for line in SS_LINES:
                slug = subprocess.run([sys.executable, os.path.join(HERE, "slug.py"), "--"] + line,
                                      check=True, capture_output=True, text=True).stdout.strip()
                for ext in ("stdout", "stderr", "status"):
                    shutil.copy(os.path.join(rec_ss, f"{slug}.{ext}"),
                                os.path.join(out, "expected-ss", f"{name}_{slug}.{ext}"))
                with open(os.path.join(rec_ss, f"{slug}.status")) as f:
                    ss_status[(name, slug)] = int(f.read())

    # Every case through netsnap ss as well.
    for c in cases:
        before = c["args"][: c["args"].index("netstat")] if "netstat" in c["args"] else []
        c["ss"] = []
        for line in SS_LINES:
            slug = subprocess.run([sys.executable, os.path.join(HERE, "slug.py"), "--"] + line,
                                  check=True, capture_output=True, text=True).stdout.strip()
            e = {"args": before + ["ss"] + line, "diagnostics": c["diagnostics"]}
            if "error" in c:
                e["status"] = 2
            else:
                status = ss_status[(c["name"], slug)]
                e["status"] = 3 if status == 0 and c["diagnostics"] else status
                e["expected"] = f"expected-ss/{c['name']}_{slug}"
            c["ss"].append(e)

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"make-broken: {len(cases)} cases in {out}")


if __name__ == "__main__":
    main()
