//! The snapshot as JSON, for the browser and other programs: the structured
//! model ([`model_json`], [`Model`]) and a one-screen summary ([`overview`]).
//!
//! Addresses are netstat's numeric text (`-n`, never cut to 23 columns),
//! states are netstat's names, and the `-p` program of a socket follows
//! netstat's rules ([`ProgramMap`]). Strings from the snapshot need not be
//! UTF-8: they are decoded lossily (invalid bytes become U+FFFD), never
//! refused. Socket and process lists are written row by row, without an
//! intermediate tree, so a million-socket snapshot serialises in one pass.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};

use crate::model::{Addr, InetKind, InetRow, Names, SctpTable, Snapshot, UnixRow, UnixTable};
use crate::parse::cmdline::netstat_program;
use crate::parse::ifaces::{self, DevStats, IFACES_PATH, IfaceFacts, Inet4, Inet6Line};
use crate::parse::{route, snmp};
use crate::render::addr::{ntoa, ntop6, write_ntoa, write_ntop6};
use crate::render::inet::TCP_STATES;
use crate::render::programs::ProgramMap;
use crate::render::route::{fib_flags, ipv6_flags};

/// Version of the JSON layout written by [`model_json`] (`"model_version"`).
pub const MODEL_VERSION: u32 = 1;

/// Lossy UTF-8 text of snapshot bytes.
pub fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

// ------------------------------------------------------------ socket texts

/// netstat's protocol column for an Internet table (`udpl` for UDP-Lite).
pub fn proto_name(kind: InetKind) -> &'static str {
    match kind {
        InetKind::Tcp => "tcp",
        InetKind::Tcp6 => "tcp6",
        InetKind::Udp => "udp",
        InetKind::Udp6 => "udp6",
        InetKind::UdpLite => "udpl",
        InetKind::UdpLite6 => "udpl6",
        InetKind::Raw => "raw",
        InetKind::Raw6 => "raw6",
    }
}

fn is_tcp(kind: InetKind) -> bool {
    matches!(kind, InetKind::Tcp | InetKind::Tcp6)
}

fn is_udp(kind: InetKind) -> bool {
    matches!(
        kind,
        InetKind::Udp | InetKind::Udp6 | InetKind::UdpLite | InetKind::UdpLite6
    )
}

/// The State column netstat prints for an Internet row: the TCP state
/// name, `ESTABLISHED`/empty/`UNKNOWN` for UDP, the number for raw.
pub fn inet_state(kind: InetKind, state: u32) -> Cow<'static, str> {
    if is_tcp(kind) {
        Cow::Borrowed(TCP_STATES.get(state as usize).copied().unwrap_or(""))
    } else if is_udp(kind) {
        Cow::Borrowed(match state {
            1 => "ESTABLISHED",
            7 => "",
            _ => "UNKNOWN",
        })
    } else {
        Cow::Owned((state as i32).to_string())
    }
}

/// Whether netstat counts the row as a server (shown by `-l`): a TCP row
/// without a remote port, any other row without a remote address.
pub fn inet_listening(kind: InetKind, row: &InetRow) -> bool {
    if is_tcp(kind) {
        row.remote_port == 0
    } else {
        row.remote.is_unspecified()
    }
}

/// Appends the numeric text of an address: what netstat `-n` prints
/// ([`crate::render::addr::addr_text`] with `numeric`; IPv4-mapped IPv6 as a dotted quad),
/// without allocating.
pub fn push_address(out: &mut Vec<u8>, a: &Addr) {
    if !a.v6 {
        write_ntoa(out, a.v4_bytes());
    } else if a.is_v4_mapped() {
        write_ntoa(out, [a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15]]);
    } else {
        write_ntop6(out, &a.bytes);
    }
}

/// Appends the numeric `address:port` text (`netstat -n --wide`; port 0
/// is `*`), without allocating.
pub fn push_endpoint(out: &mut Vec<u8>, a: &Addr, port: u32) {
    push_address(out, a);
    out.push(b':');
    match port & 0xffff {
        0 => out.push(b'*'),
        p => crate::render::write_u64(out, u64::from(p)),
    }
}

/// Numeric address text (netstat `-n`; IPv4-mapped IPv6 as dotted quad).
pub fn address_text(addr: &Addr) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    push_address(&mut v, addr);
    v
}

/// Numeric `address:port` text as `netstat -n --wide` prints it (port 0 is `*`).
pub fn endpoint_text(addr: &Addr, port: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(48);
    push_endpoint(&mut v, addr, port);
    v
}

/// The User column of `netstat -e`: the login name, else the uid.
pub fn user_text(names: &Names, uid: i32) -> Vec<u8> {
    match u32::try_from(uid).ok().and_then(|u| names.passwd.lookup(u)) {
        Some(n) => n.to_vec(),
        None => uid.to_string().into_bytes(),
    }
}

