#!/usr/bin/python3
"""Builds and holds the socket states of the netsnap scenarios.

  holder.py ROLE STATE_DIR [ARGS...]

Started by the scenario scripts with `ip netns exec nsnap-NAME`, stdout and
stderr going to STATE_DIR/ROLE.log.  Every process it creates appends its pid
to STATE_DIR/pids (so `down` can end exactly those); when the state is
complete it prints the line `@@ready` (or `@@failed`) and then blocks until
killed.

Roles: mcast, server, loopback-many, bench-many, unix, procs, nonroot-root, nonroot-user.
"""
import ctypes
import os
import resource
import signal
import socket
import struct
import sys
import time
import traceback

from socket import (AF_INET, AF_INET6, AF_UNIX, IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY,
                    SO_KEEPALIVE, SO_REUSEADDR, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET,
                    SOCK_STREAM, SOL_SOCKET, TCP_KEEPIDLE, TCP_KEEPINTVL)

CLONE_NEWNET = 0x40000000
IPPROTO_UDPLITE = 136
libc = ctypes.CDLL(None, use_errno=True)

ROLE = sys.argv[1]
STATE = sys.argv[2]
ARGS = sys.argv[3:]


# ------------------------------------------------------------------ plumbing

def record_pid():
    with open(os.path.join(STATE, "pids"), "a") as fh:
        fh.write(f"{os.getpid()}\n")


def mark(word):
    """Tell the scenario script: stdout is its log file, opened before any
    privileges were dropped, so this works whoever we are now."""
    print(f"@@{word}", flush=True)


def log(msg):
    print(f"[{ROLE} {os.getpid()}] {msg}", flush=True)


def hold():
    while True:
        signal.pause()


def setns(path_or_fd):
    fd = os.open(path_or_fd, os.O_RDONLY) if isinstance(path_or_fd, str) else path_or_fd
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path_or_fd)
    finally:
        if isinstance(path_or_fd, str):
            os.close(fd)


class Net:
    """Switches this process between its own namespace and a peer namespace."""

    def __init__(self, peer_ns=None):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.peer = f"/run/netns/{peer_ns}" if peer_ns else None

    def __enter__(self):
        setns(self.peer)

    def __exit__(self, *exc):
        setns(self.home)


def sock(family, kind, proto=0, bind=None, v6only=None, reuse=True):
    s = socket.socket(family, kind, proto)
    if reuse and family != AF_UNIX:
        s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, int(v6only))
    if bind is not None:
        s.bind(bind)
    return s


def listener(family, addr, port, backlog=128, v6only=None):
    s = sock(family, SOCK_STREAM, bind=(addr, port), v6only=v6only)
    s.listen(backlog)
    return s


def connect(family, local, remote, v6only=None):
    s = sock(family, SOCK_STREAM, bind=local, v6only=v6only)
    s.connect(remote)
    return s


def connect_nowait(family, local, remote):
    s = sock(family, SOCK_STREAM, bind=local)
    s.setblocking(False)
    err = s.connect_ex(remote)
    if err not in (0, 115):  # EINPROGRESS
        raise OSError(err, os.strerror(err), remote)
    return s


def keepalive(s, idle, intvl=None):
    s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1)
    s.setsockopt(IPPROTO_TCP, TCP_KEEPIDLE, idle)
    s.setsockopt(IPPROTO_TCP, TCP_KEEPINTVL, intvl or idle)


def fill_send_queue(s, limit=8 << 20):
    """Write until the kernel refuses more (the peer never reads)."""
    s.setblocking(False)
    chunk = b"x" * 65536
    sent = 0
    while sent < limit:
        try:
            sent += s.send(chunk)
        except BlockingIOError:
            time.sleep(0.05)
            try:
                sent += s.send(chunk)
            except BlockingIOError:
                break
    s.setblocking(True)
    return sent


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp_echo(ident, seq, payload=b"netsnap-ping"):
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, inet_checksum(hdr + payload), ident, seq) + payload


