//! The bodies of the fuzz targets, one function per target, shared by
//! `fuzz/fuzz_targets/*.rs` (through the `netsnap-fuzz` library) and by the
//! regression test `analyzer/tests/fuzz_regressions.rs` (through `#[path]`),
//! so that a recorded input is replayed through exactly the code the fuzzer
//! ran.
//!
//! Each body hands the whole input to the real entry points, with no early
//! return and no `catch_unwind`, and asserts the invariants the parsers
//! promise (every line is a row or a counted bogus line, streamed tables
//! equal whole ones, results lie within their bounds).

use netsnap::archive::{self, Entry, Flow, Limits, Visitor};
use netsnap::model::ByteOrder;
use netsnap::parse::{
    self, cmdline, etc, fd, fgets_lines, ifaces, igmp, inet, manifest, route, sctp, snmp, stat,
    unix,
};
use netsnap::{LoadPlan, Snapshot};

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target: its name (the directory under `fuzz/corpus/` and
/// `fuzz/regressions/`) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("parse_sockets", parse_sockets),
    ("parse_unix", parse_unix),
    ("parse_ss", parse_ss),
    ("parse_net", parse_net),
    ("parse_procs", parse_procs),
    ("parse_etc", parse_etc),
    ("parse_manifest", parse_manifest),
    ("archive", archive),
    ("args", args),
    ("ss_args", ss_args),
    ("end_to_end", end_to_end),
];

const ORDERS: [ByteOrder; 2] = [ByteOrder::Little, ByteOrder::Big];

/// A small deterministic number from the input, to vary how it is cut.
fn salt(data: &[u8]) -> usize {
    data.iter().fold(data.len(), |h, &b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    })
}

/// `data` cut after some of its newlines (every `k`-th), as the loader feeds
/// a streamed table: every piece but the last ends after a `\n`.
fn line_pieces(data: &[u8], k: usize) -> Vec<&[u8]> {
    let k = k.max(1);
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut seen = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            seen += 1;
            if seen % k == 0 {
                pieces.push(&data[start..=i]);
                start = i + 1;
            }
        }
    }
    pieces.push(&data[start..]);
    pieces
}

/// Every line after the header (lines `2..=lines`) is exactly one of a row
/// (`rows`, in order) or a bogus line (`bogus`, in order).
fn check_partition(rows: &[u32], bogus: &[u32], lines: usize) {
    let mut all: Vec<u32> = rows.iter().chain(bogus).copied().collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "rows out of order");
    assert!(bogus.windows(2).all(|w| w[0] < w[1]), "bogus out of order");
    all.sort_unstable();
    let want: Vec<u32> = (2..=lines as u32).collect();
    assert_eq!(all, want, "lines neither row nor bogus (or both)");
}

/// Lines numbered from 2 without a gap (the rows and skipped lines of a
/// table whose line count is not known here).
fn check_contiguous(rows: &[u32], skipped: &[u32]) {
    let mut all: Vec<u32> = rows.iter().chain(skipped).copied().collect();
    all.sort_unstable();
    let want: Vec<u32> = (2..2 + all.len() as u32).collect();
    assert_eq!(all, want, "lines neither shown nor skipped (or both)");
}

// ------------------------------------------------------------ parse targets

