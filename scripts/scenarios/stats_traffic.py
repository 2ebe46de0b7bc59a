#!/usr/bin/python3
"""Traffic for the `stats` scenario: makes every section of `netstat -s`
(and `-s6`) count something in namespace nsnap-stats.

  stats_traffic.py serve-peer STATE   servers in nsnap-stats-peer (blocks)
  stats_traffic.py serve-us STATE     listeners in nsnap-stats (blocks)
  stats_traffic.py from-us            one-shot traffic sent by nsnap-stats
  stats_traffic.py from-peer          one-shot traffic sent to nsnap-stats
  stats_traffic.py check SNAPSHOT     fail unless every section of the
                                      snapshot's snmp, netstat and snmp6
                                      files has a non-zero counter

Addresses (see stats.sh): us 10.88.0.1 / fd00:88::1 (s0, 02:88:00:00:00:01),
peer 10.88.0.2 / fd00:88::2 (p0, 02:88:00:00:00:02) routing to far
10.88.1.2 / fd00:88:1::2 over a 1280-byte MTU link.

Blocking roles append their pid to STATE/pids and print @@ready.
"""
import os
import signal
import socket
import struct
import sys
import tarfile
import threading
import time

from socket import (AF_INET, AF_INET6, AF_PACKET, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_IP,
                    IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM,
                    SOL_SOCKET, SO_BROADCAST, SO_LINGER, SO_RCVBUF, SO_REUSEADDR)

IPPROTO_UDPLITE = 136
IPPROTO_MPTCP = 262
IP_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 2

US4, PEER4, FAR4 = "10.88.0.1", "10.88.0.2", "10.88.1.2"
US6, PEER6, FAR6 = "fd00:88::1", "fd00:88::2", "fd00:88:1::2"
US_MAC, PEER_MAC = bytes.fromhex("028800000001"), bytes.fromhex("028800000002")


def log(msg):
    print(f"[stats {sys.argv[1]} {os.getpid()}] {msg}", flush=True)


def quietly(fn, *args):
    """Run fn; errors are expected for much of this traffic."""
    try:
        return fn(*args)
    except OSError as e:
        log(f"{fn.__name__}{tuple(a[:16] if isinstance(a, bytes) else a for a in args)}: {e}")
        return None


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def icmp4(typ, code, rest=b"\0\0\0\0", body=b""):
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def ip4_header(src, dst, proto, payload_len, ident=0x4242, frag=0, ttl=64, check=True):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, frag, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    if check:
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr


def quoted4(src, dst):
    """The IP header plus 8 bytes an ICMP error carries: a UDP datagram src -> dst."""
    return ip4_header(src, dst, IPPROTO_UDP, 8) + struct.pack("!HHHH", 40000, 9, 8, 0)


def quoted6(src, dst):
    return (struct.pack("!IHBB16s16s", 6 << 28, 8, IPPROTO_UDP, 64,
                        socket.inet_pton(AF_INET6, src), socket.inet_pton(AF_INET6, dst))
            + struct.pack("!HHHH", 40000, 9, 8, 0))


def every_icmp4(src, dst):
    """One message of every ICMP type netstat names, from src to dst."""
    s = socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
    q = quoted4(dst, src)
    msgs = [
        icmp4(0, 0, struct.pack("!HH", 0x77, 1), b"netsnap"),      # echo reply
        icmp4(3, 3, body=q),                                         # port unreachable
        icmp4(4, 0, body=q),                                         # source quench
        icmp4(5, 1, socket.inet_aton(src), q),                       # redirect
        icmp4(8, 0, struct.pack("!HH", 0x78, 1), b"netsnap"),      # echo request
        icmp4(11, 0, body=q),                                        # time exceeded
        icmp4(12, 0, b"\x14\0\0\0", q),                              # parameter problem
        icmp4(13, 0, struct.pack("!HH", 0x79, 1), bytes(12)),      # timestamp
        icmp4(14, 0, struct.pack("!HH", 0x7A, 1), bytes(12)),      # timestamp reply
        icmp4(17, 0, struct.pack("!HH", 0x7B, 1), bytes(4)),       # address mask request
        icmp4(18, 0, struct.pack("!HH", 0x7C, 1), b"\xff\xff\xff\0"),  # address mask reply
        icmp4(40, 0, body=q),                                        # a type netstat does not name
    ]
    for m in msgs:
        quietly(s.sendto, m, (dst, 0))
    s.close()


