#!/usr/bin/env python3
"""Split a multi-frame snapshot into one snapshot per frame.

  split-frames.py SNAPSHOT OUTDIR

Frame 0 is every entry outside `frames/`; frame k (k >= 1) is every entry
under `frames/<k>/` with that prefix removed, plus frame 0's manifests and
`etc/` files (later frames do not repeat them).  Writes OUTDIR/frame-<k>.tar.gz
and prints the number of frames.  Used to replay the real `netstat -c` on each
frame in turn (scripts/record-continuous.sh).
"""
import copy
import io
import os
import re
import sys
import tarfile

FRAME = re.compile(r"^frames/(\d+)/(.*)$")


def main(src, outdir):
    frames = {}
    shared = []
    with tarfile.open(src, "r:*") as tar:
        for m in tar:
            data = tar.extractfile(m).read() if m.isfile() else None
            name = m.name.removeprefix("./")
            hit = FRAME.match(name)
            k, rest = (int(hit.group(1)), hit.group(2)) if hit else (0, name)
            info = copy.copy(m)
            info.name = rest
            frames.setdefault(k, []).append((info, data))
            if k == 0 and (rest.startswith("etc/") or rest.startswith("netsnap")):
                shared.append((info, data))
    os.makedirs(outdir, exist_ok=True)
    for k, entries in sorted(frames.items()):
        if k > 0:
            entries = [e for e in shared if e[0].name == "netsnap.json"] + entries + \
                [e for e in shared if e[0].name != "netsnap.json"]
        with tarfile.open(os.path.join(outdir, f"frame-{k}.tar.gz"), "w:gz",
                          format=tarfile.GNU_FORMAT) as out:
            for info, data in entries:
                out.addfile(info, io.BytesIO(data) if data is not None else None)
    print(len(frames))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