/// Socket tables: `parse::inet` (both byte orders, tcp's and the others'
/// minimum, whole and streamed, each row on both paths) and `parse::sctp`.
pub fn parse_sockets(data: &[u8]) {
    let lines = fgets_lines(data, inet::LINE_BUFFER).count();
    for order in ORDERS {
        for min_items in [10, 11] {
            let whole = inet::parse(data, order, min_items);
            let row_lines: Vec<u32> = whole.rows.iter().map(|r| r.line).collect();
            check_partition(&row_lines, &whole.bogus_lines, lines);
            assert!(
                whole
                    .rows
                    .iter()
                    .all(|r| r.items >= min_items && r.items <= 14)
            );
            let mut p = inet::TableParser::new(order, min_items);
            for piece in line_pieces(data, 1 + salt(data) % 5) {
                p.feed(piece);
            }
            let streamed = p.finish();
            assert_eq!(streamed.rows, whole.rows, "streamed rows differ");
            assert_eq!(streamed.bogus_lines, whole.bogus_lines);
        }
        for line in fgets_lines(data, inet::LINE_BUFFER) {
            let scanned = inet::parse_row_scanned(line, order);
            if let Some(fast) = inet::fast_row(line, order) {
                assert_eq!(Some(fast), scanned, "fast path differs");
            }
            assert_eq!(inet::parse_row(line, order), scanned);
        }
    }
    for table in [sctp::parse_eps(data), sctp::parse_assocs(data)] {
        let row_lines: Vec<u32> = table.rows.iter().map(|r| r.line).collect();
        check_partition(&row_lines, &table.bogus_lines, lines);
    }
}

/// `parse::unix`: whole and streamed, paths within the table's text.
pub fn parse_unix(data: &[u8]) {
    let lines = fgets_lines(data, inet::LINE_BUFFER).count();
    let whole = unix::parse(data);
    let row_lines: Vec<u32> = whole.rows.iter().map(|r| r.line).collect();
    check_partition(&row_lines, &whole.bogus_lines, lines);
    let mut text = 0usize;
    for row in &whole.rows {
        assert!((6..=8).contains(&row.items));
        let (start, len) = row.path;
        assert_eq!(start as usize, text, "paths not stored in order");
        text += len as usize;
        let path = whole.path(row);
        assert_eq!(path.len(), len as usize);
        if row.items < 8 {
            assert!(path.is_empty());
        }
        let shown = unix::netstat_path(path);
        assert!(shown.len() <= path.len());
    }
    assert_eq!(text, whole.text.len());
    let mut p = unix::TableParser::default();
    for piece in line_pieces(data, 1 + salt(data) % 5) {
        p.feed(piece);
    }
    let streamed = p.finish();
    assert_eq!(streamed.rows, whole.rows, "streamed rows differ");
    assert_eq!(streamed.bogus_lines, whole.bogus_lines);
    assert_eq!(streamed.text, whole.text);
    assert_eq!(streamed.has_inode, whole.has_inode);
    for line in fgets_lines(data, inet::LINE_BUFFER) {
        let scanned = unix::parse_row_scanned(line);
        if let Some(fast) = unix::fast_row(line) {
            assert_eq!(fast, scanned, "fast path differs");
        }
        assert_eq!(unix::parse_row(line), scanned);
    }
}

/// `parse::ss`: ss's own reading of every socket file, the summary files,
/// link targets and `stat`, on the same input; rows are within the state
/// set, no more than the input's 256-byte pieces, unix rows sorted by
/// (type, inode) within each batch.
pub fn parse_ss(data: &[u8]) {
    use netsnap::parse::ss;
    let k = salt(data);
    let states = [0xfff, 1 << ss::state::ESTAB, 0x5a5, (k as u32) & 0xfff][k % 4];
    let pieces = fgets_lines(data, 256).count();
    let (half_a, half_b) = data.split_at(data.len() / 2);
    for t in [ss::InetTable::Tcp, ss::InetTable::Udp, ss::InetTable::Raw] {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            let mut kept = 0usize;
            let r = ss::read_inet(
                t,
                order,
                Some(half_a),
                Some(half_b),
                true,
                !k.is_multiple_of(3),
                states,
                &mut |s| {
                    kept += 1;
                    s.line % 3 != 0
                },
            );
            assert!(r.rows.len() <= kept && kept <= pieces);
            for row in &r.rows {
                assert!(ss::state_in(states, row.state_checked));
                assert_eq!(row.table, Some(t));
                if t == ss::InetTable::Tcp && row.items < 12 {
                    assert_eq!((row.cwnd, row.ssthresh, row.rto), (2, -1, 0));
                }
            }
        }
    }
    let r = ss::read_unix(Some(data), ss::UnixTypes::ALL, states, &mut |u| {
        u.line % 5 != 0
    });
    assert!(r.rows.len() <= pieces);
    for batch in r.rows.chunks(ss::UNIX_REMEMBER + 1) {
        assert!(
            batch
                .windows(2)
                .all(|w| (w[0].kind, w[0].ino) <= (w[1].kind, w[1].ino))
        );
    }
    for u in &r.rows {
        assert!(ss::state_in(states, u.state));
    }
    assert!(
        ss::read_packet(Some(data), states, &mut |_| true)
            .rows
            .len()
            <= pieces
    );
    assert!(
        ss::read_netlink(Some(data), states, &mut |_| true)
            .rows
            .len()
            <= pieces
    );
    let sum = ss::read_summary(Some(data), Some(half_b), Some(data));
    assert!(sum.errors.len() <= 1);
    let _ = ss::port_range(Some(data));
    let _ = ss::socket_inode(data);
    let _ = ss::stat_comm(data);
}