/// Splits netstat's `PID/Program name` text into the pid and the program;
/// `-` (no process) gives `None`.
pub fn split_program(text: &[u8]) -> Option<(u32, &[u8])> {
    let slash = text.iter().position(|&b| b == b'/')?;
    let pid = std::str::from_utf8(text.get(..slash)?).ok()?.parse().ok()?;
    Some((pid, text.get(slash + 1..).unwrap_or(&[])))
}

const ACCEPTCON: u64 = 1 << 16;

/// The State column of a UNIX row.
pub fn unix_state(row: &UnixRow) -> &'static str {
    match row.state {
        0 => "FREE",
        1 if row.flags & ACCEPTCON != 0 => "LISTENING",
        1 => "",
        2 => "CONNECTING",
        3 => "CONNECTED",
        4 => "DISCONNECTING",
        _ => "UNKNOWN",
    }
}

/// The Type column of a UNIX row.
pub fn unix_type(row: &UnixRow) -> &'static str {
    match row.sock_type {
        1 => "STREAM",
        2 => "DGRAM",
        3 => "RAW",
        4 => "RDM",
        5 => "SEQPACKET",
        _ => "UNKNOWN",
    }
}

/// The Flags column of a UNIX row (`[ ACC ]`).
pub fn unix_flags(row: &UnixRow) -> String {
    let mut s = String::from("[ ");
    for (bit, name) in [(16, "ACC "), (17, "W "), (18, "N ")] {
        if row.flags & (1 << bit) != 0 {
            s.push_str(name);
        }
    }
    s.push(']');
    s
}

/// Whether netstat counts a UNIX row as a server (shown by `-l`).
pub fn unix_listening(row: &UnixRow) -> bool {
    row.state == 1 && row.flags & ACCEPTCON != 0
}

/// The `-o` timer name of a row (`off`, `on`, `keepalive`, …).
pub fn timer_name(kind: InetKind, timer: u32) -> Cow<'static, str> {
    match (is_tcp(kind), timer) {
        (_, 0) => Cow::Borrowed("off"),
        (true, 1) => Cow::Borrowed("on"),
        (true, 2) => Cow::Borrowed("keepalive"),
        (true, 3) => Cow::Borrowed("timewait"),
        (true, 4) => Cow::Borrowed("probe"),
        (false, 1) => Cow::Borrowed("on1"),
        (false, 2) => Cow::Borrowed("on2"),
        (_, t) => Cow::Owned(format!("unkn-{}", t as i32)),
    }
}

// ------------------------------------------------------------ sockets

/// One socket row (Internet or UNIX) as the JSON model writes it.
#[derive(Debug, Clone, Serialize)]
pub struct SocketJson<'a> {
    /// netstat's protocol name (`tcp`, `tcp6`, `udp`, `udpl`, `raw6`, `unix`, …).
    pub proto: &'static str,
    /// `inet`, `inet6` or `unix`.
    pub family: &'static str,
    /// Local `address:port` (numeric), or the UNIX path.
    pub local: String,
    /// Remote `address:port` (numeric); empty for UNIX sockets.
    pub remote: String,
    /// Local address (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_address: Option<String>,
    /// Local port, 0 for none (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_port: Option<u16>,
    /// Remote address (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_address: Option<String>,
    /// Remote port (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_port: Option<u16>,
    /// netstat's State text.
    pub state: Cow<'static, str>,
    /// The kernel's state number.
    pub state_code: u32,
    /// Receive queue (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recvq: Option<u64>,
    /// Send queue (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sendq: Option<u64>,
    /// The timer (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timer: Option<TimerJson>,
    /// Owner uid (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<i32>,
    /// Owner login name, or the uid as text (Internet rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Socket inode.
    pub inode: u64,
    /// Process id netstat `-p` names, if any.
    pub pid: Option<u32>,
    /// Program netstat `-p` names (cut as netstat cuts it), if any.
    pub program: Option<Cow<'a, str>>,
    /// UNIX rows: reference count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refcnt: Option<u64>,
    /// UNIX rows: the flags number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
    /// UNIX rows: netstat's Flags text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags_text: Option<String>,
    /// UNIX rows: netstat's Type text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "type")]
    pub sock_type: Option<&'static str>,
    /// UNIX rows: the whole path as the kernel wrote it (netstat prints its
    /// first word).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Cow<'a, str>>,
    /// Line in the kernel file (1 is the header).
    pub line: u32,
}

/// The `-o` timer of an Internet row.
#[derive(Debug, Clone, Serialize)]
pub struct TimerJson {
    /// netstat's name (`off`, `on`, `keepalive`, `timewait`, `probe`, `on1`, …).
    pub name: Cow<'static, str>,
    /// The kernel's timer number (`tr`).
    pub code: u32,
    /// Expiry in clock ticks (`tm->when`).
    pub when: u64,
    /// Expiry in seconds, as netstat divides it.
    pub expires: f64,
    /// Retransmits.
    pub retransmits: u64,
    /// Unanswered probes (`timeout`).
    pub timeout: i32,
}

