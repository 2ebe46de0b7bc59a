//! The socket files as ss 6.1 reads them in `PROC_ROOT` mode
//! (docs/ss-behaviour.md §5-§9, §11), which differs from netstat's reading
//! (`parse::inet`, `parse::unix`): 256-byte `fgets` pieces, a line without
//! `\n` ending a whole table, a missing `:` silently ending a file, the state
//! taken from one character, C integer types and conversions as ss has them.
//!
//! The readers take the raw file text (kept in `Snapshot::other` under
//! [`crate::load::LoadPlan::raw_tables`], see [`ss_plan`]) and return rows in
//! ss's print order; the filter expression is a `keep` predicate that each
//! reader calls where ss runs its filter. Where ss itself would print what
//! lies in uninitialised memory the readers choose a sane value and say so
//! with a [`Diagnostic`].

use crate::diag::Diagnostic;
use crate::load::LoadPlan;
use crate::model::{Addr, ByteOrder};

mod cbuf;
mod inet;
mod links;
mod procs;
mod summary;
mod unix;

pub use inet::{each_inet, read_inet};
pub use links::{read_netlink, read_packet};
pub use procs::{Users, comm_of, read_users, socket_inode, stat_comm};
pub use summary::{Summary, port_range, read_summary};
pub use unix::{UNIX_REMEMBER, read_unix};

/// ss state numbers (§4): the kernel's TCP numbering.
pub mod state {
    /// `UNKNOWN`.
    pub const UNKNOWN: i32 = 0;
    /// `ESTAB`.
    pub const ESTAB: i32 = 1;
    /// `SYN-SENT`.
    pub const SYN_SENT: i32 = 2;
    /// `SYN-RECV`.
    pub const SYN_RECV: i32 = 3;
    /// `FIN-WAIT-1`.
    pub const FIN_WAIT1: i32 = 4;
    /// `FIN-WAIT-2`.
    pub const FIN_WAIT2: i32 = 5;
    /// `TIME-WAIT`.
    pub const TIME_WAIT: i32 = 6;
    /// `UNCONN` (`SS_CLOSE`).
    pub const UNCONN: i32 = 7;
    /// `CLOSE-WAIT`.
    pub const CLOSE_WAIT: i32 = 8;
    /// `LAST-ACK`.
    pub const LAST_ACK: i32 = 9;
    /// `LISTEN`.
    pub const LISTEN: i32 = 10;
    /// `CLOSING`.
    pub const CLOSING: i32 = 11;
}

/// Whether the state set `states` (bit per ss state number) holds `state`,
/// tested as ss's `states & (1 << state)` compiles on x86-64: the shift
/// count is taken modulo 32 (a negative or large number is undefined in C).
pub fn state_in(states: u32, state: i32) -> bool {
    states & 1u32.wrapping_shl(state as u32) != 0
}

/// The inet tables ss reads from files (UDP-Lite is never read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InetTable {
    /// `net/tcp`, `net/tcp6`.
    Tcp,
    /// `net/udp`, `net/udp6`.
    Udp,
    /// `net/raw`, `net/raw6`.
    Raw,
}

impl InetTable {
    /// The snapshot paths of the v4 and v6 files.
    pub fn paths(self) -> (&'static str, &'static str) {
        match self {
            InetTable::Tcp => ("proc/net/tcp", "proc/net/tcp6"),
            InetTable::Udp => ("proc/net/udp", "proc/net/udp6"),
            InetTable::Raw => ("proc/net/raw", "proc/net/raw6"),
        }
    }
}

/// One inet row as ss holds it (`struct sockstat` + `struct tcpstat`), with
/// ss's C types: `int` where ss has `int` (so `%x` of `ffffffff` is -1),
/// `unsigned` where it has `unsigned`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InetSock {
    /// Which table.
    pub table: Option<InetTable>,
    /// From the `*6` file.
    pub v6: bool,
    /// Line number in its file (the header is line 1).
    pub line: u32,
    /// The state ss tested against the state set: from the second byte of
    /// the data (a C `char`, signed: bytes from 0x80 give negative numbers).
    pub state_checked: i32,
    /// The state ss prints: the `st` column scanned with `%x` into an `int`
    /// (0 when that scan fails). Equal to `state_checked` on sound rows.
    pub state: i32,
    /// Local address (bytes in network order; v4 in the first 4 bytes).
    pub local: Addr,
    /// Local port (`%x` into an `int`).
    pub lport: i32,
    /// Remote address.
    pub remote: Addr,
    /// Remote port.
    pub rport: i32,
    /// Send-Q (`tx_queue`, `%x` into `int`).
    pub wq: i32,
    /// Recv-Q (`rx_queue`, `%x` into `int`).
    pub rq: i32,
    /// `uid` (`%d` into `unsigned`).
    pub uid: u32,
    /// `inode` (`%u`).
    pub ino: u32,
    /// `refcnt` (`%d`).
    pub refcnt: i32,
    /// The kernel address column (`%llx`).
    pub sk: u64,
    /// TCP `tr` (timer kind, `%x` into `unsigned`); 0 for udp/raw.
    pub timer: u32,
    /// TCP `tm->when` in jiffies, as read (`%x` into `unsigned`); ss turns
    /// it into milliseconds with the host's HZ when printing.
    pub timeout: u32,
    /// TCP `retrnsmt` as read (`%x` into `unsigned`).
    pub retrans: u32,
    /// TCP `probes`/`timeout` column (`%d`).
    pub probes: i32,
    /// TCP `rto` (`%d`, jiffies; 0 when fewer than 12 values).
    pub rto: i32,
    /// TCP `ato` (`%d`; 0 when fewer than 12 values).
    pub ato: i32,
    /// TCP `qack` column as read (`%d`, not yet halved; 0 when fewer than
    /// 12 values).
    pub qack: i32,
    /// TCP `cwnd` (`%u`; 2 when fewer than 12 values).
    pub cwnd: u32,
    /// TCP `ssthresh` (`%d`; -1 when fewer than 12 values).
    pub ssthresh: i32,
    /// TCP text after ssthresh (`%[^\n]`), empty unless all 17 items were
    /// read; ss prints it with `-e` as ` opt:"…"`.
    pub opt: Vec<u8>,
    /// How many items ss's `sscanf` of the data converted.
    pub items: u8,
}

