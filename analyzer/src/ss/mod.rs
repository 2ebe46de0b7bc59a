//! `ss` (iproute2 6.1) views of a snapshot, as ss prints them when it reads the snapshot's files
//! (`PROC_ROOT`); docs/ss-behaviour.md is the behaviour this reproduces.
//!
//! [`run`] follows ss's `main`: the summary (`-s`) first, then the state words and the filter
//! ([`args::resolve`]), the header, and the tables in ss's order (netlink, packet, unix, raw, udp,
//! tcp), each read by `parse::ss` with the state set and the filter, and written into one
//! [`Table`] (render/ss.rs) that measures the columns.

pub mod args;
pub mod filter;
pub mod names;

use crate::diag::Diagnostic;
use crate::load::LoadPlan;
use crate::model::{Addr, Snapshot};
use crate::parse::etc::ServiceProto;
use crate::parse::ss::{self as read, InetSock, InetTable, NetlinkSock, PacketSock, UnixSock};
use crate::render::ss::{self as cols, Table};
use crate::render::{Output, write_i64, write_u64};
use args::{Listing, SsOptions, Table as Db};
use filter::{FilterEnv, SockFamily, SockRef};

/// Output gathered before it is written through the CLI's spill target.
const SPILL_BYTES: usize = 4 << 20;

/// The host's `USER_HZ`, which ss uses to turn the timer columns into time (the recording host's,
/// as the real ss replayed on the snapshot does; not the snapshot's).
const HZ: u32 = 100;

impl From<args::Exit> for Output {
    /// What ss printed when it stopped during its command line.
    fn from(e: args::Exit) -> Output {
        Output {
            stdout: e.stdout,
            stderr: e.stderr,
            status: e.status,
            diagnostics: Vec::new(),
        }
    }
}

/// What an ss command line reads from an archive.
pub fn plan(opts: &SsOptions) -> LoadPlan {
    // Netlink rows name their process from `<pid>/stat` unless `-n`; options alone say whether
    // the netlink table can be listed (the filter can only narrow the families).
    let netlink = opts.default_tables
        || opts.dbs & Db::Netlink.bit() != 0
        || opts.families & args::Family::Netlink.bit() != 0;
    read::ss_plan(opts.processes > 0 || opts.threads > 0 || (netlink && !opts.numeric))
}

/// Runs parsed ss options on a snapshot loaded with [`plan`] (or with everything and the raw
/// socket files).
pub fn run(snap: &Snapshot, opts: &SsOptions) -> Output {
    let mut out = Output::default();
    let file = |p: &str| snap.other.get(p).map(|v| v.as_slice());
    if opts.summary {
        let s = read::read_summary(
            file("proc/net/sockstat"),
            file("proc/net/sockstat6"),
            file("proc/net/snmp"),
        );
        for e in &s.errors {
            out.stderr.extend_from_slice(e.as_bytes());
            out.stderr.push(b'\n');
        }
        summary(&mut out.stdout, &s);
        crate::render::spill(&mut out.stdout);
        if opts.summary_only() {
            return out;
        }
    }
    let (lo, hi) = read::port_range(file("proc/sys/net/ipv4/ip_local_port_range"));
    let env = FilterEnv::new(&snap.names, (i64::from(lo), i64::from(hi)));
    let listing = match args::resolve(opts, &env) {
        Ok(l) => l,
        Err(e) => {
            out.stdout.extend_from_slice(&e.stdout);
            out.stderr.extend_from_slice(&e.stderr);
            out.status = e.status;
            return out;
        }
    };
    let mut lister = Lister {
        snap,
        listing: &listing,
        users: if listing.processes {
            read::read_users(&snap.processes)
        } else {
            read::Users::default()
        },
        ephemeral: (lo, hi),
        table: Table::new(listing.show_netid, listing.show_state),
        out: Vec::new(),
        diagnostics: Vec::new(),
        scratch: Vec::new(),
    };
    lister.diagnostics = std::mem::take(&mut lister.users.diagnostics);
    if !listing.no_header {
        lister.table.header(&mut lister.out);
    }
    lister.netlink();
    lister.packet();
    lister.unix();
    for t in [InetTable::Raw, InetTable::Udp, InetTable::Tcp] {
        lister.inet(t);
    }
    lister.table.render(&mut lister.out);
    if out.stdout.is_empty() {
        out.stdout = lister.out;
    } else {
        out.stdout.extend_from_slice(&lister.out);
    }
    out.diagnostics = lister.diagnostics;
    out
}