fn program_of<'p>(programs: &'p ProgramMap, inode: u64) -> (Option<u32>, Option<Cow<'p, str>>) {
    match split_program(programs.get(inode)) {
        Some((pid, prog)) => (Some(pid), Some(text(prog))),
        None => (None, None),
    }
}

/// The JSON row of an Internet socket.
pub fn inet_socket<'p>(
    snap: &Snapshot,
    programs: &'p ProgramMap,
    kind: InetKind,
    row: &InetRow,
) -> SocketJson<'p> {
    let (pid, program) = program_of(programs, row.inode);
    let tcp = is_tcp(kind);
    let divisor = if tcp {
        f64::from(snap.manifest.user_hz.max(1))
    } else {
        100.0
    };
    SocketJson {
        proto: proto_name(kind),
        family: if row.local.v6 { "inet6" } else { "inet" },
        local: text(&endpoint_text(&row.local, row.local_port)).into_owned(),
        remote: text(&endpoint_text(&row.remote, row.remote_port)).into_owned(),
        local_address: Some(text(&address_text(&row.local)).into_owned()),
        local_port: Some((row.local_port & 0xffff) as u16),
        remote_address: Some(text(&address_text(&row.remote)).into_owned()),
        remote_port: Some((row.remote_port & 0xffff) as u16),
        state: inet_state(kind, row.state),
        state_code: row.state,
        recvq: Some(row.rx_queue),
        sendq: Some(row.tx_queue),
        timer: Some(TimerJson {
            name: timer_name(kind, row.timer),
            code: row.timer,
            when: row.when,
            expires: if row.timer == 0 {
                0.0
            } else {
                row.when as f64 / divisor
            },
            retransmits: if tcp { row.retransmits } else { 0 },
            timeout: row.timeout,
        }),
        uid: Some(row.uid),
        user: Some(text(&user_text(&snap.names, row.uid)).into_owned()),
        inode: row.inode,
        pid,
        program,
        refcnt: None,
        flags: None,
        flags_text: None,
        sock_type: None,
        path: None,
        line: row.line,
    }
}

/// The JSON row of a UNIX socket.
pub fn unix_socket<'a>(
    table: &'a UnixTable,
    programs: &'a ProgramMap,
    row: &UnixRow,
) -> SocketJson<'a> {
    let (pid, program) = if table.has_inode {
        program_of(programs, row.inode)
    } else {
        (None, None)
    };
    let path = text(table.path(row));
    SocketJson {
        proto: if row.protocol == 0 { "unix" } else { "??" },
        family: "unix",
        local: path.clone().into_owned(),
        remote: String::new(),
        local_address: None,
        local_port: None,
        remote_address: None,
        remote_port: None,
        state: Cow::Borrowed(unix_state(row)),
        state_code: row.state,
        recvq: None,
        sendq: None,
        timer: None,
        uid: None,
        user: None,
        inode: row.inode,
        pid,
        program,
        refcnt: Some(row.refcnt),
        flags: Some(row.flags),
        flags_text: Some(unix_flags(row)),
        sock_type: Some(unix_type(row)),
        path: Some(path),
        line: row.line,
    }
}

/// Every Internet row of a snapshot, in netstat's table order.
pub fn inet_rows(snap: &Snapshot) -> impl Iterator<Item = (InetKind, &InetRow)> {
    InetKind::ALL.into_iter().flat_map(move |kind| {
        snap.inet_table(kind)
            .into_iter()
            .flat_map(move |t| t.rows.iter().map(move |r| (kind, r)))
    })
}

struct Sockets<'a> {
    snap: &'a Snapshot,
    programs: &'a ProgramMap,
}

impl Serialize for Sockets<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for (kind, row) in inet_rows(self.snap) {
            seq.serialize_element(&inet_socket(self.snap, self.programs, kind, row))?;
        }
        if let Some(t) = &self.snap.unix {
            for row in &t.rows {
                seq.serialize_element(&unix_socket(t, self.programs, row))?;
            }
        }
        seq.end()
    }
}

fn sctp_table(t: &SctpTable) -> Value {
    let rows: Vec<Value> = t
        .rows
        .iter()
        .map(|r| {
            let addrs = |v: &[Vec<u8>]| -> Vec<String> {
                v.iter().map(|a| text(a).into_owned()).collect()
            };
            json!({
                "state": r.state,
                "state_text": usize::try_from(r.state).ok().and_then(|s| TCP_STATES.get(s)).copied().unwrap_or("UNKNOWN"),
                "recvq": r.rx_queue,
                "sendq": r.tx_queue,
                "uid": r.uid,
                "inode": r.inode,
                "local_port": r.local_port,
                "remote_port": r.remote_port,
                "local_addresses": addrs(&r.local_addrs),
                "remote_addresses": addrs(&r.remote_addrs),
                "line": r.line,
            })
        })
        .collect();
    json!({"rows": rows, "bogus_lines": t.bogus_lines})
}

