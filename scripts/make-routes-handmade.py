#!/usr/bin/env python3
"""Writes the hand-made routing snapshots (edge cases no live kernel shows).

  make-routes-handmade.py FIXTURES_DIR

Creates FIXTURES_DIR/<name>/snapshot.tar.gz for:
  routes-handmade  every IPv4 and IPv6 flag bit, reject routes with metrics,
                   odd numbers (negative, overflowing, too wide, `0x`), long
                   and cut interface names, host bits outside the mask, H-flag
                   and first-octet-0 destinations, names from etc/hosts and
                   etc/networks (long ones cut), rows netstat skips or reads
                   partly (values carried over from the row before), IPv6
                   cache entries, v4-mapped and v4-compatible destinations,
                   routing-cache rows of the modern layout
  routes-odd       headers with extra and `|`-separated columns, a
                   Linux 2.0-layout rt_cache with rows, an empty ipv6_route
  routes-broken    a route header without IRTT, an empty rt_cache, an
                   ipv6_route line longer than netstat's line buffer
  routes-missing   no route, ipv6_route or rt_cache at all
Each archive holds netsnap.json, proc/net/* and etc/{hosts,networks}; the
expected outputs are then recorded with scripts/replay.sh (the real netstat):

  scripts/replay.sh fixtures/NAME/snapshot.tar.gz fixtures/NAME/expected \\
      < fixtures/cases/netstat-routes.txt
"""
import io
import json
import os
import sys
import tarfile

MTIME = 1764300000  # fixed, so that the archives are reproducible

ROUTE_HEADER = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
                "Window\tIRTT" + " " * 55 + "\n")
CACHE_HEADER = ("Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\t"
                "Window\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst" + " " * 26 + "\n")


def h4(dotted):
    """An IPv4 address as a little-endian host's /proc/net/route writes it."""
    b = [int(x) for x in dotted.split(".")]
    return "".join(f"{x:02X}" for x in reversed(b))


def h6(text):
    import ipaddress
    return ipaddress.IPv6Address(text).packed.hex()


def route_row(iface, dest, gw, flags, mask, refcnt=0, use=0, metric=0, mtu=0, window=0, irtt=0):
    cells = [iface, h4(dest), h4(gw), f"{flags:04X}", str(refcnt), str(use), str(metric),
             h4(mask), str(mtu), str(window), str(irtt)]
    return "\t".join(cells) + "\n"


def v6_row(dest, plen, hop, metric, refcnt, use, flags, iface):
    return (f"{h6(dest)} {plen:02x} {'0' * 32} 00 {h6(hop)} {metric:08x} {refcnt:08x} "
            f"{use:08x} {flags:08x} {iface:>8}\n")


def cache_row(iface, dest, gw, flags, src, spec, refcnt=0, use=0, metric=0, mtu=0, window=0,
              irtt=0, tos=0, hhref=-1, hhuptod=0):
    cells = [iface, h4(dest), h4(gw), f"{flags:8X}", str(refcnt), str(use), str(metric),
             h4(src), str(mtu), str(window), str(irtt), f"{tos:02X}", str(hhref), str(hhuptod),
             h4(spec)]
    return "\t".join(cells) + "\n"


def write(fixtures, name, files, missing=()):
    manifest = {
        "format": "netsnap",
        "format_version": 1,
        "collector": "scripts/make-routes-handmade.py",
        "hostname": name,
        "byte_order": "little",
        "user_hz": 100,
        "euid": 0,
        "missing": [{"path": p, "error": "ENOENT"} for p in missing],
        "tables": [],
    }
    entries = [("netsnap.json", json.dumps(manifest, indent=1).encode() + b"\n")]
    entries += [(p, d.encode() if isinstance(d, str) else d) for p, d in files]
    os.makedirs(os.path.join(fixtures, name), exist_ok=True)
    path = os.path.join(fixtures, name, "snapshot.tar.gz")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for p, data in entries:
            info = tarfile.TarInfo(p)
            info.size = len(data)
            info.mtime = MTIME
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    import gzip
    with open(path, "wb") as fh:
        fh.write(gzip.compress(raw.getvalue(), compresslevel=6, mtime=MTIME))
    print(f"wrote {path}")


