"""A recording HTTP proxy that the test browser must send all its traffic through.

Why: chromedriver's performance log shows the page's own requests, but not
those of a dedicated worker (a `fetch` inside a worker never shows up there),
and the analyzer runs in a worker.
Chromium started with `--proxy-server=<this> --proxy-bypass-list=<-loopback>`
sends every http(s) request, to loopback too, through this proxy, so every
request the browser makes, from any page, frame or worker, is recorded here.

Requests to an allowed upstream (the served site on 127.0.0.1) are forwarded;
everything else is answered 403 and never leaves the machine.
"""

import http.client
import http.server
import threading
import time
import urllib.parse


class Guard:
    """Start with Guard(allowed_upstreams=[(host, port), ...]); read .requests."""

    def __init__(self, allowed_upstreams=()):
        self.allowed = {(h, int(p)) for h, p in allowed_upstreams}
        self.requests = []  # (monotonic time, method, url, forwarded)
        self.lock = threading.Lock()
        guard = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _record(self, url, forwarded):
                with guard.lock:
                    guard.requests.append((time.monotonic(), self.command, url, forwarded))

            def do_CONNECT(self):
                self._record(f"connect://{self.path}", False)
                self.send_error(403, "blocked by the netsnap test proxy")

            def _proxy(self):
                url = self.path
                parts = urllib.parse.urlsplit(url)
                host, port = parts.hostname, parts.port or 80
                ok = parts.scheme == "http" and (host, port) in guard.allowed
                self._record(url, ok)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if not ok:
                    msg = b"blocked by the netsnap test proxy\n"
                    self.send_response(403)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(msg)
                    return
                path = parts.path or "/"
                if parts.query:
                    path += "?" + parts.query
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("proxy-connection", "connection", "keep-alive")
                }
                conn = http.client.HTTPConnection(host, port, timeout=60)
                try:
                    conn.request(self.command, path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _proxy

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def chromium_args(self):
        return [
            f"--proxy-server=http://127.0.0.1:{self.port}",
            # Without this, Chromium sends requests to loopback addresses directly.
            "--proxy-bypass-list=<-loopback>",
        ]

    def allow(self, host, port):
        self.allowed.add((host, int(port)))

    def since(self, t0):
        with self.lock:
            return [r for r in self.requests if r[0] >= t0]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
