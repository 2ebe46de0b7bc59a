#!/usr/bin/env python3
"""Hand-make the `netstat -s` edge-case snapshots.

  make-stats-snapshots.py FIXTURES_DIR

Writes FIXTURES_DIR/<name>/snapshot.tar.gz for:

  stats-handmade         every counter distinct and non-zero: the key lists of
                         fixtures/stats-traffic (Linux 6.18) plus every TcpExt
                         key netstat 2.10 has a sentence for (a second TcpExt
                         pair), an unknown section in each file, 64 ICMP types
                         (four IcmpMsg pairs), u64 maximum, and sctp/snmp
  stats-handmade-zero    the same files as a fresh namespace has them: all
                         counters 0, no IcmpMsg pair
  stats-handmade-odd     files netstat reads in odd ways: blank lines, values
                         that are not numbers, negative and overflowing
                         values, keys split by tabs or holding CR, titles with
                         spaces, an odd line count, a pair without ':' (netstat:
                         "Problem while parsing"), snmp6 lines without a key
                         or a value, a 1100-byte line, a NUL byte, keys
                         without '6', sctp/snmp lines without a key, longer
                         than netstat's buffer, and one whose value comes
                         from the previous line
  stats-handmade-nosnmp  no proc/net/snmp (snmp6, netstat, sctp/snmp present)
  stats-handmade-nosnmp6 no proc/net/snmp6 and no proc/net/netstat

The key lists come from fixtures/stats-traffic/snapshot.tar.gz (taken with the
collector), so the files have the kernel's layout: line pairs
"Title: key key ...\\nTitle: value value ...\\n" (values after one space each),
and "%-32s\\t%llu\\n" lines in snmp6 and sctp/snmp.  The output is
deterministic.
"""
import gzip
import io
import json
import os
import sys
import tarfile

MTIME = 1767225600  # 2026-01-01T00:00:00Z, fixed so the archives are reproducible
HERE = os.path.dirname(os.path.abspath(__file__))
TRAFFIC = os.path.join(HERE, "..", "fixtures", "stats-traffic", "snapshot.tar.gz")
U64_MAX = 2**64 - 1

# netstat 2.10's TcpExt sentences, including keys this kernel no longer has.
NETSTAT_TCPEXT_KEYS = """DelayedACKLocked DelayedACKLost DelayedACKs EmbryonicRsts ListenDrops
ListenOverflows LockDroppedIcmps OfoPruned OutOfWindowIcmps PAWSActive PAWSEstab PAWSPassive
PruneCalled RcvPruned SockMallocOOM SyncookiesFailed SyncookiesRecv SyncookiesSent TCPAbortFailed
TCPAbortOnClose TCPAbortOnData TCPAbortOnLinger TCPAbortOnMemory TCPAbortOnSyn TCPAbortOnTimeout
TCPDirectCopyFromBacklog TCPDirectCopyFromPrequeue TCPDSACKOfoRecv TCPDSACKOfoSent TCPDSACKOldSent
TCPDSACKRecv TCPDSackUndo TCPDSACKUndo TCPFACKReorder TCPFastRetrans TCPForwardRetrans TCPFullUndo
TCPHPAcks TCPHPHits TCPHPHitsToUser TCPLossFailures TCPLoss TCPLossUndo TCPLostRetransmits
TCPMemoryPressures TCPPartialUndo TCPPrequeued TCPPrequeueDropped TCPPureAcks TCPRcvCollapsed
TCPRenoFailures TCPRenoRecoveryFailed TCPRenoRecoveryFail TCPRenoRecovery TCPRenoReorder
TCPSackFailures TCPSackRecoveryFail TCPSackRecovery TCPSACKReneging TCPSACKReorder
TCPSchedulerFailed TCPSlowStartRetrans TCPTimeouts TCPTSReorder TWKilled TW TWRecycled""".split()

# Linux 6.x net/sctp/proc.c sctp_snmp_list.
SCTP_KEYS = """SctpCurrEstab SctpActiveEstabs SctpPassiveEstabs SctpAborteds SctpShutdowns
SctpOutOfBlues SctpChecksumErrors SctpOutCtrlChunks SctpOutOrderChunks SctpOutUnorderChunks
SctpInCtrlChunks SctpInOrderChunks SctpInUnorderChunks SctpFragUsrMsgs SctpReasmUsrMsgs
SctpOutSCTPPacks SctpInSCTPPacks SctpT1InitExpireds SctpT1CookieExpireds
SctpT2ShutdownExpireds SctpT3RtxExpireds SctpT4RtoExpireds SctpT5ShutdownGuardExpireds
SctpDelaySackExpireds SctpAutocloseExpireds SctpT3Retransmits SctpPmtudRetransmits
SctpFastRetransmits SctpInPktSoftirq SctpInPktBacklog SctpInPktDiscards
SctpInDataChunkDiscards""".split()