def handmade(fixtures):
    r = [ROUTE_HEADER]
    r.append(route_row("eth0", "0.0.0.0", "10.0.0.1", 0x0003, "0.0.0.0", irtt=333))
    r.append(route_row("eth0", "10.0.0.0", "0.0.0.0", 0x0001, "255.255.255.0"))
    bits = [1 << i for i in range(1, 32)]
    for k, bit in enumerate(bits):
        r.append(route_row("eth1", f"10.1.{k}.0", f"10.0.0.{k + 2}", 0x0001 | bit,
                           "255.255.255.0", refcnt=k, use=k * 100, metric=k, mtu=k * 10,
                           window=k, irtt=k * 3))
    r.append(route_row("eth1", "10.1.200.0", "10.0.0.1", 0xFFFFFFFF, "255.255.255.0",
                       metric=12, use=34))
    r.append(route_row("eth1", "10.1.201.0", "10.0.0.1", 0x0203, "255.255.255.0", metric=5))
    r.append(route_row("eth1", "10.1.202.7", "0.0.0.0", 0x0205, "255.255.255.255", use=9))
    r.append(route_row("eth1", "10.1.203.0", "10.0.0.1", 0x0002, "255.255.255.0"))  # not UP
    r.append(route_row("eth1", "10.1.204.0", "10.0.0.1", 0x0000, "255.255.255.0"))  # not UP
    r.append(route_row("eth2", "10.2.0.0", "0.0.0.0", 0x0201, "255.255.0.0",
                       refcnt=3, use=77, metric=9, mtu=1500, window=10, irtt=20))
    # numbers: negative, 32-bit overflow, wider than the columns
    r.append("eth2\t%s\t%s\t0003\t99999999999\t4294967295\t-1\t%s\t123456\t1234567\t12345678\n"
             % (h4("10.3.0.0"), h4("10.0.0.1"), h4("255.255.0.0")))
    r.append("eth2\t%s\t%s\t0x0003\t-99999999999999999999\t123456789\t1234567\t%s\t+12\t-5\t77\n"
             % (h4("10.3.1.0"), h4("10.0.0.1"), h4("255.255.255.0")))
    # ten items: IRTT keeps the value of the last row that had one
    r.append("eth2\t%s\t%s\t0001\t0\t0\t0\t%s\t0\t0\n"
             % (h4("10.3.2.0"), h4("0.0.0.0"), h4("255.255.255.0")))
    # "0x10" for %d reads 0 and leaves "x10": IRTT does not convert
    r.append("eth2\t%s\t%s\t0001\t0\t0\t0\t%s\t0\t0x10\t55\n"
             % (h4("10.3.3.0"), h4("0.0.0.0"), h4("255.255.255.0")))
    # nine items: skipped
    r.append("eth2\t%s\t%s\t0001\t0\t0\t0\t%s\t0\n"
             % (h4("10.3.4.0"), h4("0.0.0.0"), h4("255.255.255.0")))
    r.append("\n")
    # lower-case hex
    r.append("eth2\t%s\t%s\t0001\t0\t0\t0\t%s\t0\t0\t0\n"
             % (h4("10.3.5.0").lower(), h4("0.0.0.0"), h4("255.255.255.0").lower()))
    # a destination that is not 8 hex digits: netstat keeps the previous one
    r.append("eth2\t0A00\t%s\t0001\t0\t0\t0\t%s\t0\t0\t0\n" % (h4("0.0.0.0"), h4("255.255.0.0")))
    # interface names: 15 bytes, and 20 bytes (the rest shifts the columns: skipped)
    r.append(route_row("verylongifname0", "10.4.0.0", "0.0.0.0", 0x0001, "255.255.0.0"))
    r.append(route_row("abcdefghijklmnopqrst", "10.4.1.0", "11.0.0.3", 0x0001, "255.255.255.0"))
    r.append(route_row("ab", "10.4.2.0", "0.0.0.0", 0x0001, "255.255.255.0"))
    # names: host bits outside the mask, H flag, networks, first octet 0
    r.append(route_row("eth3", "10.5.2.1", "0.0.0.0", 0x0001, "255.255.0.0"))
    r.append(route_row("eth3", "10.6.0.0", "0.0.0.0", 0x0001, "255.255.0.0"))
    r.append(route_row("eth3", "10.7.0.0", "0.0.0.0", 0x0005, "255.255.0.0"))
    r.append(route_row("eth3", "10.8.0.0", "10.9.0.1", 0x0003, "255.255.0.0"))
    r.append(route_row("eth3", "127.0.0.0", "0.0.0.0", 0x0001, "255.0.0.0"))
    r.append(route_row("eth3", "169.254.0.0", "0.0.0.0", 0x0001, "255.255.0.0"))
    r.append(route_row("eth3", "0.1.0.0", "0.0.0.0", 0x0001, "255.255.0.0"))
    r.append(route_row("eth3", "0.0.0.0", "0.0.0.0", 0x0001, "128.0.0.0"))
    r.append(route_row("eth3", "0.0.0.0", "0.0.0.0", 0x0001, "0.0.0.0"))
    r.append(route_row("eth3", "0.0.0.5", "0.0.0.0", 0x0005, "255.255.255.255"))
    r.append(route_row("eth3", "10.10.0.0", "10.10.0.1", 0x0203, "255.255.0.0", metric=2))
    r.append(route_row("eth3", "192.168.1.0", "192.168.1.1", 0x0003, "255.255.255.0"))
    route = "".join(r)

    v = []
    flag_bits = [0x1, 0x200, 0x2, 0x4, 0x10000, 0x40000, 0x20000, 0x400000, 0x20, 0x200000,
                 0x2000000, 0x8, 0x100, 0x80000000]
    for k, bit in enumerate(flag_bits):
        v.append(v6_row(f"2001:db8:f{k:x}::", 48, "::", k, k, k, bit, "eth0"))
    v.append(v6_row("2001:db8:ff::", 48, "fe80::1", 1024, 1, 0, 0x0045_0003, "eth0"))
    v.append(v6_row("2001:db8:fe::", 48, "::", 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                    "eth0"))
    v.append(v6_row("2001:db8:fd::1", 128, "2001:db8::1", 0, 1, 5, 0x0100_0003, "eth0"))
    v.append(v6_row("2001:db8:fc::1", 128, "::", 0, 1, 5, 0x0100_0001, "eth1"))
    v.append(v6_row("::ffff:10.0.0.0", 104, "::", 1024, 1, 0, 0x0001, "eth0"))
    v.append(v6_row("::ffff:10.20.30.40", 128, "::ffff:10.0.0.1", 1024, 1, 0, 0x0003, "eth0"))
    v.append(v6_row("::10.0.0.1", 128, "::", 1024, 1, 0, 0x0001, "eth0"))
    v.append(v6_row("2001:db8:1234:5678:9abc:def0:1234:5678", 128,
                    "2001:db8:1234:5678:9abc:def0:1234:5679", 1, 1, 1234567, 0x0003,
                    "verylongifname0"))
    v.append(v6_row("2001:db8:aa::", 64, "fe80::2", 256, 1, 0, 0x0003, "abcdefghijklmnopqrst"))
    v.append(v6_row("2001:db8:ab::", 64, "fe80::1", 256, 1, 0, 0x0003, "eth0"))
    v.append("\n")
    v.append("garbage\n")
    v.append(v6_row("::", 0, "::", 0xFFFFFFFF, 1, 0, 0x00200200, "lo"))
    v.append(v6_row("::1", 128, "::", 0, 3, 0, 0x80200001, "lo"))
    v.append(v6_row("fe80::", 64, "::", 256, 1, 0, 0x0001, "eth0"))
    ipv6 = "".join(v)

    c = [CACHE_HEADER]
    c.append(cache_row("eth0", "10.0.0.1", "10.0.0.1", 0x80000000, "10.0.0.2", "10.0.0.2",
                       refcnt=1, use=5, mtu=1500))
    c.append(cache_row("eth0", "192.168.1.1", "10.0.0.1", 0x0001_0007, "0.1.0.0", "0.0.0.0",
                       refcnt=2, use=1234567, metric=3, mtu=1500, window=10, irtt=20, tos=0x10,
                       hhref=3, hhuptod=1))
    c.append(cache_row("eth1", "10.2.3.4", "0.0.0.0", 0x0200, "10.2.3.5", "10.2.3.5"))
    for k, bit in enumerate([0x8, 0x10, 0x20, 0x10000, 0x20000, 0x40000, 0x80000, 0x200000,
                             0x400000, 0x800000, 0x1000000, 0x4000000, 0x8000000, 0x10000000,
                             0x20000000, 0x40000000]):
        c.append(cache_row("eth1", f"10.30.0.{k}", "0.0.0.0", bit, "10.30.1.1", "10.30.1.1",
                           use=k))
    c.append(cache_row("verylongifname0", "10.31.0.1", "10.0.0.1", 0xFFFFFFFF, "10.31.0.2",
                       "10.31.0.2"))
    # 13 items (HHUptod and SpecDst keep the values of the row before)
    c.append("eth2\t%s\t%s\t%8X\t0\t0\t0\t%s\t0\t0\t0\t00\t7\n"
             % (h4("10.32.0.1"), h4("0.0.0.0"), 0x80000000, h4("10.32.0.2")))
    # 11 items: skipped
    c.append("eth2\t%s\t%s\t%8X\t0\t0\t0\t%s\t0\t0\t0\n"
             % (h4("10.33.0.1"), h4("0.0.0.0"), 0x80000000, h4("10.33.0.2")))
    cache = "".join(c)

    hosts = ("127.0.0.1\tlocalhost\n"
             "::1\tlocalhost ip6-localhost ip6-loopback\n"
             "10.0.0.1\tgateway\n"
             "10.0.0.5\tgw-number-five-with-a-long-name\n"
             "10.5.2.1\thostbits\n"
             "10.6.0.0\tnot-shown-as-a-network\n"
             "10.7.0.0\th-flag-host\n"
             "10.9.0.1\t" + "g" * 200 + "\n"
             "0.0.0.5\ttinyhost\n"
             "10.2.3.4\tcached-host\n"
             "10.10.0.0\trejected-host\n"
             "fe80::1\tll-router\n"
             "2001:db8:f3::\tflag-h-net\n"
             "2001:db8:1234:5678:9abc:def0:1234:5678\t" + "x" * 130 + "\n"
             "2001:db8:1234:5678:9abc:def0:1234:5679\tlong-next-hop-name-over-26\n"
             "2001:db8::1\tdoc-host\n")
    networks = ("loopback\t127.0.0.0\n"
                "link-local\t169.254.0.0\n"
                "zeronet\t0.1.0.0\n"
                "n" + "e" * 140 + "t\t10.8.0.0\n"
                "tennet\t10.0.0.0\n"
                "rejected-net\t10.2.0.0\n"
                "mynet\t192.168.1.0\n")
    write(fixtures, "routes-handmade", [
        ("proc/net/route", route),
        ("proc/net/ipv6_route", ipv6),
        ("proc/net/rt_cache", cache),
        ("etc/hosts", hosts),
        ("etc/networks", networks),
    ])


