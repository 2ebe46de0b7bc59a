//! ss 6.1's command line (docs/ss-behaviour.md §1, §2, §12.1, §13).
//!
//! Two steps, because the filter needs the snapshot's names:
//! [`parse`] runs ss's `getopt_long` loop (options act as they are met:
//! `-h`, `-V`, `-Z`, bad `-A`/`-f`, getopt errors stop it) and keeps the
//! words left over; [`resolve`] applies what ss does after the options:
//! state words, the table/family/state defaults, the sanity messages and the
//! filter expression. With `-s` the caller prints the summary between the
//! two ([`SsOptions::summary_only`] says whether ss stops after it).
//!
//! Options that need the live system (decided here, see each):
//! `-N NAME` prints what ss prints where the namespace does not exist
//! (`Cannot open network namespace "NAME": No such file or directory`,
//! exit 1); `-F FILE` prints a netsnap message (exit 1: the library reads no
//! files); `-D FILE` passes ss's "no tcp in filter" check (exit 0) and
//! otherwise prints a netsnap message (exit 1); `-E` prints a netsnap
//! message after the filter is parsed (exit 1); `-K` changes nothing in file
//! mode (ss only kills through sock_diag), as ss.

use crate::getopt::{Getopt, LongOption, Spec, c_str, long};
use crate::ss::filter::{self, CondFamily, Filter, FilterCtx, FilterEnv};

/// What ss prints and its exit status when it stops.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exit {
    /// Bytes for stdout.
    pub stdout: Vec<u8>,
    /// Bytes for stderr.
    pub stderr: Vec<u8>,
    /// Exit status (255 for ss's `exit(-1)`).
    pub status: i32,
}

/// ss's socket tables (`*_DB`), in ss's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Table {
    /// tcp.
    Tcp = 0,
    /// mptcp (no file).
    Mptcp = 1,
    /// dccp (no file).
    Dccp = 2,
    /// udp.
    Udp = 3,
    /// raw.
    Raw = 4,
    /// unix datagram.
    UnixDgram = 5,
    /// unix stream.
    UnixStream = 6,
    /// unix seqpacket.
    UnixSeqpacket = 7,
    /// packet datagram.
    PacketDgram = 8,
    /// packet raw.
    PacketRaw = 9,
    /// netlink.
    Netlink = 10,
    /// sctp (no file).
    Sctp = 11,
    /// vsock stream (no file).
    VsockStream = 12,
    /// vsock datagram (no file).
    VsockDgram = 13,
    /// tipc (no file).
    Tipc = 14,
    /// xdp (no file).
    Xdp = 15,
}

impl Table {
    /// The table's bit in a table mask.
    pub const fn bit(self) -> u32 {
        1 << self as u8
    }
}

/// ss's address families, as bits of a family mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Family {
    /// AF_UNIX.
    Unix = 0,
    /// AF_INET.
    Inet = 1,
    /// AF_INET6.
    Inet6 = 2,
    /// AF_PACKET.
    Packet = 3,
    /// AF_NETLINK.
    Netlink = 4,
    /// AF_VSOCK.
    Vsock = 5,
    /// AF_TIPC.
    Tipc = 6,
    /// AF_XDP.
    Xdp = 7,
}

impl Family {
    /// The family's bit in a family mask.
    pub const fn bit(self) -> u32 {
        1 << self as u8
    }
}

/// ss state numbers (§4): bit n of a state mask is state n.
pub mod state {
    /// ESTAB.
    pub const ESTABLISHED: u32 = 1;
    /// SYN-SENT.
    pub const SYN_SENT: u32 = 2;
    /// SYN-RECV.
    pub const SYN_RECV: u32 = 3;
    /// FIN-WAIT-1.
    pub const FIN_WAIT1: u32 = 4;
    /// FIN-WAIT-2.
    pub const FIN_WAIT2: u32 = 5;
    /// TIME-WAIT.
    pub const TIME_WAIT: u32 = 6;
    /// UNCONN.
    pub const CLOSE: u32 = 7;
    /// CLOSE-WAIT.
    pub const CLOSE_WAIT: u32 = 8;
    /// LAST-ACK.
    pub const LAST_ACK: u32 = 9;
    /// LISTEN.
    pub const LISTEN: u32 = 10;
    /// CLOSING.
    pub const CLOSING: u32 = 11;
    /// Every state (`SS_ALL`).
    pub const ALL: u32 = (1 << 12) - 1;
    /// *connected* (`SS_CONN`): all but LISTEN, UNCONN, TIME-WAIT, SYN-RECV.
    pub const CONN: u32 =
        ALL & !((1 << LISTEN) | (1 << CLOSE) | (1 << TIME_WAIT) | (1 << SYN_RECV));
}