/// The `-s` block (§11), printed before anything else.
fn summary(o: &mut Vec<u8>, s: &read::Summary) {
    let num = |o: &mut Vec<u8>, v: i32| write_i64(o, i64::from(v));
    o.extend_from_slice(b"Total: ");
    num(o, s.socks);
    o.extend_from_slice(b"\nTCP:   ");
    num(o, s.tcp_total.wrapping_add(s.tcp_tws));
    o.extend_from_slice(b" (estab ");
    num(o, s.tcp_estab);
    o.extend_from_slice(b", closed ");
    num(
        o,
        s.tcp_total.wrapping_sub(
            s.tcp4_hashed
                .wrapping_add(s.tcp6_hashed)
                .wrapping_sub(s.tcp_tws),
        ),
    );
    o.extend_from_slice(b", orphaned ");
    num(o, s.tcp_orphans);
    o.extend_from_slice(b", timewait ");
    num(o, s.tcp_tws);
    o.extend_from_slice(b")\n\nTransport Total     IP        IPv6\n");
    let v4 = s.raw4.wrapping_add(s.udp4).wrapping_add(s.tcp4_hashed);
    let v6 = s.raw6.wrapping_add(s.udp6).wrapping_add(s.tcp6_hashed);
    for (label, a, b) in [
        ("RAW", s.raw4, s.raw6),
        ("UDP", s.udp4, s.udp6),
        ("TCP", s.tcp4_hashed, s.tcp6_hashed),
        ("INET", v4, v6),
        ("FRAG", s.frag4, s.frag6),
    ] {
        o.extend_from_slice(label.as_bytes());
        o.extend_from_slice(b"\t  ");
        for v in [a.wrapping_add(b), a, b] {
            let start = o.len();
            num(o, v);
            while o.len() - start < 9 {
                o.push(b' ');
            }
            o.push(b' ');
        }
        // `%-9d %-9d %-9d\n`: no space after the last.
        o.pop();
        o.push(b'\n');
    }
    o.push(b'\n');
}

/// The state of one listing.
struct Lister<'a> {
    snap: &'a Snapshot,
    listing: &'a Listing,
    users: read::Users,
    ephemeral: (i32, i32),
    table: Table,
    out: Vec<u8>,
    diagnostics: Vec<Diagnostic>,
    scratch: Vec<u8>,
}

/// ss's state names, by state number.
const STATES: [&[u8]; 12] = [
    b"UNKNOWN",
    b"ESTAB",
    b"SYN-SENT",
    b"SYN-RECV",
    b"FIN-WAIT-1",
    b"FIN-WAIT-2",
    b"TIME-WAIT",
    b"UNCONN",
    b"CLOSE-WAIT",
    b"LAST-ACK",
    b"LISTEN",
    b"CLOSING",
];

