//! Synthetic netsnap snapshots for the benchmark (issue 5).
//!
//! [`generate`] writes a snapshot in the collector's core layout and entry
//! order (docs/snapshot-format.md): the header manifest, the socket tables,
//! the other small files, the processes (cmdline, stat, fd links in
//! ascending pid and fd order) and the closing manifest. The `proc/net`
//! rows are formatted byte for byte as the kernel prints them, so the real
//! `netstat` and `ss` read an extracted copy as they would read `/proc`.
//!
//! The small files that are not generated (udp, raw, route, snmp, the etc
//! files, `sys/class/net`, …) come from `data/base.tar`, a copy of the
//! `server` fixture without its tcp, tcp6 and unix tables and its processes.
//! Output is a function of [`Spec`] alone (seeded generator, fixed mtime).

use std::io::{self, Read, Write};

use netsnap_collector::members;
use tar::{Builder, EntryType, Header};

/// The small files shared by every generated snapshot, in collector order.
const BASE_TAR: &[u8] = include_bytes!("../data/base.tar");
/// The header manifest the generated one starts from.
const BASE_MANIFEST: &str = include_str!("../data/netsnap.json");
/// Every entry's mtime (2026-01-01T00:00:00Z).
const MTIME: u64 = 1_767_225_600;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// TCP sockets, three quarters in `proc/net/tcp`, the rest in `tcp6`.
    pub tcp: usize,
    /// Unix sockets.
    pub unix: usize,
    /// Processes holding sockets (each holds at least one, while sockets last).
    pub procs: usize,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
}