/// ss's options after `getopt_long`, before the words are looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsOptions {
    /// `-n`.
    pub numeric: bool,
    /// `-r`.
    pub resolve: bool,
    /// `-o` (also set by `-e` and `-b`).
    pub timers: bool,
    /// `-e` count.
    pub extended: u32,
    /// `-m`.
    pub memory: bool,
    /// `-i`.
    pub info: bool,
    /// `-p` count.
    pub processes: u32,
    /// `-T` count.
    pub threads: u32,
    /// `-b` count.
    pub bpf: u32,
    /// `-E`.
    pub events: bool,
    /// `-s`.
    pub summary: bool,
    /// `-H`.
    pub no_header: bool,
    /// `-O`.
    pub oneline: bool,
    /// `-K`.
    pub kill: bool,
    /// `--tos`.
    pub tos: bool,
    /// `--cgroup`.
    pub cgroup: bool,
    /// `--inet-sockopt`.
    pub inet_sockopt: bool,
    /// `--tipcinfo`.
    pub tipcinfo: bool,
    /// `-D FILE`.
    pub diag: Option<Vec<u8>>,
    /// Table mask built by the options ([`Table::bit`]).
    pub dbs: u32,
    /// Family mask built by the options ([`Family::bit`]).
    pub families: u32,
    /// State mask ORed in by table/family options.
    pub states: u32,
    /// `-a`/`-l`/`-A` state set (0: none).
    pub state_filter: u32,
    /// The last family named (`-4 -6 -x -0 -f …`): preferred for addresses.
    pub preferred: Option<Family>,
    /// No table/family/`-A` option was given (ss's `do_default`).
    pub default_tables: bool,
    /// The non-option words, in order.
    pub words: Vec<Vec<u8>>,
}

impl SsOptions {
    /// With `-s`: whether ss exits 0 right after printing the summary (no
    /// table-selecting option and no words).
    pub fn summary_only(&self) -> bool {
        self.summary && self.default_tables && self.words.is_empty()
    }
}

/// What to list, after all of ss's rules (§2) and the filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    /// Tables whose rows are read and shown, as a [`Table::bit`] mask:
    /// a table is here when it is selected and its family is still wanted
    /// (a family prefix in the filter can drop families). The file-less
    /// tables (mptcp, dccp, sctp, vsock, tipc, xdp) may be set: they print
    /// nothing.
    pub tables: u32,
    /// The selected tables before the family check (decides Netid).
    pub selected: u32,
    /// Read the v4 files of the inet tables (`net/tcp`, `net/udp`, `net/raw`).
    pub v4: bool,
    /// Read the v6 files (`net/tcp6`, `net/udp6`, `net/raw6`).
    pub v6: bool,
    /// State mask: bit n = ss state n ([`state`]).
    pub states: u32,
    /// Netid column shown.
    pub show_netid: bool,
    /// State column shown.
    pub show_state: bool,
    /// `-n`.
    pub numeric: bool,
    /// `-r`.
    pub resolve: bool,
    /// `-p` (or `-T`).
    pub processes: bool,
    /// `-T`.
    pub threads: bool,
    /// `-e`.
    pub extended: bool,
    /// `-o`, `-e`, `-b`.
    pub timers: bool,
    /// `-i`.
    pub info: bool,
    /// `-m`.
    pub memory: bool,
    /// `-H`.
    pub no_header: bool,
    /// The filter expression (`None`: everything passes).
    pub filter: Option<Filter>,
}

impl Listing {
    /// Whether the rows of `table` are read.
    pub fn has(&self, table: Table) -> bool {
        self.tables & table.bit() != 0
    }
}