/// Which unix socket types are selected (`-A unix_stream` …): ss skips a
/// row of a known type whose table is not selected; other types are never
/// skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnixTypes {
    /// `u_str` (type 1).
    pub stream: bool,
    /// `u_dgr` (type 2).
    pub dgram: bool,
    /// `u_seq` (type 5).
    pub seqpacket: bool,
}

impl UnixTypes {
    /// All three.
    pub const ALL: UnixTypes = UnixTypes {
        stream: true,
        dgram: true,
        seqpacket: true,
    };
}

/// One `net/unix` row as ss holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnixSock {
    /// Number of the 256-byte `fgets` piece in the file (the header is 1);
    /// a line longer than 255 bytes or holding a newline gives several.
    pub line: u32,
    /// Socket type (`%x` into `unsigned`): 1 stream, 2 dgram, 5 seqpacket;
    /// anything else prints as `u_dgr`.
    pub kind: u32,
    /// ss state number after ss's mapping (ACC flag → LISTEN, …).
    pub state: i32,
    /// The flags value ss tested (possibly carried over from an earlier
    /// piece).
    pub flags: i32,
    /// Recv-Q: 0 unless the file has the old `Peer` header (then RefCount).
    pub rq: i32,
    /// Send-Q: 0 unless the old format (then Protocol).
    pub wq: i32,
    /// Peer "port": 0 unless the old format (then Num).
    pub rport: i32,
    /// Inode (`%d` into `unsigned`).
    pub ino: u32,
    /// Local "port" as ss prints it: the inode as an `int`.
    pub lport: i32,
    /// Path up to the first white space (`None`: no path, prints `*`).
    pub path: Option<Vec<u8>>,
    /// Peer name (old format only, when `rport` is not 0): the path of the
    /// earlier row of this batch whose inode is `rport`, `*` if that row has
    /// no path, `?` if there is none.
    pub peer: Option<Vec<u8>>,
}

/// One `net/packet` row as ss holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PacketSock {
    /// Line number (the header is 1).
    pub line: u32,
    /// The kernel address column (ss reads it but prints `sk:0`).
    pub sk: u64,
    /// Socket type (`Type`, `%d`): 3 is SOCK_RAW (`p_raw`), else `p_dgr`.
    pub kind: i32,
    /// Protocol (`Proto`, `%x`, kept as ss's `uint16_t`), host order as the
    /// kernel prints it (3 = ETH_P_ALL).
    pub proto: u16,
    /// Interface index (`Iface`, `%d`); ss's local port.
    pub iface: i32,
    /// Recv-Q (`Rmem`, `%u` into `int`).
    pub rq: i32,
    /// `User` (`%u`).
    pub uid: u32,
    /// `Inode` (`%u`).
    pub ino: u32,
}

/// One `net/netlink` row as ss holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetlinkSock {
    /// Number of the 256-byte `fgets` piece (the header is 1).
    pub line: u32,
    /// The kernel address column (`%llx`), printed by `-e` as `sk=`.
    pub sk: u64,
    /// Protocol number (`Eth`, `%d`).
    pub proto: i32,
    /// Port id (`Pid`, `%d`): -1 `*`, 0 `kernel`, else `COMM/PID`.
    pub pid: i32,
    /// `Groups` (`%x`).
    pub groups: u32,
    /// Recv-Q (`Rmem`, `%d`).
    pub rq: i32,
    /// Send-Q (`Wmem`, `%d`).
    pub wq: i32,
    /// `Dump` (`%llx`), printed by `-e` as `cb=`.
    pub cb: u64,
}

/// One ` users:(…)` entry: `("NAME",pid=P,fd=F)` (with `-T` also
/// `tid=T`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserEnt {
    /// Process name from `<pid>/stat` (empty when unreadable).
    pub name: Vec<u8>,
    /// Process id.
    pub pid: i32,
    /// Thread id (the pid: snapshots have no `task/`).
    pub tid: i32,
    /// File descriptor.
    pub fd: i32,
}

/// A reader's result: rows in print order and what could not be read as ss
/// reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Read<T> {
    /// Rows, in the order ss prints them.
    pub rows: Vec<T>,
    /// Problems (uninitialised memory ss would print, overflows of ss's
    /// buffers), with file and line.
    pub diagnostics: Vec<Diagnostic>,
}

/// What the ss views read from an archive: every socket file raw (see
/// [`LoadPlan::raw_tables`]), processes (fd links, `stat`) only when `-p`,
/// `-T` or netlink names need them.
pub fn ss_plan(processes: bool) -> LoadPlan {
    LoadPlan {
        processes,
        frames: false,
        sockets: true,
        tables: None,
        only_tables: None,
        raw_tables: true,
        stats: processes,
    }
}

/// The bytes of a 32-bit word that `%x` read, as they lie in ss's memory,
/// for a snapshot taken on a machine of byte order `order` (ss on the
/// recording host was little-endian: the kernel's text is the source
/// machine's host-order word).
pub fn word_bytes(v: u32, order: ByteOrder) -> [u8; 4] {
    match order {
        ByteOrder::Little => v.to_le_bytes(),
        ByteOrder::Big => v.to_be_bytes(),
    }
}

#[cfg(test)]
mod tests;