impl Lister<'_> {
    fn file(&self, p: &str) -> Option<&[u8]> {
        self.snap.other.get(p).map(|v| v.as_slice())
    }

    /// The filter's verdict on a row.
    fn keep(&self, s: &SockRef) -> bool {
        self.listing.filter.as_ref().is_none_or(|f| f.matches(s))
    }

    fn state_text(&mut self, state: i32, path: &str, line: u32) -> &'static [u8] {
        match usize::try_from(state).ok().and_then(|i| STATES.get(i)) {
            Some(t) => t,
            None => {
                // ss indexes its table of names with the number: past it lies other memory.
                self.diagnostics.push(Diagnostic::at(
                    path,
                    line,
                    format!(
                        "socket state {state} is past ss's table of state names (ss prints \
                         whatever lies in memory there); shown as UNKNOWN"
                    ),
                ));
                STATES[0]
            }
        }
    }

    /// ` users:((…),…)` for a socket inode (`-p`, `-T`), or nothing.
    fn users(&self, o: &mut Vec<u8>, ino: u32) {
        if !self.listing.processes {
            return;
        }
        let ents = self.users.get(ino);
        if ents.is_empty() {
            return;
        }
        o.extend_from_slice(b" users:(");
        for (i, e) in ents.iter().enumerate() {
            if i > 0 {
                o.push(b',');
            }
            o.extend_from_slice(b"(\"");
            o.extend_from_slice(&e.name);
            o.extend_from_slice(b"\",pid=");
            write_i64(o, i64::from(e.pid));
            if self.listing.threads {
                o.extend_from_slice(b",tid=");
                write_i64(o, i64::from(e.tid));
            }
            o.extend_from_slice(b",fd=");
            write_i64(o, i64::from(e.fd));
            o.push(b')');
        }
        o.push(b')');
    }

    /// An inet address as ss prints it (`inet_addr_print`): v4 dotted, v6 all-zero `*`, other v6
    /// bracketed; host names from the snapshot with `-r`.
    fn inet_addr(&self, o: &mut Vec<u8>, a: &Addr) {
        if a.v6 && a.bytes == [0; 16] {
            o.push(b'*');
            return;
        }
        if self.listing.resolve {
            // glibc looks a v4-mapped address up as the v4 address.
            let mapped = a.v6 && a.bytes[..12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
            let key = if mapped {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&a.bytes[12..]);
                Addr {
                    bytes: b,
                    v6: false,
                }
            } else {
                *a
            };
            if let Some(name) = crate::render::addr::host_name(&self.snap.names, &key) {
                let bracket = name.contains(&b':');
                if bracket {
                    o.push(b'[');
                }
                o.extend_from_slice(name);
                if bracket {
                    o.push(b']');
                }
                return;
            }
        }
        if a.v6 {
            let mut b = [0u8; 16];
            b.copy_from_slice(&a.bytes);
            o.push(b'[');
            crate::render::addr::write_ntop6(o, &b);
            o.push(b']');
        } else {
            crate::render::addr::write_ntoa(o, [a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]]);
        }
    }

    /// A port as ss prints it (`resolve_service`).
    fn port(&self, o: &mut Vec<u8>, table: InetTable, port: i32) {
        if port == 0 {
            o.push(b'*');
            return;
        }
        let numeric = |o: &mut Vec<u8>| write_u64(o, u64::from(port as u32));
        if self.listing.numeric {
            return numeric(o);
        }
        let names = &self.snap.names.services;
        match table {
            InetTable::Raw => match names.first_name(ServiceProto::Raw, port as u16) {
                Some(n) if (0..=65535).contains(&port) => o.extend_from_slice(n),
                _ => {
                    o.extend_from_slice(b"ipproto-");
                    write_i64(o, i64::from(port));
                }
            },
            InetTable::Tcp | InetTable::Udp => {
                let (lo, hi) = self.ephemeral;
                let proto = if table == InetTable::Tcp {
                    ServiceProto::Tcp
                } else {
                    ServiceProto::Udp
                };
                let ephemeral = port >= lo && port <= hi;
                match names.first_name(proto, port as u16) {
                    Some(n) if !ephemeral => o.extend_from_slice(n),
                    _ => numeric(o),
                }
            }
        }
    }

    fn inet(&mut self, table: InetTable) {
        let db = match table {
            InetTable::Tcp => Db::Tcp,
            InetTable::Udp => Db::Udp,
            InetTable::Raw => Db::Raw,
        };
        if !self.listing.has(db) {
            return;
        }
        let (p4, p6) = table.paths();
        let snap = self.snap;
        let file = |p: &str| snap.other.get(p).map(|v| v.as_slice());
        let (v4, v6, states) = (self.listing.v4, self.listing.v6, self.listing.states);
        let diagnostics = read::each_inet(
            table,
            snap.byte_order(),
            file(p4),
            file(p6),
            v4,
            v6,
            states,
            &mut |s| {
                let n = if s.v6 { 16 } else { 4 };
                let r = SockRef {
                    family: if s.v6 {
                        SockFamily::Inet6
                    } else {
                        SockFamily::Inet
                    },
                    local_addr: &s.local.bytes[..n],
                    local_port: i64::from(s.lport),
                    remote_addr: &s.remote.bytes[..n],
                    remote_port: i64::from(s.rport),
                    unix_path: None,
                    iface: 0,
                    mark: 0,
                    cgroup: 0,
                };
                if self.keep(&r) {
                    self.inet_row(table, &s);
                }
            },
        );
        self.diagnostics.extend(diagnostics);
    }

    /// One inet row into the table.
    fn inet_row(&mut self, table: InetTable, s: &InetSock) {
        let (p4, p6) = table.paths();
        let netid: &[u8] = match table {
            InetTable::Tcp => b"tcp",
            InetTable::Udp => b"udp",
            InetTable::Raw => b"raw",
        };
        let path = if s.v6 { p6 } else { p4 };
        let state = self.state_text(s.state, path, s.line);
        let mut ext = std::mem::take(&mut self.scratch);
        ext.clear();
        self.users(&mut ext, s.ino);
        if table == InetTable::Tcp {
            self.tcp_extras(&mut ext, s);
        }
        let mut out = std::mem::take(&mut self.out);
        let mut sink = std::mem::replace(&mut self.table, Table::new(false, false));
        sink.row(&mut out, |col, o| match col {
            cols::NETID => o.extend_from_slice(netid),
            cols::STATE => o.extend_from_slice(state),
            cols::RECVQ => cols::queue(o, i64::from(s.rq)),
            cols::SENDQ => cols::queue(o, i64::from(s.wq)),
            cols::ADDR => {
                self.inet_addr(o, &s.local);
                o.push(b':');
            }
            cols::SERV => self.port(o, table, s.lport),
            cols::RADDR => {
                self.inet_addr(o, &s.remote);
                o.push(b':');
            }
            cols::RSERV => self.port(o, table, s.rport),
            cols::EXT => o.extend_from_slice(&ext),
            _ => {}
        });
        self.table = sink;
        self.out = out;
        self.scratch = ext;
        self.spill();
    }

    /// One row into the table: `field` gives columns 0 to 7, `ext` is the EXT column (a buffer
    /// kept for the next row).
    fn put_row(&mut self, ext: Vec<u8>, mut field: impl FnMut(usize, &mut Vec<u8>)) {
        self.table.row(&mut self.out, |col, o| {
            if col == cols::EXT {
                o.extend_from_slice(&ext);
            } else {
                field(col, o);
            }
        });
        self.scratch = ext;
        self.spill();
    }

    /// Writes what the table has printed so far through the CLI's spill target, if any
    /// ([`crate::render::set_spill`]), once it is large.
    fn spill(&mut self) {
        if self.out.len() >= SPILL_BYTES {
            crate::render::spill(&mut self.out);
        }
    }

    /// `-o`, `-e`, `-i` for a TCP row (§5.4).
    fn tcp_extras(&self, o: &mut Vec<u8>, s: &InetSock) {
        let l = self.listing;
        let retrans = if s.timer != 1 {
            s.probes as u32
        } else {
            s.retrans
        };
        if l.timers && s.timer != 0 {
            const NAMES: [&[u8]; 6] = [
                b"off",
                b"on",
                b"keepalive",
                b"timewait",
                b"persist",
                b"unknown",
            ];
            let ms = s.timeout.wrapping_mul(1000).wrapping_add(HZ - 1) / HZ;
            o.extend_from_slice(b" timer:(");
            o.extend_from_slice(NAMES[s.timer.min(5) as usize]);
            o.push(b',');
            cols::ms_timer(o, ms);
            o.push(b',');
            write_i64(o, i64::from(retrans as i32));
            o.push(b')');
        }
        if l.extended {
            if s.uid != 0 {
                o.extend_from_slice(b" uid:");
                write_u64(o, u64::from(s.uid));
            }
            o.extend_from_slice(b" ino:");
            write_u64(o, u64::from(s.ino));
            o.extend_from_slice(format!(" sk:{:x}", s.sk).as_bytes());
            if !s.opt.is_empty() {
                o.extend_from_slice(b" opt:\"");
                o.extend_from_slice(&s.opt);
                o.push(b'"');
            }
        }
        if l.info {
            let hz = f64::from(HZ);
            let rto = f64::from(s.rto);
            let rto = if rto != 3.0 * hz { rto / hz } else { 0.0 };
            if rto != 0.0 {
                o.extend_from_slice(b" rto:");
                cols::g(o, rto);
            }
            let ato = f64::from(s.ato) / hz;
            if ato != 0.0 {
                o.extend_from_slice(b" ato:");
                cols::g(o, ato);
            }
            let qack = s.qack / 2;
            if qack != 0 {
                o.extend_from_slice(b" qack:");
                write_i64(o, i64::from(qack));
            }
            if qack & 1 != 0 {
                o.extend_from_slice(b" bidir");
            }
            if s.cwnd != 0 {
                o.extend_from_slice(b" cwnd:");
                write_u64(o, u64::from(s.cwnd));
            }
            let ssthresh = if s.ssthresh == -1 { 0 } else { s.ssthresh };
            if ssthresh != 0 {
                o.extend_from_slice(b" ssthresh:");
                write_i64(o, i64::from(ssthresh));
            }
            if retrans != 0 {
                o.extend_from_slice(b" retrans:");
                write_u64(o, u64::from(retrans));
                o.extend_from_slice(b"/0");
            }
            o.extend_from_slice(b" reordering:0");
        }
    }

    fn unix(&mut self) {
        let l = self.listing;
        let types = read::UnixTypes {
            stream: l.has(Db::UnixStream),
            dgram: l.has(Db::UnixDgram),
            seqpacket: l.has(Db::UnixSeqpacket),
        };
        if !(types.stream || types.dgram || types.seqpacket) {
            return;
        }
        let rows = {
            let mut keep = |s: &UnixSock| self.keep(&SockRef::unix(s.path.as_deref()));
            read::read_unix(self.file("proc/net/unix"), types, l.states, &mut keep)
        };
        self.diagnostics.extend(rows.diagnostics);
        for s in &rows.rows {
            let netid: &[u8] = match s.kind {
                1 => b"u_str",
                5 => b"u_seq",
                _ => b"u_dgr",
            };
            let state = self.state_text(s.state, "proc/net/unix", s.line);
            let mut ext = std::mem::take(&mut self.scratch);
            ext.clear();
            self.users(&mut ext, s.ino);
            self.put_row(ext, |col, o| match col {
                cols::NETID => o.extend_from_slice(netid),
                cols::STATE => o.extend_from_slice(state),
                cols::RECVQ => cols::queue(o, i64::from(s.rq)),
                cols::SENDQ => cols::queue(o, i64::from(s.wq)),
                cols::ADDR => {
                    o.extend_from_slice(s.path.as_deref().unwrap_or(b"*"));
                    o.push(b' ');
                }
                cols::SERV => write_i64(o, i64::from(s.lport)),
                cols::RADDR => {
                    o.extend_from_slice(s.peer.as_deref().unwrap_or(b"*"));
                    o.push(b' ');
                }
                cols::RSERV => write_i64(o, i64::from(s.rport)),
                _ => {}
            });
        }
    }

    fn packet(&mut self) {
        let l = self.listing;
        if !(l.has(Db::PacketRaw) || l.has(Db::PacketDgram)) {
            return;
        }
        let rows = {
            let mut keep = |s: &PacketSock| {
                let proto = u32::from(s.proto).to_le_bytes();
                let r = SockRef {
                    family: SockFamily::Packet,
                    local_addr: &proto,
                    local_port: i64::from(s.iface),
                    remote_addr: &[],
                    remote_port: 0,
                    unix_path: None,
                    iface: 0,
                    mark: 0,
                    cgroup: 0,
                };
                self.keep(&r)
            };
            read::read_packet(self.file("proc/net/packet"), l.states, &mut keep)
        };
        self.diagnostics.extend(rows.diagnostics);
        for s in &rows.rows {
            let mut ext = std::mem::take(&mut self.scratch);
            ext.clear();
            self.users(&mut ext, s.ino);
            if l.extended {
                if s.uid != 0 {
                    ext.extend_from_slice(b" uid:");
                    write_u64(&mut ext, u64::from(s.uid));
                }
                ext.extend_from_slice(b" ino:");
                write_u64(&mut ext, u64::from(s.ino));
                ext.extend_from_slice(b" sk:0");
            }
            let netid: &[u8] = if s.kind == 3 { b"p_raw" } else { b"p_dgr" };
            self.put_row(ext, |col, o| match col {
                cols::NETID => o.extend_from_slice(netid),
                cols::STATE => o.extend_from_slice(b"UNCONN"),
                cols::RECVQ => cols::queue(o, i64::from(s.rq)),
                cols::SENDQ => cols::queue(o, 0),
                cols::ADDR => {
                    if s.proto == 3 {
                        o.push(b'*');
                    } else {
                        link_proto(o, s.proto, l.numeric);
                    }
                    o.push(b':');
                }
                cols::SERV => {
                    if s.iface == 0 {
                        o.push(b'*');
                    } else {
                        // Names of the replay's namespace: only lo (1).
                        match filter::REPLAY_INTERFACES
                            .iter()
                            .find(|(_, i)| *i as i32 == s.iface)
                        {
                            Some((name, _)) => o.extend_from_slice(name),
                            None => {
                                o.extend_from_slice(b"if");
                                write_i64(o, i64::from(s.iface));
                            }
                        }
                    }
                }
                cols::RADDR => o.push(b'*'),
                _ => {}
            });
        }
    }

    fn netlink(&mut self) {
        let l = self.listing;
        if !l.has(Db::Netlink) {
            return;
        }
        let rows = {
            let mut keep = |s: &NetlinkSock| {
                let proto = (s.proto as u32).to_le_bytes();
                self.keep(&SockRef::netlink(&proto, s.pid))
            };
            read::read_netlink(self.file("proc/net/netlink"), l.states, &mut keep)
        };
        self.diagnostics.extend(rows.diagnostics);
        for s in &rows.rows {
            let mut ext = std::mem::take(&mut self.scratch);
            ext.clear();
            if l.extended {
                ext.extend_from_slice(
                    format!(" sk={:x} cb={:x} groups=0x{:08x}", s.sk, s.cb, s.groups).as_bytes(),
                );
            }
            let mut port = Vec::new();
            if s.pid == -1 {
                port.push(b'*');
            } else if l.numeric {
                write_i64(&mut port, i64::from(s.pid));
            } else if s.pid == 0 {
                port.extend_from_slice(b"kernel");
            } else {
                match read::comm_of(&self.snap.processes, s.pid) {
                    Some(comm) => {
                        port.extend_from_slice(&comm);
                        port.push(b'/');
                        write_i64(&mut port, i64::from(s.pid));
                    }
                    None => write_i64(&mut port, i64::from(s.pid)),
                }
            }
            self.put_row(ext, |col, o| match col {
                cols::NETID => o.extend_from_slice(b"nl"),
                cols::STATE => o.extend_from_slice(b"UNCONN"),
                cols::RECVQ => cols::queue(o, i64::from(s.rq)),
                cols::SENDQ => cols::queue(o, i64::from(s.wq)),
                cols::ADDR => {
                    netlink_proto(o, s.proto, l.numeric);
                    o.push(b':');
                }
                cols::SERV => o.extend_from_slice(&port),
                cols::RADDR => o.push(b'*'),
                _ => {}
            });
        }
    }
}

/// A netlink protocol's name, or its number with `-n` or when it has none.
fn netlink_proto(o: &mut Vec<u8>, proto: i32, numeric: bool) {
    match names::NETLINK_PROTOCOLS.iter().find(|(n, _)| *n == proto) {
        Some((_, name)) if !numeric => o.extend_from_slice(name),
        _ => write_i64(o, i64::from(proto)),
    }
}

/// A link-layer protocol's name, or `[N]` with `-n` or when it has none.
fn link_proto(o: &mut Vec<u8>, proto: u16, numeric: bool) {
    match names::LINK_PROTOCOLS.iter().find(|(n, _)| *n == proto) {
        Some((_, name)) if !numeric => o.extend_from_slice(name),
        _ => {
            o.push(b'[');
            write_u64(o, u64::from(proto));
            o.push(b']');
        }
    }
}
