#!/usr/bin/env python3
"""Time the wasm build in headless Chromium next to the native CLI on one
thread, on the same snapshot file (issue 5, second part of the benchmark).

Not a test: it prints figures and fails only if it cannot take them, or if
the browser's output differs from the native one.

- browser: a page from disk holding the wasm-bindgen glue (as a classic
  script) and the wasm, with a file input; the snapshot is handed to the
  input, read into a Uint8Array, and `runOnce(bytes, "netstat FLAGS")` (the
  embeddable API's one-shot call: reads what the view needs, as the CLI
  does) is timed with performance.now() around the call, REPEAT times in
  the same page. The output is checked against the native one (length and
  an FNV-1a hash of the bytes).
- native: `NETSNAP_THREADS=1 target/release/netsnap netstat SNAP FLAGS >
  /dev/null`, whole process, wall clock, REPEAT times; also with the default
  threads for reference.

Usage: tests/browser/measure_api.py SNAPSHOT.tar.gz [--flags -tan] [--repeat 5]
Needs target/web/pkg (scripts/build-web.sh) and target/release/netsnap.
"""

import argparse
import base64
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from webdriver import Browser  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
PKG = os.path.join(ROOT, "target", "web", "pkg")
CLI = os.path.join(ROOT, "target", "release", "netsnap")


def package_web():
    spec = importlib.util.spec_from_file_location("package_web", os.path.join(ROOT, "scripts", "package-web.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


PAGE = """<!doctype html>
<meta charset="utf-8">
<title>netsnap runOnce timing</title>
<input type="file" id="f">
<script>%GLUE%</script>
<script>
const WASM = "%WASM%";
const bin = Uint8Array.from(atob(WASM), (c) => c.charCodeAt(0));
initSync({ module: bin });
window.result = null;
function fnv(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
window.bench = async (cmd, rounds) => {
  try {
    const file = document.getElementById("f").files[0];
    const bytes = new Uint8Array(await file.arrayBuffer());
    const times = [];
    let out = null;
    for (let i = 0; i < rounds; i++) {
      out = null;
      const t0 = performance.now();
      out = runOnce(bytes, cmd);
      times.push(performance.now() - t0);
    }
    window.result = { times, len: out.stdout.length, hash: fnv(out.stdout), status: out.status };
  } catch (e) {
    window.result = { error: String(e) };
  }
};
</script>
"""


def fnv(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def native(snap, flags, repeat, threads):
    env = dict(os.environ)
    if threads:
        env["NETSNAP_THREADS"] = str(threads)
    else:
        env.pop("NETSNAP_THREADS", None)
    times = []
    out = b""
    for _ in range(repeat):
        t0 = time.monotonic()
        p = subprocess.run([CLI, "netstat", snap, *flags], stdout=subprocess.DEVNULL, env=env)
        times.append(time.monotonic() - t0)
        if p.returncode != 0:
            sys.exit(f"netsnap exited {p.returncode}")
    out = subprocess.run([CLI, "netstat", snap, *flags], stdout=subprocess.PIPE, env=env).stdout
    return times, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("snapshot")
    ap.add_argument("--flags", default="-tan")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=900)
    opts = ap.parse_args()
    flags = opts.flags.split()
    snap = os.path.abspath(opts.snapshot)
    for need in (os.path.join(PKG, "netsnap_web.js"), CLI):
        if not os.path.exists(need):
            sys.exit(f"{need} does not exist: run scripts/build-web.sh and cargo build --release -p netsnap")

    pw = package_web()
    with open(os.path.join(PKG, "netsnap_web.js"), encoding="utf-8") as f:
        glue = pw.classic_glue(f.read())
    with open(os.path.join(PKG, "netsnap_web_bg.wasm"), "rb") as f:
        wasm = base64.b64encode(f.read()).decode("ascii")
    tmp = tempfile.mkdtemp(prefix="netsnap-measure-api-")
    page = os.path.join(tmp, "bench.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write(PAGE.replace("%GLUE%", glue).replace("%WASM%", wasm))

    one, out = native(snap, flags, opts.repeat, 1)
    both, _ = native(snap, flags, opts.repeat, 0)
    with Browser() as b:
        b.get("file://" + urllib.parse.quote(page))
        b.wait("return typeof window.bench === 'function';", timeout=60)
        b.find("#f").send_keys(snap)
        b.js(f"window.bench({('netstat ' + ' '.join(flags))!r}, {opts.repeat});")
        deadline = time.monotonic() + opts.timeout
        while True:
            res = b.js("return window.result;")
            if res:
                break
            if time.monotonic() > deadline:
                sys.exit("the browser did not finish in time")
            time.sleep(0.05)
        version = b.version
    if "error" in res:
        sys.exit(f"the browser said: {res['error']}")
    same = res["len"] == len(out) and res["hash"] == fnv(out)
    wasm_ms = [t for t in res["times"]]
    med = lambda xs: statistics.median(xs)  # noqa: E731
    print(f"snapshot {snap} ({os.path.getsize(snap):,} bytes), netstat {' '.join(flags)}: {len(out):,} bytes of output")
    print(f"  native, 1 thread:       median {med(one) * 1000:8.1f} ms  (min {min(one) * 1000:.1f}, {len(one)} runs, whole process)")
    print(f"  native, default threads: median {med(both) * 1000:7.1f} ms  (min {min(both) * 1000:.1f})")
    print(f"  wasm in Chromium:       median {med(wasm_ms):8.1f} ms  (min {min(wasm_ms):.1f}, {len(wasm_ms)} runs of runOnce)")
    print(f"  wasm / native 1 thread: {med(wasm_ms) / (med(one) * 1000):.2f}x; output identical: {same}")
    print(f"  headless Chromium {version}; {os.cpu_count()} cores")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
