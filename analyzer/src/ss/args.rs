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

use crate::ss::filter::{self, Filter, FilterEnv};

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

/// ss's `getopt_long` loop over the arguments after the program name.
pub fn parse<A: AsRef<[u8]>>(args: &[A]) -> Result<SsOptions, Exit> {
    let _ = args;
    Ok(SsOptions::default())
}

/// ss's work after the options: state words, defaults, sanity messages,
/// the filter (§1 steps 4–6, §2, §12). `Err` carries ss's output when it
/// stops (sanity messages exit 0 with stderr only).
pub fn resolve(opts: &SsOptions, env: &FilterEnv) -> Result<Listing, Exit> {
    let _ = (opts, env, filter::parse_filter::<&[u8]>);
    Ok(Listing::default())
}