def odd(fixtures):
    header = ("Iface|X\tDestination\tGateway\tExtra\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\t"
              "Window\tIRTT\tMore\n")
    rows = [
        "eth0 x %s %s e 0003 1 2 3 %s 4 5 6 more\n" % (h4("0.0.0.0"), h4("10.0.0.1"),
                                                        h4("0.0.0.0")),
        "eth0 x %s %s e 0001 0 0 0 %s 0 0 0\n" % (h4("10.0.0.0"), h4("0.0.0.0"),
                                                   h4("255.255.255.0")),
        "eth0 x %s %s e 0001 0 0 0 %s 0 0\n" % (h4("10.1.0.0"), h4("0.0.0.0"),
                                                 h4("255.255.0.0")),
    ]
    cache = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\t"
             "IRTT\tHH\tARP\n")
    for k, flags in enumerate([0x0001, 0x0005, 0x0007, 0x0203, 0x0008, 0x8000_0001, 0x0001_0001]):
        cache += "\t".join([f"eth{k}", h4(f"10.0.{k}.1"), h4("10.0.0.1" if k % 2 else "0.0.0.0"),
                            f"{flags:02X}", str(k), str(k * 10), str(k), h4("10.0.0.2"), "1500",
                            "0", "300", str(k % 2), str(k)]) + "\n"
    cache += "\t".join(["eth9", h4("10.0.9.1"), h4("0.0.0.0"), "01", "0", "0", "0",
                        h4("10.0.0.2"), "1500", "0", "300", "1"]) + "\n"
    write(fixtures, "routes-odd", [
        ("proc/net/route", header + "".join(rows)),
        ("proc/net/ipv6_route", ""),
        ("proc/net/rt_cache", cache),
        ("etc/hosts", "127.0.0.1\tlocalhost\n10.0.0.1\tgateway\n"),
        ("etc/networks", "tennet\t10.0.0.0\n"),
    ])


def broken(fixtures):
    header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\n"
    row = "eth0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\n"
    long_line = (f"{h6('2001:db8:1::')} 30 {'0' * 32} 00 {'0' * 32} 00000001 00000001 "
                 f"00000000 00000001" + " " * 1100 + "eth1\n")
    ipv6 = (v6_row("2001:db8:2::", 48, "fe80::1", 1024, 1, 0, 3, "eth0") + long_line
            + v6_row("2001:db8:3::", 48, "::", 256, 1, 0, 1, "eth2"))
    write(fixtures, "routes-broken", [
        ("proc/net/route", header + row),
        ("proc/net/ipv6_route", ipv6),
        ("proc/net/rt_cache", ""),
        ("etc/hosts", "127.0.0.1\tlocalhost\n"),
        ("etc/networks", ""),
    ])


def missing(fixtures):
    write(fixtures, "routes-missing", [
        ("proc/net/tcp", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                         "retrnsmt   uid  timeout inode\n"),
        ("etc/hosts", "127.0.0.1\tlocalhost\n"),
        ("etc/networks", ""),
    ], missing=["proc/net/route", "proc/net/ipv6_route", "proc/net/rt_cache"])


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for make in (handmade, odd, broken, missing):
        make(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