# Values the kernel prints as constants, whatever the traffic.
CONSTANTS = {("Ip", "Forwarding"): "1", ("Ip", "DefaultTTL"): "64",
             ("Tcp", "RtoAlgorithm"): "1", ("Tcp", "RtoMin"): "200",
             ("Tcp", "RtoMax"): "120000", ("Tcp", "MaxConn"): "-1"}


def read_traffic():
    with tarfile.open(TRAFFIC) as tf:
        def text(name):
            return tf.extractfile(name).read().decode()
        return text("proc/net/snmp"), text("proc/net/netstat"), text("proc/net/snmp6")


def pairs_of(text):
    """[(title, [keys])] of a line-pair file, IcmpMsg left out."""
    lines = text.splitlines()
    out = []
    for keys, _ in zip(lines[::2], lines[1::2]):
        title, rest = keys.split(":", 1)
        if title != "IcmpMsg":
            out.append((title, rest.split()))
    return out


def pair_text(title, keys, values):
    return f"{title}: {' '.join(keys)}\n{title}: {' '.join(values)}\n"


def kv_text(items):
    return "".join(f"{k:<32}\t{v}\n" for k, v in items)


class Counter:
    """Distinct values: 1, 2, 3, ... times a step, so no two keys share one."""
    def __init__(self, step):
        self.n, self.step = 0, step

    def __call__(self):
        self.n += 1
        return str(self.n * self.step)


def icmpmsg(types_in, types_out, value):
    """IcmpMsg pairs as the kernel writes them: non-zero types, in then out,
    at most 16 per pair."""
    keys = [f"InType{t}" for t in types_in] + [f"OutType{t}" for t in types_out]
    out = ""
    for i in range(0, len(keys), 16):
        chunk = keys[i:i + 16]
        out += pair_text("IcmpMsg", chunk, [value() for _ in chunk])
    return out


def snmp_file(pairs, value, icmp=""):
    out = ""
    for title, keys in pairs:
        values = [CONSTANTS.get((title, k)) or value() for k in keys]
        out += pair_text(title, keys, values)
        if title == "Icmp":
            out += icmp
    return out


def handmade(snmp, netstat, snmp6):
    v = Counter(7)
    files = {}
    icmp = icmpmsg(list(range(0, 40)), list(range(0, 24)), v)
    files["proc/net/snmp"] = snmp_file(pairs_of(snmp), v, icmp)
    nt = ""
    for title, keys in pairs_of(netstat):
        values = [v() for _ in keys]
        if title == "IpExt":
            values[keys.index("InOctets")] = str(U64_MAX)
        nt += pair_text(title, keys, values)
        if title == "TcpExt":
            nt += pair_text("TcpExt", NETSTAT_TCPEXT_KEYS, [v() for _ in NETSTAT_TCPEXT_KEYS])
    nt += pair_text("NetsnapExt", ["NetsnapFirst", "NetsnapZero", "NetsnapLast"],
                    [v(), "0", v()])
    files["proc/net/netstat"] = nt
    items = []
    for line in snmp6.splitlines():
        key = line.split()[0]
        items.append((key, v()))
        if key == "Icmp6OutType143":  # an unknown section between Icmp6 and Udp6
            items += [("Netsnap6First", v()), ("Netsnap6Zero", "0"), ("Netsnap6Last", v())]
    files["proc/net/snmp6"] = kv_text(items)
    files["proc/net/sctp/snmp"] = kv_text([(k, v()) for k in SCTP_KEYS + ["SctpNetsnapUnknown"]])
    return files


def zero(snmp, netstat, snmp6):
    def nought():
        return "0"
    files = {"proc/net/snmp": snmp_file(pairs_of(snmp), nought),
             "proc/net/netstat": snmp_file(pairs_of(netstat), nought)}
    files["proc/net/snmp6"] = kv_text((line.split()[0], 0) for line in snmp6.splitlines())
    files["proc/net/sctp/snmp"] = kv_text((k, 0) for k in SCTP_KEYS)
    return files


