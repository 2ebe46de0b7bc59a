#!/usr/bin/env python3
"""Browser tests: the netsnap page in headless Chromium, against recorded netstat output.

Two targets, the same checks on each:
- `file`: the single-file page opened from disk, file://.../target/web/netsnap.html;
- `served`: target/web/site served by scripts/serve-web.sh on 127.0.0.1.

For each target: the page loads with a CSP meta tag and state "empty"; each
fixture is opened through the file picker (#file-input) and through a synthetic
drop on #drop-zone; netstat commands typed into #command give, through
#download, exactly the recorded stdout, and in #output / #stderr / #status what
the page shows of it; the connections table sorts and filters as the recorded
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
from webdriver import Browser, WebDriverError, free_port, wait_for_http  # noqa: E402

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

# Scripts run in the page.
JS_STATE = "return document.body ? (document.body.dataset.state || '') : null;"

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

# The connections table: header keys in column order, and the cells of each
# visible row (rendered, not display:none, not hidden by an ancestor).
JS_TABLE = r"""
const table = document.querySelector('#connections');
if (!table) return null;
const keys = Array.from(table.querySelectorAll('th[data-key]')).map(th => th.dataset.key);
const rows = [];
let hidden = 0;
for (const tr of table.querySelectorAll('tr.conn-row')) {
  if (tr.getClientRects().length === 0) { hidden++; continue; }
  rows.push(Array.from(tr.cells).map(td => td.textContent.trim()));
}
const mc = document.querySelector('#match-count');
return {keys, rows, hidden, matchCount: mc ? mc.textContent : null};
"""

JS_SET_FIELD = r"""
const [el, value] = arguments;
el.value = value;
el.dispatchEvent(new Event('input', {bubbles: true}));
el.dispatchEvent(new Event('change', {bubbles: true}));
return el.value;
"""

JS_OPTIONS = "return Array.from(document.querySelectorAll(arguments[0] + ' option')).map(o => o.value);"


def js_sig(text):
    """What JS_TEXT_SIG returns for this Python string."""
    units = text.encode("utf-16-le")
    h = 0
    for i in range(0, len(units), 2):
        h = (h * 31 + (units[i] | units[i + 1] << 8)) & 0xFFFFFFFF
    return [len(units) // 2, h]


class Case:
    def __init__(self, fixture, slug):
        for sub in ("expected", "expected-views"):
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
        return " ".join(["netstat"] + self.args)


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

    def run(self, name, fn, *args):
        if self.pattern and self.pattern not in name:
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

    def run(self, command, expect_output=None, timeout=30):
        """Type command into #command, click #run, wait for #output to settle.

        With expect_output, returns as soon as #output shows it; otherwise (or
        when it never does) once #output has changed and stayed the same for
        a second, or after timeout.
        """
        before = self.b.js(JS_TEXT_SIG, "#output")
        want = js_sig(expect_output) if expect_output is not None else None
        cmd = self.b.find("#command")
        cmd.clear()
        cmd.send_keys(command)
        self.b.find("#run").click()
        t0 = time.monotonic()
        last, stable_since = before, t0
        while True:
            time.sleep(0.03)
            sig = self.b.js(JS_TEXT_SIG, "#output")
            now = time.monotonic()
            if want is not None and sig == want:
                return now - t0
            if sig != last:
                last, stable_since = sig, now
            elif sig != before and now - stable_since > 1.0:
                return now - t0
            if now - t0 > timeout:
                return now - t0

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
    for css in ("#file-input", "#drop-zone", "#command", "#run", "#output", "#download", "#connections"):
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


def check_case(page, case, download=True):
    took = page.run(case.command, expect_output=shown(case.stdout))
    out = page.text("#output")
    check(out is not None, "no #output")
    check(
        out == shown(case.stdout),
        f"`{case.command}`: #output differs from fixtures/{case.fixture} {case.slug}.stdout (lossy UTF-8): "
        + first_diff(shown(case.stdout), out),
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


# --- connections table: expectations from the recorded -an ---------------------

INET_PROTOS = ("tcp", "tcp6", "udp", "udp6", "udpl", "udpl6", "raw", "raw6")


def golden_rows(fixture):
    """Inet rows of the recorded `netstat -an`: dicts with proto, recvq, sendq, local, remote, state."""
    slug = "-an" if os.path.exists(os.path.join(FIXTURES, fixture, "expected", "-an.stdout")) else "-tan"
    rows = []
    for line in Case(fixture, slug).stdout.decode("utf-8", "replace").split("\n"):
        f = line.split()
        if not f or f[0] not in INET_PROTOS:
            continue
        rows.append(
            {
                "proto": f[0],
                "recvq": f[1],
                "sendq": f[2],
                "local": f[3],
                "remote": f[4],
                "state": f[5] if len(f) > 5 else "",
            }
        )
    return rows


def proto_family(p):
    """udpl is how netstat prints udplite; a table may call it udplite."""
    return {"udplite": "udpl", "udplite6": "udpl6"}.get(p, p)


def read_table(page):
    t = page.b.js(JS_TABLE)
    check(t is not None, "no #connections table")
    check(t["keys"], "#connections has no th[data-key] headers")
    keys = t["keys"]
    rows = []
    for cells in t["rows"]:
        check(len(cells) >= len(keys), f"a tr.conn-row has {len(cells)} cells for {len(keys)} headers: {cells}")
        rows.append(dict(zip(keys, cells)))
    return keys, rows, t


def match_count(t):
    m = re.search(r"\d+", (t["matchCount"] or "").replace(",", ""))
    check(m is not None, f"#match-count shows no number: {t['matchCount']!r}")
    return int(m.group(0))


def norm_addr(a):
    """An address as netstat -n prints it: IPv6 without brackets."""
    return a.replace("[", "").replace("]", "")


def split_addr(a):
    a = norm_addr(a)
    host, _, port = a.rpartition(":")
    return host, port


def addr_keys(a):
    """Orderings a UI may reasonably use for an address column."""
    host, port = split_addr(a)
    portk = int(port) if port.isdigit() else -1
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        # Not an address (a name, "*", or cut short): no place in a numeric order.
        return [None, None, a, norm_addr(a)]
    return [(ip.version, int(ip), portk), (ip.version, host, portk), a, norm_addr(a)]


def num_key(v):
    try:
        return [float(v.split("/")[0])]
    except ValueError:
        return [v]


def row_keys(key, value):
    if key in ("local", "remote"):
        return addr_keys(value)
    if key in ("recvq", "sendq", "pid", "inode", "user"):
        return num_key(value) + [value]
    return [value, value.lower()]


def ordering(values, key):
    """(index of the ordering in row_keys, "asc"|"desc"|"=") that values follow, or None."""
    if not values:
        return (0, "=")
    for i in range(len(row_keys(key, values[0]))):
        ks = [k for k in (row_keys(key, v)[i] for v in values) if k is not None]
        try:
            up = all(a <= b for a, b in zip(ks, ks[1:]))
            down = all(a >= b for a, b in zip(ks, ks[1:]))
        except TypeError:
            continue
        if up and down:
            return (i, "=")
        if up:
            return (i, "asc")
        if down:
            return (i, "desc")
    return None


def conn_tuple(r):
    return (proto_family(r.get("proto", "")), norm_addr(r.get("local", "")), norm_addr(r.get("remote", "")), r.get("state", ""))


def golden_tuple(r):
    return (r["proto"], r["local"], r["remote"], r["state"])


def comparable(golden):
    """netstat -an cuts addresses at 23 columns; compare only rows it printed whole."""
    return [g for g in golden if not (len(g["local"]) >= 23 or len(g["remote"]) >= 23)]


def check_table_all(page, fixture):
    golden = golden_rows(fixture)
    keys, rows, t = read_table(page)
    for k in ("proto", "local", "remote", "state"):
        check(k in keys, f"#connections has no th[data-key={k}] (headers: {keys})")
    total = match_count(t)
    inet = [r for r in rows if proto_family(r["proto"]) in INET_PROTOS]
    want = collections.Counter(g["proto"] for g in golden)
    if len(rows) == total:
        got = collections.Counter(proto_family(r["proto"]) for r in inet)
        check(got == want, f"{fixture}: rows per protocol {dict(got)}, recorded -an has {dict(want)}")
        gw = collections.Counter(golden_tuple(g) for g in comparable(golden))
        gg = collections.Counter(conn_tuple(r) for r in inet)
        missing = gw - gg
        check(not missing, f"{fixture}: rows of the recorded -an not in the table: {list(missing)[:5]}")
    else:
        # A paged or windowed table: the count must still be right.
        check(len(rows) < total, f"{fixture}: {len(rows)} visible rows but #match-count says {total}")
        check(total >= len(golden), f"{fixture}: #match-count {total} < {len(golden)} inet sockets in -an")
    print(f"    {fixture}: {len(rows)} visible rows, #match-count {total!r}, headers {keys}")
    return keys


def set_select(page, css, value):
    el = page.b.find(css)
    opts = page.b.js(JS_OPTIONS, css)
    check(value in opts, f"{css} has no option {value!r} (options {opts})")
    page.b.js(JS_SET_FIELD, el, value)


def settle_table(page, timeout=10):
    """Wait until the table's rows and #match-count stop changing."""
    last, since = None, time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        t = page.b.js(
            "const t=document.querySelector('#connections');const m=document.querySelector('#match-count');"
            "return [t ? t.querySelectorAll('tr.conn-row').length : -1, m ? m.textContent : null,"
            " t ? (t.querySelector('tr.conn-row') || {textContent: ''}).textContent : ''];"
        )
        if t != last:
            last, since = t, time.monotonic()
        elif time.monotonic() - since > 0.3:
            return
        time.sleep(0.05)


