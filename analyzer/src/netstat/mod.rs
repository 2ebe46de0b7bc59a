//! netstat 2.10 emulation: its command line, and the views it prints.
//!
//! [`run`] follows netstat's own order of work for the socket views: the
//! Internet header, tcp, sctp, udp, udplite, raw, then UNIX, then the legacy
//! families and Bluetooth, each stopping the run when a requested file is
//! missing.

pub mod args;
pub mod interfaces;
pub mod routes;
pub mod statistics;

use crate::load::{LoadPlan, table_bit};
use crate::model::{InetKind, InetTable, SctpTable, Snapshot};
use crate::render::Output;
use crate::render::inet::{self, Extras};
use crate::render::programs::ProgramMap;
use crate::render::{groups, sctp, unix};
use args::NetstatOptions;

/// What the archive must provide for these options.
pub fn plan(opts: &NetstatOptions) -> LoadPlan {
    let sockets = opts.masquerade + opts.statistics + opts.route + opts.interfaces == 0;
    let processes = opts.programs > 0 && sockets;
    // netstat -s ignores -c; every other view repeats.
    let frames = opts.continuous > 0 && opts.statistics == 0;
    let tables = sockets.then(|| socket_tables(opts));
    let only_tables = tables.filter(|_| !processes && !frames && !needs_names(opts));
    LoadPlan {
        processes,
        frames,
        sockets,
        tables,
        only_tables,
        raw_tables: false,
        stats: false,
    }
}

/// Whether a socket listing prints names (hosts, ports or users), which come from the etc files
/// that lie after the tables.
pub fn needs_names(opts: &NetstatOptions) -> bool {
    !(opts.numeric_hosts && opts.numeric_ports) || (opts.extend > 1 && !opts.numeric_users)
}

/// The tables a socket listing reads (a mask over
/// [`crate::load::TABLE_FILES`]), as [`Run::sockets`] chooses them; a
/// superset is harmless.
fn socket_tables(o: &NetstatOptions) -> u32 {
    let requested = o.any_requested();
    let bit = |p: &str| table_bit(p).unwrap_or(0);
    let mut m = 0;
    let mut pair = |on: bool, v4: &str, v6: &str| {
        if on && (!requested || o.inet) {
            m |= bit(v4);
        }
        if on && (!requested || o.inet6) {
            m |= bit(v6);
        }
    };
    pair(!requested || o.tcp, "proc/net/tcp", "proc/net/tcp6");
    pair(!requested || o.udp, "proc/net/udp", "proc/net/udp6");
    pair(
        !requested || o.udplite,
        "proc/net/udplite",
        "proc/net/udplite6",
    );
    pair(!requested || o.raw, "proc/net/raw", "proc/net/raw6");
    if !requested || o.sctp {
        m |= bit("proc/net/sctp/eps") | bit("proc/net/sctp/assocs");
    }
    if o.groups > 0 {
        m |= bit("proc/net/igmp") | bit("proc/net/igmp6");
    }
    if !requested || o.unix {
        m |= bit("proc/net/unix");
    }
    m
}

fn header_suffix(opts: &NetstatOptions) -> &'static [u8] {
    if opts.all > 0 {
        b"(servers and established)"
    } else if opts.listening > 0 {
        b"(only servers)"
    } else {
        b"(w/o servers)"
    }
}

/// A renderer of one SCTP table.
type SctpRenderer = fn(&mut Vec<u8>, &mut Vec<u8>, &SctpTable, &Extras<'_>, bool);

/// The run of one socket listing.
struct Run<'a> {
    snap: &'a Snapshot,
    opts: &'a NetstatOptions,
    out: Output,
    programs: Option<std::borrow::Cow<'a, ProgramMap>>,
    programs_loaded: bool,
    /// Internet tables whose rows were rendered as they were read.
    pre: Option<&'a inet::Prerender<'a>>,
}