/// ss 6.1's usage text (`ss -h` on stdout; after usage errors on stderr).
pub const USAGE_TEXT: &str = concat!(
    "Usage: ss [ OPTIONS ]\n",
    "       ss [ OPTIONS ] [ FILTER ]\n",
    "   -h, --help          this message\n",
    "   -V, --version       output version information\n",
    "   -n, --numeric       don't resolve service names\n",
    "   -r, --resolve       resolve host names\n",
    "   -a, --all           display all sockets\n",
    "   -l, --listening     display listening sockets\n",
    "   -o, --options       show timer information\n",
    "   -e, --extended      show detailed socket information\n",
    "   -m, --memory        show socket memory usage\n",
    "   -p, --processes     show process using socket\n",
    "   -T, --threads       show thread using socket\n",
    "   -i, --info          show internal TCP information\n",
    "       --tipcinfo      show internal tipc socket information\n",
    "   -s, --summary       show socket usage summary\n",
    "       --tos           show tos and priority information\n",
    "       --cgroup        show cgroup information\n",
    "   -b, --bpf           show bpf filter socket information\n",
    "   -E, --events        continually display sockets as they are destroyed\n",
    "   -Z, --context       display task SELinux security contexts\n",
    "   -z, --contexts      display task and socket SELinux security contexts\n",
    "   -N, --net           switch to the specified network namespace name\n",
    "\n",
    "   -4, --ipv4          display only IP version 4 sockets\n",
    "   -6, --ipv6          display only IP version 6 sockets\n",
    "   -0, --packet        display PACKET sockets\n",
    "   -t, --tcp           display only TCP sockets\n",
    "   -M, --mptcp         display only MPTCP sockets\n",
    "   -S, --sctp          display only SCTP sockets\n",
    "   -u, --udp           display only UDP sockets\n",
    "   -d, --dccp          display only DCCP sockets\n",
    "   -w, --raw           display only RAW sockets\n",
    "   -x, --unix          display only Unix domain sockets\n",
    "       --tipc          display only TIPC sockets\n",
    "       --vsock         display only vsock sockets\n",
    "       --xdp           display only XDP sockets\n",
    "   -f, --family=FAMILY display sockets of type FAMILY\n",
    "       FAMILY := {inet|inet6|link|unix|netlink|vsock|tipc|xdp|help}\n",
    "\n",
    "   -K, --kill          forcibly close sockets, display what was closed\n",
    "   -H, --no-header     Suppress header line\n",
    "   -O, --oneline       socket's data printed on a single line\n",
    "       --inet-sockopt  show various inet socket options\n",
    "\n",
    "   -A, --query=QUERY, --socket=QUERY\n",
    "       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|packet_raw|packet_dgram|netlink|dccp|sctp|vsock_stream|vsock_dgram|tipc|xdp}[,QUERY]\n",
    "\n",
    "   -D, --diag=FILE     Dump raw information about TCP sockets to FILE\n",
    "   -F, --filter=FILE   read filter information from FILE\n",
    "       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]\n",
    "       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}\n",
    "         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}\n",
    "          connected := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}\n",
    "       synchronized := {established|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}\n",
    "             bucket := {syn-recv|time-wait}\n",
    "                big := {established|syn-sent|fin-wait-{1,2}|closed|close-wait|last-ack|listening|closing}\n",
);

/// `ss -V`, on stdout.
pub const VERSION_TEXT: &str = "ss utility, iproute2-6.1.0\n";

/// Status of ss's `exit(-1)`.
const STATUS_USAGE: i32 = 255;

/// getopt codes of ss's long-only options (ss uses 256 and up; any code
/// outside the short option string behaves the same).
mod code {
    /// `--vsock`.
    pub const VSOCK: u8 = 1;
    /// `--tipc`.
    pub const TIPC: u8 = 2;
    /// `--tipcinfo`.
    pub const TIPCINFO: u8 = 3;
    /// `--tos`.
    pub const TOS: u8 = 4;
    /// `--xdp`.
    pub const XDP: u8 = 5;
    /// `--cgroup`.
    pub const CGROUP: u8 = 6;
    /// `--inet-sockopt`.
    pub const INET_SOCKOPT: u8 = 7;
}