impl Spec {
    /// The benchmark's standard shape for `tcp` TCP sockets: a tenth as many
    /// unix sockets and one process per 50 TCP sockets (1M: 100k unix, 20k
    /// processes).
    pub fn standard(tcp: usize) -> Spec {
        Spec {
            tcp,
            unix: tcp / 10,
            procs: (tcp / 50).max(1),
            seed: 1,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows of proc/net/tcp.
    pub tcp4: usize,
    /// Rows of proc/net/tcp6.
    pub tcp6: usize,
    /// Rows of proc/net/unix.
    pub unix: usize,
    /// Processes archived.
    pub procs: usize,
    /// fd links archived.
    pub fds: usize,
    /// Bytes of the generated proc/net tables (tcp, tcp6, unix).
    pub table_bytes: usize,
}

/// splitmix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }
    /// True with probability pct/100.
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A hashed kernel pointer as `%pK` prints it with kptr_restrict=0 on a
    /// hashing kernel: 8 zero digits, then 32 random bits.
    fn kptr(&mut self) -> u64 {
        self.next() & 0xFFFF_FFFF
    }
}

// TCP states (include/net/tcp_states.h).
const ESTABLISHED: u8 = 0x01;
const SYN_SENT: u8 = 0x02;
const SYN_RECV: u8 = 0x03;
const FIN_WAIT1: u8 = 0x04;
const FIN_WAIT2: u8 = 0x05;
const TIME_WAIT: u8 = 0x06;
const CLOSE: u8 = 0x07;
const CLOSE_WAIT: u8 = 0x08;
const LAST_ACK: u8 = 0x09;
const LISTEN: u8 = 0x0A;
const CLOSING: u8 = 0x0B;

/// Non-listening states and their weights (out of 100).
const STATE_MIX: &[(u8, u64)] = &[
    (ESTABLISHED, 68),
    (TIME_WAIT, 14),
    (CLOSE_WAIT, 5),
    (FIN_WAIT2, 3),
    (FIN_WAIT1, 2),
    (SYN_SENT, 2),
    (SYN_RECV, 2),
    (LAST_ACK, 2),
    (CLOSING, 1),
    (CLOSE, 1),
];

const SERVICE_PORTS: &[u16] = &[22, 80, 443, 5432, 6379, 3306, 8080, 9000, 25, 53];
const UIDS: &[u32] = &[0, 0, 0, 33, 101, 999, 1000, 1000, 65534];
const PROGRAMS: &[&str] = &[
    "/usr/sbin/nginx",
    "/usr/bin/python3",
    "/usr/sbin/sshd",
    "postgres",
    "/usr/bin/redis-server",
    "/usr/lib/jvm/java-17/bin/java",
    "/usr/sbin/haproxy",
    "node",
    "/usr/bin/containerd",
    "/usr/local/bin/envoy",
];
const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const UNIX_HEADER: &str = "Num       RefCount Protocol Flags    Type St Inode Path\n";

/// An IPv4 address as the kernel prints `%08X` of the raw (network order) word on a little-endian host.
fn hex4(a: [u8; 4]) -> u32 {
    u32::from_le_bytes(a)
}

/// An IPv6 address as four `%08X` of its native-order words.
fn push_hex6(out: &mut String, a: [u8; 16]) {
    use std::fmt::Write as _;
    for w in a.chunks_exact(4) {
        let _ = write!(out, "{:08X}", u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    }
}

fn v4_remote(rng: &mut Rng) -> [u8; 4] {
    if rng.pct(80) {
        [
            10,
            rng.below(256) as u8,
            rng.below(256) as u8,
            1 + rng.below(254) as u8,
        ]
    } else {
        [192, 168, rng.below(256) as u8, 1 + rng.below(254) as u8]
    }
}

fn v6_remote(rng: &mut Rng) -> [u8; 16] {
    if rng.pct(15) {
        // IPv4-mapped peer of a dual-stack listener.
        let v4 = v4_remote(rng);
        [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, v4[0], v4[1], v4[2], v4[3],
        ]
    } else {
        let mut a = [0u8; 16];
        a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        let r = rng.next().to_be_bytes();
        a[4..12].copy_from_slice(&r);
        let r = rng.next().to_be_bytes();
        a[12..16].copy_from_slice(&r[..4]);
        a
    }
}

/// One socket's generated fields (both families).
struct Row {
    state: u8,
    lport: u16,
    rport: u16,
    tx: u32,
    rx: u32,
    timer: u8,
    when: u32,
    retr: u32,
    uid: u32,
    /// `timeout` (unanswered probes; the generator leaves it 0).
    timeout: i32,
    inode: u64,
    refcnt: u32,
    tail: String,
}

fn tcp_row(rng: &mut Rng, listen: bool, inode: &mut u64, listen_ports: &[u16]) -> Row {
    let state = if listen {
        LISTEN
    } else {
        let mut r = rng.below(100);
        let mut s = ESTABLISHED;
        for &(st, w) in STATE_MIX {
            if r < w {
                s = st;
                break;
            }
            r -= w;
        }
        s
    };
    let inbound = rng.pct(60);
    let (lport, rport) = if listen {
        (*rng.pick(listen_ports), 0)
    } else if inbound {
        (*rng.pick(listen_ports), 32768 + rng.below(28232) as u16)
    } else {
        (32768 + rng.below(28232) as u16, *rng.pick(SERVICE_PORTS))
    };
    let uid = *rng.pick(UIDS);
    let mut row = Row {
        state,
        lport,
        rport,
        tx: 0,
        rx: 0,
        timer: 0,
        when: 0,
        retr: 0,
        uid,
        timeout: 0,
        inode: 0,
        refcnt: 1,
        tail: String::new(),
    };
    match state {
        TIME_WAIT => {
            row.timer = 3;
            row.when = rng.below(6000) as u32;
            row.refcnt = 3;
            return row;
        }
        SYN_RECV => {
            row.timer = 1;
            row.when = rng.below(300) as u32;
            row.retr = rng.below(3) as u32;
            row.refcnt = 0;
            return row;
        }
        _ => {}
    }
    *inode += 1 + rng.below(3);
    row.inode = *inode;
    if listen {
        row.rx = if rng.pct(10) { rng.below(20) as u32 } else { 0 };
        row.refcnt = 1 + rng.below(2) as u32;
        row.tail = format!("100 0 0 10 {}", rng.pick(&[0, 128, 511, 4096]));
        return row;
    }
    if rng.pct(8) {
        row.tx = rng.below(200_000) as u32;
    }
    if rng.pct(5) {
        row.rx = rng.below(65_536) as u32;
    }
    if state == SYN_SENT
        || state == FIN_WAIT1
        || state == LAST_ACK
        || state == CLOSING
        || row.tx > 0
    {
        row.timer = 1;
        row.when = rng.below(600) as u32;
        row.retr = if rng.pct(20) { rng.below(6) as u32 } else { 0 };
    } else if state == FIN_WAIT2 || rng.pct(25) {
        row.timer = 2;
        row.when = rng.below(720_000) as u32;
    }
    row.refcnt = 1 + rng.below(3) as u32;
    let rto = *rng.pick(&[20, 20, 20, 21, 24, 36, 200]);
    let ato = *rng.pick(&[4, 4, 0, 10]);
    let qack = *rng.pick(&[0, 30, 31, 32, 2]);
    let cwnd = *rng.pick(&[10, 10, 10, 4, 2, 7, 45, 120]);
    let ssthresh: i64 = if rng.pct(70) {
        -1
    } else {
        2 + rng.below(60) as i64
    };
    row.tail = format!("{rto} {ato} {qack} {cwnd} {ssthresh}");
    row
}

/// The part from the state on, as the three kernel forms print it (`kptr`: the `%pK` value).
fn push_rest(out: &mut String, r: &Row, kptr: u64) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        " {:02X} {:08X}:{:08X} {:02X}:{:08X} {:08X} {:5} {:8} ",
        r.state, r.tx, r.rx, r.timer, r.when, r.retr, r.uid, r.timeout
    );
    match r.state {
        TIME_WAIT | SYN_RECV => {
            let _ = write!(out, "0 {} {:016x}", r.refcnt, kptr);
        }
        _ => {
            let _ = write!(out, "{} {} {:016x} {}", r.inode, r.refcnt, kptr, r.tail);
        }
    }
}