/// Routes, interfaces and statistics: `parse::route`, `parse::ifaces`,
/// `parse::snmp`, `parse::igmp`, each on the whole input.
pub fn parse_net(data: &[u8]) {
    for order in ORDERS {
        let t = route::parse_route(data, order);
        if t.has_header && t.missing_field.is_none() {
            let rows: Vec<u32> = t.rows.iter().map(|r| r.line).collect();
            check_contiguous(&rows, &t.skipped_lines);
        } else {
            assert!(t.rows.is_empty() && t.skipped_lines.is_empty());
        }
        assert!(t.rows.iter().all(|r| r.flags & route::RTF_UP != 0));
        assert!(t.rows.iter().all(|r| r.iface.len() <= 15));
        let c = route::parse_rt_cache(data, order);
        if c.has_header && c.missing_field.is_none() && !c.rows.is_empty() {
            let rows: Vec<u32> = c.rows.iter().map(|r| r.line).collect();
            check_contiguous(&rows, &c.skipped_lines);
        }
        let g = igmp::parse_igmp(data, order);
        assert!(g.bogus_lines.windows(2).all(|w| w[0] < w[1]));
    }
    let v6 = route::parse_ipv6_route(data);
    for (i, r) in v6.rows.iter().enumerate() {
        assert_eq!(r.line as usize, i + 1);
        assert!(r.iface.len() <= 15);
    }
    let g6 = igmp::parse_igmp6(data);
    let lines = fgets_lines(data, inet::LINE_BUFFER).count();
    assert_eq!(g6.rows.len() + g6.bogus_lines.len(), lines);

    let dev = ifaces::parse_proc_net_dev(data);
    let want = match dev.layout {
        ifaces::DevLayout::V1 => 11,
        ifaces::DevLayout::V2 => 13,
        ifaces::DevLayout::V3 => 16,
    };
    for line in &dev.lines {
        assert!(line.name.len() <= ifaces::NAME_MAX);
        assert!(line.values.len() <= want);
        let mut stats = ifaces::DevStats::default();
        stats.apply(dev.layout, &line.values);
    }
    for line in parse::lines(data) {
        let (name, rest) = ifaces::dev_name(line);
        assert!(name.len() <= ifaces::NAME_MAX && rest.len() <= line.len());
    }
    for l in ifaces::parse_if_inet6(data) {
        let _ = l.address();
    }
    let (entry, diag) = ifaces::parse_ioctl_entry("netsnap-ifaces.json", data);
    assert!(entry.is_some() != diag.is_some());
    if let Some(e) = &entry {
        for f in &e.interfaces {
            assert!(e.get(&f.name).is_some());
        }
    }
    let _ = ifaces::sysfs_number(data);
    let _ = ifaces::sysfs_hwaddr(data);
    let values: Vec<serde_json::Value> = serde_json::from_slice(data).unwrap_or_default();
    let addrs = ifaces::ifaddrs(&values);
    for name in addrs.iter().map(|a| a.name.as_bytes()).chain([&b"lo"[..]]) {
        let _ = ifaces::derive_facts(name, &addrs, |_, _| Some(data));
        let _ = ifaces::derive_facts(name, &addrs, |_, _| None);
    }

    let pairs = snmp::parse_pairs(data);
    let getlines = data.split(|&b| b == b'\n').count();
    assert!(pairs.sections.len() * 2 <= getlines);
    let s6 = snmp::parse_snmp6(data);
    let counters: usize = s6.sections.iter().map(|s| s.counters.len()).sum();
    assert_eq!(counters, fgets_lines(data, 1024).count());
    assert!(s6.sections.iter().all(|s| !s.counters.is_empty()));
    let sc = snmp::parse_sctp_snmp(data);
    assert!(sc.counters.len() <= data.len());
    for line in parse::lines(data) {
        let (_, rest) = snmp::strtoull(line);
        assert!(rest.len() <= line.len());
    }
}