def check_filters(page, fixture):
    golden = golden_rows(fixture)
    want_proto = collections.Counter(g["proto"] for g in golden)
    want_state = collections.Counter(g["state"] for g in golden)
    # Protocol filter: every option that names an inet protocol.
    protos = [v for v in page.b.js(JS_OPTIONS, "#filter-proto") if v]
    check(protos, "#filter-proto has no options")
    tried = 0
    for v in protos:
        fam = proto_family(v.lower())
        if fam not in INET_PROTOS:
            continue
        set_select(page, "#filter-proto", v)
        settle_table(page)
        _, rows, t = read_table(page)
        total = match_count(t)
        shown_protos = {proto_family(r["proto"]) for r in rows}
        check(shown_protos <= {fam, fam + "6"}, f"filter-proto={v!r} shows rows of {sorted(shown_protos)}")
        # "tcp" may mean tcp only, or tcp and tcp6: either, as long as it is whole.
        only, both = want_proto[fam], want_proto[fam] + want_proto.get(fam + "6", 0)
        check(
            total in (only, both),
            f"filter-proto={v!r}: #match-count {total}, recorded -an has {only} {fam} and {both - only} {fam}6",
        )
        if len(rows) == total:
            want = sum(want_proto[p] for p in shown_protos)
            check(len(rows) == want, f"filter-proto={v!r}: {len(rows)} rows, the recording has {want} of {sorted(shown_protos)}")
        tried += 1
    set_select(page, "#filter-proto", "")
    check(tried, f"no #filter-proto option names an inet protocol: {protos}")
    # State filter: every option whose state the recording has.
    states = [v for v in page.b.js(JS_OPTIONS, "#filter-state") if v]
    check(states, "#filter-state has no options")
    for v in states:
        if v not in want_state:
            continue
        set_select(page, "#filter-state", v)
        settle_table(page)
        _, rows, t = read_table(page)
        total = match_count(t)
        check(total == want_state[v], f"filter-state={v!r}: #match-count {total}, recorded -an has {want_state[v]}")
        bad = [r for r in rows if r["state"] != v]
        check(not bad, f"filter-state={v!r} shows rows in other states: {bad[:3]}")
        if len(rows) == total:
            check(len(rows) == want_state[v], f"filter-state={v!r}: {len(rows)} rows, expected {want_state[v]}")
    set_select(page, "#filter-state", "")
    # Both at once: tcp and LISTEN.
    if "tcp" in [p.lower() for p in protos] and "LISTEN" in states:
        set_select(page, "#filter-proto", [p for p in protos if p.lower() == "tcp"][0])
        set_select(page, "#filter-state", "LISTEN")
        settle_table(page)
        _, rows, t = read_table(page)
        total = match_count(t)
        only = sum(1 for g in golden if g["proto"] == "tcp" and g["state"] == "LISTEN")
        both = only + sum(1 for g in golden if g["proto"] == "tcp6" and g["state"] == "LISTEN")
        check(total in (only, both), f"tcp + LISTEN: #match-count {total}, recorded -an has {only} (+{both - only} tcp6)")
        set_select(page, "#filter-proto", "")
        set_select(page, "#filter-state", "")
    if not golden:
        print(f"    {fixture}: no inet sockets in the recording; search not tried")
        return
    # Search: the most common local address.
    term = collections.Counter(g["local"] for g in golden).most_common(1)[0][0]
    search = page.b.find("#search")
    page.b.js(JS_SET_FIELD, search, term)
    settle_table(page)
    _, rows, t = read_table(page)
    total = match_count(t)
    want = sum(1 for g in golden if term in g["local"] or term in g["remote"])
    check(total >= want, f"search {term!r}: #match-count {total}, recorded -an has {want} rows with it in an address")
    bad = [r for r in rows if not any(term in norm_addr(c) or term in c for c in r.values())]
    check(not bad, f"search {term!r} shows rows without it: {bad[:3]}")
    page.b.js(JS_SET_FIELD, search, "")
    settle_table(page)
    _, rows, t = read_table(page)
    check(match_count(t) >= len(golden), f"after clearing the filters #match-count is {t['matchCount']!r}")
    print(f"    {fixture}: protocols {protos}, states {states}, search {term!r} -> {total} (recording: {want})")