impl Run<'_> {
    /// netstat's `prg_cache_load`: once per run, only with `-p`.
    fn load_programs(&mut self) {
        if self.programs_loaded || self.opts.programs == 0 {
            return;
        }
        self.programs_loaded = true;
        let map = match self.pre.and_then(|p| p.programs()) {
            Some(map) => std::borrow::Cow::Borrowed(map),
            None => std::borrow::Cow::Owned(ProgramMap::build(
                &self.snap.processes,
                self.snap.manifest.euid,
            )),
        };
        self.out.stderr.extend_from_slice(&map.message);
        self.programs = Some(map);
    }

    fn no_support(&mut self, name: &str) {
        self.out.stderr.extend_from_slice(
            format!("netstat: no support for `{name}' on this system.\n").as_bytes(),
        );
    }

    /// The missing-primary-file rule shared by every protocol section:
    /// message when requested or verbose, status 1 when requested.
    fn missing(&mut self, name: &str) -> i32 {
        let o = self.opts;
        let requested = o.any_requested();
        if !o.no_protocol && (requested || o.verbose) {
            self.no_support(name);
        }
        if !o.no_protocol && requested { 1 } else { 0 }
    }

    fn render_inet(&mut self, kind: InetKind, table: &InetTable) {
        if let Some(pre) = self.pre
            && pre.print(kind, &mut self.out.stdout)
        {
            inet::render_warnings(&mut self.out.stderr, kind, table);
            return;
        }
        let ex = Extras {
            opts: self.opts,
            names: &self.snap.names,
            programs: self.programs.as_deref(),
        };
        let hz = self.snap.manifest.user_hz;
        inet::render_table(
            &mut self.out.stdout,
            &mut self.out.stderr,
            kind,
            table,
            &ex,
            hz,
        );
    }

    /// netstat's pair of files for one protocol: the IPv4 file (required
    /// when the protocol was asked for) and the optional IPv6 one.
    fn inet_pair(&mut self, v4: InetKind, v6: InetKind, name: &str) -> i32 {
        let o = self.opts;
        let snap = self.snap;
        let requested = o.any_requested();
        let mut rc = 0;
        if !requested || o.inet {
            match snap.inet_table(v4) {
                Some(t) => self.render_inet(v4, t),
                None => rc = self.missing(name),
            }
        }
        if (!requested || o.inet6)
            && let Some(t) = snap.inet_table(v6)
        {
            self.render_inet(v6, t);
        }
        rc
    }

    /// One SCTP file (endpoints or associations), read when IPv4 is on.
    fn sctp_table(&mut self, table: Option<&SctpTable>, render: SctpRenderer) -> i32 {
        let o = self.opts;
        if o.any_requested() && !o.inet {
            return 0;
        }
        let numeric = o.numeric_hosts || o.numeric_ports || o.numeric_users || o.symbolic;
        match table {
            Some(t) => {
                let ex = Extras {
                    opts: self.opts,
                    names: &self.snap.names,
                    programs: self.programs.as_deref(),
                };
                render(&mut self.out.stdout, &mut self.out.stderr, t, &ex, numeric);
                0
            }
            None => self.missing("AF INET (sctp)"),
        }
    }

    /// SCTP: endpoints with `-a` or `-l`, then associations unless `-l`.
    fn sctp(&mut self) -> i32 {
        let o = self.opts;
        let snap = self.snap;
        if o.all > 0 || o.listening > 0 {
            let res = self.sctp_table(snap.sctp_eps.as_ref(), sctp::render_eps);
            if res != 0 {
                return res;
            }
        }
        if o.all > 0 || o.listening == 0 {
            return self.sctp_table(snap.sctp_assocs.as_ref(), sctp::render_assocs);
        }
        0
    }

    fn unix(&mut self) -> i32 {
        let o = self.opts;
        self.out
            .stdout
            .extend_from_slice(b"Active UNIX domain sockets ");
        self.out.stdout.extend_from_slice(header_suffix(o));
        self.out
            .stdout
            .extend_from_slice(b"\nProto RefCnt Flags       Type       State         I-Node  ");
        if o.programs > 0 {
            self.out.stdout.extend_from_slice(b" PID/Program name    ");
        }
        self.out.stdout.extend_from_slice(b" Path\n");
        match &self.snap.unix {
            Some(t) => {
                let out = &mut self.out;
                unix::render_table(
                    &mut out.stdout,
                    &mut out.stderr,
                    t,
                    o,
                    self.programs.as_deref(),
                );
                0
            }
            None => self.missing("AF UNIX"),
        }
    }

    /// The `-g` table: IPv4 groups (igmp, required) then IPv6 (igmp6).
    fn groups(&mut self) -> i32 {
        let o = self.opts;
        let snap = self.snap;
        self.out.stdout.extend_from_slice(groups::HEADER);
        let mut rc = 0;
        let numeric = o.numeric_hosts;
        if o.inet {
            match snap.other.get("proc/net/igmp") {
                Some(data) => {
                    let g = crate::parse::igmp::parse_igmp(data, snap.byte_order());
                    let out = &mut self.out;
                    groups::render(
                        &mut out.stdout,
                        &mut out.stderr,
                        &g,
                        &snap.names,
                        numeric,
                        false,
                    );
                }
                None => rc = self.missing("AF INET (igmp)"),
            }
        }
        if o.inet6
            && let Some(data) = snap.other.get("proc/net/igmp6")
        {
            let g = crate::parse::igmp::parse_igmp6(data);
            let out = &mut self.out;
            groups::render(
                &mut out.stdout,
                &mut out.stderr,
                &g,
                &snap.names,
                numeric,
                true,
            );
        }
        rc
    }

    /// A legacy family (IPX, AX.25, X.25, NET/ROM, ROSE). Snapshots never
    /// hold their tables (no modern kernel has them), so only the
    /// missing-file rule applies.
    fn legacy(&mut self, flag: bool, name: &str) -> i32 {
        let o = self.opts;
        let requested = o.any_requested();
        if requested && !flag {
            return 0;
        }
        if requested || o.verbose {
            self.no_support(name);
        }
        if requested { 1 } else { 0 }
    }

    fn sockets(&mut self) -> i32 {
        let o = self.opts;
        let requested = o.any_requested();
        if !requested || o.tcp || o.sctp || o.udp || o.udplite || o.raw {
            self.load_programs();
            let s = &mut self.out.stdout;
            s.extend_from_slice(b"Active Internet connections ");
            s.extend_from_slice(header_suffix(o));
            s.extend_from_slice(
                b"\nProto Recv-Q Send-Q Local Address           Foreign Address         State      ",
            );
            if o.extend > 1 {
                s.extend_from_slice(b" User       Inode     ");
            }
            if o.programs > 0 {
                s.extend_from_slice(b" PID/Program name    ");
            }
            if o.timers > 0 {
                s.extend_from_slice(b" Timer");
            }
            s.push(b'\n');
        }
        if !requested || o.tcp {
            let rc = self.inet_pair(InetKind::Tcp, InetKind::Tcp6, "AF INET (tcp)");
            if rc != 0 {
                return rc;
            }
        }
        if !requested || o.sctp {
            let rc = self.sctp();
            if rc != 0 {
                return rc;
            }
        }
        if !requested || o.udp {
            let rc = self.inet_pair(InetKind::Udp, InetKind::Udp6, "AF INET (udp)");
            if rc != 0 {
                return rc;
            }
        }
        if !requested || o.udplite {
            let rc = self.inet_pair(InetKind::UdpLite, InetKind::UdpLite6, "AF INET (udplite)");
            if rc != 0 {
                return rc;
            }
        }
        if !requested || o.raw {
            let rc = self.inet_pair(InetKind::Raw, InetKind::Raw6, "AF INET (raw)");
            if rc != 0 {
                return rc;
            }
        }
        if o.groups > 0 {
            let rc = self.groups();
            if rc != 0 {
                return rc;
            }
        }
        if !requested || o.unix {
            self.load_programs();
            let rc = self.unix();
            if rc != 0 {
                return rc;
            }
        }
        for (flag, name) in [
            (o.ipx, "AF IPX"),
            (o.ax25, "AF AX25"),
            (o.x25, "AF X25"),
            (o.netrom, "AF NETROM"),
            (o.rose, "AF ROSE"),
        ] {
            let rc = self.legacy(flag, name);
            if rc != 0 {
                return rc;
            }
        }
        if requested && (o.l2cap || o.rfcomm) {
            self.out.stderr.extend_from_slice(
                b"netstat: feature `AF BLUETOOTH' not supported.\nPlease recompile `net-tools' with newer kernel source or full configuration.\n",
            );
            return 1;
        }
        0
    }
}

