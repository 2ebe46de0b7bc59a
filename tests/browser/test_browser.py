#!/usr/bin/env python3
"""Browser tests: the netsnap page in headless Chromium, against recorded netstat and ss output.

Two targets, the same checks on each:
- `file`: the single-file page opened from disk, file://.../target/web/netsnap.html;
- `served`: target/web/site served by scripts/serve-web.sh on 127.0.0.1.

For each target: the page loads with a CSP meta tag and state "empty"; each
fixture is opened through the file picker (#file-input) and through a synthetic
drop on #drop-zone; netstat and ss commands typed into #command give, through
#download (ss: named ss-tan.txt and so on), exactly the recorded stdout, and in
#output / #stderr / #status what the page shows of it; an ss line gets ss's
flag toggles; the connections table sorts and filters as the recorded
`-an` listing says; broken archives end in state "error" with #error shown, and
a good file loads after them; and no network request is made after the page
has loaded (chromedriver's performance log for the page, plus a recording
proxy that all the browser's traffic goes through, for workers).

Usage: tests/browser/test_browser.py [--target file|served] [-k SUBSTRING] [--keep]
Prints one line per check and ends with "browser: N passed, N failed".
Exit status 0 only when every check passed.
"""

import argparse
import base64
import collections
import ipaddress
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from netguard import Guard  # noqa: E402
from webdriver import Browser, free_port, wait_for_http  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(ROOT, "fixtures")
PAGE = os.path.join(ROOT, "target", "web", "netsnap.html")
SITE = os.path.join(ROOT, "target", "web", "site")
SERVE = os.path.join(ROOT, "scripts", "serve-web.sh")

# The fixtures and, for each, the recorded cases run through the page
# (slugs under fixtures/<name>/expected/ or expected-views/).
CASES = {
    "server": ["-tan", "-an", "-anp", "-tanpeo", "-uan", "-x", "_noargs", "-A_inet,unix", "--bogus", "-rn", "-s"],
    "unix": ["-an", "-xa", "-xanp", "-l", "-tan"],
    "procs": ["-tanp", "-anp", "-tulpn", "-an"],
    "loopback-many": ["-tan", "-tanpeo", "-tn6", "-l"],
}
LARGEST = "loopback-many"
# ss command lines typed into the same box (slugs under fixtures/<name>/expected-ss/,
# recorded with the real ss 6.1): the first ss command makes the worker read the
# snapshot's bytes again, without processes for -tan and with them for -tanp.
SS_CASES = {
    "server": ["-tan", "-tanp", "-s", "-tan_state_established", "-xa"],
    "procs": ["-tan_state_established", "-tanp", "-xa", "-tlnp", "-s"],
}

# Scripts run in the page.

# Record every change of body[data-state] from now on in window.__nsStates.
JS_WATCH_STATE = r"""
window.__nsStates = [];
if (window.__nsObserver) window.__nsObserver.disconnect();
window.__nsObserver = new MutationObserver(recs => {
  for (const r of recs) window.__nsStates.push(document.body.dataset.state || '');
});
window.__nsObserver.observe(document.body, {attributes: true, attributeFilter: ['data-state']});
"""
JS_STATES = "return [window.__nsStates || [], document.body.dataset.state || ''];"

# Length (UTF-16 code units) and a 32-bit rolling hash of an element's textContent.
JS_TEXT_SIG = r"""
const el = document.querySelector(arguments[0]);
if (!el) return null;
const s = el.textContent;
let h = 0;
for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) >>> 0;
return [s.length, h];
"""
# Record changes of body[data-running] ("true" while a command runs) from now on.
JS_WATCH_RUN = r"""
window.__nsRuns = [];
if (window.__nsRunObs) window.__nsRunObs.disconnect();
window.__nsRunObs = new MutationObserver(rs => { for (const r of rs) window.__nsRuns.push(document.body.dataset.running); });
window.__nsRunObs.observe(document.body, {attributes: true, attributeFilter: ['data-running']});
"""
JS_RUNS = "return [window.__nsRuns || [], document.body.dataset.running === undefined ? null : document.body.dataset.running];"
JS_TEXT = "const el = document.querySelector(arguments[0]); return el ? el.textContent : null;"

JS_DROP = r"""
const [zone, b64, name] = arguments;
const bin = atob(b64);
const bytes = new Uint8Array(bin.length);
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
const file = new File([bytes], name, {type: 'application/gzip'});
const dt = new DataTransfer();
dt.items.add(file);
const results = [];
for (const type of ['dragenter', 'dragover', 'drop']) {
  const ev = new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt});
  results.push(zone.dispatchEvent(ev));
}
return results;
"""