def send_syn(family, src, sport, dst, dport):
    """Send a bare TCP SYN with a forged source address (IP/IPv6 header included)."""
    s_b = socket.inet_pton(family, src)
    d_b = socket.inet_pton(family, dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 0x4E534E53, 0, 5 << 4, 0x02, 64240, 0, 0)
    if family == AF_INET:
        pseudo = s_b + d_b + struct.pack("!BBH", 0, 6, len(tcp))
    else:
        pseudo = s_b + d_b + struct.pack("!I3xB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", inet_checksum(pseudo + tcp)) + tcp[18:]
    if family == AF_INET:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s_b, d_b)
    else:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, s_b, d_b)
    with socket.socket(family, SOCK_RAW, socket.IPPROTO_RAW) as raw:
        raw.sendto(ip + tcp, (dst, 0))


def split_and_hold(keep_here, keep_peer, peer_ns):
    """Fork: the child moves to the peer namespace and keeps keep_peer, the
    parent keeps keep_here.  Each closes the other's sockets."""
    pid = os.fork()
    if pid == 0:
        record_pid()
        setns(f"/run/netns/{peer_ns}")
        for s in keep_here:
            s.close()
        hold()
    for s in keep_peer:
        s.close()
    return pid


def settle(seconds=0.3):
    time.sleep(seconds)


# ------------------------------------------------------------------ server

LONG6 = "2001:db8:1234:5678:9abc:def0:1234:5678"
PEER6 = "2001:db8:1234:5678::2"
PEER6L = "2001:db8:1234:5678:fedc:ba98:7654:3210"
SRV4, PEER4 = "10.77.0.1", "10.77.0.2"