// ------------------------------------------------------------ processes

struct Processes<'a> {
    snap: &'a Snapshot,
}

/// Every pid the snapshot knows something about, ascending.
fn pids(snap: &Snapshot) -> BTreeSet<u32> {
    let p = &snap.processes;
    let mut pids: BTreeSet<u32> = p.cmdlines.keys().copied().collect();
    pids.extend(p.stats.keys().copied());
    pids.extend(p.fds.iter().map(|f| f.pid));
    pids.extend(p.denied.iter().copied());
    pids
}

impl Serialize for Processes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = &self.snap.processes;
        let mut seq = s.serialize_seq(None)?;
        let mut fds = p.fds.iter().peekable();
        for pid in pids(self.snap) {
            while fds.next_if(|f| f.pid < pid).is_some() {}
            let mut sockets = Vec::new();
            let mut fd_list = Vec::new();
            while let Some(f) = fds.next_if(|f| f.pid == pid) {
                if let Some(inode) = f.inode {
                    sockets.push(inode);
                    fd_list.push(json!({"fd": f.fd, "inode": inode}));
                }
            }
            let cmdline = p.cmdlines.get(&pid);
            let argv: Option<Vec<String>> = cmdline.map(|c| {
                let c = c.strip_suffix(&[0]).unwrap_or(c);
                if c.is_empty() {
                    Vec::new()
                } else {
                    c.split(|&b| b == 0).map(|a| text(a).into_owned()).collect()
                }
            });
            let comm = p
                .stats
                .get(&pid)
                .and_then(|s| crate::parse::stat::stat_comm(s))
                .map(|c| text(c).into_owned());
            seq.serialize_element(&json!({
                "pid": pid,
                "program": cmdline.map(|c| text(netstat_program(c)).into_owned()),
                "argv0": argv.as_ref().and_then(|a| a.first().cloned()),
                "argv": argv,
                "comm": comm,
                "sockets": sockets,
                "fds": fd_list,
                "fd_denied": p.denied.contains(&pid),
            }))?;
        }
        seq.end()
    }
}

// ------------------------------------------------------------ interfaces

const IFF_NAMES: [(u16, &str); 16] = [
    (0x1, "UP"),
    (0x2, "BROADCAST"),
    (0x4, "DEBUG"),
    (0x8, "LOOPBACK"),
    (0x10, "POINTOPOINT"),
    (0x20, "NOTRAILERS"),
    (0x40, "RUNNING"),
    (0x80, "NOARP"),
    (0x100, "PROMISC"),
    (0x200, "ALLMULTI"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x1000, "MULTICAST"),
    (0x2000, "PORTSEL"),
    (0x4000, "AUTOMEDIA"),
    (0x8000, "DYNAMIC"),
];

fn stats_json(s: &DevStats) -> Value {
    json!({
        "rx_bytes": s.rx_bytes, "rx_packets": s.rx_packets, "rx_errors": s.rx_errors,
        "rx_dropped": s.rx_dropped, "rx_fifo": s.rx_fifo, "rx_frame": s.rx_frame,
        "rx_compressed": s.rx_compressed, "rx_multicast": s.rx_multicast,
        "tx_bytes": s.tx_bytes, "tx_packets": s.tx_packets, "tx_errors": s.tx_errors,
        "tx_dropped": s.tx_dropped, "tx_fifo": s.tx_fifo, "collisions": s.collisions,
        "tx_carrier": s.tx_carrier, "tx_compressed": s.tx_compressed,
    })
}

fn inet4_json(label: &[u8], i: &Inet4) -> Value {
    let t = |a: Option<[u8; 4]>| a.map(|a| text(&ntoa(a)).into_owned());
    json!({
        "label": text(label),
        "address": text(&ntoa(i.addr)),
        "netmask": t(i.netmask),
        "broadcast": t(i.broadaddr),
        "destination": t(i.dstaddr),
    })
}

fn inet6_json(line: &Inet6Line) -> Value {
    let scope = match line.scope & 0x70 {
        0 => "global",
        0x10 => "host",
        0x20 => "link",
        0x40 => "site",
        _ => "other",
    };
    json!({
        "address": line.address().map(|a| text(&ntop6(&a)).into_owned()),
        "prefix_len": line.plen,
        "scope": scope,
        "scope_code": line.scope,
        "flags": line.flags,
        "ifindex": line.ifindex,
    })
}