/// One line of proc/net/tcp, padded to 149 columns as `seq_pad` does.
fn tcp4_line(out: &mut String, sl: usize, local: [u8; 4], remote: [u8; 4], r: &Row, kptr: u64) {
    use std::fmt::Write as _;
    let mut line = String::with_capacity(160);
    let _ = write!(
        line,
        "{:4}: {:08X}:{:04X} {:08X}:{:04X}",
        sl,
        hex4(local),
        r.lport,
        hex4(remote),
        r.rport
    );
    push_rest(&mut line, r, kptr);
    let _ = writeln!(out, "{line:<149}");
}

/// One line of proc/net/tcp6 (not padded).
fn tcp6_line(out: &mut String, sl: usize, local: [u8; 16], remote: [u8; 16], r: &Row, kptr: u64) {
    use std::fmt::Write as _;
    let _ = write!(out, "{sl:4}: ");
    push_hex6(out, local);
    let _ = write!(out, ":{:04X} ", r.lport);
    push_hex6(out, remote);
    let _ = write!(out, ":{:04X}", r.rport);
    push_rest(out, r, kptr);
    out.push('\n');
}

/// The fields of a proc/net/unix line.
struct UnixLine<'a> {
    kptr: u64,
    refcount: u32,
    flags: u32,
    kind: u32,
    state: u32,
    inode: u64,
    path: &'a str,
}

/// One line of proc/net/unix: `%pK: %08X %08X %08X %04X %02X %5lu` and ` path` when bound.
fn unix_line(out: &mut String, u: &UnixLine<'_>) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "{:016x}: {:08X} {:08X} {:08X} {:04X} {:02X} {:5}",
        u.kptr, u.refcount, 0, u.flags, u.kind, u.state, u.inode
    );
    if !u.path.is_empty() {
        out.push(' ');
        out.push_str(u.path);
    }
    out.push('\n');
}

/// TIME_WAIT rows print uid 0 (`%5d` of a constant).
fn fix_uid(r: &mut Row) {
    if r.state == TIME_WAIT {
        r.uid = 0;
    }
}

fn listeners(n: usize) -> usize {
    (n / 200).clamp(1.min(n), 1000)
}