def check_sort(page, fixture):
    keys, rows0, t0 = read_table(page)
    total = match_count(t0)
    whole = len(rows0) == total
    golden = comparable(golden_rows(fixture))
    gset = {golden_tuple(g) for g in golden}
    results = []
    for key in ("local", "remote", "state", "proto", "recvq", "sendq", "inode"):
        if key not in keys:
            continue
        dirs = []
        for _click in range(2):
            page.b.find(f'#connections th[data-key="{key}"]').click()
            settle_table(page)
            _, rows, t = read_table(page)
            check(match_count(t) == total, f"sorting by {key} changed #match-count from {total} to {t['matchCount']}")
            vals = [r[key] for r in rows]
            o = ordering(vals, key)
            check(o is not None, f"after clicking th[data-key={key}], rows are not in {key} order: {vals[:8]}...")
            if whole:
                check(
                    collections.Counter(map(conn_tuple, rows)) == collections.Counter(map(conn_tuple, rows0)),
                    f"sorting by {key} changed which rows are shown",
                )
                if key in ("proto", "local", "remote", "state", "recvq", "sendq"):
                    # The column, read down, is the recording's column sorted the same way.
                    i, d = o
                    mine = [r[key] for r in rows if conn_tuple(r) in gset]
                    theirs = sorted((g[key] for g in golden), key=lambda v: row_keys(key, v)[i], reverse=d == "desc")
                    norm = (lambda v: norm_addr(v)) if key in ("local", "remote") else (lambda v: v)
                    check(
                        [row_keys(key, norm(v))[i] for v in mine] == [row_keys(key, v)[i] for v in theirs],
                        f"sorted by {key}: the column differs from the recording's -an sorted by {key}",
                    )
            dirs.append(o[1])
        if "=" not in dirs:
            check(dirs[0] != dirs[1], f"clicking th[data-key={key}] twice kept the {dirs[0]} order")
        results.append(f"{key}:{'/'.join(dirs)}")
    print(f"    {fixture}: sorted {' '.join(results)}")