/// The interfaces: every device of `proc/net/dev` (then any IPv4 label
/// of another device), with flags, MTU, hardware address, IPv4 addresses
/// (labels such as `eth0:1` included), IPv6 addresses and counters. Facts
/// come from `netsnap-ifaces.json`, or for older archives from sysfs and
/// the manifest's `getifaddrs` answers, as `netstat -i` takes them.
pub fn interfaces(snap: &Snapshot) -> Vec<Value> {
    let ioctls = snap
        .other
        .get(IFACES_PATH)
        .and_then(|d| ifaces::parse_ioctl_entry(IFACES_PATH, d).0)
        .filter(|e| e.socket_error.is_none());
    let addrs = ifaces::ifaddrs(&snap.manifest.interfaces);
    let facts = |name: &[u8]| -> IfaceFacts {
        if let Some(f) = ioctls.as_ref().and_then(|e| e.get(name)) {
            return f.clone();
        }
        ifaces::derive_facts(name, &addrs, |dev, attr| {
            snap.other
                .get(&format!("sys/class/net/{dev}/{attr}"))
                .map(|v| v.as_slice())
        })
    };
    let mut order: Vec<Vec<u8>> = Vec::new();
    let mut stats: BTreeMap<Vec<u8>, DevStats> = BTreeMap::new();
    if let Some(data) = snap.other.get("proc/net/dev") {
        let dev = ifaces::parse_proc_net_dev(data);
        for line in &dev.lines {
            if !order.contains(&line.name) {
                order.push(line.name.clone());
            }
            stats
                .entry(line.name.clone())
                .or_default()
                .apply(dev.layout, &line.values);
        }
    }
    let labels: Vec<Vec<u8>> = match &ioctls {
        Some(e) => e.ifconf.clone(),
        None => addrs
            .iter()
            .filter(|a| a.family == "inet")
            .map(|a| a.name.as_bytes().to_vec())
            .collect(),
    };
    let base =
        |label: &[u8]| -> Vec<u8> { label.split(|&b| b == b':').next().unwrap_or(label).to_vec() };
    for label in &labels {
        let b = base(label);
        if !order.contains(&b) {
            order.push(b);
        }
    }
    let inet6: Vec<Inet6Line> = snap
        .other
        .get("proc/net/if_inet6")
        .map(|d| ifaces::parse_if_inet6(d))
        .unwrap_or_default();
    order
        .iter()
        .map(|name| {
            let f = facts(name);
            let mut seen: Vec<&[u8]> = Vec::new();
            let mut v4 = Vec::new();
            for label in labels.iter().filter(|l| base(l) == *name) {
                if seen.contains(&label.as_slice()) {
                    continue;
                }
                seen.push(label);
                if let Some(i) = facts(label).inet {
                    v4.push(inet4_json(label, &i));
                }
            }
            if v4.is_empty()
                && let Some(i) = &f.inet
            {
                v4.push(inet4_json(name, i));
            }
            let v6: Vec<Value> = inet6
                .iter()
                .filter(|l| l.devname == *name)
                .map(inet6_json)
                .collect();
            let (flags, error) = match &f.flags {
                Ok(fl) => (Some(*fl), None),
                Err(e) => (None, Some(e.clone())),
            };
            let flag_names: Vec<&str> = IFF_NAMES
                .iter()
                .filter(|(bit, _)| flags.unwrap_or(0) & bit != 0)
                .map(|&(_, n)| n)
                .collect();
            let hw = f.hwaddr.map(|(family, bytes)| {
                let hex: Vec<String> = bytes
                    .get(..6)
                    .unwrap_or(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                json!({"type": family, "address": hex.join(":")})
            });
            json!({
                "name": text(name),
                "flags": flags,
                "flag_names": flag_names,
                "up": flags.is_some_and(|fl| fl & 1 != 0),
                "error": error,
                "mtu": f.mtu,
                "txqlen": f.txqlen,
                "hwaddr": hw,
                "inet": v4,
                "inet6": v6,
                "stats": stats.get(name).map(stats_json),
            })
        })
        .collect()
}

// ------------------------------------------------------------ routes, counters

fn routes(snap: &Snapshot) -> Value {
    let order = snap.byte_order();
    let v4 = snap.other.get("proc/net/route").map(|d| {
        let t = route::parse_route(d, order);
        t.rows
            .iter()
            .map(|r| {
                json!({
                    "iface": text(&r.iface),
                    "destination": text(&ntoa(r.destination)),
                    "gateway": text(&ntoa(r.gateway)),
                    "genmask": text(&ntoa(r.mask)),
                    "flags": r.flags,
                    "flags_text": text(&fib_flags(r.flags)),
                    "metric": r.metric,
                    "ref": r.refcnt,
                    "use": r.use_count,
                    "mtu": r.mtu,
                    "window": r.window,
                    "irtt": r.irtt,
                })
            })
            .collect::<Vec<_>>()
    });
    let v6 = snap.other.get("proc/net/ipv6_route").map(|d| {
        let t = route::parse_ipv6_route(d);
        t.rows
            .iter()
            .map(|r| {
                let a = |x: &Option<Addr>| x.map(|x| text(&ntop6(&x.bytes)).into_owned());
                json!({
                    "destination": a(&r.destination),
                    "prefix_len": r.prefix_len,
                    "next_hop": a(&r.next_hop),
                    "flags": r.flags,
                    "flags_text": text(&ipv6_flags(r.flags)),
                    "metric": r.metric,
                    "ref": r.refcnt,
                    "use": r.use_count,
                    "iface": text(&r.iface),
                })
            })
            .collect::<Vec<_>>()
    });
    json!({"inet": v4, "inet6": v6})
}

/// Counters as `{title: {name: value}}` in file order.
struct Sections<'a>(&'a [snmp::Section]);