/// proc/net/tcp: listeners first (the listening hash), then the rest; every
/// line padded to 149 columns as `seq_pad` does.
fn tcp4_table(
    rng: &mut Rng,
    n: usize,
    inode: &mut u64,
    inodes: &mut Vec<u64>,
    tw: &mut usize,
) -> String {
    let mut out = String::with_capacity((n + 1) * 150);
    out.push_str(&format!("{TCP_HEADER:<149}\n"));
    let local_listen: &[[u8; 4]] = &[[0, 0, 0, 0], [0, 0, 0, 0], [127, 0, 0, 1], [10, 77, 0, 1]];
    let local_conn: &[[u8; 4]] = &[[10, 77, 0, 1], [10, 77, 0, 11], [127, 0, 0, 1]];
    let nl = listeners(n);
    let listen_ports: Vec<u16> = (0..nl.max(1))
        .map(|i| SERVICE_PORTS.get(i).copied().unwrap_or(10_000 + i as u16))
        .collect();
    for i in 0..n {
        let listen = i < nl;
        let mut r = tcp_row(rng, listen, inode, &listen_ports);
        fix_uid(&mut r);
        if r.inode != 0 {
            inodes.push(r.inode);
        }
        if r.state == TIME_WAIT {
            *tw += 1;
        }
        let local = if listen {
            *rng.pick(local_listen)
        } else {
            *rng.pick(local_conn)
        };
        let remote = if listen {
            [0; 4]
        } else if local == [127, 0, 0, 1] {
            [127, 0, 0, 1]
        } else {
            v4_remote(rng)
        };
        tcp4_line(&mut out, i, local, remote, &r, rng.kptr());
    }
    out
}

/// proc/net/tcp6: same mix, 32-digit addresses, no padding.
fn tcp6_table(rng: &mut Rng, n: usize, inode: &mut u64, inodes: &mut Vec<u64>) -> String {
    let mut out = String::with_capacity((n + 1) * 180);
    out.push_str(TCP6_HEADER);
    let any = [0u8; 16];
    let mut lo = [0u8; 16];
    lo[15] = 1;
    let global: [u8; 16] = [
        0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0, 0, 0, 0x11,
    ];
    let mapped: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 77, 0, 1];
    let nl = listeners(n);
    let listen_ports: Vec<u16> = (0..nl.max(1))
        .map(|i| SERVICE_PORTS.get(i).copied().unwrap_or(20_000 + i as u16))
        .collect();
    for i in 0..n {
        let listen = i < nl;
        let mut r = tcp_row(rng, listen, inode, &listen_ports);
        fix_uid(&mut r);
        if r.inode != 0 {
            inodes.push(r.inode);
        }
        let (local, remote) = if listen {
            (*rng.pick(&[any, any, lo, global]), any)
        } else {
            let remote = v6_remote(rng);
            if remote[10] == 0xff {
                (mapped, remote)
            } else if rng.pct(5) {
                (lo, lo)
            } else {
                (global, remote)
            }
        };
        tcp6_line(&mut out, i, local, remote, &r, rng.kptr());
    }
    out
}

/// proc/net/unix: `%pK: %08X %08X %08X %04X %02X %5lu` and ` path` when bound.
fn unix_table(rng: &mut Rng, n: usize, inode: &mut u64, inodes: &mut Vec<u64>) -> String {
    let mut out = String::with_capacity((n + 1) * 80);
    out.push_str(UNIX_HEADER);
    let servers = [
        "/run/systemd/private",
        "/run/dbus/system_bus_socket",
        "/var/run/docker.sock",
    ];
    for i in 0..n {
        *inode += 1 + rng.below(2);
        inodes.push(*inode);
        let kind = rng.below(100);
        // (refcount, flags, type, state, path)
        let (refc, flags, ty, st, path): (u32, u32, u32, u32, String) = if kind < 8 {
            let p = if rng.pct(20) {
                format!("@/tmp/.X11-unix/X{}", i % 100)
            } else {
                format!("/run/app{}/ctl-{}.sock", i % 997, i)
            };
            (2, 0x10000, 1, 1, p)
        } else if kind < 12 {
            (2, 0x10000, 5, 1, format!("/run/seq{}.sock", i % 211))
        } else if kind < 20 {
            let p = if rng.pct(50) {
                (*rng.pick(&[
                    "/run/systemd/notify",
                    "/dev/log",
                    "/run/systemd/journal/socket",
                ]))
                .to_string()
            } else {
                String::new()
            };
            (2 + rng.below(3) as u32, 0, 2, 1, p)
        } else if kind < 22 {
            (3, 0, 2, 3, String::new())
        } else {
            let p = if rng.pct(35) {
                (*rng.pick(&servers)).to_string()
            } else {
                String::new()
            };
            (3, 0, 1, 3, p)
        };
        let line = UnixLine {
            kptr: rng.kptr(),
            refcount: refc,
            flags,
            kind: ty,
            state: st,
            inode: *inode,
            path: &path,
        };
        unix_line(&mut out, &line);
    }
    out
}

