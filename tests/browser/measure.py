#!/usr/bin/env python3
"""Print how fast the netsnap page is in headless Chromium, next to the native CLI.

Not a test: it prints figures and fails only if it cannot take them.

- The single-file page's size (target/web/netsnap.html, raw and gzipped).
- For fixtures/loopback-many (the largest fixture, 6003 sockets) and for a
  synthetic snapshot with 1,000,000 TCP sockets (made here: proc/net/tcp in
  the kernel's format, an etc/ directory, tar.gz'd): the time from handing the
  file to #file-input to #output holding the whole `netstat -tan` output,
  split into load (file picked -> state "ready") and run (#run clicked ->
  #output filled), in the page from disk; and the native
  `target/release/netsnap netstat FILE -tan > /dev/null` on the same file.

Usage: tests/browser/measure.py [--sockets N] [--repeat R] [--skip-big] [--served]
Needs target/web/netsnap.html (scripts/build-web.sh; scripts/package-web.py)
and builds target/release/netsnap if it is missing.
"""

import argparse
import gzip
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from webdriver import Browser  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
PAGE = os.path.join(ROOT, "target", "web", "netsnap.html")
CLI = os.path.join(ROOT, "target", "release", "netsnap")
LOOPBACK = os.path.join(ROOT, "fixtures", "loopback-many", "snapshot.tar.gz")

TCP_HEADER = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
).ljust(149) + "\n"
TCP6_HEADER = (
    "  sl  local_address                         remote_address                        st tx_queue rx_queue"
    " tr tm->when retrnsmt   uid  timeout inode\n"
)


def make_big_snapshot(path, n):
    """A snapshot whose proc/net/tcp has n rows (kernel format, 149 columns and a newline)."""
    rows = [TCP_HEADER]
    for i in range(n):
        # 127.0.k.1:port -> 127.0.0.1:5000, established; unique address pairs and inodes.
        # The kernel prints the address as the 32-bit word it stores, little-endian here.
        k, port = i // 60000, 1024 + i % 60000
        laddr = f"{1 << 24 | k << 16 | 0x7F:08X}"
        row = (
            f"{i:4d}: {laddr}:{port:04X} 0100007F:1388 01 00000000:00000000 00:00000000 00000000"
            f"     0        0 {300000 + i} 1 {0xFFFF888000000000 + i * 64:016x} 20 4 30 10 -1"
        )
        rows.append(row.ljust(149) + "\n")
    tcp = "".join(rows).encode()
    with tarfile.open(LOOPBACK, "r:gz") as src:
        etc = {m.name: src.extractfile(m).read() for m in src if m.isfile() and m.name.startswith("etc/")}
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:

        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1795000000
            tar.addfile(info, io.BytesIO(data))

        add("proc/net/tcp", tcp)
        add("proc/net/tcp6", TCP6_HEADER.encode())
        for name, data in sorted(etc.items()):
            add(name, data)
    return len(tcp)


def native(path, repeat):
    """Best and median wall time of the CLI on path (stdout to /dev/null); and its -tan output."""
    times = []
    for _ in range(repeat):
        t0 = time.monotonic()
        subprocess.run([CLI, "netstat", path, "-tan"], stdout=subprocess.DEVNULL, check=True)
        times.append(time.monotonic() - t0)
    out = subprocess.run([CLI, "netstat", path, "-tan"], stdout=subprocess.PIPE, check=True).stdout
    return min(times), statistics.median(times), out


JS_PROGRESS = r"""
const o = document.querySelector('#output');
return [window.__t.length, document.body.dataset.state || '', document.body.dataset.running || '',
        o ? o.textContent.length : -1, !!document.querySelector('#output-cut'),
        o ? (o.dataset.command || '') : ''];
"""