impl Serialize for Sections<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for sec in self.0 {
            map.serialize_entry(&text(&sec.title), &Counters(&sec.counters))?;
        }
        map.end()
    }
}

struct Counters<'a>(&'a [snmp::Counter]);

impl Serialize for Counters<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for c in self.0 {
            map.serialize_entry(&text(&c.key), &c.value)?;
        }
        map.end()
    }
}

fn counters(snap: &Snapshot) -> Value {
    let mut out = serde_json::Map::new();
    let mut put = |name: &str, v: Result<Value, serde_json::Error>| {
        if let Ok(v) = v {
            out.insert(name.to_string(), v);
        }
    };
    if let Some(d) = snap.other.get("proc/net/snmp") {
        put(
            "snmp",
            serde_json::to_value(Sections(&snmp::parse_pairs(d).sections)),
        );
    }
    if let Some(d) = snap.other.get("proc/net/netstat") {
        put(
            "netstat",
            serde_json::to_value(Sections(&snmp::parse_pairs(d).sections)),
        );
    }
    if let Some(d) = snap.other.get("proc/net/snmp6") {
        put(
            "snmp6",
            serde_json::to_value(Sections(&snmp::parse_snmp6(d).sections)),
        );
    }
    if let Some(d) = snap.other.get("proc/net/sctp/snmp") {
        put(
            "sctp",
            serde_json::to_value(Counters(&snmp::parse_sctp_snmp(d).counters)),
        );
    }
    Value::Object(out)
}

// ------------------------------------------------------------ the model

/// The whole structured model of a snapshot (frame 0), serialisable.
///
/// Members: `model_version`, `manifest` (the header manifest as read,
/// defaults filled in), `closing` (the closing manifest or `null`),
/// `frames` (number of frames), `sockets` (every Internet row in netstat's
/// table order, then every UNIX row; see [`SocketJson`]), `sctp`
/// (`endpoints`, `associations`, `null` when absent), `processes` (pid,
/// `program` as `-p` names it, `argv0`, `argv`, `comm`, socket inodes in
/// fd order, `fd_denied`), `interfaces` (see [`interfaces`]), `routes`
/// (`inet`, `inet6`: `null` when the file is absent), `counters` (`snmp`,
/// `netstat`, `snmp6`, `sctp` as `{section: {counter: value}}`, present
/// files only), `missing` (files the source lacked) and `diagnostics`.
pub struct Model<'a> {
    snap: &'a Snapshot,
    programs: ProgramMap,
}

impl<'a> Model<'a> {
    /// The model of a snapshot loaded with [`crate::LoadPlan::everything`].
    pub fn new(snap: &'a Snapshot) -> Self {
        Model {
            snap,
            programs: ProgramMap::build(&snap.processes, snap.manifest.euid),
        }
    }
}

impl Serialize for Model<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let snap = self.snap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("model_version", &MODEL_VERSION)?;
        m.serialize_entry("manifest", &snap.manifest)?;
        m.serialize_entry("closing", &snap.closing)?;
        m.serialize_entry("frames", &(1 + snap.frames.len()))?;
        m.serialize_entry(
            "sockets",
            &Sockets {
                snap,
                programs: &self.programs,
            },
        )?;
        m.serialize_entry(
            "sctp",
            &json!({
                "endpoints": snap.sctp_eps.as_ref().map(sctp_table),
                "associations": snap.sctp_assocs.as_ref().map(sctp_table),
            }),
        )?;
        m.serialize_entry("processes", &Processes { snap })?;
        m.serialize_entry("interfaces", &interfaces(snap))?;
        m.serialize_entry("routes", &routes(snap))?;
        m.serialize_entry("counters", &counters(snap))?;
        m.serialize_entry("missing", &snap.manifest.missing)?;
        m.serialize_entry("program_message", &text(&self.programs.message))?;
        m.serialize_entry("diagnostics", &snap.diagnostics)?;
        m.end()
    }
}

/// The model as a JSON value (see [`Model`] for its members). For large
/// snapshots prefer [`model_string`], which writes without building a tree.
pub fn model_json(snap: &Snapshot) -> Value {
    serde_json::to_value(Model::new(snap)).unwrap_or(Value::Null)
}

/// The model as JSON text.
pub fn model_string(snap: &Snapshot) -> String {
    serde_json::to_string(&Model::new(snap))
        .unwrap_or_else(|e| json!({"error": e.to_string()}).to_string())
}

// ------------------------------------------------------------ overview