fn sockstat(s: &Summary, tw: usize) -> (String, String) {
    let inuse = s.tcp4 - tw;
    (
        format!(
            "sockets: used {}\nTCP: inuse {} orphan 0 tw {} alloc {} mem {}\nUDP: inuse 6 mem 0\nUDPLITE: inuse 2\nRAW: inuse 3\nFRAG: inuse 0 memory 0\n",
            s.tcp4 + s.tcp6 + s.unix + 20,
            inuse,
            tw,
            s.tcp4 + s.tcp6,
            (s.tcp4 + s.tcp6) / 4
        ),
        format!(
            "TCP6: inuse {}\nUDP6: inuse 4\nUDPLITE6: inuse 1\nRAW6: inuse 2\nFRAG6: inuse 0 memory 0\n",
            s.tcp6
        ),
    )
}

struct Tar<W: Write> {
    b: Builder<W>,
}

impl<W: Write> Tar<W> {
    fn header(kind: EntryType, mode: u32, size: u64) -> Header {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_mtime(MTIME);
        h.set_uid(0);
        h.set_gid(0);
        h
    }
    fn file(&mut self, path: &str, data: &[u8]) -> io::Result<()> {
        let mut h = Self::header(EntryType::Regular, 0o644, data.len() as u64);
        self.b.append_data(&mut h, path, data)
    }
    fn link(&mut self, path: &str, target: &str) -> io::Result<()> {
        let mut h = Self::header(EntryType::Symlink, 0o777, 0);
        self.b.append_link(&mut h, path, target)
    }
}

fn stat_line(pid: u32, comm: &str) -> String {
    format!(
        "{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 2144 0 3 0 2 0 0 0 20 0 1 0 112117 17924096 3246 18446744073709551615 4321280 7148169 140730130110768 0 0 0 0 16781318 0 1 0 0 17 1 0 0 0 0 0 9723336 11027064 539664384 140730130119287 140730130119398 140730130119398 140730130120679 0\n"
    )
}

/// Writes the gzip-compressed (level 6, in members of 1 MiB, as the collector) snapshot for `spec` to `out`.
pub fn generate<W: Write>(spec: &Spec, out: W) -> io::Result<Summary> {
    let gz = members::Writer::new(out, 6);
    let mut tar = Tar {
        b: Builder::new(gz),
    };
    let summary = write_entries(spec, &mut tar)?;
    tar.b.into_inner()?.finish()?;
    Ok(summary)
}