/// ss 6.1's long option table, in table order.
const LONG_OPTIONS: [LongOption; 43] = [
    long(b"numeric", false, b'n'),
    long(b"resolve", false, b'r'),
    long(b"options", false, b'o'),
    long(b"extended", false, b'e'),
    long(b"memory", false, b'm'),
    long(b"info", false, b'i'),
    long(b"processes", false, b'p'),
    long(b"threads", false, b'T'),
    long(b"bpf", false, b'b'),
    long(b"events", false, b'E'),
    long(b"dccp", false, b'd'),
    long(b"tcp", false, b't'),
    long(b"sctp", false, b'S'),
    long(b"udp", false, b'u'),
    long(b"raw", false, b'w'),
    long(b"unix", false, b'x'),
    long(b"tipc", false, code::TIPC),
    long(b"vsock", false, code::VSOCK),
    long(b"all", false, b'a'),
    long(b"listening", false, b'l'),
    long(b"ipv4", false, b'4'),
    long(b"ipv6", false, b'6'),
    long(b"packet", false, b'0'),
    long(b"family", true, b'f'),
    long(b"socket", true, b'A'),
    long(b"query", true, b'A'),
    long(b"summary", false, b's'),
    long(b"diag", true, b'D'),
    long(b"filter", true, b'F'),
    long(b"version", false, b'V'),
    long(b"help", false, b'h'),
    long(b"context", false, b'Z'),
    long(b"contexts", false, b'z'),
    long(b"net", true, b'N'),
    long(b"tipcinfo", false, code::TIPCINFO),
    long(b"tos", false, code::TOS),
    long(b"cgroup", false, code::CGROUP),
    long(b"kill", false, b'K'),
    long(b"no-header", false, b'H'),
    long(b"xdp", false, code::XDP),
    long(b"mptcp", false, b'M'),
    long(b"oneline", false, b'O'),
    long(b"inet-sockopt", false, code::INET_SOCKOPT),
];

/// ss's `getopt_long` arguments.
const SPEC: Spec = Spec {
    program: b"ss",
    short: b"dhaletuwxnro460spTbEf:mMiA:D:F:vVzZN:KHSO",
    long: &LONG_OPTIONS,
};

/// unix tables.
const UNIX_TABLES: u32 =
    Table::UnixDgram.bit() | Table::UnixStream.bit() | Table::UnixSeqpacket.bit();
/// packet tables.
const PACKET_TABLES: u32 = Table::PacketDgram.bit() | Table::PacketRaw.bit();
/// vsock tables.
const VSOCK_TABLES: u32 = Table::VsockStream.bit() | Table::VsockDgram.bit();
/// inet tables (`INET_DBM`).
const INET_TABLES: u32 = Table::Tcp.bit()
    | Table::Mptcp.bit()
    | Table::Udp.bit()
    | Table::Dccp.bit()
    | Table::Sctp.bit()
    | Table::Raw.bit();
/// inet and inet6.
const INET_FAMILIES: u32 = Family::Inet.bit() | Family::Inet6.bit();
/// tipc's default states.
const TIPC_CONN: u32 = (1 << state::ESTABLISHED) | (1 << state::LISTEN) | (1 << state::CLOSE);
/// UNCONN alone.
const CLOSE_ONLY: u32 = 1 << state::CLOSE;

/// Every table, in ss's numbering.
const TABLES: [Table; 16] = [
    Table::Tcp,
    Table::Mptcp,
    Table::Dccp,
    Table::Udp,
    Table::Raw,
    Table::UnixDgram,
    Table::UnixStream,
    Table::UnixSeqpacket,
    Table::PacketDgram,
    Table::PacketRaw,
    Table::Netlink,
    Table::Sctp,
    Table::VsockStream,
    Table::VsockDgram,
    Table::Tipc,
    Table::Xdp,
];

/// Every family, in ss's (AF number) order.
const FAMILIES: [Family; 8] = [
    Family::Unix,
    Family::Inet,
    Family::Packet,
    Family::Netlink,
    Family::Inet6,
    Family::Tipc,
    Family::Vsock,
    Family::Xdp,
];