/// A one-screen summary: host, kernel, capture times, collector warnings,
/// socket counts by protocol and by TCP state, listening services with
/// their processes, interfaces, and the number of diagnostics.
pub fn overview(snap: &Snapshot) -> Value {
    let m = &snap.manifest;
    let programs = ProgramMap::build(&snap.processes, m.euid);
    let mut by_proto: Vec<(&str, u64)> = Vec::new();
    let mut bump = |name: &'static str| match by_proto.iter_mut().find(|(n, _)| *n == name) {
        Some((_, c)) => *c += 1,
        None => by_proto.push((name, 1)),
    };
    let mut tcp_states = [0u64; 12];
    let mut tcp_other = 0u64;
    let mut listening: Vec<(u16, usize, Value)> = Vec::new();
    for (kind, row) in inet_rows(snap) {
        bump(proto_name(kind));
        if is_tcp(kind) {
            match tcp_states.get_mut(row.state as usize) {
                Some(c) if row.state != 0 => *c += 1,
                _ => tcp_other += 1,
            }
        }
        let service = if is_tcp(kind) {
            row.state == 10
        } else {
            is_udp(kind) && inet_listening(kind, row)
        };
        if service {
            let (pid, program) = program_of(&programs, row.inode);
            let port = (row.local_port & 0xffff) as u16;
            listening.push((
                port,
                kind.index(),
                json!({
                    "proto": proto_name(kind),
                    "local": text(&endpoint_text(&row.local, row.local_port)),
                    "address": text(&address_text(&row.local)),
                    "port": port,
                    "recvq": row.rx_queue,
                    "sendq": row.tx_queue,
                    "uid": row.uid,
                    "user": text(&user_text(&snap.names, row.uid)),
                    "inode": row.inode,
                    "pid": pid,
                    "program": program,
                }),
            ));
        }
    }
    let mut unix_listening_count = 0u64;
    if let Some(t) = &snap.unix {
        for row in &t.rows {
            bump("unix");
            if unix_listening(row) {
                unix_listening_count += 1;
            }
        }
    }
    listening.sort_by_key(|(port, kind, _)| (*port, *kind));
    let total: u64 = by_proto.iter().map(|(_, c)| c).sum();
    let mut states = serde_json::Map::new();
    for (i, c) in tcp_states.iter().enumerate() {
        if *c > 0 {
            let name = TCP_STATES.get(i).copied().unwrap_or("");
            states.insert(name.to_string(), json!(c));
        }
    }
    if tcp_other > 0 {
        states.insert("UNKNOWN".to_string(), json!(tcp_other));
    }
    let closing = snap.closing.as_ref();
    json!({
        "host": m.hostname,
        "kernel": m.kernel_release,
        "machine": m.machine,
        "collector": m.collector,
        "capture_start": m.capture_start,
        "capture_end": closing.map(|c| c.capture_end.clone()),
        "frames": 1 + snap.frames.len(),
        "euid": m.euid,
        "complete": closing.is_some(),
        "warnings": closing.map(|c| c.warnings.clone()).unwrap_or_default(),
        "missing": m.missing,
        "processes": pids(snap).len(),
        "fd_denied": snap.processes.denied.len(),
        "sockets": {
            "total": total,
            "by_protocol": by_proto.iter().map(|(n, c)| ((*n).to_string(), json!(c))).collect::<serde_json::Map<_, _>>(),
            "tcp_states": states,
            "unix_listening": unix_listening_count,
        },
        "listening": listening.into_iter().map(|(_, _, v)| v).collect::<Vec<_>>(),
        "interfaces": interfaces(snap),
        "diagnostics": snap.diagnostics.len(),
        // The first of them, as the CLI prints them after `netsnap: `.
        "problems": snap.diagnostics.iter().take(PROBLEMS_SHOWN).map(|d| d.to_string()).collect::<Vec<_>>(),
        "program_message": text(&programs.message),
    })
}