fn write_entries<W: Write>(spec: &Spec, tar: &mut Tar<W>) -> io::Result<Summary> {
    let mut rng = Rng(spec.seed ^ 0x6e65_7473_6e61_7030);
    let mut inode: u64 = 1_000_000;
    let mut inodes = Vec::with_capacity(spec.tcp + spec.unix);
    let n4 = spec.tcp - spec.tcp / 4;
    let n6 = spec.tcp / 4;
    let mut tw = 0;
    let tcp4 = tcp4_table(&mut rng, n4, &mut inode, &mut inodes, &mut tw);
    let tcp6 = tcp6_table(&mut rng, n6, &mut inode, &mut inodes);
    let unix = unix_table(&mut rng, spec.unix, &mut inode, &mut inodes);
    let mut summary = Summary {
        tcp4: n4,
        tcp6: n6,
        unix: spec.unix,
        table_bytes: tcp4.len() + tcp6.len() + unix.len(),
        ..Summary::default()
    };

    let mut manifest: serde_json::Value =
        serde_json::from_str(BASE_MANIFEST).map_err(io::Error::other)?;
    if let Some(m) = manifest.as_object_mut() {
        m.insert("collector".into(), "netsnap-gen 0.1.0 (synthetic)".into());
        m.insert("capture_start".into(), "2026-01-01T00:00:00.000Z".into());
        m.insert("hostname".into(), "synthetic".into());
        m.insert(
            "boot_id".into(),
            "00000000-0000-4000-8000-000000000000".into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&manifest).map_err(io::Error::other)?;
    text.push('\n');
    tar.file("netsnap.json", text.as_bytes())?;

    // Socket ownership: 90% of the sockets with an inode belong to a
    // process; every process gets one first, then a tenth of the processes
    // (the busy servers) take half of the rest.
    let procs = spec.procs.min(inodes.len());
    let mut owner: Vec<u32> = vec![u32::MAX; inodes.len()];
    if procs > 0 {
        let busy = (procs / 10).max(1) as u64;
        for (i, o) in owner.iter_mut().enumerate() {
            if i < procs {
                *o = i as u32;
            } else if rng.pct(90) {
                *o = if rng.pct(50) {
                    rng.below(busy) as u32
                } else {
                    rng.below(procs as u64) as u32
                };
            }
        }
    }

    let (sockstat4, sockstat6) = sockstat(&summary, tw);
    let mut base = tar::Archive::new(BASE_TAR);
    for entry in base.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data)?;
        match path.as_str() {
            "proc/net/udp" => {
                tar.file("proc/net/tcp", tcp4.as_bytes())?;
                tar.file("proc/net/tcp6", tcp6.as_bytes())?;
            }
            "proc/net/packet" => tar.file("proc/net/unix", unix.as_bytes())?,
            "proc/net/sockstat" => data = sockstat4.clone().into_bytes(),
            "proc/net/sockstat6" => data = sockstat6.clone().into_bytes(),
            _ => {}
        }
        tar.file(&path, &data)?;
    }
    drop((tcp4, tcp6, unix));

    // Counting sort of the sockets by owner.
    let mut start = vec![0usize; procs + 1];
    for &o in &owner {
        if (o as usize) < procs {
            start[o as usize + 1] += 1;
        }
    }
    for i in 0..procs {
        start[i + 1] += start[i];
    }
    let mut by_owner = vec![0u64; start[procs]];
    let mut next = start.clone();
    for (i, &o) in owner.iter().enumerate() {
        if (o as usize) < procs {
            by_owner[next[o as usize]] = inodes[i];
            next[o as usize] += 1;
        }
    }
    let mut pid: u32 = 300;
    for p in 0..procs {
        pid += 1 + rng.below(5) as u32;
        let prog = PROGRAMS[p % PROGRAMS.len()];
        let comm: String = prog
            .rsplit('/')
            .next()
            .unwrap_or(prog)
            .chars()
            .take(15)
            .collect();
        let mut cmdline = prog.as_bytes().to_vec();
        cmdline.push(0);
        tar.file(&format!("proc/{pid}/cmdline"), &cmdline)?;
        tar.file(
            &format!("proc/{pid}/stat"),
            stat_line(pid, &comm).as_bytes(),
        )?;
        let mut fd = 2u32;
        for ino in &by_owner[start[p]..start[p + 1]] {
            fd += if rng.pct(10) { 2 } else { 1 };
            tar.link(&format!("proc/{pid}/fd/{fd}"), &format!("socket:[{ino}]"))?;
            summary.fds += 1;
        }
        summary.procs += 1;
    }
    let end = format!(
        "{{\n  \"capture_end\": \"2026-01-01T00:00:01.000Z\",\n  \"processes\": {},\n  \"vanished_processes\": 0,\n  \"vanished_fds\": 0,\n  \"fd_denied\": [],\n  \"warnings\": []\n}}\n",
        summary.procs
    );
    tar.file("netsnap-end.json", end.as_bytes())?;
    Ok(summary)
}

/// Parses a size such as `10k`, `100k`, `1M` or `2000`.
pub fn parse_size(s: &str) -> Option<usize> {
    let (num, mult) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1_000),
        b'm' | b'M' => (&s[..s.len() - 1], 1_000_000),
        _ => (s, 1),
    };
    num.parse::<usize>().ok().map(|n| n * mult)
}

