#!/usr/bin/env python3
"""Derive a snapshot without manifests from another one.

  make-no-manifest.py SRC DST

Copies every entry of SRC except `netsnap.json` and `netsnap-end.json`, in
order, into DST (gzip): an archive in the bare core layout of
SNAPSHOT-LAYOUT.md, which the analyzer must read with its documented defaults
(little-endian, USER_HZ 100, euid 0).
"""
import io
import sys
import tarfile


def main(src, dst):
    with tarfile.open(src, "r:*") as tin, tarfile.open(dst, "w:gz", format=tarfile.GNU_FORMAT) as tout:
        for m in tin:
            if m.name in ("netsnap.json", "netsnap-end.json"):
                continue
            data = tin.extractfile(m).read() if m.isfile() else None
            tout.addfile(m, io.BytesIO(data) if data is not None else None)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
