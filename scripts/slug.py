#!/usr/bin/env python3
"""Case files and output-file names ("slugs") for netsnap fixtures.

This is the single definition of both rules; the Rust test harness mirrors it
and fixtures/README.md documents it.

Case file: one command line per line, split into arguments like a POSIX shell
does (python shlex, no expansion).  A line whose first non-blank character is
`#` is a comment; a blank line means "no arguments".  An argument may not be
empty and may not contain a newline.  Lines whose slug was already seen are
skipped (the same arguments are recorded once).

Slug: the arguments joined with `_`; every byte outside [A-Za-z0-9,.=+-] (the
`_` separator included, when it occurs inside an argument) is written as `%XX`
with uppercase hex.  Arguments are UTF-8 encoded first.  No arguments gives
`_noargs`.

Usage:
  slug.py -- ARG...         print the slug of these arguments
  slug.py --cases FILE      print one line per case: slug, TAB, arguments as JSON
  slug.py --write-args DIR FILE
                            for each case write DIR/<slug>.args (one argument
                            per line, newline-terminated) and print the slugs
"""
import json
import shlex
import sys

SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789,.=+-")
NOARGS = "_noargs"


def slug(args):
    """Return the slug of an argument list."""
    if not args:
        return NOARGS
    parts = []
    for arg in args:
        out = []
        for byte in arg.encode("utf-8", "surrogateescape"):
            out.append(chr(byte) if byte in SAFE else "%%%02X" % byte)
        parts.append("".join(out))
    return "_".join(parts)


def parse_cases(text):
    """Return the list of argument lists of a case file, duplicates removed."""
    cases = []
    seen = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        try:
            args = shlex.split(stripped, comments=False, posix=True)
        except ValueError as err:
            raise SystemExit(f"case line {lineno}: {err}: {line!r}")
        for arg in args:
            if arg == "" or "\n" in arg:
                raise SystemExit(f"case line {lineno}: empty argument or newline: {line!r}")
        key = slug(args)
        if key in seen:
            continue
        seen.add(key)
        cases.append(args)
    return cases


def main(argv):
    if argv[:1] == ["--cases"] and len(argv) == 2:
        with open(argv[1], encoding="utf-8", errors="surrogateescape") as fh:
            for args in parse_cases(fh.read()):
                print(slug(args) + "\t" + json.dumps(args))
        return 0
    if argv[:1] == ["--write-args"] and len(argv) == 3:
        outdir, casefile = argv[1], argv[2]
        with open(casefile, encoding="utf-8", errors="surrogateescape") as fh:
            cases = parse_cases(fh.read())
        for args in cases:
            name = slug(args)
            with open(f"{outdir}/{name}.args", "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write("".join(a + "\n" for a in args))
            print(name)
        return 0
    if argv[:1] == ["--"]:
        print(slug(argv[1:]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