/// Renders what `netstat` prints for these options on this snapshot.
///
/// With `-c`, netstat repeats its view every second until interrupted; here
/// each frame of the snapshot is one round, and the run ends with status 0
/// after the last frame (or earlier, with the status of a round that failed,
/// as netstat stops on an error).
pub fn run(snap: &Snapshot, opts: &NetstatOptions) -> Output {
    run_with(snap, opts, None)
}

/// [`run`] on a snapshot whose internet tables `pre` rendered as they were read (loaded with
/// [`crate::load::load_into`]); with `-p`, their program columns are filled in first, from the
/// snapshot's processes.
pub fn run_with(
    snap: &Snapshot,
    opts: &NetstatOptions,
    mut pre: Option<&mut inet::Prerender<'_>>,
) -> Output {
    if let Some(p) = pre.as_deref_mut()
        && p.awaits_programs()
    {
        // netstat's `prg_cache_load`, which the run would do first thing (built as the processes
        // were read, when the loader gave them to `p`).
        let (procs, euid) = (&snap.processes, snap.manifest.euid);
        let map = p
            .built_programs(&procs.denied, euid)
            .unwrap_or_else(|| ProgramMap::build(procs, euid));
        if crate::render::spilling() && p.fills_later() {
            // The columns are filled on other threads while the tables are written.
            let refill = p.fill_later(map);
            let p = &*p;
            return std::thread::scope(|s| {
                // (`fill_later` keeps the map; without one, nothing is waited for.)
                match p.programs() {
                    Some(map) => refill.start(s, map),
                    None => drop(refill),
                }
                rounds(snap, opts, Some(p))
            });
        }
        p.fill_programs(map);
    }
    rounds(snap, opts, pre.map(|p| &*p))
}