/// How many diagnostics the overview lists.
pub const PROBLEMS_SHOWN: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::addr::{addr_text, port_text};
    use crate::{Limits, LoadPlan, load};

    fn fixture(name: &str) -> Snapshot {
        let path = format!(
            "{}/../fixtures/{name}/snapshot.tar.gz",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(&path).expect("fixture");
        load(&data[..], &LoadPlan::everything(), &Limits::default()).expect("loads")
    }

    #[test]
    fn endpoints_as_netstat_numeric_prints_them() {
        let names = Names::default();
        let mut addrs = vec![
            Addr::v4([0, 0, 0, 0]),
            Addr::v4([127, 0, 0, 1]),
            Addr::v4([255, 255, 255, 255]),
            Addr::v6([0; 16]),
        ];
        for s in [
            "::1",
            "::ffff:10.1.2.3",
            "::ffff:0.0.0.0",
            "::1.2.3.4",
            "2001:db8::1",
            "fe80::1:2:3:4",
            "2001:db8:1234:5678:9abc:def0:1234:5678",
        ] {
            let a: std::net::Ipv6Addr = s.parse().expect("address");
            addrs.push(Addr::v6(a.octets()));
        }
        for a in &addrs {
            for port in [0u32, 1, 22, 65535, 0x1_0016] {
                let mut want = addr_text(&names, a, true);
                want.push(b':');
                want.extend_from_slice(&port_text(&names, port, None, true));
                assert_eq!(endpoint_text(a, port), want, "{a:?} {port}");
            }
        }
    }

    #[test]
    fn server_model() {
        let snap = fixture("server");
        let v: Value = serde_json::from_str(&model_string(&snap)).expect("valid JSON");
        assert_eq!(v, model_json(&snap));
        assert_eq!(v["model_version"], 1);
        let sockets = v["sockets"].as_array().expect("sockets");
        let inet: usize = InetKind::ALL
            .iter()
            .filter_map(|k| snap.inet_table(*k))
            .map(|t| t.rows.len())
            .sum();
        let unix = snap.unix.as_ref().map_or(0, |t| t.rows.len());
        assert_eq!(sockets.len(), inet + unix);
        // The first row of `netstat -tanp` on this fixture.
        let first = &sockets[0];
        assert_eq!(first["proto"], "tcp");
        assert_eq!(first["local"], "0.0.0.0:8990");
        assert_eq!(first["remote"], "0.0.0.0:*");
        assert_eq!(first["state"], "LISTEN");
        assert_eq!(first["pid"], 4926);
        assert_eq!(first["program"], "python3");
        assert_eq!(first["timer"]["name"], "off");
        // Long IPv6 addresses are never cut.
        assert!(
            sockets
                .iter()
                .any(|s| s["local"] == "2001:db8:1234:5678:9abc:def0:1234:5678:443")
        );
        assert!(sockets.iter().any(|s| s["proto"] == "udpl"));
        let procs = v["processes"].as_array().expect("processes");
        let p = procs.iter().find(|p| p["pid"] == 4926).expect("pid 4926");
        assert_eq!(p["program"], "python3");
        assert!(!p["sockets"].as_array().expect("inodes").is_empty());
        assert!(!v["interfaces"].as_array().expect("ifaces").is_empty());
        assert!(v["routes"]["inet"].is_array());
        assert!(v["counters"]["snmp"]["Tcp"]["ActiveOpens"].is_u64());
        assert_eq!(
            v["closing"]["warnings"][0],
            "readlink /proc/1/fd/*: EACCES for 276 fd(s)"
        );
    }

    #[test]
    fn server_overview() {
        let snap = fixture("server");
        let o = overview(&snap);
        assert_eq!(o["capture_end"], "2026-11-28T03:57:15.405Z");
        assert!(o["sockets"]["by_protocol"]["tcp"].as_u64().unwrap_or(0) > 10);
        assert!(o["sockets"]["tcp_states"]["LISTEN"].as_u64().unwrap_or(0) > 5);
        let l = o["listening"].as_array().expect("listening");
        assert!(
            l.iter()
                .any(|s| s["local"] == "0.0.0.0:22" && s["program"] == "python3")
        );
        let lo = o["interfaces"]
            .as_array()
            .expect("ifaces")
            .iter()
            .find(|i| i["name"] == "lo")
            .cloned()
            .expect("lo");
        assert_eq!(lo["inet"][0]["address"], "127.0.0.1");
        assert!(lo["stats"]["rx_packets"].is_u64());
    }

    #[test]
    fn every_fixture_serialises() {
        let dir = format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let p = e.path().join("snapshot.tar.gz");
            let Ok(data) = std::fs::read(&p) else {
                continue;
            };
            let Ok(snap) = load(&data[..], &LoadPlan::everything(), &Limits::default()) else {
                continue;
            };
            let s = model_string(&snap);
            assert!(serde_json::from_str::<Value>(&s).is_ok(), "{}", p.display());
            assert!(overview(&snap).is_object());
        }
    }

    #[test]
    fn non_utf8_is_lossy() {
        let mut snap = Snapshot {
            unix: Some(crate::parse::unix::parse(
            b"Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 23456 /tmp/\xff\xfe\n",
        )),
            ..Default::default()
        };
        snap.processes
            .cmdlines
            .insert(7, b"/bin/\xc3\x28x\0".to_vec());
        snap.processes.fds.push(crate::model::FdLink {
            pid: 7,
            fd: 3,
            inode: Some(23456),
        });
        snap.other
            .insert("proc/net/snmp".into(), b"Ip\xff: A\nIp\xff: 1\n".to_vec());
        let v: Value = serde_json::from_str(&model_string(&snap)).expect("valid JSON");
        assert_eq!(v["sockets"][0]["path"], "/tmp/\u{fffd}\u{fffd}");
        assert_eq!(v["sockets"][0]["state"], "LISTENING");
        assert_eq!(v["sockets"][0]["pid"], 7);
        assert_eq!(v["processes"][0]["program"], "\u{fffd}(x");
        assert_eq!(v["counters"]["snmp"]["Ip\u{fffd}"]["A"], 1);
    }
}