/// fd links and processes: `parse::fd`, `parse::cmdline`, `parse::stat`.
pub fn parse_procs(data: &[u8]) {
    let _ = fd::netstat_socket_inode(data);
    for line in parse::lines(data) {
        if let Some(inode) = fd::netstat_socket_inode(line) {
            assert_ne!(inode, u64::MAX);
        }
    }
    let path = String::from_utf8_lossy(data);
    if let Some((pid, fd_no)) = fd::split_fd_path(&path) {
        assert!(path.starts_with("proc/"));
        let _ = (pid, fd_no);
    }
    let program = cmdline::netstat_program(data);
    assert!(program.len() <= 511 && !program.contains(&0));
    if let Some(comm) = stat::stat_comm(data) {
        assert!(comm.len() < data.len());
    }
}

/// The name databases: `parse::etc`.
pub fn parse_etc(data: &[u8]) {
    let hosts = etc::Hosts::parse(data);
    let networks = etc::Networks::parse(data);
    let (a, b) = data.split_at(data.len() / 2);
    let services = etc::Services::parse(a, b);
    let _ = etc::Services::parse(data, data);
    let passwd = etc::Passwd::parse(data);
    for line in parse::lines(data) {
        for word in line.split(|&b| parse::scan::is_space(b) || b == b':') {
            if let Some(v4) = etc::parse_ipv4(word) {
                let _ = hosts.lookup(&netsnap::model::Addr::v4(v4));
            }
            if let Some(v6) = etc::parse_ipv6(word) {
                let _ = hosts.lookup(&netsnap::model::Addr::v6(v6));
            }
            if let Some(n) = etc::inet_network(word) {
                let _ = networks.lookup(n);
            }
            if let Some(n) = parse::scan::strtoul_whole(word) {
                let port = n as u16;
                for proto in [
                    etc::ServiceProto::Tcp,
                    etc::ServiceProto::Udp,
                    etc::ServiceProto::Raw,
                ] {
                    let _ = services.lookup(proto, port);
                }
                let _ = passwd.lookup(n as u32);
            }
        }
    }
}

/// The manifests: `parse::manifest`, and what the loader reads from them.
pub fn parse_manifest(data: &[u8]) {
    let (m, diag) = manifest::parse_manifest("netsnap.json", data);
    if diag.is_some() {
        assert_eq!(m, manifest::Manifest::default());
    }
    // What was read writes back as a manifest that reads without a word.
    if let Ok(text) = serde_json::to_vec(&m) {
        let (_, again) = manifest::parse_manifest("netsnap.json", &text);
        assert!(again.is_none(), "{again:?}");
    }
    let addrs = ifaces::ifaddrs(&m.interfaces);
    for a in &addrs {
        let _ = ifaces::derive_facts(a.name.as_bytes(), &addrs, |_, _| None);
    }
    let (closing, diag) = manifest::parse_closing("netsnap-end.json", data);
    assert!(closing.is_some() != diag.is_some());
}

// ------------------------------------------------------------ archive

