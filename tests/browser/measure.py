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
    """Best and median wall time of the CLI on path; and its -tan output size."""
    times = []
    size = None
    for _ in range(repeat):
        t0 = time.monotonic()
        p = subprocess.run([CLI, "netstat", path, "-tan"], stdout=subprocess.PIPE, check=True)
        times.append(time.monotonic() - t0)
        size = len(p.stdout)
    return min(times), statistics.median(times), size


JS_LEN = "const e = document.querySelector('#output'); return e ? e.textContent.length : -1;"


def in_browser(b, url, path, want_len, timeout):
    """(load, run, total) seconds for one fresh page; want_len is the -tan output's length."""
    b.get(url)
    b.wait("return document.readyState === 'complete' && document.body.dataset.state === 'empty';", timeout=60)
    b.js("window.__t = []; new MutationObserver(() => window.__t.push(document.body.dataset.state))"
         ".observe(document.body, {attributes: true, attributeFilter: ['data-state']});")
    t0 = time.monotonic()
    b.find("#file-input").send_keys(path)
    deadline = t0 + timeout
    while True:
        st = b.js("return [window.__t.length, document.body.dataset.state];")
        if st[0] and st[1] in ("ready", "error"):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"no load within {timeout}s")
        time.sleep(0.02)
    t_ready = time.monotonic()
    if st[1] != "ready":
        msg = b.js("const e = document.querySelector('#error'); return e && e.textContent;")
        raise RuntimeError(f"the page said error: {msg!r}")
    cmd = b.find("#command")
    cmd.clear()
    cmd.send_keys("netstat -tan")
    t_click = time.monotonic()
    b.find("#run").click()
    while True:
        n = b.js(JS_LEN)
        if n == want_len:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"#output has {n} characters after {timeout}s, expected {want_len}")
        time.sleep(0.02)
    t_done = time.monotonic()
    return t_ready - t0, t_done - t_click, (t_ready - t0) + (t_done - t_click)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sockets", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-big", action="store_true", help="only loopback-many")
    ap.add_argument("--timeout", type=float, default=600)
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
        url = "file://" + urllib.parse.quote(PAGE)
        print()
        print(f"{'snapshot':<18} {'native CLI -tan':>16} {'browser load':>13} {'browser run':>12} {'browser total':>14}  output")
        with Browser() as b:
            for name, path, repeat in inputs:
                best, med, out_len = native(path, max(repeat, 3))
                runs = []
                for _ in range(repeat):
                    # A fresh copy each time: the picker fires no change event for the same file twice.
                    copy = os.path.join(tmp, f"run-{time.monotonic_ns()}.tar.gz")
                    shutil.copyfile(path, copy)
                    try:
                        runs.append(in_browser(b, url, copy, out_len, opts.timeout))
                    except (TimeoutError, RuntimeError) as e:
                        print(f"{name:<18} {best:>15.3f}s  browser: {e}")
                        runs = []
                        break
                    finally:
                        os.remove(copy)
                if runs:
                    load = statistics.median(r[0] for r in runs)
                    run = statistics.median(r[1] for r in runs)
                    total = statistics.median(r[2] for r in runs)
                    print(
                        f"{name:<18} {best:>15.3f}s {load:>12.3f}s {run:>11.3f}s {total:>13.3f}s  "
                        f"{out_len:,} bytes ({total / best:.0f}x native; median of {len(runs)})"
                    )
            print(f"\nheadless Chromium {b.version}; native: best of 3 wall-clock runs to /dev/null; {os.cpu_count()} cores")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