# --- broken archives -----------------------------------------------------------------


def broken_archives(tmp):
    rng = random.Random(4)
    with open(fixture_path("server"), "rb") as f:
        good = f.read()
    items = {
        "random-bytes.tar.gz": rng.randbytes(4096),
        "truncated.tar.gz": good[: len(good) // 2],
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
    if not report.run(f"{p} page loads (state empty, CSP meta tag, no outside requests)", check_page_loads, page):
        # Nothing else can work; still count the rest as not run.
        print(f"    {target}: page did not load; skipping its other checks")
        return
    fixtures = [f for f in CASES if not only_fixture or f == only_fixture]
    # 1. Every fixture through the file picker, one after another in the same page.
    for fx in fixtures:
        if report.run(f"{p} {fx}: open through #file-input", load_by_picker, page, fx):
            for slug in CASES[fx]:
                c = Case(fx, slug)
                report.run(f"{p} {fx}: `{c.command}` (#output, #stderr, #status, download)", check_case, page, c)
            if report.run(f"{p} {fx}: connections table lists the recorded -an sockets", check_table_all, page, fx):
                report.run(f"{p} {fx}: filters (#filter-proto, #filter-state, #search) and #match-count", check_filters, page, fx)
                report.run(f"{p} {fx}: sort by clicking th[data-key]", check_sort, page, fx)
    # 2. Every fixture dropped on #drop-zone, in a fresh page.
    report.run(f"{p} reload", page.open)
    for fx in fixtures:
        if report.run(f"{p} {fx}: open by drop on #drop-zone", load_by_drop, page, fx):
            c = Case(fx, CASES[fx][0])
            report.run(f"{p} {fx} (dropped): `{c.command}`", check_case, page, c)
    # 3. Broken archives, by picker and by drop; the page keeps working after each.
    for i, (name, path, data) in enumerate(broken_archives(tmp)):
        how = "picker" if i % 2 == 0 else "drop"
        report.run(f"{p} broken archive {name} by {how} -> #error, state error", check_broken, page, name, path, data, how)
        report.run(f"{p} after {name}: a good file loads and renders", check_recovers, page)
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
