#!/usr/bin/env python3
"""Writes the `malformed` fixture: the server snapshot with damaged rows in
its socket tables (what no live kernel writes), to check that netsnap treats
every odd row as the real netstat does.

  make-malformed.py SERVER_SNAPSHOT OUT_SNAPSHOT

Damage, each next to sound rows:
  tcp     a short row (slot and local address only), a row with extra
          columns, bad hex in an address, a NUL-filled line, an unknown state
          (0x0F), a queue that overflows 64 bits, a row with tabs between
          fields, an empty line, a negative uid, a 33-hex-digit address
  tcp6    a truncated address, a row cut after the state
  udp     a row with letters for the port, a state of 0x07 with a remote end
  unix    a path with spaces, a row without a path, a short row, a NUL in a
          path, a row with a `0x` flags field, a line that is only spaces
The expected outputs are recorded with the real netstat by
scripts/record-fixtures.sh malformed (scripts/replay.sh on this archive with
fixtures/cases/netstat.txt).
"""
import io
import sys
import tarfile

TCP_ODD = [
    b"  90: 0100007F:1F90\n",
    b"  91: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 100 0 0 10 0 extra columns here\n",
    b"  92: 01Z0007F:1F92 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7002 1 0000000000000000 100 0 0 10 0\n",
    b"\0" * 149 + b"\n",
    b"  93: 0100007F:1F93 0100007F:D431 0F 00000000:00000000 00:00000000 00000000     0        0 7003 1 0000000000000000 100 0 0 10 0\n",
    b"  94: 0100007F:1F94 0100007F:D432 01 FFFFFFFFFFFFFFFFFFFF:00000001 00:00000000 00000000     0        0 7004 1 0000000000000000 100 0 0 10 0\n",
    b"  95:\t0100007F:1F95\t00000000:0000\t0A\t00000000:00000000\t00:00000000\t00000000\t0\t0\t7005 1 0000000000000000 100 0 0 10 0\n",
    b"\n",
    b"  96: 0100007F:1F96 00000000:0000 0A 00000000:00000000 00:00000000 00000000    -5        0 7006 1 0000000000000000 100 0 0 10 0\n",
    b"  97: 0100007F0:1F97 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7007 1 0000000000000000 100 0 0 10 0\n",
    b"  98: 0100007F0100007F0100007F0100007F0:1F98 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7008 1 0000000000000000 100 0 0 10 0\n",
]
TCP6_ODD = [
    b"  90: 0000000000000000000000000100:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7101 1 0000000000000000 100 0 0 10 0\n",
    b"  91: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A\n",
]
UDP_ODD = [
    b"  90: 0100007F:XYZ0 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 7201 2 0000000000000000 0\n",
    b"  91: 0100007F:1F91 0200007F:0035 07 00000000:00000000 00:00000000 00000000     0        0 7202 2 0000000000000000 0\n",
]
UNIX_ODD = [
    b"0000000000000000: 00000002 00000000 00010000 0001 01 7301 /run/with space/sock et\n",
    b"0000000000000000: 00000002 00000000 00000000 0001 03 7302\n",
    b"0000000000000000: 00000002 00000000\n",
    b"0000000000000000: 00000002 00000000 00000000 0001 03 7303 /run/nul\0after\n",
    b"0000000000000000: 00000002 00000000 0x10000 0001 01 7304 /run/hexflags\n",
    b"        \n",
]


def damage(name, data):
    lines = data.splitlines(keepends=True)
    odd = {"proc/net/tcp": TCP_ODD, "proc/net/tcp6": TCP6_ODD, "proc/net/udp": UDP_ODD, "proc/net/unix": UNIX_ODD}.get(name)
    if odd is None or not lines:
        return data
    # The odd rows go after the header and the first sound row, so that
    # sound rows lie on both sides.
    cut = min(2, len(lines))
    return b"".join(lines[:cut] + odd + lines[cut:])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    with tarfile.open(src, "r:*") as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin.getmembers():
            if m.isfile():
                f = tin.extractfile(m)
                data = f.read() if f else b""
                data = damage(m.name, data)
                m.size = len(data)
                tout.addfile(m, io.BytesIO(data))
            else:
                tout.addfile(m)


if __name__ == "__main__":
    main()