def role_server():
    peer_ns = ARGS[0]
    net = Net(peer_ns)
    here, there = [], []

    def H(s):
        here.append(s)
        return s

    def P(s):
        there.append(s)
        return s

    # Listeners in this namespace.
    H(listener(AF_INET, "0.0.0.0", 22))
    H(listener(AF_INET6, "::", 22, v6only=True))
    H(listener(AF_INET, SRV4, 80))
    H(listener(AF_INET6, LONG6, 443, v6only=True))
    H(listener(AF_INET6, LONG6, 4567, v6only=True))          # long address, unnamed port
    H(listener(AF_INET, "0.0.0.0", 7000))                     # tcp 7000 = bbs
    H(listener(AF_INET, "0.0.0.0", 8990))                     # clc-build-daemon (16)
    H(listener(AF_INET, "0.0.0.0", 7777))                     # overlay: very long name
    H(listener(AF_INET, SRV4, 9090))                          # overlay: duplicate entries
    H(listener(AF_INET, "0.0.0.0", 12345))                    # unnamed port
    H(listener(AF_INET6, "::", 8080, v6only=False))           # dual stack
    l2049 = H(listener(AF_INET, SRV4, 2049, backlog=8))       # never accepts
    l631 = H(listener(AF_INET, "127.0.0.1", 631))
    l631v6 = H(listener(AF_INET6, "::1", 631, v6only=True))
    l22 = here[0]
    l80 = here[2]
    l443 = here[3]
    l4567 = here[4]
    l8080 = here[10]

    # Listener on the far end.
    with net:
        p5432 = P(listener(AF_INET6, "::", 5432, v6only=False))

    # Peer -> server connections.
    with net:
        c1 = P(connect(AF_INET, (PEER4, 40001), (SRV4, 22)))
        c2 = P(connect(AF_INET, (PEER4, 40002), (SRV4, 80)))
        c3 = P(connect(AF_INET6, (PEER6L, 40003), (LONG6, 443)))
        c4 = P(connect(AF_INET, (PEER4, 40004), (SRV4, 8080)))       # v4-mapped on our side
        c5 = P(connect(AF_INET, (PEER4, 40005), (SRV4, 22)))
        for port in (40006, 40007, 40008):
            P(connect(AF_INET, (PEER4, port), (SRV4, 2049)))          # left in accept queue
        c9 = P(connect(AF_INET6, (PEER6, 40009), (LONG6, 4567)))
    a1 = H(l22.accept()[0])
    keepalive(a1, 30)                                                 # keepalive timer
    a2 = H(l80.accept()[0])
    a3 = H(l443.accept()[0])
    keepalive(a3, 600)
    a4 = H(l8080.accept()[0])
    a5 = H(l22.accept()[0])
    a9 = H(l4567.accept()[0])
    c2.sendall(b"r" * 1000)                                           # Recv-Q on a2
    c5.shutdown(socket.SHUT_WR)                                       # a5 -> CLOSE_WAIT
    a9.sendall(b"s" * 300)                                            # Recv-Q on c9 (peer)

    # Server -> peer connections.
    o1 = H(connect(AF_INET, (SRV4, 40010), (PEER4, 5432)))
    po1 = P(p5432.accept()[0])
    o2 = H(connect(AF_INET, (SRV4, 40011), (PEER4, 5432)))
    po2 = P(p5432.accept()[0])
    o3 = connect(AF_INET, (SRV4, 40012), (PEER4, 5432))
    po3 = p5432.accept()[0]
    o4 = connect(AF_INET6, (LONG6, 40013), (PEER6L, 5432))
    po4 = p5432.accept()[0]
    o5 = H(connect(AF_INET6, ("::ffff:" + SRV4, 40014), ("::ffff:" + PEER4, 5432)))
    P(p5432.accept()[0])
    # SYN_SENT: the peer cannot route its answers back to our .11 addresses.
    H(connect_nowait(AF_INET, ("10.77.0.11", 40015), (PEER4, 81)))
    H(connect_nowait(AF_INET6, ("2001:db8:1234:5678::11", 40016), (PEER6L, 444)))
    # SYN_RECV: a hand-made SYN from an address nobody owns; our SYN-ACK is lost.
    with net:
        send_syn(AF_INET, "10.77.0.12", 40017, SRV4, 22)
        send_syn(AF_INET6, "2001:db8:1234:5678::12", 40018, LONG6, 443)
    o8 = H(connect(AF_INET, ("127.0.0.1", 40020), ("127.0.0.1", 631)))
    lo8 = H(l631.accept()[0])
    H(connect(AF_INET6, ("::1", 40021), ("::1", 631)))
    H(l631v6.accept()[0])
    sent = fill_send_queue(o1)                                        # Send-Q, zero window
    o2.shutdown(socket.SHUT_WR)                                       # o2 -> FIN_WAIT2
    o8.sendall(b"q" * 17)
    lo8.sendall(b"w" * 23)
    keepalive(o5, 45)
    # TIME_WAIT: we close first, then the peer.
    o3.close()
    o4.close()
    settle()
    po3.close()
    po4.close()

    # UDP, UDP-Lite, RAW.
    H(sock(AF_INET, SOCK_DGRAM, bind=("0.0.0.0", 53)))
    H(sock(AF_INET6, SOCK_DGRAM, bind=("::", 53), v6only=True))
    H(sock(AF_INET, SOCK_DGRAM, bind=(SRV4, 7000)))                 # afs3-fileserver (15)
    H(sock(AF_INET, SOCK_DGRAM, bind=("0.0.0.0", 123)))
    u5 = H(sock(AF_INET, SOCK_DGRAM, bind=(SRV4, 40050)))
    u5.connect((PEER4, 514))
    u6 = H(sock(AF_INET6, SOCK_DGRAM, bind=(LONG6, 40051), v6only=True))
    u6.connect((PEER6L, 53))
    u7 = H(sock(AF_INET, SOCK_DGRAM, bind=(SRV4, 5353)))
    H(sock(AF_INET, SOCK_DGRAM, bind=("0.0.0.0", 12345)))
    H(sock(AF_INET6, SOCK_DGRAM, bind=("::", 9999), v6only=False))
    u10 = H(sock(AF_INET6, SOCK_DGRAM, bind=("::", 40052), v6only=False))
    u10.connect(("::ffff:" + PEER4, 123))                             # v4-mapped, connected
    H(sock(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, bind=("0.0.0.0", 5000)))
    H(sock(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE, bind=("::", 5001), v6only=True))
    ul3 = H(sock(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, bind=(SRV4, 40053)))
    ul3.connect((PEER4, 5002))
    r1 = H(socket.socket(AF_INET, SOCK_RAW, socket.IPPROTO_ICMP))
    H(socket.socket(AF_INET6, SOCK_RAW, socket.IPPROTO_ICMPV6))
    H(sock(AF_INET, SOCK_RAW, 253, bind=(SRV4, 0)))                   # unnamed protocol
    r4 = H(socket.socket(AF_INET, SOCK_RAW, socket.IPPROTO_UDP))
    r4.connect((PEER4, 0))                                            # raw, "connected"
    H(socket.socket(AF_INET6, SOCK_RAW, socket.IPPROTO_TCP))
    with net:
        pu = P(sock(AF_INET, SOCK_DGRAM, bind=(PEER4, 40060)))
        for i in range(3):
            pu.sendto(b"d" * 100, (SRV4, 5353))                       # Recv-Q on u7
        P(sock(AF_INET, SOCK_DGRAM, bind=(PEER4, 514))).sendto(b"e" * 10, (SRV4, 40050))
        pr = P(socket.socket(AF_INET, SOCK_RAW, socket.IPPROTO_ICMP))
        pr.sendto(icmp_echo(0x4e53, 1), (SRV4, 0))                    # Recv-Q on r1
    settle(0.5)

    log(f"filled send queue with {sent} bytes")
    split_and_hold(here, there, peer_ns)
    mark("ready")
    hold()