#[cfg(test)]
mod tests {
    //! The generator's lines against real ones: every row of the socket tables the collector
    //! captured for the fixtures (Linux 6.18) is parsed into the generator's fields and written
    //! again by the generator's own line writers, which must give back the kernel's bytes.

    use super::*;
    use std::io::Read;

    /// Fixtures captured from a live kernel (not made by hand or converted).
    const CAPTURED: &[&str] = &[
        "server",
        "loopback-many",
        "procs",
        "nonroot",
        "sctp",
        "unix",
        "mcast",
    ];

    fn table(fixture: &str, path: &str) -> Vec<u8> {
        let file = netsnap_tests::fixtures_dir()
            .join(fixture)
            .join("snapshot.tar.gz");
        let gz = std::fs::read(&file).expect("fixture snapshot");
        let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(&gz[..]));
        for entry in archive.entries().expect("tar") {
            let mut entry = entry.expect("entry");
            if entry.path().expect("path").to_str() == Some(path) {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).expect("content");
                return bytes;
            }
        }
        panic!("{fixture}: no {path}");
    }

    fn hex<T: TryFrom<u64>>(s: &str) -> Option<T> {
        T::try_from(u64::from_str_radix(s, 16).ok()?).ok()
    }

    /// An address as the kernel prints it (`%08X` words), as the generator's bytes.
    fn address<const N: usize>(s: &str) -> Option<[u8; N]> {
        let mut a = [0u8; N];
        if s.len() != 2 * N {
            return None;
        }
        for (i, word) in a.chunks_exact_mut(4).enumerate() {
            let w: u32 = hex(s.get(8 * i..8 * i + 8)?)?;
            word.copy_from_slice(&w.to_le_bytes());
        }
        Some(a)
    }

    /// A tcp or tcp6 line: its slot, local and remote addresses, fields and `%pK` value.
    type TcpLine<const N: usize> = (usize, [u8; N], [u8; N], Row, u64);

    fn tcp_fields<const N: usize>(line: &str) -> Option<TcpLine<N>> {
        let t: Vec<&str> = line.split_whitespace().collect();
        let sl = t.first()?.strip_suffix(':')?.parse().ok()?;
        let (local, lport) = t.get(1)?.split_once(':')?;
        let (remote, rport) = t.get(2)?.split_once(':')?;
        let (tx, rx) = t.get(4)?.split_once(':')?;
        let (timer, when) = t.get(5)?.split_once(':')?;
        let short = t.len() == 12;
        let row = Row {
            state: hex(t.get(3)?)?,
            lport: hex(lport)?,
            rport: hex(rport)?,
            tx: hex(tx)?,
            rx: hex(rx)?,
            timer: hex(timer)?,
            when: hex(when)?,
            retr: hex(t.get(6)?)?,
            uid: t.get(7)?.parse().ok()?,
            timeout: t.get(8)?.parse().ok()?,
            inode: t.get(9)?.parse().ok()?,
            refcnt: t.get(10)?.parse().ok()?,
            tail: if short {
                String::new()
            } else {
                t.get(12..)?.join(" ")
            },
        };
        // The generator writes the short form for exactly these states.
        if short != matches!(row.state, TIME_WAIT | SYN_RECV) {
            return None;
        }
        Some((sl, address(local)?, address(remote)?, row, hex(t.get(11)?)?))
    }

    /// Rewrites every row of `path` in `fixture` with `rewrite` (the generator's line and the
    /// row's state, from the real line), which must give back the real line; checks the
    /// header; returns the number of rows.
    fn rewrite_rows(
        fixture: &str,
        path: &str,
        header: &str,
        states: &mut std::collections::BTreeSet<u8>,
        rewrite: impl Fn(&str) -> Option<(String, u8)>,
    ) -> usize {
        let text = String::from_utf8(table(fixture, path)).expect("ASCII");
        let mut lines = text.split_inclusive('\n');
        assert_eq!(lines.next(), Some(header), "{fixture} {path}");
        let mut rows = 0;
        for real in lines {
            let (ours, state) =
                rewrite(real).unwrap_or_else(|| panic!("{fixture} {path}: {real:?}"));
            assert_eq!(ours, real, "{fixture} {path}");
            states.insert(state);
            rows += 1;
        }
        rows
    }

    #[test]
    fn tcp_lines_are_the_kernels() {
        let mut rows = [0usize; 2];
        let mut states = std::collections::BTreeSet::new();
        let v4_header = format!("{TCP_HEADER:<149}\n");
        for fixture in CAPTURED {
            rows[0] += rewrite_rows(fixture, "proc/net/tcp", &v4_header, &mut states, |real| {
                let (sl, local, remote, row, kptr) = tcp_fields::<4>(real)?;
                let mut ours = String::new();
                tcp4_line(&mut ours, sl, local, remote, &row, kptr);
                Some((ours, row.state))
            });
            rows[1] += rewrite_rows(fixture, "proc/net/tcp6", TCP6_HEADER, &mut states, |real| {
                let (sl, local, remote, row, kptr) = tcp_fields::<16>(real)?;
                let mut ours = String::new();
                tcp6_line(&mut ours, sl, local, remote, &row, kptr);
                Some((ours, row.state))
            });
        }
        // Listeners, both short forms and several long ones were compared.
        assert!(rows[0] > 5000 && rows[1] > 500, "{rows:?}");
        for st in [
            ESTABLISHED,
            SYN_SENT,
            SYN_RECV,
            FIN_WAIT2,
            TIME_WAIT,
            CLOSE_WAIT,
            LISTEN,
        ] {
            assert!(states.contains(&st), "no real row in state {st:02X}");
        }
    }

    /// A unix line: its fields (`None` for the continuation of a path holding a newline).
    fn unix_fields(line: &str) -> Option<UnixLine<'_>> {
        let line = line.strip_suffix('\n')?;
        let (kptr, rest) = line.split_once(": ")?;
        let fixed = rest.get(..35)?;
        let t: Vec<&str> = fixed.split(' ').collect();
        let (inode, path) = match rest.get(35..)?.trim_start().split_once(' ') {
            Some((inode, path)) => (inode, path),
            None => (rest.get(35..)?.trim_start(), ""),
        };
        if t.len() != 6 || hex::<u32>(t.get(1)?)? != 0 {
            return None;
        }
        Some(UnixLine {
            kptr: hex(kptr)?,
            refcount: hex(t.first()?)?,
            flags: hex(t.get(2)?)?,
            kind: hex(t.get(3)?)?,
            state: hex(t.get(4)?)?,
            inode: inode.parse().ok()?,
            path,
        })
    }

    #[test]
    fn unix_lines_are_the_kernels() {
        let (mut rows, mut named) = (0, 0);
        let mut kinds = std::collections::BTreeSet::new();
        for fixture in CAPTURED {
            let bytes = table(fixture, "proc/net/unix");
            let mut lines = bytes.split_inclusive(|&b| b == b'\n');
            assert_eq!(lines.next(), Some(UNIX_HEADER.as_bytes()));
            for real in lines {
                // Only the `unix` fixture has paths that are not UTF-8 or that hold a newline
                // (the rest of the path makes a line of its own).
                let Some(u) = std::str::from_utf8(real).ok().and_then(unix_fields) else {
                    assert_eq!(*fixture, "unix", "{}", String::from_utf8_lossy(real));
                    continue;
                };
                let mut ours = String::new();
                unix_line(&mut ours, &u);
                assert_eq!(ours.as_bytes(), real, "{fixture} unix");
                rows += 1;
                named += usize::from(!u.path.is_empty());
                kinds.insert((u.kind, u.flags));
            }
        }
        // 44 rows today; stream listeners, stream, datagram and seqpacket sockets among them.
        assert!(
            rows >= 20 && named >= 10,
            "{rows} rows, {named} with a path"
        );
        for kind in [(1, 0x10000), (1, 0), (2, 0), (5, 0x10000)] {
            assert!(
                kinds.contains(&kind),
                "no real row of type and flags {kind:x?}"
            );
        }
    }
}