def odd():
    snmp = (
        "\n"
        "Ip: Forwarding DefaultTTL InReceives InHdrErrors InDelivers OutRequests\n"
        "Ip: 2 64 -5 99999999999999999999999 +12 -99999999999999999999999\n"
        "\n"
        "Icmp: InMsgs InDestUnreachs OutMsgs OutEchos OutEchoReps InBogus\n"
        "Icmp: 3 1 4 x 7 8\n"
        "IcmpMsg: InType3 OutType3\n"
        "IcmpMsg: 1 2\n"
        "Tcp:RtoAlgorithm\tActiveOpens  PassiveOpens\rAttemptFails \t CurrEstab\n"
        "Tcp: 1\t2   3 4\n"
        "Udp Lite: A B\n"
        "Whatever: 1 2\n"
        "Sctp: SctpCurrEstab SctpBogus\n"
        "Sctp: 4 5\n"
        "TcpExtra: NetsnapKey\n"
        "TcpExtra: 9\n"
        "Udp: InDatagrams NoPorts InErrors OutDatagrams\n"
        "Udp: 0x10 010 1e3 7 8 9\n"
        ": EmptyTitle\n"
        ": 6\n"
        "Garbage line without a colon\n"
        "Garbage: 1\n"
        "Tcp: ActiveOpens\n"
        "Tcp: 5\n"
    )
    netstat = (
        "TcpExt: SyncookiesSent TW TCPHPHits TCPLostRetransmit\n"
        "TcpExt: 1 2\n"
        "IpExt: InNoRoutes InOctets\n"
        "IpExt: 1 2 3 4 5\n"
        "MPTcpExt:\n"
        "MPTcpExt:\n"
        "Weird: k"
    )
    snmp6 = (
        "Ip6InReceives                   \t5\n"
        "\n"
        "Ip6InDelivers abc\n"
        "   Ip6OutRequests    7\n"
        "Icmp6InMsgs 3\n"
        "Icmp6InDestUnreachs 0\n"
        "Icmp6OutEchos 2\n"
        "Foo 9\n"
        "FooBar 1\n"
        "Icmp6OutMsgs 2\n"
        "Icmp6InEchos 1\n"
        "Udp6InDatagrams -1\n"
        "Udp6NoPorts" + " " * 1100 + "42\n"
        "Udp6InErrors\0 77\n"
        "Udp6OutDatagrams 18446744073709551616\n"
        "Tcp6ActiveOpens 3\n"
    )
    sctp = (
        "SctpCurrEstab                   \t5\n"
        "SctpActiveEstabs\t\t-1\n"
        "\n"
        " \t7\n"
        "SctpOutOfBlues" + " " * 1015 + "11\n"
        "SctpBogusKey 0\n"
        "SctpAborteds 0\n"
        "A 123456\n"
        "Key"
    )
    return {"proc/net/snmp": snmp, "proc/net/netstat": netstat, "proc/net/snmp6": snmp6,
            "proc/net/sctp/snmp": sctp}


def write(path, files, missing):
    manifest = {"format": "netsnap", "format_version": 1,
                "collector": "scripts/make-stats-snapshots.py",
                "capture_start": "2026-01-01T00:00:00.000Z", "hostname": "stats-fixture",
                "byte_order": "little", "user_hz": 100, "euid": 0,
                "missing": [{"path": p, "error": "ENOENT"} for p in missing], "tables": []}
    entries = [("netsnap.json", (json.dumps(manifest, indent=1) + "\n").encode())]
    entries += [(p, d if isinstance(d, bytes) else d.encode()) for p, d in sorted(files.items())]
    entries.append(("etc/hostname", b"stats-fixture\n"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw, \
            gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=MTIME) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "root", "root"
            ti.mode, ti.size = 0o644, len(data)
            tar.addfile(ti, io.BytesIO(data))


def main(out):
    snmp, netstat, snmp6 = read_traffic()
    full = handmade(snmp, netstat, snmp6)
    variants = {
        "stats-handmade": (full, []),
        "stats-handmade-zero": (zero(snmp, netstat, snmp6), []),
        "stats-handmade-odd": (odd(), []),
        "stats-handmade-nosnmp": ({k: v for k, v in full.items() if k != "proc/net/snmp"},
                                  ["proc/net/snmp"]),
        "stats-handmade-nosnmp6": ({k: v for k, v in full.items()
                                    if k not in ("proc/net/snmp6", "proc/net/netstat")},
                                   ["proc/net/snmp6", "proc/net/netstat"]),
    }
    for name, (files, missing) in variants.items():
        write(os.path.join(out, name, "snapshot.tar.gz"), files, missing)
        print(f"{name}: {', '.join(sorted(files))}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