impl Table {
    /// The table's default states and families (ss's `default_dbs`).
    fn defaults(self) -> (u32, u32) {
        match self {
            Table::Tcp | Table::Mptcp | Table::Dccp | Table::Sctp => (state::CONN, INET_FAMILIES),
            Table::Udp | Table::Raw => (1 << state::ESTABLISHED, INET_FAMILIES),
            Table::UnixDgram => (CLOSE_ONLY, Family::Unix.bit()),
            Table::UnixStream | Table::UnixSeqpacket => (state::CONN, Family::Unix.bit()),
            Table::PacketDgram | Table::PacketRaw => (CLOSE_ONLY, Family::Packet.bit()),
            Table::Netlink => (CLOSE_ONLY, Family::Netlink.bit()),
            Table::VsockStream | Table::VsockDgram => (state::CONN, Family::Vsock.bit()),
            Table::Tipc => (TIPC_CONN, Family::Tipc.bit()),
            Table::Xdp => (CLOSE_ONLY, Family::Xdp.bit()),
        }
    }
}

impl Family {
    /// The family's default tables and states (ss's `default_afs`).
    fn defaults(self) -> (u32, u32) {
        match self {
            Family::Inet | Family::Inet6 => (INET_TABLES, state::CONN),
            Family::Unix => (UNIX_TABLES, state::CONN),
            Family::Packet => (PACKET_TABLES, CLOSE_ONLY),
            Family::Netlink => (Table::Netlink.bit(), CLOSE_ONLY),
            Family::Vsock => (VSOCK_TABLES, state::CONN),
            Family::Tipc => (Table::Tipc.bit(), TIPC_CONN),
            Family::Xdp => (Table::Xdp.bit(), CLOSE_ONLY),
        }
    }

    /// The condition family of addresses when this family is preferred.
    pub fn cond_family(self) -> CondFamily {
        match self {
            Family::Inet => CondFamily::Inet,
            Family::Inet6 => CondFamily::Inet6,
            Family::Unix => CondFamily::Unix,
            Family::Packet => CondFamily::Packet,
            Family::Netlink => CondFamily::Netlink,
            Family::Vsock => CondFamily::Vsock,
            Family::Tipc => CondFamily::Tipc,
            Family::Xdp => CondFamily::Xdp,
        }
    }
}

/// The tables an `-A` name stands for, in ss's table order.
fn query_tables(name: &[u8]) -> Option<&'static [Table]> {
    use Table::*;
    Some(match name {
        b"all" => &[
            Udp,
            Dccp,
            Tcp,
            Mptcp,
            Raw,
            UnixStream,
            UnixDgram,
            UnixSeqpacket,
            PacketRaw,
            PacketDgram,
            Netlink,
            Sctp,
            VsockStream,
            VsockDgram,
            Xdp,
        ],
        b"inet" => &[Udp, Dccp, Tcp, Mptcp, Sctp, Raw],
        b"udp" => &[Udp],
        b"dccp" => &[Dccp],
        b"tcp" => &[Tcp],
        b"mptcp" => &[Mptcp],
        b"sctp" => &[Sctp],
        b"raw" => &[Raw],
        b"unix" => &[UnixStream, UnixDgram, UnixSeqpacket],
        b"unix_stream" | b"u_str" => &[UnixStream],
        b"unix_dgram" | b"u_dgr" => &[UnixDgram],
        b"unix_seqpacket" | b"u_seq" => &[UnixSeqpacket],
        b"packet" => &[PacketRaw, PacketDgram],
        b"packet_raw" | b"p_raw" => &[PacketRaw],
        b"packet_dgram" | b"p_dgr" => &[PacketDgram],
        b"netlink" => &[Netlink],
        b"tipc" => &[Tipc],
        b"vsock" => &[VsockStream, VsockDgram],
        b"vsock_stream" | b"v_str" => &[VsockStream],
        b"vsock_dgram" | b"v_dgr" => &[VsockDgram],
        b"xdp" => &[Xdp],
        _ => return None,
    })
}

impl SsOptions {
    /// ss's `filter_db_set`.
    fn set_table(&mut self, table: Table, enable: bool) {
        if enable {
            self.states |= table.defaults().0;
            self.dbs |= table.bit();
        } else {
            self.dbs &= !table.bit();
        }
        self.default_tables = false;
    }