/// Limits small enough that fuzzed archives reach them (the others as by
/// default).
pub fn small() -> Limits {
    Limits {
        max_decompressed: 4 << 20,
        max_entries: 2_000,
        max_entry_size: 1 << 20,
        ..Limits::default()
    }
}

/// Limits that the fixtures already exceed.
fn tiny() -> Limits {
    Limits {
        max_decompressed: 16 << 10,
        max_entries: 12,
        max_entry_size: 2 << 10,
        ..Limits::default()
    }
}

/// A visitor that wants files whole, streamed or not at all (by path), and
/// checks what it is handed.
struct Recorder {
    limits: Limits,
    entries: u64,
    streaming: Option<(String, u64)>,
}

impl Visitor for Recorder {
    fn wants(&mut self, path: &str, _size: u64) -> Flow {
        assert!(self.streaming.is_none(), "wants() inside a streamed file");
        match path.len() % 4 {
            0 => Flow::Skip,
            1 | 2 => Flow::Continue,
            _ => {
                self.streaming = Some((path.to_string(), 0));
                Flow::Stream
            }
        }
    }

    fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow {
        self.entries += 1;
        assert!(self.entries <= self.limits.max_entries);
        assert!(!path.starts_with('/') && !path.split('/').any(|c| c == ".."));
        if let Entry::File(data) = entry {
            assert!(data.len() as u64 <= self.limits.max_entry_size);
        }
        Flow::Continue
    }

    fn piece(&mut self, path: &str, data: &[u8]) -> Flow {
        let Some((p, n)) = &mut self.streaming else {
            panic!("piece() outside a streamed file");
        };
        assert_eq!(p, path);
        *n += data.len() as u64;
        assert!(*n <= self.limits.max_entry_size);
        Flow::Continue
    }

    fn end(&mut self, path: &str) -> Flow {
        let Some((p, _)) = self.streaming.take() else {
            panic!("end() outside a streamed file");
        };
        assert_eq!(p, path);
        Flow::Continue
    }
}

/// Archive reading: `netsnap::load` under several plans,
/// `archive::read_entries` with a checking visitor, and the single-threaded
/// and member-parallel readings compared, under small limits.
pub fn archive(data: &[u8]) {
    let tables_only = LoadPlan {
        processes: false,
        frames: false,
        sockets: true,
        tables: Some(0b1_0000_0001),
        only_tables: Some(0b1_0000_0001),
        raw_tables: false,
        stats: false,
    };
    let no_sockets = LoadPlan {
        processes: false,
        frames: false,
        sockets: false,
        tables: None,
        only_tables: None,
        raw_tables: false,
        stats: false,
    };
    for limits in [small(), tiny()] {
        for plan in [LoadPlan::everything(), tables_only, no_sockets] {
            let _ = netsnap::load(data, &plan, &limits);
        }
        let mut v = Recorder {
            limits,
            entries: 0,
            streaming: None,
        };
        let mut diags = Vec::new();
        let _ = archive::read_entries(data, &limits, &mut diags, &mut v);
        // The member-parallel reading (the collector's gzip members, on two threads) gives what
        // the ordinary one gives, whatever the damage.
        netsnap::par::set_threads(2);
        for view in ["-tanp", "-s"] {
            let one = netsnap::netstat_from_reader(data, &[view], &limits);
            let par = netsnap::netstat_from_reader_par(data, &[view], &limits);
            assert!(one == par, "{view}: {one:?} vs {par:?}");
        }
        // Rows rendered as they are read (netstat_from_source) print what the ordinary reading
        // prints, whatever the damage.
        for view in ["-tan", "-tuanoee", "-tanp", "-tuanpo"] {
            let one = netsnap::netstat_from_reader(data, &[view], &limits);
            let src = netsnap::netstat_from_source(|| Ok(data), &[view], &limits);
            assert!(one == src, "{view}: {one:?} vs {src:?}");
            let par = netsnap::netstat_from_source_par(|| Ok(data), &[view], &limits);
            assert!(one == par, "{view}: {one:?} vs {par:?}");
        }
    }
    for path in data.split(|&b| b == 0 || b == b'\n') {
        if let Ok(p) = archive::normalise(path) {
            assert!(!p.starts_with('/') && !p.ends_with('/'));
        }
    }
}

