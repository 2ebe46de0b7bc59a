"""A tiny W3C WebDriver client for Debian's chromedriver, over urllib.

No dependencies: the browser tests and tests/browser/measure.py drive
/usr/bin/chromium headless through /usr/bin/chromedriver, which this module
starts on a free localhost port.
Nothing here downloads a browser or a driver.

Besides the W3C commands it uses two chromedriver extensions:
- the performance log (`POST /session/{id}/se/log` {"type": "performance"}),
  which carries the DevTools events, Network.requestWillBeSent among them;
- `POST /session/{id}/goog/cdp/execute`, to send one DevTools command.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"


class WebDriverError(Exception):
    """An error answer from chromedriver (the W3C `error` and `message`)."""

    def __init__(self, command, status, value):
        self.command = command
        self.status = status
        self.error = value.get("error", "?") if isinstance(value, dict) else "?"
        message = value.get("message", "") if isinstance(value, dict) else str(value)
        # chromedriver appends a long native stack trace; keep its first lines.
        self.message = "\n".join(message.splitlines()[:4])
        super().__init__(f"{command}: HTTP {status} {self.error}: {self.message}")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url, timeout):
    """Poll url until it answers (any HTTP status), or raise after timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return
        except OSError as e:
            last = e
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s: {last}")


class Element:
    """A reference to one element of the current page."""

    def __init__(self, session, eid, selector):
        self.session = session
        self.id = eid
        self.selector = selector

    def _cmd(self, method, path, body=None):
        return self.session._cmd(method, f"/element/{self.id}{path}", body)

    def click(self):
        self._cmd("POST", "/click", {})

    def clear(self):
        self._cmd("POST", "/clear", {})

    def send_keys(self, text):
        self._cmd("POST", "/value", {"text": text})

    def text(self):
        return self._cmd("GET", "/text")

    def prop(self, name):
        return self._cmd("GET", f"/property/{name}")

    def attr(self, name):
        return self._cmd("GET", f"/attribute/{name}")

    def __repr__(self):
        return f"<Element {self.selector}>"

    def to_json(self):
        return {ELEMENT_KEY: self.id}


def _encode_args(args):
    out = []
    for a in args:
        out.append(a.to_json() if isinstance(a, Element) else a)
    return out


class Browser:
    """chromedriver plus one headless Chromium session.

    Use as a context manager; `close()` ends the session and the chromedriver
    process this object started (by its pid), and removes the temporary
    profile and download directories.
    """

    def __init__(self, *, window=(1280, 900), extra_args=(), verbose=False):
        self.tmp = tempfile.mkdtemp(prefix="netsnap-browser-")
        self.profile = os.path.join(self.tmp, "profile")
        self.downloads = os.path.join(self.tmp, "downloads")
        os.makedirs(self.profile)
        os.makedirs(self.downloads)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.driver_log = os.path.join(self.tmp, "chromedriver.log")
        self.verbose = verbose
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}", f"--log-path={self.driver_log}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.sid = None
        try:
            wait_for_http(self.base + "/status", 20)
            self._start_session(window, list(extra_args))
        except BaseException:
            self.close()
            raise

    # -- plumbing ---------------------------------------------------------

    def _raw(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json; charset=utf-8")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, payload = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, payload = e.code, e.read()
        try:
            value = json.loads(payload or b"{}").get("value")
        except ValueError:
            value = {"error": "bad json", "message": payload[:200].decode("latin-1")}
        if status != 200:
            raise WebDriverError(f"{method} {path}", status, value)
        return value

    def _cmd(self, method, path, body=None, timeout=120):
        return self._raw(method, f"/session/{self.sid}{path}", body, timeout)

    def _start_session(self, window, extra_args):
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-pings",
            "--metrics-recording-only",
            "--password-store=basic",
            "--no-service-autorun",
            # Browser-level traffic that --disable-background-networking leaves on:
            # time queries, autofill, predictors; account and component updater
            # endpoints are pointed at a closed local port.
            "--disable-features=PreconnectToSearch,NetworkTimeServiceQuerying,"
            "AutofillServerCommunication,OptimizationHints,Translate,MediaRouter",
            "--gaia-url=http://127.0.0.1:9/",
            "--google-apis-url=http://127.0.0.1:9/",
            "--lso-url=http://127.0.0.1:9/",
            "--google-base-url=http://127.0.0.1:9/",
            "--component-updater=url-source=http://127.0.0.1:9/",
            f"--window-size={window[0]},{window[1]}",
            f"--user-data-dir={self.profile}",
        ] + extra_args
        caps = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": {
                    "download.default_directory": self.downloads,
                    "download.prompt_for_download": False,
                    "download.directory_upgrade": True,
                    "safebrowsing.enabled": False,
                    "net.network_prediction_options": 2,
                    "search.suggest_enabled": False,
                    "signin.allowed": False,
                    "default_search_provider.enabled": False,
                },
            },
            "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"},
        }
        value = self._raw("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
        self.sid = value["sessionId"]
        self.capabilities = value.get("capabilities", {})
        self._cmd("POST", "/timeouts", {"script": 120_000, "pageLoad": 60_000, "implicit": 0})
        # Headless Chromium writes downloads only where it is told to.
        self.cdp("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})

    def close(self):
        if self.sid is not None:
            try:
                self._raw("DELETE", f"/session/{self.sid}", timeout=30)
            except Exception:
                pass
            self.sid = None
        if self.driver is not None:
            self.driver.terminate()
            try:
                self.driver.wait(10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()
            self.driver = None
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- commands ---------------------------------------------------------

    @property
    def version(self):
        return self.capabilities.get("browserVersion", "?")

    def get(self, url):
        self._cmd("POST", "/url", {"url": url})

    def current_url(self):
        return self._cmd("GET", "/url")

    def find(self, css):
        v = self._cmd("POST", "/element", {"using": "css selector", "value": css})
        return Element(self, v[ELEMENT_KEY], css)

    def find_all(self, css):
        vs = self._cmd("POST", "/elements", {"using": "css selector", "value": css})
        return [Element(self, v[ELEMENT_KEY], css) for v in vs]

    def exists(self, css):
        return bool(self.js("return document.querySelector(arguments[0]) !== null;", css))

    def js(self, script, *args):
        """Run script synchronously in the page; `arguments` holds args."""
        return self._cmd("POST", "/execute/sync", {"script": script, "args": _encode_args(args)})

    def js_async(self, script, *args):
        """Run script; it ends by calling arguments[arguments.length - 1](value)."""
        return self._cmd("POST", "/execute/async", {"script": script, "args": _encode_args(args)})

    def cdp(self, cmd, params=None):
        return self._cmd("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params or {}})

    def performance_log(self):
        """The DevTools events logged since the last call, as (method, params) pairs."""
        entries = self._cmd("POST", "/se/log", {"type": "performance"})
        out = []
        for e in entries:
            try:
                msg = json.loads(e["message"])["message"]
            except (KeyError, ValueError):
                continue
            out.append((msg.get("method", ""), msg.get("params", {})))
        return out

    def console_log(self):
        return self._cmd("POST", "/se/log", {"type": "browser"})

    def screenshot(self, path):
        import base64

        png = self._cmd("GET", "/screenshot")
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def wait(self, predicate_js, *args, timeout=30, interval=0.05, what=None):
        """Poll `predicate_js` (a function body returning a value) until truthy.

        Returns the truthy value; raises TimeoutError with `what` otherwise.
        """
        deadline = time.monotonic() + timeout
        while True:
            v = self.js(predicate_js, *args)
            if v:
                return v
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what or predicate_js}")
            time.sleep(interval)