    /// ss's `filter_af_set`.
    fn set_family(&mut self, family: Family) {
        self.states |= family.defaults().1;
        self.families |= family.bit();
        self.default_tables = false;
        self.preferred = Some(family);
    }
}

/// An exit with the usage text on stderr after `message` (status 255).
fn usage_error(mut message: Vec<u8>) -> Exit {
    message.extend_from_slice(USAGE_TEXT.as_bytes());
    Exit {
        stdout: Vec::new(),
        stderr: message,
        status: STATUS_USAGE,
    }
}

/// An exit with only a stderr message.
fn fail(message: Vec<u8>, status: i32) -> Exit {
    Exit {
        stdout: Vec::new(),
        stderr: message,
        status,
    }
}

/// ss's `-h`: the usage text on stdout, status 0.
fn help() -> Exit {
    Exit {
        stdout: USAGE_TEXT.as_bytes().to_vec(),
        stderr: Vec::new(),
        status: 0,
    }
}

/// Concatenates byte pieces.
fn cat(pieces: &[&[u8]]) -> Vec<u8> {
    pieces.concat()
}

/// ss's `getopt_long` loop over the arguments after the program name:
/// each option acts when it is met, so `-h`, `-V`, `-Z`, a bad `-A`/`-f`,
/// `-N`, `-F` and getopt errors stop the scan where they are. The words
/// that are not options are kept in order in [`SsOptions::words`].
pub fn parse<A: AsRef<[u8]>>(args: &[A]) -> Result<SsOptions, Exit> {
    let mut opts = SsOptions {
        default_tables: true,
        ..SsOptions::default()
    };
    let mut saw_query = false;
    let mut stderr = Vec::new();
    let mut getopt = Getopt::new(&SPEC, args.iter().map(|a| c_str(a.as_ref())).collect());
    while let Some(got) = getopt.next(&mut stderr) {
        match got.code {
            b'n' => opts.numeric = true,
            b'r' => opts.resolve = true,
            b'o' => opts.timers = true,
            b'e' => {
                opts.timers = true;
                opts.extended = opts.extended.saturating_add(1);
            }
            b'm' => opts.memory = true,
            b'i' => opts.info = true,
            b'p' => opts.processes = opts.processes.saturating_add(1),
            b'T' => opts.threads = opts.threads.saturating_add(1),
            b'b' => {
                opts.timers = true;
                opts.bpf = opts.bpf.saturating_add(1);
            }
            b'E' => opts.events = true,
            b'd' => opts.set_table(Table::Dccp, true),
            b't' => opts.set_table(Table::Tcp, true),
            b'S' => opts.set_table(Table::Sctp, true),
            b'u' => opts.set_table(Table::Udp, true),
            b'w' => opts.set_table(Table::Raw, true),
            b'M' => opts.set_table(Table::Mptcp, true),
            b'x' => opts.set_family(Family::Unix),
            code::VSOCK => opts.set_family(Family::Vsock),
            code::TIPC => opts.set_family(Family::Tipc),
            code::XDP => opts.set_family(Family::Xdp),
            b'4' => opts.set_family(Family::Inet),
            b'6' => opts.set_family(Family::Inet6),
            b'0' => opts.set_family(Family::Packet),
            b'a' => opts.state_filter = state::ALL,
            b'l' => opts.state_filter = (1 << state::LISTEN) | (1 << state::CLOSE),
            b'f' => {
                let family = match got.optarg {
                    b"inet" => Family::Inet,
                    b"inet6" => Family::Inet6,
                    b"link" => Family::Packet,
                    b"unix" => Family::Unix,
                    b"netlink" => Family::Netlink,
                    b"tipc" => Family::Tipc,
                    b"vsock" => Family::Vsock,
                    b"xdp" => Family::Xdp,
                    b"help" => return Err(help()),
                    other => {
                        return Err(usage_error(cat(&[
                            b"ss: \"",
                            other,
                            b"\" is invalid family\n",
                        ])));
                    }
                };
                opts.set_family(family);
            }
            b'A' => {
                if !saw_query {
                    opts.dbs = 0;
                    if opts.state_filter == 0 {
                        opts.state_filter = state::CONN;
                    }
                    saw_query = true;
                    opts.default_tables = false;
                }
                for item in got.optarg.split(|&b| b == b',') {
                    let (enable, name) = match item.split_first() {
                        Some((b'!', rest)) => (false, rest),
                        _ => (true, item),
                    };
                    let Some(tables) = query_tables(name) else {
                        return Err(usage_error(cat(&[
                            b"ss: \"",
                            item,
                            b"\" is illegal socket table id\n",
                        ])));
                    };
                    for &table in tables {
                        opts.set_table(table, enable);
                    }
                }
            }
            b's' => opts.summary = true,
            b'D' => opts.diag = Some(got.optarg.to_vec()),
            b'F' => {
                return Err(fail(
                    cat(&[
                        b"netsnap: ss -F ",
                        got.optarg,
                        b": reading the filter from a file is not supported; \
give the filter as arguments\n",
                    ]),
                    1,
                ));
            }
            b'v' | b'V' => {
                return Err(Exit {
                    stdout: VERSION_TEXT.as_bytes().to_vec(),
                    stderr: Vec::new(),
                    status: 0,
                });
            }
            b'z' | b'Z' => return Err(fail(b"ss: SELinux is not enabled.\n".to_vec(), 1)),
            b'N' => {
                return Err(fail(
                    cat(&[
                        b"Cannot open network namespace \"",
                        got.optarg,
                        b"\": No such file or directory\n",
                    ]),
                    1,
                ));
            }
            code::TIPCINFO => opts.tipcinfo = true,
            code::TOS => opts.tos = true,
            code::CGROUP => opts.cgroup = true,
            b'K' => opts.kill = true,
            b'H' => opts.no_header = true,
            b'O' => opts.oneline = true,
            code::INET_SOCKOPT => opts.inet_sockopt = true,
            b'h' => return Err(help()),
            _ => return Err(usage_error(stderr)),
        }
    }
    opts.words = getopt.rest().into_iter().map(<[u8]>::to_vec).collect();
    Ok(opts)
}