def every_icmp6(dst, src):
    """One message of every ICMPv6 type netstat names (and MLDv2), to dst."""
    s = socket.socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)
    s.setsockopt(IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    q = quoted6(dst, src)
    addr = socket.inet_pton(AF_INET6, dst)
    msgs = [
        (1, 4, bytes(4) + q),                  # destination unreachable (port)
        (2, 0, struct.pack("!I", 1280) + q),   # packet too big
        (3, 0, bytes(4) + q),                  # time exceeded
        (4, 0, struct.pack("!I", 6) + q),      # parameter problem
        (128, 0, struct.pack("!HH", 0x66, 1) + b"netsnap"),  # echo request
        (129, 0, struct.pack("!HH", 0x67, 1) + b"netsnap"),  # echo reply
        (130, 0, bytes(4) + bytes(16)),        # MLD query
        (131, 0, bytes(4) + addr),             # MLD report
        (132, 0, bytes(4) + addr),             # MLD done
        (133, 0, bytes(4)),                    # router solicitation
        (134, 0, bytes(12)),                   # router advertisement
        (135, 0, bytes(4) + addr),             # neighbour solicitation
        (136, 0, b"\x20\0\0\0" + addr),        # neighbour advertisement
        (137, 0, bytes(4) + addr + addr),      # redirect
        (143, 0, bytes(4)),                    # MLDv2 report
        (200, 0, bytes(4)),                    # private experimentation
    ]
    for typ, code, body in msgs:
        quietly(s.sendto, struct.pack("!BBH", typ, code, 0) + body, (dst, 0))
    s.close()


def ping4(dst, ttl=64, count=1):
    s = socket.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
    s.setsockopt(IPPROTO_IP, socket.IP_TTL, ttl)
    s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1)
    for i in range(count):
        quietly(s.sendto, icmp4(8, 0, struct.pack("!HH", 0x1234, i), b"netsnap ping"), (dst, 0))
    time.sleep(0.2)
    s.close()


def ping6(dst, hops=64, count=1):
    s = socket.socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)
    s.setsockopt(IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, hops)
    for i in range(count):
        quietly(s.sendto, struct.pack("!BBHHH", 128, 0, 0, 0x1234, i) + b"netsnap ping", (dst, 0))
    time.sleep(0.2)
    s.close()


def udp(family, dst, port, payload=b"netsnap", count=1, proto=0, reply=False, opts=()):
    s = socket.socket(family, SOCK_DGRAM, proto)
    for level, name, value in opts:
        s.setsockopt(level, name, value)
    s.settimeout(1.0)
    for _ in range(count):
        quietly(s.sendto, payload, (dst, port))
        if reply:
            quietly(s.recv, 65536)
    time.sleep(0.05)
    s.close()


def tcp(family, dst, port, data=b"", read=True, timeout=3.0, proto=0):
    s = socket.socket(family, SOCK_STREAM, proto)
    s.settimeout(timeout)
    try:
        s.connect((dst, port))
        if data:
            s.sendall(data)
            if read:
                got = 0
                while got < len(data):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += len(chunk)
            else:
                time.sleep(0.3)
    except OSError as e:
        log(f"tcp {dst}:{port}: {e}")
    s.close()


def frame(ethertype, payload):
    return US_MAC + PEER_MAC + struct.pack("!H", ethertype) + payload


def bad_frames():
    """Frames from p0 that the IP layers of nsnap-stats must refuse or hold:
    bad checksum, truncated, bad version, and lone first fragments."""
    s = socket.socket(AF_PACKET, SOCK_RAW)
    s.bind(("p0", 0))
    udp_hdr = struct.pack("!HHHH", 40000, 7000, 16, 0) + b"fragment"
    hdr = ip4_header(PEER4, US4, IPPROTO_UDP, 16)
    bad = hdr[:10] + b"\xde\xad" + hdr[12:]
    s.send(frame(0x0800, bad + udp_hdr))                                   # checksum
    s.send(frame(0x0800, ip4_header(PEER4, US4, IPPROTO_UDP, 400) + udp_hdr))  # truncated
    s.send(frame(0x0800, ip4_header(PEER4, US4, IPPROTO_UDP, 16, frag=0x2000) + udp_hdr))
    s.send(frame(0x0800, ip4_header(PEER4, US4, IPPROTO_UDP, 16, ident=0x4343, frag=0x2000)
                 + udp_hdr))
    src6, dst6 = socket.inet_pton(AF_INET6, PEER6), socket.inet_pton(AF_INET6, US6)
    s.send(frame(0x86DD, struct.pack("!IHBB", 4 << 28, 8, 17, 64) + src6 + dst6 + bytes(8)))
    s.send(frame(0x86DD, struct.pack("!IHBB", 6 << 28, 400, 17, 64) + src6 + dst6 + bytes(8)))
    fraghdr = struct.pack("!BBHI", 17, 0, 0x0001, 0x5151)  # offset 0, more fragments
    s.send(frame(0x86DD, struct.pack("!IHBB", 6 << 28, 8 + 16, 44, 64) + src6 + dst6
                 + fraghdr + udp_hdr))
    s.close()