def in_browser(b, url, path, want, timeout):
    """(load, first output, total) seconds on a fresh page, from handing path to
    #file-input: until state "ready", and until #output holds `netstat -tan`.

    The page runs its default command when a snapshot opens; when that is
    not `netstat -tan`, the command is typed and run (and timed) after the
    load. A page that shows only the head of a long output (#output-cut)
    counts as filled when the head is there.
    """
    b.get(url)
    b.wait("return document.readyState === 'complete' && document.body.dataset.state === 'empty';", timeout=60)
    b.js("window.__t = []; new MutationObserver(() => window.__t.push(document.body.dataset.state))"
         ".observe(document.body, {attributes: true, attributeFilter: ['data-state']});")
    t0 = time.monotonic()
    b.find("#file-input").send_keys(path)
    deadline = t0 + timeout
    t_ready = None
    typed = False
    while True:
        changes, state, running, n, cut, command = b.js(JS_PROGRESS)
        now = time.monotonic()
        if changes and state == "error":
            msg = b.js("const e = document.querySelector('#error'); return e && e.textContent;")
            raise RuntimeError(f"the page said error: {msg!r}")
        if changes and state == "ready" and t_ready is None:
            t_ready = now
        if t_ready is not None and running != "true":
            if command in ("", "netstat -tan") and n > 0 and (n == len(want) or cut):
                break
            if not typed and n >= 0 and command not in ("", "netstat -tan"):
                cmd = b.find("#command")
                cmd.clear()
                cmd.send_keys("netstat -tan")
                b.find("#run").click()
                typed = True
        if now > deadline:
            raise TimeoutError(f"#output has {n} characters after {timeout}s (state {state!r}), expected {len(want)}")
        time.sleep(0.01)
    t_done = time.monotonic()
    head = b.js("return document.querySelector('#output').textContent.slice(0, 2000);")
    if not want.startswith(head):
        raise RuntimeError("#output does not start with what the CLI prints")
    return t_ready - t0, t_done - t0, cut


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sockets", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-big", action="store_true", help="only loopback-many")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--url", help="measure this page instead of file://.../target/web/netsnap.html")
    opts = ap.parse_args()

    if not os.path.exists(PAGE):
        sys.exit(f"{PAGE} does not exist: run scripts/build-web.sh and scripts/package-web.py")
    if not os.path.exists(CLI):
        subprocess.run(["cargo", "build", "--release", "-p", "netsnap", "--bin", "netsnap"], cwd=ROOT, check=True)

    raw = os.path.getsize(PAGE)
    with open(PAGE, "rb") as f:
        gz = len(gzip.compress(f.read(), 9))
    print(f"single-file page target/web/netsnap.html: {raw:,} bytes ({raw / 2**20:.2f} MiB); gzip -9: {gz:,} bytes")

    tmp = tempfile.mkdtemp(prefix="netsnap-measure-")
    try:
        inputs = [("loopback-many", LOOPBACK, opts.repeat)]
        if not opts.skip_big:
            big = os.path.join(tmp, f"tcp-{opts.sockets}.tar.gz")
            t0 = time.monotonic()
            size = make_big_snapshot(big, opts.sockets)
            print(
                f"synthetic snapshot: {opts.sockets:,} TCP sockets, proc/net/tcp {size:,} bytes, "
                f"tar.gz {os.path.getsize(big):,} bytes (made in {time.monotonic() - t0:.1f}s)"
            )
            inputs.append((f"{opts.sockets:,} sockets", big, 1))
        url = opts.url or "file://" + urllib.parse.quote(PAGE)
        print()
        print(f"page: {url}")
        print(f"{'snapshot':<18} {'native CLI -tan':>16} {'browser load':>13} {'+ output':>12} {'browser total':>14}  output")
        with Browser() as b:
            for name, path, repeat in inputs:
                best, med, stdout = native(path, max(repeat, 3))
                want = stdout.decode("utf-8", "replace")
                runs = []
                for _ in range(repeat):
                    # A fresh copy each time, under a new name.
                    copy = os.path.join(tmp, f"run-{time.monotonic_ns()}.tar.gz")
                    shutil.copyfile(path, copy)
                    try:
                        runs.append(in_browser(b, url, copy, want, opts.timeout))
                    except (TimeoutError, RuntimeError) as e:
                        print(f"{name:<18} {best:>15.3f}s  browser: {e}")
                        runs = []
                        break
                    finally:
                        os.remove(copy)
                if runs:
                    load = statistics.median(r[0] for r in runs)
                    total = statistics.median(r[1] for r in runs)
                    shown_note = "; the page shows its head, Download has it all" if runs[0][2] else ""
                    print(
                        f"{name:<18} {best:>15.3f}s {load:>12.3f}s {total - load:>11.3f}s {total:>13.3f}s  "
                        f"{len(stdout):,} bytes ({total / best:.0f}x native; median of {len(runs)}{shown_note})"
                    )
            print(
                f"\nheadless Chromium {b.version}, page from disk unless --url; load = file handed to #file-input"
                " until body[data-state=ready]; + output = until #output holds netstat -tan (0 when the page runs"
                f" it while opening); native: best of 3 wall-clock runs to /dev/null; {os.cpu_count()} cores"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