# ------------------------------------------------------------------ loopback-many

def role_loopback_many():
    n4, n6 = int(ARGS[0]), int(ARGS[1])
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2 * (n4 + n6) + 100:
        raise RuntimeError(f"RLIMIT_NOFILE hard limit {hard} is too low for {n4 + n6} connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    servers, clients = [], []
    l4 = listener(AF_INET, "127.0.0.1", 5000, backlog=4096)
    l6 = listener(AF_INET6, "::1", 5000, backlog=4096, v6only=True)
    l4b = listener(AF_INET, "0.0.0.0", 6000, backlog=4096)           # x11
    servers += [l4, l6, l4b]
    plan = [(AF_INET, "127.0.0.1", l4)] * n4 + [(AF_INET6, "::1", l6)] * n6
    for i, (fam, host, lsock) in enumerate(plan):
        port = 20000 + i
        # A few go to the second listener, on 127.0.0.2 as source address.
        if fam == AF_INET and i % 50 == 0:
            c = connect(fam, ("127.0.0.2", port), ("127.0.0.1", 6000))
            a = l4b.accept()[0]
        else:
            c = connect(fam, (host, port), (host, 5000))
            a = lsock.accept()[0]
        if i % 10 == 3:
            keepalive(c, 120 + i % 7, 30)
        if i % 25 == 7:
            keepalive(a, 7200)
        if i % 7 == 5:
            c.sendall(b"m" * (10 + i % 90))                           # Recv-Q on a
        if i % 11 == 4:
            a.sendall(b"n" * (1 + i % 13))                            # Recv-Q on c
        clients.append(c)
        servers.append(a)
    # A handful with a full window: Send-Q on the sender.
    for c in clients[1:6]:
        fill_send_queue(c, limit=1 << 20)
    settle()
    log(f"{len(clients)} connections")
    pid = os.fork()
    if pid == 0:
        record_pid()
        for s in servers:
            s.close()
        hold()
    for c in clients:
        c.close()
    mark("ready")
    hold()


# ------------------------------------------------------------------ bench-many

def role_bench_many():
    """N established loopback connections (every fourth over IPv6), both ends
    held, spread over P worker processes: worker k listens on 127.0.0.1 and
    [::1] port 5000+k and holds about N/P connections to itself, so there are
    2N+2P sockets and no process needs more than 2N/P+10 descriptors (the
    hard RLIMIT_NOFILE may be low and not raisable).  Source ports come from
    the namespace's ip_local_port_range."""
    n, procs = int(ARGS[0]), int(ARGS[1])
    share = [n // procs + (k < n % procs) for k in range(procs)]
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2 * max(share) + 50:
        raise RuntimeError(f"RLIMIT_NOFILE hard limit {hard} is too low for {max(share)} connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    done_r, done_w = os.pipe()
    for k in range(procs):
        if os.fork() == 0:
            try:
                os.close(done_r)
                record_pid()
                l4 = listener(AF_INET, "127.0.0.1", 5000 + k, backlog=4096)
                l6 = listener(AF_INET6, "::1", 5000 + k, backlog=4096, v6only=True)
                keep = [l4, l6]
                for i in range(share[k]):
                    v6 = i % 4 == 3
                    c = socket.socket(AF_INET6 if v6 else AF_INET, SOCK_STREAM)
                    c.connect(("::1" if v6 else "127.0.0.1", 5000 + k))
                    a = (l6 if v6 else l4).accept()[0]
                    if i % 7 == 5:
                        c.sendall(b"m" * (10 + i % 90))                   # Recv-Q on a
                    keep += [c, a]
                os.write(done_w, b"k")
                os.close(done_w)
            except BaseException:
                traceback.print_exc()
                os.write(done_w, b"f")
                os._exit(1)
            hold()
    os.close(done_w)
    got = b""
    while len(got) < procs:
        chunk = os.read(done_r, procs)
        if not chunk:
            break
        got += chunk
    if got != b"k" * procs:
        raise RuntimeError(f"workers failed: {got!r}")
    log(f"{n} connections in {procs} processes")
    mark("ready")
    hold()


# ------------------------------------------------------------------ unix

def role_unix():
    base = ARGS[0]
    keep = []

    def K(s):
        keep.append(s)
        return s

    def ustream_listen(path, kind=SOCK_STREAM, backlog=16):
        s = K(socket.socket(AF_UNIX, kind))
        s.bind(path)
        s.listen(backlog)
        return s

    def uconnect(path, kind=SOCK_STREAM):
        s = K(socket.socket(AF_UNIX, kind))
        s.connect(path)
        return s

    # Stream: listening, accepted and connected, by path and abstract.
    ls = ustream_listen(f"{base}/stream.sock")
    for _ in range(2):
        uconnect(f"{base}/stream.sock")
        K(ls.accept()[0])
    uconnect(f"{base}/stream.sock")                                  # left in the backlog
    la = ustream_listen("\0netsnap-abstract-stream")
    uconnect("\0netsnap-abstract-stream")
    K(la.accept()[0])
    ustream_listen("\0netsnap\0embedded-nul")                         # @netsnap@embedded-nul
    # Seqpacket.
    lq = ustream_listen(f"{base}/seqpacket.sock", SOCK_SEQPACKET)
    uconnect(f"{base}/seqpacket.sock", SOCK_SEQPACKET)
    K(lq.accept()[0])
    # Datagram: bound, connected to it, abstract, unbound.
    d = K(socket.socket(AF_UNIX, SOCK_DGRAM))
    d.bind(f"{base}/dgram.sock")
    dc = uconnect(f"{base}/dgram.sock", SOCK_DGRAM)
    dc.send(b"hello")
    da = K(socket.socket(AF_UNIX, SOCK_DGRAM))
    da.bind("\0netsnap-abstract-dgram")
    K(socket.socket(AF_UNIX, SOCK_DGRAM))                             # unbound
    # Socket pairs: unnamed on both ends.
    for kind in (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET):
        keep.extend(socket.socketpair(AF_UNIX, kind))
    # Unbound, unconnected stream socket.
    K(socket.socket(AF_UNIX, SOCK_STREAM))
    # Awkward paths.
    long_dir = f"{base}/" + "d" * 40
    os.makedirs(long_dir, exist_ok=True)
    p100 = f"{long_dir}/" + "l" * (100 - len(long_dir) - 1)
    ustream_listen(p100)
    p107 = f"{long_dir}/" + "m" * (107 - len(long_dir) - 1)          # the maximum
    ustream_listen(p107)
    uconnect(p107)
    ustream_listen(f"{base}/with space.sock")
    uconnect(f"{base}/with space.sock")
    ustream_listen(f"{base}/tab\there.sock")
    ws = K(socket.socket(AF_UNIX, SOCK_DGRAM))
    ws.bind(f"{base}/dgram with  two spaces")
    ustream_listen(os.fsencode(f"{base}/") + b"latin1-\xe9\xff.sock")  # not UTF-8
    ustream_listen(f"{base}/new\nline.sock")                          # forges a second line
    ustream_listen(f"{base}/utf8-\u00e9\u00fc.sock")
    settle(0.2)
    # A second process shares the listening socket and holds its own.
    pid = os.fork()
    if pid == 0:
        record_pid()
        own = socket.socket(AF_UNIX, SOCK_STREAM)
        own.bind(f"{base}/child.sock")
        own.listen(4)
        hold()
    mark("ready")
    hold()


# ------------------------------------------------------------------ procs

def exec_sleep(argv0, keep):
    """Become a `sleep infinity` whose argv[0] is argv0, keeping sockets keep.
    (libc execv directly: os.execv refuses an empty argv[0].)"""
    for s in keep:
        os.set_inheritable(s.fileno(), True)
    argv = [os.fsencode(argv0), b"infinity"]
    arr = (ctypes.c_char_p * 3)(*argv, None)
    libc.execv(b"/bin/sleep", arr)
    raise OSError(ctypes.get_errno(), "execv /bin/sleep")


def spawn(argv0, make, uid=None):
    """Fork a child that (as uid) creates its sockets with make() and execs."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            record_pid()
            if uid is not None:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
            keep = make()
            os.write(w, b"ok")
            os.close(w)
            exec_sleep(argv0, keep)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    os.close(w)
    ok = os.read(r, 2)
    os.close(r)
    if ok != b"ok":
        raise RuntimeError(f"child {argv0!r} failed")
    return pid


def role_procs():
    base = ARGS[0]

    def tcp_listen(port, addr="0.0.0.0"):
        return lambda: [listener(AF_INET, addr, port)]

    def many_fds(port):
        def make():
            # Sockets on fds 3..~25 so fd order (2 vs 10 vs 20) matters.
            socks = [listener(AF_INET, "127.0.0.1", port + i) for i in range(20)]
            return socks
        return make

    def unix_listen(name):
        def make():
            s = socket.socket(AF_UNIX, SOCK_STREAM)
            s.bind(f"{base}/{name}")
            s.listen(4)
            return [s]
        return make

    spawn("netsnap-daemon-with-a-very-long-name", lambda: tcp_listen(22)() + unix_listen("daemon.sock")())
    spawn("name with spaces", tcp_listen(25))
    spawn("/usr/local/sbin/netsnap-abs", tcp_listen(80))
    spawn("./relative/bin/prog", tcp_listen(110))
    spawn("rel/no-dot", tcp_listen(143))
    spawn("/trailing/slash/", tcp_listen(443))
    spawn("", tcp_listen(465))
    spawn("d\u00e9mon-\u00fc\u00e9", tcp_listen(587))                # UTF-8 bytes
    spawn("tab\tname", tcp_listen(993))
    spawn("[netsnap-kthread]", tcp_listen(995))
    spawn("fds", many_fds(30000))
    spawn("uid4242-unnamed", lambda: tcp_listen(4242)() +
          [sock(AF_INET, SOCK_DGRAM, bind=("0.0.0.0", 4242))], uid=4242)
    spawn("uid4243-long-name", lambda: tcp_listen(4243)() + unix_listen("long-user.sock")(),
          uid=4243)
    # One socket shared by a parent and three forked children: the first pid
    # that netstat finds (the lowest) wins.
    shared = listener(AF_INET, "0.0.0.0", 8000)
    shared_unix = socket.socket(AF_UNIX, SOCK_STREAM)
    shared_unix.bind(f"{base}/shared.sock")
    shared_unix.listen(4)
    conn = connect(AF_INET, ("127.0.0.1", 41000), ("127.0.0.1", 8000))
    acc = shared.accept()[0]
    spawn("worker-child-1", lambda: [shared, shared_unix, acc])
    spawn("worker-child-2", lambda: [shared, shared_unix])
    spawn("worker-client", lambda: [conn])
    spawn("worker-child-3", lambda: [shared])
    conn.close()
    acc.close()
    mark("ready")
    # The parent becomes the "master" holding the shared sockets, with the
    # lowest pid of the group.
    exec_sleep("worker-master", [shared, shared_unix])


# ------------------------------------------------------------------ nonroot

def role_nonroot_root():
    base = ARGS[0]
    keep = [listener(AF_INET, "0.0.0.0", 22), listener(AF_INET, "127.0.0.1", 25),
            listener(AF_INET6, "::", 22, v6only=True)]
    c = connect(AF_INET, ("127.0.0.1", 41001), ("127.0.0.1", 25))
    keep += [c, keep[1].accept()[0]]
    u = socket.socket(AF_UNIX, SOCK_STREAM)
    u.bind(f"{base}/root.sock")
    os.chmod(f"{base}/root.sock", 0o666)
    u.listen(4)
    keep.append(u)
    keep.append(sock(AF_INET, SOCK_DGRAM, bind=("0.0.0.0", 53)))
    mark("ready")
    exec_sleep("root-daemon", keep)


def role_nonroot_user():
    base, uid = ARGS[0], int(ARGS[1])
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    keep = [listener(AF_INET, "0.0.0.0", 8080), listener(AF_INET6, "::", 8080, v6only=True)]
    # Connections to root's listeners: the user's end is identifiable, root's is not.
    keep.append(connect(AF_INET, ("127.0.0.1", 41002), ("127.0.0.1", 25)))
    keep.append(connect(AF_INET, ("127.0.0.1", 41003), ("127.0.0.1", 8080)))
    keep.append(keep[0].accept()[0])
    u = socket.socket(AF_UNIX, SOCK_STREAM)
    u.connect(f"{base}/root.sock")
    keep.append(u)
    own = socket.socket(AF_UNIX, SOCK_STREAM)
    own.bind(f"{base}/user.sock")
    own.listen(4)
    keep.append(own)
    keep.append(sock(AF_INET, SOCK_DGRAM, bind=("127.0.0.1", 5353)))
    mark("ready")
    exec_sleep("user-client", keep)


def role_mcast():
    """Multicast memberships on v4 and v6: groups joined on the veth and on
    lo, one group joined by two sockets (users 2), plus the sockets' rows."""
    keep = []

    def join4(group, ifaddr, port):
        s = sock(AF_INET, SOCK_DGRAM, bind=("0.0.0.0", port))
        mreq = socket.inet_aton(group) + socket.inet_aton(ifaddr)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        keep.append(s)

    def join6(group, ifname, port):
        s = sock(AF_INET6, SOCK_DGRAM, bind=("::", port), v6only=True)
        mreq = socket.inet_pton(AF_INET6, group) + struct.pack("@I", socket.if_nametoindex(ifname))
        s.setsockopt(IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
        keep.append(s)

    join4("239.1.2.3", "10.77.0.1", 5001)
    join4("224.1.1.1", "10.77.0.1", 5002)
    join4("224.1.1.1", "10.77.0.1", 5003)
    join4("239.255.255.250", "127.0.0.1", 1900)
    join6("ff15::1234", "s0", 5004)
    join6("ff02::fb", "s0", 5353)
    join6("ff05::1:3", "lo", 547)
    mark("ready")
    hold()


ROLES = {
    "mcast": role_mcast,
    "server": role_server,
    "loopback-many": role_loopback_many,
    "bench-many": role_bench_many,
    "unix": role_unix,
    "procs": role_procs,
    "nonroot-root": role_nonroot_root,
    "nonroot-user": role_nonroot_user,
}


def main():
    record_pid()
    try:
        ROLES[ROLE]()
    except BaseException:
        traceback.print_exc()
        mark("failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