def bad_checksums():
    """TCP and UDP segments with wrong checksums (raw sockets, header only)."""
    for family, dst in ((AF_INET, US4), (AF_INET6, US6)):
        for proto, seg in ((IPPROTO_TCP, struct.pack("!HHIIBBHHH", 40001, 6002, 1, 0, 0x50, 0x02,
                                                     1024, 0xBAD, 0)),
                           (IPPROTO_UDP, struct.pack("!HHHH", 40002, 7000, 12, 0xBAD) + b"oops")):
            s = socket.socket(family, SOCK_RAW, proto)
            quietly(s.sendto, seg, (dst, 0))
            s.close()


def proto_253():
    for family, dst in ((AF_INET, US4), (AF_INET6, US6)):
        s = socket.socket(family, SOCK_RAW, 253)
        quietly(s.sendto, b"unknown protocol", (dst, 0))
        s.close()


# ------------------------------------------------------------------ servers

def serve_forever(fn, *args):
    t = threading.Thread(target=fn, args=args, daemon=True)
    t.start()


def tcp_echo(family, addr, port, proto=0, reset_after=None):
    ls = socket.socket(family, SOCK_STREAM, proto)
    ls.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    if family == AF_INET6:
        ls.setsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    ls.bind((addr, port))
    ls.listen(16)

    def one(c):
        try:
            if reset_after is not None:
                c.sendall(b"x" * reset_after)
                time.sleep(0.2)
                c.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
                return
            while True:
                data = c.recv(65536)
                if not data:
                    break
                c.sendall(data)
        except OSError:
            pass
        c.close()

    while True:
        c, _ = ls.accept()
        serve_forever(one, c)


def udp_echo(family, addr, port, proto=0):
    s = socket.socket(family, SOCK_DGRAM, proto)
    if family == AF_INET6:
        s.setsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(65536)
        quietly(s.sendto, data, peer)


def hold(state):
    with open(os.path.join(state, "pids"), "a") as fh:
        fh.write(f"{os.getpid()}\n")
    print("@@ready", flush=True)
    while True:
        signal.pause()


def serve_peer(state):
    for family, addr in ((AF_INET, "0.0.0.0"), (AF_INET6, "::")):
        serve_forever(tcp_echo, family, addr, 5001)
        serve_forever(udp_echo, family, addr, 5002)
        serve_forever(udp_echo, family, addr, 5003, IPPROTO_UDPLITE)
        serve_forever(tcp_echo, family, addr, 5005, 0, 20000)
    serve_forever(tcp_echo, AF_INET, "0.0.0.0", 5004, IPPROTO_MPTCP)
    time.sleep(0.3)
    hold(state)