/// ss's `scan_state`: the state mask a state word names.
pub fn scan_state(name: &[u8]) -> Result<u32, Exit> {
    let is = |w: &str| name.eq_ignore_ascii_case(w.as_bytes());
    let mask = if is("close") || is("closed") {
        1 << state::CLOSE
    } else if is("syn-rcv") {
        1 << state::SYN_RECV
    } else if is("established") {
        1 << state::ESTABLISHED
    } else if is("all") {
        state::ALL
    } else if is("connected") {
        state::ALL & !((1 << state::CLOSE) | (1 << state::LISTEN))
    } else if is("synchronized") {
        state::ALL & !((1 << state::CLOSE) | (1 << state::LISTEN) | (1 << state::SYN_SENT))
    } else if is("bucket") {
        (1 << state::SYN_RECV) | (1 << state::TIME_WAIT)
    } else if is("big") {
        state::ALL & !((1 << state::SYN_RECV) | (1 << state::TIME_WAIT))
    } else {
        const NAMES: [&str; 12] = [
            "UNKNOWN",
            "established",
            "syn-sent",
            "syn-recv",
            "fin-wait-1",
            "fin-wait-2",
            "time-wait",
            "unconnected",
            "close-wait",
            "last-ack",
            "listening",
            "closing",
        ];
        match NAMES.iter().position(|n| is(n)) {
            Some(i) => 1 << i,
            None => {
                return Err(fail(
                    cat(&[b"ss: wrong state name: ", name, b"\n"]),
                    STATUS_USAGE,
                ));
            }
        }
    };
    Ok(mask)
}

/// ss's `filter_merge_defaults`.
fn merge_defaults(dbs: &mut u32, families: &mut u32) {
    for table in TABLES {
        if *dbs & table.bit() == 0 {
            continue;
        }
        let (_, table_families) = table.defaults();
        if table_families & *families == 0 {
            *families |= table_families;
        }
    }
    for family in FAMILIES {
        if *families & family.bit() == 0 {
            continue;
        }
        let (family_tables, _) = family.defaults();
        if family_tables & *dbs == 0 {
            *dbs |= family_tables;
        }
    }
}