def js_sig(text):
    """What JS_TEXT_SIG returns for this Python string."""
    units = text.encode("utf-16-le")
    h = 0
    for i in range(0, len(units), 2):
        h = (h * 31 + (units[i] | units[i + 1] << 8)) & 0xFFFFFFFF
    return [len(units) // 2, h]


class Case:
    def __init__(self, fixture, slug, tool="netstat"):
        self.tool = tool
        for sub in ("expected-ss",) if tool == "ss" else ("expected", "expected-views"):
            d = os.path.join(FIXTURES, fixture, sub)
            if os.path.exists(os.path.join(d, slug + ".args")):
                break
        else:
            raise FileNotFoundError(f"fixtures/{fixture}: no recorded case {slug}")
        self.fixture, self.slug = fixture, slug

        def read(ext):
            with open(os.path.join(d, f"{slug}.{ext}"), "rb") as f:
                return f.read()

        self.args = [a for a in read("args").decode().split("\n") if a != ""]
        self.stdout = read("stdout")
        self.stderr = read("stderr")
        self.status = int(read("status").decode().strip())

    @property
    def command(self):
        return " ".join([self.tool] + self.args)


def shown(b):
    """The page as shown (lossy), the way it decodes netstat's bytes."""
    return b.decode("utf-8", errors="replace")


# --- checks and their report ---------------------------------------------


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def first_diff(expected, got, context=2):
    """A short description of where two texts first differ, by line."""
    el, gl = expected.split("\n"), got.split("\n")
    for i in range(max(len(el), len(gl))):
        e = el[i] if i < len(el) else "<no line>"
        g = gl[i] if i < len(gl) else "<no line>"
        if e != g:
            return (
                f"{len(el)} expected lines, {len(gl)} got; first difference at line {i + 1}:\n"
                f"      expected: {e!r}\n      got:      {g!r}"
            )
    return "equal"


class Report:
    def __init__(self, pattern=None):
        self.passed = 0
        self.failed = []
        self.pattern = pattern

    def run(self, name, fn, *args, always=False):
        if self.pattern and self.pattern not in name and not always:
            return None
        t0 = time.monotonic()
        try:
            value = fn(*args)
        except Failure as e:
            self.failed.append(name)
            print(f"FAIL {name} ({time.monotonic() - t0:.1f}s)\n    {e}", flush=True)
            return None
        except Exception as e:  # noqa: BLE001 -- a broken check is a failed check
            self.failed.append(name)
            print(f"FAIL {name} ({time.monotonic() - t0:.1f}s)\n    {type(e).__name__}: {e}", flush=True)
            if os.environ.get("NETSNAP_BROWSER_TRACE"):
                traceback.print_exc()
            return None
        self.passed += 1
        print(f"ok   {name} ({time.monotonic() - t0:.1f}s)", flush=True)
        return value if value is not None else True


# --- driving the page ------------------------------------------------------


class Page:
    """One target (file or served) in one browser tab."""

    def __init__(self, browser, guard, url, origin, tmp):
        self.b = browser
        self.guard = guard
        self.url = url
        self.origin = origin  # "http://127.0.0.1:PORT" when served, else None
        self.tmp = tmp
        self.initial_urls = set()
        self.loaded_at = None  # monotonic time the page counted as loaded
        self.late = []  # requests after load that were not allowed: (source, url)
        self.requests = []  # every request the page's target made: (time, url)

    # Network ---------------------------------------------------------------

    def _drain_log(self):
        now = time.monotonic()
        for method, params in self.b.performance_log():
            if method == "Network.requestWillBeSent":
                self.requests.append((now, params["request"]["url"]))
        return now

    def _allowed_later(self, url):
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme in ("file", "data", "blob"):
            return True
        return self.origin is not None and url in self.initial_urls

    def audit_network(self):
        """Requests since load that are not allowed; kept in self.late."""
        self._drain_log()
        bad = []
        for t, url in self.requests:
            if t >= self.loaded_at and not self._allowed_later(url):
                bad.append(("page", url))
        for t, method, url, _fwd in self.guard.since(self.loaded_at):
            if not self._allowed_later(url):
                bad.append(("proxy", f"{method} {url}"))
        self.late = bad
        return bad

    # Load -------------------------------------------------------------------

    def open(self):
        """Navigate; wait for state "empty" and one second without requests."""
        self._drain_log()
        self.requests = []
        t0 = time.monotonic()
        self.b.get(self.url)
        self.b.wait(
            "return document.readyState === 'complete' && document.body && document.body.dataset.state === 'empty';",
            timeout=30,
            what='document.body.dataset.state == "empty" after load',
        )
        quiet_since = time.monotonic()
        seen = 0
        while time.monotonic() - quiet_since < 1.0:
            time.sleep(0.1)
            self._drain_log()
            n = len(self.requests) + len(self.guard.since(t0))
            if n != seen:
                seen, quiet_since = n, time.monotonic()
        self.initial_urls = {u for _, u in self.requests}
        self.initial_urls |= {u for _, _m, u, _f in self.guard.since(t0)}
        self.loaded_at = time.monotonic()
        self.b.js(JS_WATCH_STATE)
        return time.monotonic() - t0

    def _await_load(self, timeout):
        """After a file was handed to the page: wait for a state change ending in ready or error."""
        deadline = time.monotonic() + timeout
        while True:
            changes, state = self.b.js(JS_STATES)
            if changes and state in ("ready", "error"):
                self.b.js(JS_WATCH_STATE)
                return state, changes
            if time.monotonic() > deadline:
                self.b.js(JS_WATCH_STATE)
                raise Failure(f"no load finished within {timeout}s (state changes {changes}, now {state!r})")
            time.sleep(0.02)

    def pick(self, path, timeout=60):
        """Open path through #file-input; return (final state, states seen)."""
        self.b.js(JS_WATCH_STATE)
        self.b.find("#file-input").send_keys(path)
        return self._await_load(timeout)

    def drop(self, data, name, timeout=60):
        """Drop bytes as a File named name on #drop-zone; return (final state, states seen)."""
        self.b.js(JS_WATCH_STATE)
        zone = self.b.find("#drop-zone")
        self.b.js(JS_DROP, zone, base64.b64encode(data).decode(), name)
        return self._await_load(timeout)

    # Commands ---------------------------------------------------------------

    def text(self, css):
        return self.b.js(JS_TEXT, css)

    def run(self, command, expect_output=None, timeout=60):
        """Type command into #command, click #run, wait for the run to end.

        The page marks a run with body[data-running] "true" then "false";
        without that mark, waits until #output shows expect_output, or has
        changed and stayed the same for a second, or timeout.
        """
        self.b.js(JS_WATCH_RUN)
        before = self.b.js(JS_TEXT_SIG, "#output")
        want = js_sig(expect_output) if expect_output is not None else None
        cmd = self.b.find("#command")
        cmd.clear()
        cmd.send_keys(command)
        self.b.find("#run").click()
        t0 = time.monotonic()
        last, stable_since = before, t0
        while True:
            time.sleep(0.02)
            now = time.monotonic()
            marks, running = self.b.js(JS_RUNS)
            if running is not None:
                if marks and running == "false":
                    return now - t0
            else:
                sig = self.b.js(JS_TEXT_SIG, "#output")
                if want is not None and sig == want:
                    return now - t0
                if sig != last:
                    last, stable_since = sig, now
                elif sig != before and now - stable_since > 1.0:
                    return now - t0
            if now - t0 > timeout:
                raise Failure(f"`{command}` did not finish within {timeout}s (data-running marks {marks})")

    def download(self, timeout=20):
        """Click #download; return the bytes of the file it saved."""
        d = self.b.downloads
        for f in os.listdir(d):
            os.remove(os.path.join(d, f))
        self.b.find("#download").click()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files = [f for f in os.listdir(d) if not f.endswith((".crdownload", ".tmp")) and not f.startswith(".")]
            partial = [f for f in os.listdir(d) if f.endswith(".crdownload")]
            if files and not partial:
                path = os.path.join(d, files[0])
                size = -1
                while size != os.path.getsize(path):  # settle
                    size = os.path.getsize(path)
                    time.sleep(0.05)
                with open(path, "rb") as f:
                    data = f.read()
                self.last_download_name = files[0]
                os.remove(path)
                return data
            time.sleep(0.05)
        raise Failure(f"#download saved no file in {d} within {timeout}s")


# --- the checks --------------------------------------------------------------


def check_page_loads(page):
    took = page.open()
    csp = page.b.js(
        "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\" i]');"
        "return m ? m.getAttribute('content') : null;"
    )
    check(csp is not None, "no <meta http-equiv=Content-Security-Policy> in the page")
    check(csp.strip() != "", "the CSP meta tag is empty")
    for css in ("#file-input", "#drop-zone"):
        check(page.b.exists(css), f"no {css} in the page after load")
    check(not page.b.exists("#error") or not page.text("#error").strip(), f"#error shown on a fresh page: {page.text('#error')!r}")
    if page.origin is not None:
        for u in page.initial_urls:
            p = urllib.parse.urlsplit(u)
            check(
                p.scheme in ("data", "blob") or f"{p.scheme}://{p.netloc}" == page.origin,
                f"the served page loaded {u} during load (only {page.origin} may be asked)",
            )
    else:
        for u in page.initial_urls:
            check(
                urllib.parse.urlsplit(u).scheme in ("file", "data", "blob"),
                f"the page from disk requested {u} during load",
            )
    print(f"    loaded in {took:.2f}s; CSP: {csp}")
    return csp


def check_ready(page, state, changes, what):
    if state != "ready":
        err = page.text("#error") if page.b.exists("#error") else None
        raise Failure(f"{what}: state {state!r} (changes {changes}), #error: {err!r}")
    for css in ("#command", "#run", "#output", "#download", "#connections", "#match-count", "#filter-proto"):
        check(page.b.exists(css), f"{what}: state ready, but no {css}")


def check_case(page, case, download=True):
    took = page.run(case.command, expect_output=shown(case.stdout))
    out = page.text("#output")
    check(out is not None, "no #output")
    want = shown(case.stdout)
    if out != want and want.startswith(out) and out.endswith("\n"):
        raise Failure(
            f"`{case.command}`: #output shows only the first {out.count(chr(10))} of {want.count(chr(10))} lines"
            f" ({len(out)} of {len(want)} characters) of {case.slug}.stdout"
        )
    check(
        out == want,
        f"`{case.command}`: #output differs from fixtures/{case.fixture} {case.slug}.stdout (lossy UTF-8): "
        + first_diff(want, out),
    )
    err = page.text("#stderr") if page.b.exists("#stderr") else ""
    check(
        (err or "") == shown(case.stderr),
        f"`{case.command}`: #stderr differs from {case.slug}.stderr: " + first_diff(shown(case.stderr), err or ""),
    )
    status = page.text("#status") if page.b.exists("#status") else None
    check(status is not None, f"`{case.command}`: no #status")
    check(
        re.search(rf"(?<!\d){case.status}(?!\d)", status) is not None,
        f"`{case.command}`: #status {status!r} does not show exit status {case.status}",
    )
    if download and case.stdout:
        got = page.download()
        check(
            got == case.stdout,
            f"`{case.command}`: download ({page.last_download_name}, {len(got)} bytes) differs from "
            f"{case.slug}.stdout ({len(case.stdout)} bytes): " + first_diff(shown(case.stdout), shown(got)),
        )
    return took


def check_ss_case(page, case):
    """An ss case as check_case checks it, saved as ss<args>.txt."""
    took = check_case(page, case)
    if case.stdout:
        want = f"ss{case.slug}.txt" if case.slug.startswith("-") else f"ss_{case.slug}.txt"
        check(page.last_download_name == want, f"`{case.command}`: saved as {page.last_download_name!r}, not {want!r}")
    return took


def check_ss_toggles(page):
    """An ss line gets ss's toggles (no netstat-only -W) and they edit it as ss options."""
    cmd = page.b.find("#command")
    cmd.clear()
    cmd.send_keys("ss -tan state established")
    page.b.wait("return !document.querySelector('#flag-W');", timeout=5, what="#flag-W hidden for an ss line")
    check(page.b.exists("#flag-p"), "no #flag-p for an ss line")
    tool = page.b.js("const g = document.querySelector('.flags'); return g ? g.dataset.tool : null;")
    check(tool == "ss", f".flags[data-tool] is {tool!r} for an ss line")
    page.b.find("#flag-p").click()
    after = page.b.find("#command").prop("value")
    check(after == "ss -tanp state established", f"#flag-p turned the ss line into {after!r}")
    page.b.find("#flag-p").click()
    again = page.b.find("#command").prop("value")
    check(again == "ss -tan state established", f"#flag-p twice left {again!r}")
    cmd.clear()
    cmd.send_keys("netstat -tan")
    page.b.wait("return !!document.querySelector('#flag-W');", timeout=5, what="#flag-W back for a netstat line")
    print(f"    ss toggles: {after!r} -> {again!r}; #flag-W only for netstat")


def check_page_parts(page, last_command):
    """The parts around the output: #overview, #history, a #flag-<letter> toggle, #copy."""
    for css in ("#overview", "#history", "#copy", "#stderr, #status"):
        check(page.b.exists(css), f"no {css} with a snapshot open")
    hist = page.text("#history")
    check(last_command in hist, f"#history does not list the last command {last_command!r}: {hist[:200]!r}")
    flag = page.b.find("#flag-n")
    before = page.b.find("#command").prop("value")
    flag.click()
    after = page.b.find("#command").prop("value")
    check(after != before, f"clicking #flag-n left #command at {before!r}")
    flag.click()
    again = page.b.find("#command").prop("value")
    check(again.split() == before.split(), f"clicking #flag-n twice turned {before!r} into {again!r}")
    print(f"    #flag-n: {before!r} -> {after!r} -> {again!r}")


def fixture_path(name):
    return os.path.join(FIXTURES, name, "snapshot.tar.gz")


def load_by_picker(page, name):
    # A fresh copy under a distinct name: picking the same file twice fires no change event.
    dst = os.path.join(page.tmp, f"{name}-{time.monotonic_ns()}.tar.gz")
    shutil.copyfile(fixture_path(name), dst)
    t0 = time.monotonic()
    state, changes = page.pick(dst)
    check_ready(page, state, changes, f"picking fixtures/{name}/snapshot.tar.gz")
    return time.monotonic() - t0


def load_by_drop(page, name):
    with open(fixture_path(name), "rb") as f:
        data = f.read()
    state, changes = page.drop(data, f"{name}.tar.gz")
    check_ready(page, state, changes, f"dropping fixtures/{name}/snapshot.tar.gz")


# --- connections table: expectations from the recorded listings ----------------

INET_PROTOS = ("tcp", "tcp6", "udp", "udp6", "udpl", "udpl6", "raw", "raw6")
# netstat's table order, which is also the table's natural order (UNIX sockets last).
PROTO_ORDER = INET_PROTOS + ("unix",)
FIELDS = ("proto", "recvq", "sendq", "local", "remote", "state")


def golden_table(fixture):
    """Every socket of the recording, in netstat's order.

    From `netstat -an` (or `-tan` where only that was recorded); Internet
    addresses from `-anpeoW` when recorded, since -an cuts long IPv6
    addresses. Each row: proto, recvq, sendq, local, remote, state (as the
    table shows them: text) plus `path` (raw bytes of a UNIX path).
    """
    exp = os.path.join(FIXTURES, fixture, "expected")
    slug = "-an" if os.path.exists(os.path.join(exp, "-an.stdout")) else "-tan"
    lines = Case(fixture, slug).stdout.split(b"\n")
    rows = []
    in_unix = False
    for line in lines:
        f = line.split()
        if f and f[0].decode("latin-1") in INET_PROTOS:
            in_unix = False
            rows.append(
                {
                    "proto": f[0].decode(),
                    "recvq": f[1].decode(),
                    "sendq": f[2].decode(),
                    "local": f[3].decode(),
                    "remote": f[4].decode(),
                    "state": f[5].decode() if len(f) > 5 else "",
                }
            )
        elif line.startswith(b"unix "):
            # "%-5s %-6ld %-11s %-10s %-13s " then the inode and the path.
            in_unix = True
            m = re.match(rb"(\d+) *(.*)$", line[50:], re.S)
            rows.append(
                {
                    "proto": "unix",
                    "recvq": "",
                    "sendq": "",
                    "path": m.group(2) if m else b"",
                    "remote": "",
                    "state": line[36:50].strip().decode(),
                    "inode": m.group(1).decode() if m else "",
                }
            )
        elif in_unix and line and not line.startswith((b"Active ", b"Proto ")):
            rows[-1]["path"] += b"\n" + line  # a path with a newline in it
    for r in rows:
        if r["proto"] == "unix":
            r["local"] = shown(r["path"])
    wide = os.path.join(exp, "-anpeoW.stdout")
    if slug == "-an" and os.path.exists(wide):
        with open(wide, "rb") as fh:
            wrows = [ln.split() for ln in fh.read().split(b"\n")]
        wrows = [w for w in wrows if w and w[0].decode("latin-1") in INET_PROTOS]
        inet = [r for r in rows if r["proto"] != "unix"]
        if len(wrows) == len(inet) and all(w[0].decode() == r["proto"] for w, r in zip(wrows, inet)):
            for w, r in zip(wrows, inet):
                r["local"], r["remote"] = w[3].decode(), w[4].decode()
    return rows


def split_addr(a):
    host, _, port = a.rpartition(":")
    return host, port


def addr_sort_key(a):
    """IPv4 (and IPv4-mapped IPv6) before IPv6, by value, then port (`*` is 0)."""
    host, port = split_addr(a)
    p = int(port) if port.isdigit() else 0
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return (3, 0, p)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return (0, int(ip.ipv4_mapped), p)
    return (0 if ip.version == 4 else 1, int(ip), p)


def sort_key(key):
    """The order the table promises for a column, on golden rows."""

    def k(r):
        unix = r["proto"] == "unix"
        if key == "proto":
            return PROTO_ORDER.index(r["proto"])
        if key in ("recvq", "sendq"):
            return (1, 0) if unix else (0, int(r[key]))
        if key == "local":
            return (2, 0, r["path"]) if unix else addr_sort_key(r["local"])
        if key == "remote":
            return (2, 0, b"") if unix else addr_sort_key(r["remote"])
        if key == "state":
            return (r["state"].lower(), r["state"])
        raise KeyError(key)

    return k


def row_tuple(r):
    return tuple(r.get(k, "") for k in FIELDS)


# The table is virtual: only a window of rows is in the DOM. Each tr.conn-row
# carries its position in the result (data-index); #connections scrolls.
JS_WINDOW = r"""
const box = document.querySelector('#connections');
if (!box) return null;
const keys = Array.from(box.querySelectorAll('th[data-key]')).map(th => th.dataset.key);
const rows = [];
for (const tr of box.querySelectorAll('tr.conn-row')) {
  if (tr.getClientRects().length === 0) continue;
  const i = tr.dataset.index === undefined ? null : Number(tr.dataset.index);
  rows.push([i, Array.from(tr.cells).map(td => td.textContent)]);
}
const mc = document.querySelector('#match-count');
return {keys, rows, matchCount: mc ? mc.textContent : null, pending: box.dataset.pending || null,
        scrollTop: box.scrollTop, scrollHeight: box.scrollHeight, clientHeight: box.clientHeight};
"""

# Record changes of #connections[data-pending] and [data-first] from now on.
JS_WATCH_TABLE = r"""
const box = document.querySelector('#connections');
window.__nsPending = [];
if (window.__nsTableObs) window.__nsTableObs.disconnect();
if (!box) return false;
window.__nsTableObs = new MutationObserver(rs => { for (const r of rs) window.__nsPending.push(box.dataset.pending); });
window.__nsTableObs.observe(box, {attributes: true, attributeFilter: ['data-pending', 'data-first'], subtree: false});
return true;
"""
JS_TABLE_QUIET = r"""
const box = document.querySelector('#connections');
const mc = document.querySelector('#match-count');
const first = box && box.querySelector('tr.conn-row');
return [window.__nsPending ? window.__nsPending.length : 0, box ? box.dataset.pending : null,
        mc ? mc.textContent : null, first ? first.textContent : '', box ? box.querySelectorAll('tr.conn-row').length : 0];
"""

JS_SET_FIELD = r"""
const [el, value] = arguments;
el.value = value;
el.dispatchEvent(new Event('input', {bubbles: true}));
el.dispatchEvent(new Event('change', {bubbles: true}));
return el.value;
"""

# The choices of a <select>, or of the <datalist> of an <input list=...>.
JS_OPTIONS = r"""
const el = document.querySelector(arguments[0]);
if (!el) return null;
const opts = el.tagName === 'SELECT' ? el.options : (el.list ? el.list.options : []);
return Array.from(opts).map(o => o.value);
"""


def table_action(page, action, timeout=15):
    """Do action (a callable), then wait for the table to settle."""
    page.b.js(JS_WATCH_TABLE)
    action()
    t0 = time.monotonic()
    last, since = None, t0
    while True:
        changes, pending, *rest = page.b.js(JS_TABLE_QUIET)
        now = time.monotonic()
        sig = (changes, pending, *rest)
        if sig != last:
            last, since = sig, now
        if pending in ("false", None) and (changes or now - t0 > 0.5) and now - since > 0.1:
            return
        if now - t0 > timeout:
            raise Failure(f"the table did not settle within {timeout}s (data-pending {pending!r})")
        time.sleep(0.03)


def read_window(page):
    w = page.b.js(JS_WINDOW)
    check(w is not None, "no #connections")
    check(w["keys"], "#connections has no th[data-key] headers")
    m = re.search(r"\d+", (w["matchCount"] or "").replace(",", ""))
    check(m is not None, f"#match-count shows no number: {w['matchCount']!r}")
    rows = {}
    indexed = all(i is not None for i, _ in w["rows"])
    for n, (i, cells) in enumerate(w["rows"]):
        check(len(cells) == len(w["keys"]), f"a tr.conn-row has {len(cells)} cells for {len(w['keys'])} headers")
        rows[i if indexed else -1 - n] = dict(zip(w["keys"], cells))
    return w, int(m.group(0)), rows


def read_table(page, whole_up_to=400, ends=24):
    """(headers, #match-count, {index: row}) for the current view.

    Scrolls #connections through the whole result when it has at most
    whole_up_to rows; otherwise reads the first and the last windows.
    """
    box = page.b.find("#connections")
    if page.b.js("return arguments[0].scrollTop;", box):
        table_action(page, lambda: page.b.js("arguments[0].scrollTop = 0;", box))
    w, total, rows = read_window(page)
    if rows and min(rows) < 0:
        check(len(rows) == total, f"rows have no data-index and only {len(rows)} of {total} are shown")
        return w["keys"], total, {i: r for i, r in enumerate(rows.values())}
    visible = len(rows)
    if visible >= total:
        return w["keys"], total, rows
    per_row = (w["scrollHeight"] - w["clientHeight"]) / max(1, total - visible)
    targets = list(range(visible, total, visible)) if total <= whole_up_to else [total - 1]
    for first in targets:
        if first in rows and (first + visible - 1 in rows or first + visible - 1 >= total):
            continue
        top = min(first, total - visible) * per_row
        table_action(page, lambda: page.b.js("arguments[0].scrollTop = arguments[1];", box, top))
        _, n, more = read_window(page)
        check(n == total, f"#match-count changed from {total} to {n} while scrolling")
        rows.update(more)
    if total <= whole_up_to:
        missing = [i for i in range(total) if i not in rows]
        check(not missing, f"scrolling #connections never showed rows {missing[:10]} of {total}")
    return w["keys"], total, rows


def compare_rows(what, expected, total, rows):
    """The table (#match-count, rows by index) against the expected golden rows, in order."""
    check(total == len(expected), f"{what}: #match-count {total}, the recording has {len(expected)}")
    for i in sorted(rows):
        got = tuple(rows[i].get(k, "") for k in FIELDS)
        want = row_tuple(expected[i]) if i < len(expected) else None
        if got != want and not same_unix_row(got, want):
            raise Failure(f"{what}: row {i} is {got}, the recording has {want}")


def same_unix_row(got, want):
    """netstat cuts a UNIX path at its first blank (it reads /proc/net/unix with
    scanf); the table shows the whole path, so the recorded one is a prefix."""
    if want is None or want[0] != "unix" or got[0] != "unix":
        return False
    i = FIELDS.index("local")
    return got[:i] + got[i + 1 :] == want[:i] + want[i + 1 :] and want[i] != "" and got[i].startswith(want[i])


def check_table_all(page, fixture):
    golden = golden_table(fixture)
    keys, total, rows = read_table(page)
    for k in ("proto", "recvq", "sendq", "local", "remote", "state", "pid", "program", "user", "inode"):
        check(k in keys, f"#connections has no th[data-key={k}] (headers: {keys})")
    compare_rows(f"{fixture}, unsorted", golden, total, rows)
    print(f"    {fixture}: {total} rows as recorded, in netstat's order ({len(rows)} read)")


def set_filter(page, css, value):
    el = page.b.find(css)
    if value and page.b.js("return arguments[0].tagName;", el) == "SELECT":
        offered = page.b.js(JS_OPTIONS, css)
        check(value in offered, f"{css} offers no {value!r} (it offers {offered})")
    table_action(page, lambda: page.b.js(JS_SET_FIELD, el, value))


def check_filter(page, fixture, golden, css, value, pred):
    set_filter(page, css, value)
    _, total, rows = read_table(page)
    compare_rows(f"{fixture}, {css}={value!r}", [g for g in golden if pred(g)], total, rows)
    return total


def check_filters(page, fixture):
    golden = golden_table(fixture)
    done = []
    protos = [v for v in (page.b.js(JS_OPTIONS, "#filter-proto") or []) if v]
    present = {g["proto"] for g in golden}
    check(present <= set(protos), f"#filter-proto offers {protos}; the snapshot has {sorted(present)}")
    for v in protos:
        n = check_filter(page, fixture, golden, "#filter-proto", v, lambda g, v=v: g["proto"] == v)
        done.append(f"{v}:{n}")
    set_filter(page, "#filter-proto", "")
    # States: a <select> of state names, or a text box (exact, case-insensitive, comma-separated).
    states = sorted({g["state"] for g in golden if g["state"]})
    if page.b.js("return document.querySelector('#filter-state').tagName;") == "SELECT":
        offered = [v for v in page.b.js(JS_OPTIONS, "#filter-state") if v]
        tries = [v for v in offered if v in states] + [v for v in offered if v not in states][:1]
    else:
        tries = states[:4] + ["listen", "LISTEN,LISTENING"]
    for v in tries:
        want = {s.strip().lower() for s in v.split(",")}
        n = check_filter(page, fixture, golden, "#filter-state", v, lambda g, w=want: g["state"].lower() in w)
        done.append(f"state {v}:{n}")
    # Two filters at once.
    if "tcp" in present:
        set_filter(page, "#filter-proto", "tcp")
        n = check_filter(
            page, fixture, golden, "#filter-state", "LISTEN", lambda g: g["proto"] == "tcp" and g["state"] == "LISTEN"
        )
        done.append(f"tcp+LISTEN:{n}")
        set_filter(page, "#filter-proto", "")
    set_filter(page, "#filter-state", "")
    # Substrings (ASCII case-insensitive) of the local and remote columns, and the search box.
    inet = [g for g in golden if g["proto"] != "unix"]
    if inet:
        term = collections.Counter(g["local"] for g in inet).most_common(1)[0][0]
        n = check_filter(page, fixture, golden, "#filter-local", term, lambda g: term.lower() in g["local"].lower())
        done.append(f"local {term}:{n}")
        set_filter(page, "#filter-local", "")
        host = split_addr(collections.Counter(g["remote"] for g in inet).most_common(1)[0][0])[0]
        n = check_filter(page, fixture, golden, "#filter-remote", host, lambda g: host.lower() in g["remote"].lower())
        done.append(f"remote {host}:{n}")
        set_filter(page, "#filter-remote", "")
        n = check_filter(
            page, fixture, golden, "#search", term, lambda g: term in g["local"] or term in g["remote"]
        )
        done.append(f"search {term}:{n}")
        set_filter(page, "#search", "")
    unix = [g for g in golden if g["proto"] == "unix" and g["path"]]
    if unix:
        term = "/tmp/"
        n = check_filter(page, fixture, golden, "#filter-local", term, lambda g: term in g["local"].lower())
        done.append(f"local {term}:{n}")
        set_filter(page, "#filter-local", "")
    _, total, _ = read_table(page, whole_up_to=0)
    check(total == len(golden), f"with the filters cleared #match-count is {total}, not {len(golden)}")
    print(f"    {fixture}: " + ", ".join(done))


def check_sort(page, fixture):
    golden = golden_table(fixture)
    done = []
    for key in ("local", "remote", "state", "proto", "recvq", "sendq"):
        th = page.b.find(f'#connections th[data-key="{key}"]')
        for desc in (False, True):
            table_action(page, th.click)
            _, total, rows = read_table(page)
            # A column a row has no value in (a unix socket's remote
            # address and queues) sorts last in both directions (web/src/api/query.rs).
            if key in ("remote", "recvq", "sendq"):
                valued = [r for r in golden if r["proto"] != "unix"]
                empty = [r for r in golden if r["proto"] == "unix"]
                want = sorted(valued, key=sort_key(key), reverse=desc) + empty
            else:
                want = sorted(golden, key=sort_key(key), reverse=desc)
            compare_rows(f"{fixture}, sorted by {key} {'descending' if desc else 'ascending'}", want, total, rows)
        done.append(key)
    print(f"    {fixture}: sorted both ways by {', '.join(done)}, ties in netstat's order")


# --- broken archives -----------------------------------------------------------------


def broken_archives(tmp):
    rng = random.Random(4)
    with open(fixture_path("server"), "rb") as f:
        good = f.read()
    items = {
        "random-bytes.tar.gz": rng.randbytes(4096),
        "truncated.tar.gz": good[:20],  # the gzip header and nothing after it
        "empty.tar.gz": b"",
        "not-a-tar.tar.gz": __import__("gzip").compress(b"this is not a tar archive\n" * 40),
    }
    out = []
    for name, data in items.items():
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        out.append((name, p, data))
    return out


def check_broken(page, name, path, data, how):
    if how == "picker":
        state, changes = page.pick(path)
    else:
        state, changes = page.drop(data, name)
    check(state == "error", f"{name} by {how}: state {state!r} (changes {changes}), expected 'error'")
    check(page.b.exists("#error"), f"{name} by {how}: state 'error' but no #error element")
    msg = page.text("#error").strip()
    check(msg, f"{name} by {how}: #error is empty")
    visible = page.b.js("return document.querySelector('#error').getClientRects().length > 0;")
    check(visible, f"{name} by {how}: #error is not displayed")
    return msg


CLI = os.path.join(ROOT, "target", "release", "netsnap")


def check_damaged(page):
    """Half of a snapshot: the analyzer reads what it can (the CLI prints its
    netstat output and a diagnostic), and the page must show the same."""
    with open(fixture_path("server"), "rb") as f:
        good = f.read()
    path = os.path.join(page.tmp, "half-server.tar.gz")
    with open(path, "wb") as f:
        f.write(good[: len(good) // 2])
    state, changes = page.pick(path)
    check_ready(page, state, changes, "half of fixtures/server/snapshot.tar.gz")
    if not os.path.exists(CLI):
        print(f"    {os.path.relpath(CLI, ROOT)} not built: not compared with the CLI")
        return
    native = subprocess.run([CLI, "netstat", path, "-tanp"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # The page lists netsnap's findings as the CLI prints them (all of them
    # when the CLI reads the whole archive, as with -p).
    want = [l for l in native.stderr.decode("utf-8", "replace").splitlines() if l.startswith("netsnap: ")]
    check(want, "half archive: the CLI reported no problem")
    shown_problems = page.b.js(
        "return Array.from(document.querySelectorAll('#snapshot-problems li')).map(e => e.textContent);"
    )
    check(shown_problems == want[:50], f"half archive: #snapshot-problems {shown_problems!r}, the CLI said {want!r}")
    native = subprocess.run([CLI, "netstat", path, "-tan"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    page.run("netstat -tan")
    out = page.text("#output")
    check(out == shown(native.stdout), "half archive: #output differs from the CLI's: " + first_diff(shown(native.stdout), out))
    got = page.download()
    check(got == native.stdout, f"half archive: download ({len(got)} bytes) differs from the CLI's stdout ({len(native.stdout)} bytes)")


def check_recovers(page):
    case = Case("server", "-tan")
    load_by_picker(page, "server")
    err = page.text("#error") if page.b.exists("#error") else ""
    visible = page.b.exists("#error") and page.b.js("return document.querySelector('#error').getClientRects().length > 0;")
    check(not (err.strip() and visible), f"after a good file, #error still shows {err!r}")
    check_case(page, case)


# --- targets ------------------------------------------------------------------------


def run_target(report, browser, guard, target, url, origin, tmp, only_fixture=None):
    page = Page(browser, guard, url, origin, tmp)
    p = f"{target}:"
    if not report.run(f"{p} page loads (state empty, CSP meta tag, no outside requests)", check_page_loads, page, always=True):
        # Nothing else can work; still count the rest as not run.
        print(f"    {target}: page did not load; skipping its other checks")
        return
    fixtures = [f for f in CASES if not only_fixture or f == only_fixture]
    # 1. Every fixture through the file picker, one after another in the same page.
    for fx in fixtures:
        if report.run(f"{p} {fx}: open through #file-input", load_by_picker, page, fx, always=True):
            for slug in CASES[fx]:
                c = Case(fx, slug)
                report.run(f"{p} {fx}: `{c.command}` (#output, #stderr, #status, download)", check_case, page, c)
            if fx == "server":
                report.run(f"{p} {fx}: #overview, #history, #flag-n, #copy", check_page_parts, page, c.command)
            for slug in SS_CASES.get(fx, []):
                c = Case(fx, slug, "ss")
                report.run(f"{p} {fx}: `{c.command}` (#output, #stderr, #status, download {c.tool}*.txt)", check_ss_case, page, c)
            if fx == "server":
                report.run(f"{p} {fx}: ss toggles for an ss line, netstat's for a netstat line", check_ss_toggles, page)
            if report.run(f"{p} {fx}: connections table lists the recorded -an sockets", check_table_all, page, fx):
                report.run(f"{p} {fx}: filters (#filter-proto, #filter-state, #search) and #match-count", check_filters, page, fx)
                report.run(f"{p} {fx}: sort by clicking th[data-key]", check_sort, page, fx)
    # 2. Every fixture dropped on #drop-zone, in a fresh page.
    report.run(f"{p} reload", page.open)
    for fx in fixtures:
        if report.run(f"{p} {fx}: open by drop on #drop-zone", load_by_drop, page, fx):
            c = Case(fx, CASES[fx][0])
            report.run(f"{p} {fx} (dropped): `{c.command}`", check_case, page, c)
            if fx in SS_CASES:
                c = Case(fx, SS_CASES[fx][0], "ss")
                report.run(f"{p} {fx} (dropped): `{c.command}`", check_ss_case, page, c)
    # 3. Broken archives, by picker and by drop; the page keeps working after each.
    for i, (name, path, data) in enumerate(broken_archives(tmp)):
        how = "picker" if i % 2 == 0 else "drop"
        report.run(f"{p} broken archive {name} by {how} -> #error, state error", check_broken, page, name, path, data, how)
        report.run(f"{p} after {name}: a good file loads and renders", check_recovers, page)
    report.run(f"{p} half an archive: ready, and `netstat -tan` as the CLI prints it", check_damaged, page)
    # 4. The network: nothing since the page loaded.
    def no_requests():
        bad = page.audit_network()
        check(not bad, f"{len(bad)} request(s) after load: " + "; ".join(f"{s}: {u}" for s, u in bad[:10]))
        print(f"    {len(page.requests)} requests seen from the page in all; {len(page.initial_urls)} during the initial load")

    report.run(f"{p} no network request after load (performance log and proxy)", no_requests)


def start_server(port, log):
    """scripts/serve-web.sh PORT in its own process group; returns the Popen."""
    proc = subprocess.Popen(
        [SERVE, str(port)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", 30)
    except TimeoutError:
        stop_server(proc)
        raise
    return proc


def stop_server(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", choices=["file", "served", "both"], default="both")
    ap.add_argument("--fixture", help="only this fixture")
    ap.add_argument("-k", dest="pattern", help="only checks whose name contains this")
    ap.add_argument("--screenshot", help="save a screenshot of the page at the end to this PNG")
    ap.add_argument("--page", help="the single-file page (default target/web/netsnap.html)")
    ap.add_argument("--serve", help="the serving script, called with a port (default scripts/serve-web.sh)")
    opts = ap.parse_args()
    global PAGE, SERVE
    PAGE = os.path.abspath(opts.page) if opts.page else PAGE
    SERVE = os.path.abspath(opts.serve) if opts.serve else SERVE

    t_start = time.monotonic()
    report = Report(opts.pattern)
    targets = ["file", "served"] if opts.target == "both" else [opts.target]
    for name in targets:
        need = PAGE if name == "file" else (SERVE if opts.serve else os.path.join(SITE, "index.html"))
        if not os.path.exists(need):
            print(f"FAIL {name}: {os.path.relpath(need, ROOT)} does not exist (run scripts/build-web.sh and scripts/package-web.py)")
            report.failed.append(name)
    targets = [t for t in targets if t not in report.failed]

    tmp = tempfile.mkdtemp(prefix="netsnap-browser-tests-")
    server = None
    guard = Guard()
    try:
        port = None
        if "served" in targets:
            port = free_port()
            server_log = open(os.path.join(tmp, "serve-web.log"), "wb")
            try:
                server = start_server(port, server_log)
            except (TimeoutError, OSError) as e:
                print(f"FAIL served: scripts/serve-web.sh {port} did not serve: {e}")
                report.failed.append("served: start")
                targets.remove("served")
            else:
                guard.allow("127.0.0.1", port)
        if targets:
            with Browser(extra_args=guard.chromium_args()) as browser:
                print(f"Chromium {browser.version} headless; proxy 127.0.0.1:{guard.port}", flush=True)
                for name in targets:
                    if name == "file":
                        url, origin = "file://" + urllib.parse.quote(PAGE), None
                    else:
                        url, origin = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}"
                    print(f"--- {name}: {url}", flush=True)
                    run_target(report, browser, guard, name, url, origin, tmp, opts.fixture)
                if opts.screenshot:
                    browser.screenshot(opts.screenshot)
                severe = [e for e in browser.console_log() if e.get("level") == "SEVERE"]
                for e in severe[:20]:
                    print(f"    console: {e.get('message', '')[:300]}")
    finally:
        guard.close()
        if server is not None:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)

    took = time.monotonic() - t_start
    if report.failed:
        print(f"failed checks ({len(report.failed)}):")
        for n in report.failed:
            print(f"  {n}")
    print(f"browser tests took {took:.0f}s")
    print(f"browser: {report.passed} passed, {len(report.failed)} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