def serve_us(state):
    held = []
    for family, addr in ((AF_INET, "0.0.0.0"), (AF_INET6, "::")):
        ls = socket.socket(family, SOCK_STREAM)
        if family == AF_INET6:
            ls.setsockopt(IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        ls.bind((addr, 6001))
        ls.listen(0)  # never accepted: the queue overflows
        held.append(ls)
        serve_forever(tcp_echo, family, addr, 6002)
    time.sleep(0.3)
    hold(state)


# ------------------------------------------------------------------ traffic

def from_us():
    # ICMP: replies, errors from the router, every type once.
    ping4(PEER4, count=3)
    ping4(FAR4, count=2)
    ping4(FAR4, ttl=1)            # time exceeded from the peer
    ping4("10.88.2.5")            # network unreachable from the peer
    ping6(PEER6, count=3)
    ping6(FAR6, count=2)
    ping6(FAR6, hops=1)
    ping6("fd00:88:2::5")
    every_icmp4(US4, PEER4)
    every_icmp6(PEER6, US6)
    # UDP: echoes, closed ports, fragments, path MTU, redirects, no route.
    for family, peer, far, via in ((AF_INET, PEER4, FAR4, "10.88.0.77"),
                                   (AF_INET6, PEER6, FAR6, "fd00:88::77")):
        udp(family, peer, 5002, count=20, reply=True)
        udp(family, peer, 5002, payload=b"F" * 4000, count=2, reply=True)
        udp(family, peer, 5008, count=3)
        udp(family, peer, 5003, count=10, proto=IPPROTO_UDPLITE, reply=True)
        udp(family, peer, 5007, count=2, proto=IPPROTO_UDPLITE)
        udp(family, via, 9, count=2)
        opts = [(IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)] if family == AF_INET else []
        udp(family, far, 9, payload=b"M" * 1400, count=2, opts=opts)
        time.sleep(0.2)
        udp(family, far, 9, payload=b"M" * 1400, count=1)
    udp(AF_INET, "192.0.2.1", 9)
    udp(AF_INET6, "2001:db8::1", 9)
    udp(AF_INET, "10.88.0.255", 9, opts=[(SOL_SOCKET, SO_BROADCAST, 1)])
    udp(AF_INET, "224.0.0.251", 5353,
        opts=[(IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(US4))])
    # Receive buffer errors: a tiny buffer nobody reads.
    for family, lo in ((AF_INET, "127.0.0.1"), (AF_INET6, "::1")):
        r = socket.socket(family, SOCK_DGRAM)
        r.setsockopt(SOL_SOCKET, SO_RCVBUF, 1)
        r.bind((lo, 0))
        udp(family, lo, r.getsockname()[1], payload=b"R" * 1000, count=50)
        r.close()
    # TCP: echoed data, refused, reset by the server, unanswered SYNs,
    # closed with unread data, MPTCP.
    for family, peer in ((AF_INET, PEER4), (AF_INET6, PEER6)):
        for _ in range(3):
            tcp(family, peer, 5001, b"D" * 50000)
        tcp(family, peer, 5009)
        tcp(family, peer, 5005, b"hello", read=False)
        tcp(family, peer, 5001, b"U" * 30000, read=False)
    tcp(AF_INET, "10.88.1.99", 80, timeout=2.5)
    tcp(AF_INET6, "fd00:88:1::99", 80, timeout=2.5)
    tcp(AF_INET, PEER4, 5004, b"P" * 20000, proto=IPPROTO_MPTCP)


def from_peer():
    every_icmp4(PEER4, US4)
    every_icmp6(US6, PEER6)
    ping4(US4, count=2)
    ping6(US6, count=2)
    ping4("10.88.0.255")
    for family, us in ((AF_INET, US4), (AF_INET6, US6)):
        udp(family, us, 7000, count=4)
        udp(family, us, 7003, count=2, proto=IPPROTO_UDPLITE)
    udp(AF_INET, "10.88.0.255", 7001, opts=[(SOL_SOCKET, SO_BROADCAST, 1)])
    udp(AF_INET, "224.0.0.1", 7002,
        opts=[(IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(PEER4))])
    for tos in (1, 2, 3):
        udp(AF_INET, US4, 7000, opts=[(IPPROTO_IP, socket.IP_TOS, tos)])
        udp(AF_INET6, US6, 7000, opts=[(IPPROTO_IPV6, socket.IPV6_TCLASS, tos)])
    udp(AF_INET, "10.88.3.5", 9, count=2)      # not ours, and we do not forward
    udp(AF_INET6, "fd00:88::99", 9, count=2)
    udp(AF_INET6, "fd00:99::5", 9, count=2)    # nsnap-stats has no route back
    proto_253()
    bad_checksums()
    bad_frames()
    for family, us in ((AF_INET, US4), (AF_INET6, US6)):
        socks = []
        for _ in range(4):
            s = socket.socket(family, SOCK_STREAM)
            s.setblocking(False)
            quietly(s.connect_ex, (us, 6001))
            socks.append(s)
        tcp(family, us, 6009)
        tcp(family, us, 6002, b"E" * 40000)
        time.sleep(1.5)
        for s in socks:
            s.close()


# ------------------------------------------------------------------ check

def check(snapshot):
    with tarfile.open(snapshot) as tf:
        def text(name):
            try:
                return tf.extractfile(name).read().decode()
            except KeyError:
                return ""
        sections = {}
        for name in ("proc/net/snmp", "proc/net/netstat"):
            lines = [l for l in text(name).splitlines() if l]
            for keys, vals in zip(lines[::2], lines[1::2]):
                title = keys.split(":")[0]
                nums = [int(v) for v in vals.split(":", 1)[1].split()]
                sections[title] = sections.get(title, 0) + sum(1 for v in nums if v)
        for line in text("proc/net/snmp6").splitlines():
            key, val = line.split()
            title = key[:key.index("6") + 1]
            sections[title] = sections.get(title, 0) + (1 if int(val) else 0)
    bad = [t for t, n in sections.items() if n == 0]
    for t, n in sections.items():
        print(f"{t}: {n} non-zero counters")
    if bad or not sections:
        print(f"sections without a non-zero counter: {bad}", file=sys.stderr)
        sys.exit(1)


def main():
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role == "serve-peer":
        serve_peer(sys.argv[2])
    elif role == "serve-us":
        serve_us(sys.argv[2])
    elif role == "from-us":
        from_us()
    elif role == "from-peer":
        from_peer()
    elif role == "check":
        check(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
