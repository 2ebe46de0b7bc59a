#!/usr/bin/env python3
"""Packages the browser build into the two outputs that ship.

Input: target/web/pkg/ from scripts/build-web.sh (netsnap_web.js, the
wasm-bindgen glue, and netsnap_web_bg.wasm), plus web/www/ (index.html
template, style.css, boot.js, worker.js).

Output:
  target/web/netsnap.html   one self-contained file: CSS, glue, worker
                            source and the wasm (base64) inlined; works
                            opened from disk, with no server.
  target/web/site/          the static site: index.html (the same page).

The page holds the glue twice: as an ES module (imported on the main
thread, where the UI runs) and, with the worker script appended, as a
classic script (the analysis worker; see classic_glue).

Nothing is fetched at run time: the page's CSP forbids it
(connect-src 'none'); the glue is imported and the worker started from
blob: URLs made from the inlined text.

Usage: scripts/package-web.py [--pkg DIR] [--out DIR]
"""

import argparse
import base64
import gzip
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WWW = os.path.join(ROOT, "web", "www")


def die(msg):
    print(f"package-web.py: {msg}", file=sys.stderr)
    sys.exit(1)


def read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        die(f"cannot read {os.path.relpath(path, ROOT)}: {e.strerror} (run scripts/build-web.sh first?)")


def check_script_text(name, text):
    """Text placed inside a <script> element must not end it early or open
    an HTML comment there (the HTML parser, not JavaScript, reads it)."""
    for bad in ("</script", "<!--", "<script"):
        if bad in text.lower():
            die(f"{name} contains {bad!r}; it cannot be inlined in a <script> element")


def check_glue(glue):
    """The glue is imported from a blob: URL, where relative imports cannot
    resolve: it must not import anything (no JS snippets in the crate)."""
    for line in glue.splitlines():
        s = line.strip()
        if re.match(r"import\s*[\w{*\s]", s) or re.match(r"import\s*['\"]", s):
            die(f"the wasm-bindgen glue imports another module ({s!r}); inline snippets are not supported")


def classic_glue(glue):
    """The glue as a classic script, for the worker: Chromium starts no
    module worker from a blob: URL made in a file:// page (its origin is
    opaque), but it starts a classic one. Drops the `export` keywords and
    statements; `import.meta.url` only names the default wasm path, which
    is never used (the worker gets the compiled module)."""
    out = re.sub(r"^export\s+\{[^}]*\};?[ \t]*$", "", glue, flags=re.M)
    out = re.sub(r"^export\s+(?=(?:async\s+)?(?:class|function|const|let|var)\b)", "", out, flags=re.M)
    out = out.replace("import.meta.url", "self.location.href")
    for pattern, what in ((r"^\s*export\b", "an export"), (r"\bimport\s*\.\s*meta\b", "import.meta"), (r"^\s*import\b", "an import")):
        m = re.search(pattern, out, flags=re.M)
        if m:
            line = out[: m.start()].count("\n") + 1
            die(f"cannot make the glue a classic script: {what} is left at line {line}")
    return out


def workspace_version():
    text = read_text(os.path.join(ROOT, "Cargo.toml"))
    m = re.search(r'^\[workspace\.package\][^\[]*?^version\s*=\s*"([^"]+)"', text, re.M | re.S)
    return m.group(1) if m else "unknown"


def build_page(pkg):
    glue = read_text(os.path.join(pkg, "netsnap_web.js"))
    try:
        with open(os.path.join(pkg, "netsnap_web_bg.wasm"), "rb") as f:
            wasm = f.read()
    except OSError as e:
        die(f"cannot read the wasm in {os.path.relpath(pkg, ROOT)}: {e.strerror} (run scripts/build-web.sh first?)")
    if wasm[:4] != b"\0asm":
        die("netsnap_web_bg.wasm is not a WebAssembly module")
    if "mountApp" not in glue:
        die("the glue exports no mountApp: was the UI (web/src/app) built in?")
    worker = read_text(os.path.join(WWW, "worker.js"))
    boot = read_text(os.path.join(WWW, "boot.js"))
    style = read_text(os.path.join(WWW, "style.css"))
    template = read_text(os.path.join(WWW, "index.html"))
    for name, text in (("the glue", glue), ("worker.js", worker), ("boot.js", boot)):
        check_script_text(name, text)
    if "</style" in style.lower():
        die("style.css contains '</style'")
    check_glue(glue)
    b64 = base64.b64encode(wasm).decode("ascii")
    # 76-column lines keep the file friendly to editors and diff tools.
    b64 = "\n".join(b64[i : i + 76] for i in range(0, len(b64), 76))
    parts = {
        "VERSION": workspace_version(),
        "STYLE": style.strip(),
        "GLUE": glue.strip(),
        "WORKER": classic_glue(glue).strip() + "\n\n" + worker.strip(),
        "WASM": b64,
        "BOOT": boot.strip(),
    }
    seen = set()

    def fill(m):
        key = m.group(1)
        if key not in parts:
            die(f"web/www/index.html: unknown placeholder @@{key}@@")
        seen.add(key)
        return parts[key]

    # One pass over the template: inserted text is never scanned again.
    page = re.sub(r"@@([A-Z]+)@@", fill, template)
    missing = set(parts) - seen
    if missing:
        die(f"web/www/index.html lacks placeholders: {sorted(missing)}")
    return page, len(wasm), len(glue)


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="Package target/web/pkg into netsnap.html and site/.")
    ap.add_argument("--pkg", default=os.path.join(ROOT, "target", "web", "pkg"))
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "web"))
    opts = ap.parse_args()

    page, wasm_len, glue_len = build_page(opts.pkg)
    os.makedirs(opts.out, exist_ok=True)
    single = os.path.join(opts.out, "netsnap.html")
    write(single, page)
    site = os.path.join(opts.out, "site")
    if os.path.isdir(site):
        shutil.rmtree(site)
    os.makedirs(site)
    write(os.path.join(site, "index.html"), page)

    raw = page.encode("utf-8")
    gz = len(gzip.compress(raw, 9))
    rel = lambda p: os.path.relpath(p, ROOT)  # noqa: E731
    print(f"package-web.py: wasm {wasm_len} bytes, glue {glue_len} bytes")
    print(f"  {rel(single):32} {len(raw):9d} bytes  (gzip -9: {gz})")
    print(f"  {rel(os.path.join(site, 'index.html')):32} {len(raw):9d} bytes  (the same page)")


if __name__ == "__main__":
    main()