/// [`run_with`] once the program columns are filled in or being filled.
fn rounds(snap: &Snapshot, opts: &NetstatOptions, pre: Option<&inet::Prerender<'_>>) -> Output {
    let mut out = Output::default();
    // Room for the rendered tables at once (growing by doubling copies them in WebAssembly).
    if let Some(p) = pre
        && !crate::render::spilling()
    {
        out.stdout.reserve(p.total_len() + 4096);
    }
    out.stderr.extend_from_slice(&opts.parse_stderr);
    // netstat tests the modes in this order: -M, -s, -r, -i, else sockets.
    if opts.masquerade > 0 {
        out.stderr
            .extend_from_slice(b"netstat: no support for `ip_masquerade' on this system.\n");
        out.status = 1;
        return out;
    }
    if opts.statistics > 0 {
        return statistics::run(snap, opts, out);
    }
    let rounds: Vec<&Snapshot> = if opts.continuous > 0 {
        std::iter::once(snap).chain(snap.frames.iter()).collect()
    } else {
        vec![snap]
    };
    for (i, frame) in rounds.into_iter().enumerate() {
        let before = out.stdout.len();
        out = round(frame, opts, out, if i == 0 { pre } else { None });
        if opts.interfaces > 0 && i > 0 {
            // netstat prints the interface table's title in the first round only.
            let title: &[u8] = b"Kernel Interface table\n";
            if out.stdout.get(before..before + title.len()) == Some(title) {
                out.stdout.drain(before..before + title.len());
            }
        }
        if out.status != 0 {
            return out;
        }
    }
    out
}

/// One round of a view.
fn round<'a>(
    snap: &'a Snapshot,
    opts: &'a NetstatOptions,
    out: Output,
    pre: Option<&'a inet::Prerender<'a>>,
) -> Output {
    if opts.route > 0 {
        return routes::run(snap, opts, out);
    }
    if opts.interfaces > 0 {
        return interfaces::run(snap, opts, out);
    }
    let mut run = Run {
        snap,
        opts,
        out,
        programs: None,
        programs_loaded: false,
        pre,
    };
    let status = run.sockets();
    run.out.status = status;
    run.out
}