// ------------------------------------------------------------ flags

/// The input as a command line: arguments separated by NUL bytes.
fn argv(data: &[u8]) -> Vec<&[u8]> {
    if data.is_empty() {
        return Vec::new();
    }
    data.split(|&b| b == 0).collect()
}

/// Flag parsing: `netstat::args::parse`, then the load plan of the result.
pub fn args(data: &[u8]) {
    use netsnap::netstat::{self, args::Parsed};
    let argv = argv(data);
    let parsed = netstat::args::parse(&argv);
    assert_eq!(parsed, netstat::args::parse(&argv), "not deterministic");
    match parsed {
        Parsed::Run(opts) => {
            let _ = netstat::plan(&opts);
        }
        Parsed::Exit { status, .. } => assert!((0..=3).contains(&status), "{status}"),
    }
}

/// ss's command line and filter: the input is `etc/hosts`, a NUL, then
/// the arguments separated by NUL bytes. `ss::args::parse` and `resolve`
/// must be deterministic, exit with ss's statuses, and the filter must
/// evaluate on a few sockets of every family without panicking.
pub fn ss_args(data: &[u8]) {
    use netsnap::model::Names;
    use netsnap::parse::etc::{Hosts, Services};
    use netsnap::ss::args::{self, Listing, Table};
    use netsnap::ss::filter::{FilterEnv, SockRef};
    let (hosts, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let names = Names {
        hosts: Hosts::parse(hosts),
        services: Services::parse(b"ssh 22/tcp\nhttp 80/tcp www\nodd 1/tcp\nodd 2/udp\n", b""),
        ..Names::default()
    };
    let env = FilterEnv::new(&names, (32768, 60999));
    let argv = argv(rest);
    let parsed = args::parse(&argv);
    assert_eq!(parsed, args::parse(&argv), "not deterministic");
    let opts = match parsed {
        Ok(opts) => opts,
        Err(e) => {
            assert!([0, 1, 255].contains(&e.status), "{}", e.status);
            return;
        }
    };
    let resolved = args::resolve(&opts, &env);
    assert_eq!(resolved, args::resolve(&opts, &env), "not deterministic");
    match resolved {
        Err(e) => assert!([0, 1, 255].contains(&e.status), "{}", e.status),
        Ok(Listing { tables, filter, .. }) => {
            let _ = (tables, Table::Tcp);
            if let Some(f) = filter {
                let a4 = [10u8, 77, 0, 1];
                let mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 77, 0, 2];
                let nl = 0u32.to_le_bytes();
                for s in [
                    SockRef::inet(&a4, 22, &a4, 40000),
                    SockRef::inet(&mapped, 80, &[0; 16], 0),
                    SockRef::unix(Some(b"/tmp/x.sock")),
                    SockRef::unix(Some(b"@00a1f")),
                    SockRef::unix(None),
                    SockRef::netlink(&nl, -1),
                ] {
                    let _ = f.matches(&s);
                }
            }
        }
    }
}

// ------------------------------------------------------------ end to end