/// The family a table's rows need.
fn table_wanted(table: Table, families: u32) -> bool {
    table.defaults().1 & families != 0
}

/// ss's work after the options (§1 steps 4–6, §2, §12): the leading
/// `state`/`exclude` words, the table/family/state defaults, the sanity
/// messages (an `Err` with status 0 and stderr only), `-D`, the filter
/// expression (its errors), and the column rules. With `-s`, call it after
/// printing the summary (unless [`SsOptions::summary_only`]).
pub fn resolve(opts: &SsOptions, env: &FilterEnv) -> Result<Listing, Exit> {
    let mut state_filter = opts.state_filter;
    let mut saw_states = false;
    let mut words = opts.words.as_slice();
    while let Some((word, rest)) = words.split_first() {
        let exclude = match word.as_slice() {
            b"state" => false,
            b"exclude" | b"excl" => true,
            _ => break,
        };
        let Some((name, rest)) = rest.split_first() else {
            return Err(fail(
                b"Command line is not complete. Try option \"help\"\n".to_vec(),
                STATUS_USAGE,
            ));
        };
        let mask = scan_state(c_str(name))?;
        if exclude {
            if !saw_states {
                state_filter = state::ALL;
            }
            state_filter &= !mask;
        } else {
            if !saw_states {
                state_filter = 0;
            }
            state_filter |= mask;
        }
        saw_states = true;
        words = rest;
    }

    let mut dbs = opts.dbs;
    let mut families = opts.families;
    let mut states = opts.states;
    if opts.default_tables {
        if state_filter == 0 {
            state_filter = state::CONN;
        }
        for &table in query_tables(b"all").unwrap_or_default() {
            states |= table.defaults().0;
            dbs |= table.bit();
        }
    }
    if state_filter != 0 {
        states = state_filter;
    }
    merge_defaults(&mut dbs, &mut families);

    let sanity = |message: &[u8]| fail(message.to_vec(), 0);
    if dbs == 0 {
        return Err(sanity(b"ss: no socket tables to show with such filter.\n"));
    }
    if families == 0 {
        return Err(sanity(b"ss: no families to show with such filter.\n"));
    }
    if states == 0 {
        return Err(sanity(b"ss: no socket states to show with such filter.\n"));
    }
    if opts.diag.is_some() {
        if dbs & Table::Tcp.bit() == 0 {
            return Err(sanity(
                b"ss: tcpdiag dump requested and no tcp in filter.\n",
            ));
        }
        return Err(fail(
            b"netsnap: ss -D dumps sockets through sock_diag; a snapshot has none to dump\n"
                .to_vec(),
            1,
        ));
    }

    let mut ctx = FilterCtx {
        dbs,
        families,
        states,
        preferred: opts
            .preferred
            .map_or(CondFamily::Unspec, Family::cond_family),
    };
    let words: Vec<&[u8]> = words.iter().map(|w| c_str(w)).collect();
    let filter = filter::parse_filter(&words, env, &mut ctx)?;
    let FilterCtx {
        families, states, ..
    } = ctx;

    if opts.events {
        return Err(fail(
            b"netsnap: ss -E follows live socket events; a snapshot has none\n".to_vec(),
            1,
        ));
    }

    let tables = TABLES
        .iter()
        .filter(|&&t| dbs & t.bit() != 0 && table_wanted(t, families))
        .fold(0, |acc, t| acc | t.bit());
    Ok(Listing {
        tables,
        selected: dbs,
        v4: families & Family::Inet.bit() != 0,
        v6: families & Family::Inet6.bit() != 0,
        states,
        show_netid: dbs & dbs.wrapping_sub(1) != 0,
        show_state: states & states.wrapping_sub(1) != 0,
        numeric: opts.numeric,
        resolve: opts.resolve,
        processes: opts.processes > 0 || opts.threads > 0,
        threads: opts.threads > 0,
        extended: opts.extended > 0,
        timers: opts.timers,
        info: opts.info,
        memory: opts.memory,
        no_header: opts.no_header,
        filter,
    })
}

#[cfg(test)]
mod tests;