/// The command lines the end-to-end target runs on every snapshot.
pub const FLAG_SETS: &[&[&str]] = &[
    &[],
    &["-a"],
    &["-tan"],
    &["-tulpn"],
    &["-taupeW"],
    &["-tanpo"],
    &["-taneeo"],
    &["-uan6"],
    &["-wan"],
    &["-xa"],
    &["-xap"],
    &["-xan", "-e"],
    &["--sctp", "-a"],
    &["-Sanp"],
    &["-l"],
    &["-laW", "-4"],
    &["-v", "-A", "inet,unix"],
    &["-atuwx", "-N", "-T"],
    &["--numeric-ports", "--numeric-users", "-ta"],
    &["-r"],
    &["-rn"],
    &["-reee"],
    &["-rnC"],
    &["-rFC", "-6"],
    &["-r", "-A", "inet,inet6"],
    &["-s"],
    &["-st"],
    &["-suw"],
    &["-s6"],
    &["-sS"],
    &["-i"],
    &["-ia"],
    &["-iee"],
    &["-in", "-v"],
    &["-g"],
    &["-gn6"],
    &["-M"],
    &["-c"],
    &["-tanpc"],
    &["-xapc"],
    &["-ic"],
    &["-rc"],
    &["-Z"],
    &["--bogus"],
];

/// The ss command lines the end-to-end target runs on every snapshot:
/// every table, the extended columns, processes, names, the summary, and
/// filters (states, ports, addresses, unix paths, errors).
pub const SS_SETS: &[&[&str]] = &[
    &[],
    &["-a"],
    &["-tan"],
    &["-tanp"],
    &["-tlnp"],
    &["-uanp"],
    &["-wan"],
    &["-xap"],
    &["-xae"],
    &["-0", "-a"],
    &["-A", "netlink", "-ap"],
    &["-A", "netlink", "-a"],
    &["-tanpeo"],
    &["-tanmi"],
    &["-xami"],
    &["-tar"],
    &["-uar"],
    &["-s"],
    &["-s", "-t"],
    &["-H", "-an"],
    &["-Oe", "-tanp"],
    &["-4", "-an"],
    &["-6", "-an"],
    &["-f", "inet6", "-tan"],
    &["-A", "all", "-anp"],
    &["-tan", "state", "established"],
    &["-tan", "exclude", "listening", "exclude", "time-wait"],
    &[
        "-tan", "(", "dport", "=", ":443", "or", "sport", "=", ":22", ")",
    ],
    &[
        "-tan",
        "sport",
        "gt",
        ":1024",
        "and",
        "not",
        "dst",
        "127.0.0.1",
    ],
    &["-an", "src", "10.0.0.0/8", "or", "dst", "[::1]:22"],
    &["-ta", "sport", "eq", ":ssh"],
    &["-tan", "autobound"],
    &["-tan", "dst", "localhost"],
    &["-xa", "src", "/tmp/*"],
    &["-xa", "src", "@*"],
    &["-tan", "dev", "lo"],
    &["-tan", "sport", "=", ":22", "or"],
    &["--bogus"],
];

/// Bytes to every view: one load of everything, then every command line of
/// [`FLAG_SETS`] on it (and the JSON views); one load as ss reads (raw socket
/// files and link targets), then every command line of [`SS_SETS`] on it;
/// then a few command lines of both tools read as the CLI reads them (only
/// what the view needs).
pub fn end_to_end(data: &[u8]) {
    let snap: Option<Snapshot> = netsnap::load(data, &LoadPlan::everything(), &small()).ok();
    if let Some(snap) = &snap {
        for args in FLAG_SETS {
            let _ = netsnap::netstat(snap, args);
        }
        let _ = netsnap::render::json::model_string(snap);
        let _ = netsnap::render::json::overview(snap);
    }
    let ss_plan = netsnap::parse::ss::ss_plan(true);
    if let Ok(snap) = netsnap::load(data, &ss_plan, &small()) {
        for args in SS_SETS {
            if let Ok(opts) = netsnap::ss::args::parse(args) {
                let out = netsnap::ss::run(&snap, &opts);
                assert!(
                    [0, 1, 255].contains(&out.status),
                    "ss {args:?}: {}",
                    out.status
                );
            }
        }
    }
    for args in [&["-tan"][..], &["-xa"], &["-s"], &["-rn"]] {
        let _ = netsnap::netstat_from_reader(data, args, &small());
    }
    for args in [&["-tanp"][..], &["-xa"], &["-s"], &["-A", "netlink"]] {
        let _ = netsnap::ss_from_reader(data, args, &small());
    }
}
