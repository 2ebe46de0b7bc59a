//! The typed snapshot: everything the renderers see.
//!
//! Rows keep every column the kernel wrote, numbers as numbers and text as
//! bytes (unix paths and command lines need not be UTF-8). Tables are
//! `Option`s: `None` means the file was absent from the snapshot, which is
//! how netstat's "no support for ..." messages are decided.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diag::Diagnostic;
use crate::parse::etc::{Hosts, Networks, Passwd, Services};
use crate::parse::manifest::{Closing, Manifest};

/// Byte order of the machine a snapshot was taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ByteOrder {
    /// Little-endian (x86, most ARM).
    #[default]
    Little,
    /// Big-endian (s390x, some PowerPC and MIPS).
    Big,
}

/// An IPv4 or IPv6 address in network byte order.
/// IPv4 addresses use the first four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Addr {
    /// Address bytes, network order.
    pub bytes: [u8; 16],
    /// Whether this is an IPv6 address.
    pub v6: bool,
}

impl Addr {
    /// An IPv4 address.
    pub fn v4(b: [u8; 4]) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&b);
        Addr { bytes, v6: false }
    }

    /// An IPv6 address.
    pub fn v6(bytes: [u8; 16]) -> Self {
        Addr { bytes, v6: true }
    }

    /// The four IPv4 bytes (meaningful when `!v6`).
    pub fn v4_bytes(&self) -> [u8; 4] {
        [self.bytes[0], self.bytes[1], self.bytes[2], self.bytes[3]]
    }

    /// All bits zero (`0.0.0.0` or `::`).
    pub fn is_unspecified(&self) -> bool {
        if self.v6 {
            self.bytes.iter().all(|&b| b == 0)
        } else {
            self.v4_bytes() == [0; 4]
        }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    pub fn is_v4_mapped(&self) -> bool {
        self.v6
            && self.bytes[..10].iter().all(|&b| b == 0)
            && self.bytes[10] == 0xff
            && self.bytes[11] == 0xff
    }
}

/// Which kernel table an Internet socket row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InetKind {
    /// `/proc/net/tcp`
    Tcp,
    /// `/proc/net/tcp6`
    Tcp6,
    /// `/proc/net/udp`
    Udp,
    /// `/proc/net/udp6`
    Udp6,
    /// `/proc/net/udplite`
    UdpLite,
    /// `/proc/net/udplite6`
    UdpLite6,
    /// `/proc/net/raw`
    Raw,
    /// `/proc/net/raw6`
    Raw6,
}

impl InetKind {
    /// All kinds, in netstat's reading order within a protocol pair.
    pub const ALL: [InetKind; 8] = [
        InetKind::Tcp,
        InetKind::Tcp6,
        InetKind::Udp,
        InetKind::Udp6,
        InetKind::UdpLite,
        InetKind::UdpLite6,
        InetKind::Raw,
        InetKind::Raw6,
    ];

    /// The archive path of the table.
    pub fn path(self) -> &'static str {
        match self {
            InetKind::Tcp => "proc/net/tcp",
            InetKind::Tcp6 => "proc/net/tcp6",
            InetKind::Udp => "proc/net/udp",
            InetKind::Udp6 => "proc/net/udp6",
            InetKind::UdpLite => "proc/net/udplite",
            InetKind::UdpLite6 => "proc/net/udplite6",
            InetKind::Raw => "proc/net/raw",
            InetKind::Raw6 => "proc/net/raw6",
        }
    }

    /// Index into per-kind arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One row of a tcp/udp/udplite/raw table, as netstat's `sscanf` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InetRow {
    /// Local address.
    pub local: Addr,
    /// Remote address.
    pub remote: Addr,
    /// Local port (the `%X` value; only its low 16 bits name a port).
    pub local_port: u32,
    /// Remote port.
    pub remote_port: u32,
    /// Socket state (`st`).
    pub state: u32,
    /// `tx_queue`.
    pub tx_queue: u64,
    /// `rx_queue`.
    pub rx_queue: u64,
    /// Timer kind (`tr`).
    pub timer: u32,
    /// Timer expiry in clock ticks (`tm->when`).
    pub when: u64,
    /// Retransmits (`retrnsmt`).
    pub retransmits: u64,
    /// Owner uid.
    pub uid: i32,
    /// `timeout` (unanswered probes for TCP).
    pub timeout: i32,
    /// Socket inode.
    pub inode: u64,
    /// Number of fields netstat's `sscanf` converted (11 to 14 for a sound row).
    pub items: u8,
    /// Line number in the file (1-based; the header is line 1).
    pub line: u32,
}

/// One tcp/udp/udplite/raw table.
#[derive(Debug, Clone, Default)]
pub struct InetTable {
    /// Rows netstat accepts, in file order.
    pub rows: Vec<InetRow>,
    /// Line numbers of rows netstat rejects as bogus.
    pub bogus_lines: Vec<u32>,
}

/// One row of `/proc/net/unix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnixRow {
    /// Reference count.
    pub refcnt: u64,
    /// Protocol (always 0 on Linux).
    pub protocol: u64,
    /// Socket flags (`__SO_ACCEPTCON` is 0x10000).
    pub flags: u64,
    /// Socket type (1 stream, 2 dgram, 5 seqpacket).
    pub sock_type: u32,
    /// Socket state (`SS_*`).
    pub state: u32,
    /// Inode.
    pub inode: u64,
    /// The rest of the line after the inode: the path as the kernel wrote
    /// it, spaces included (offset and length into [`UnixTable::text`]).
    pub path: (u32, u32),
    /// Number of fields netstat's `sscanf` converted (6 to 8).
    pub items: u8,
    /// Line number in the file.
    pub line: u32,
}

/// `/proc/net/unix`.
#[derive(Debug, Clone, Default)]
pub struct UnixTable {
    /// Whether the header names an `Inode` column (every modern kernel).
    pub has_inode: bool,
    /// Rows netstat accepts, in file order.
    pub rows: Vec<UnixRow>,
    /// Line numbers of rows netstat rejects as bogus.
    pub bogus_lines: Vec<u32>,
    /// Storage for the paths of all rows.
    pub text: Vec<u8>,
}

impl UnixTable {
    /// The whole path of a row, as the kernel wrote it.
    pub fn path(&self, row: &UnixRow) -> &[u8] {
        let (start, len) = row.path;
        self.text
            .get(start as usize..start as usize + len as usize)
            .unwrap_or(&[])
    }
}

/// One line of `/proc/net/sctp/eps` or `/proc/net/sctp/assocs`, split into
/// the fields netstat uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SctpRow {
    /// `SST` (socket state).
    pub state: i32,
    /// `TX_QUEUE` (associations only).
    pub tx_queue: u32,
    /// `RX_QUEUE` (associations only).
    pub rx_queue: u32,
    /// Owner uid.
    pub uid: i32,
    /// Inode.
    pub inode: u64,
    /// Local port.
    pub local_port: i32,
    /// Remote port (associations only).
    pub remote_port: i32,
    /// Local addresses as the kernel wrote them (a leading `*` marks the primary).
    pub local_addrs: Vec<Vec<u8>>,
    /// Remote addresses (associations only).
    pub remote_addrs: Vec<Vec<u8>>,
    /// Line number.
    pub line: u32,
}

/// An SCTP table (endpoints or associations).
#[derive(Debug, Clone, Default)]
pub struct SctpTable {
    /// Rows netstat accepts.
    pub rows: Vec<SctpRow>,
    /// Line numbers of rows netstat rejects as bogus.
    pub bogus_lines: Vec<u32>,
}

/// One archived fd link of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FdLink {
    /// Process id.
    pub pid: u32,
    /// File descriptor number.
    pub fd: u32,
    /// The socket inode, read from the link as netstat reads it
    /// (`socket:[N]` or `[0000]:N`, N in C's base-0 notation); `None` when
    /// netstat would not take the link for a socket.
    pub inode: Option<u64>,
}

/// Processes and their sockets.
#[derive(Debug, Clone, Default)]
pub struct Processes {
    /// Fd links, sorted by pid then fd (the order in which procfs lists them).
    pub fds: Vec<FdLink>,
    /// Archived `cmdline` contents by pid.
    pub cmdlines: HashMap<u32, Vec<u8>>,
    /// Archived `stat` contents by pid.
    pub stats: HashMap<u32, Vec<u8>>,
    /// Pids whose fd directory could not be read at capture time.
    pub denied: BTreeSet<u32>,
    /// Fd link targets by (pid, fd), as archived (kept only under
    /// [`crate::load::LoadPlan::raw_tables`], for ss's own reading of them).
    pub link_targets: HashMap<(u32, u32), Vec<u8>>,
}

/// The name databases of the source machine.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// `etc/hosts`.
    pub hosts: Hosts,
    /// `etc/networks`.
    pub networks: Networks,
    /// `etc/services` and `etc/protocols`.
    pub services: Services,
    /// `etc/passwd`.
    pub passwd: Passwd,
    /// Reverse-DNS answers taken at capture time.
    pub reverse_dns: HashMap<Addr, Vec<u8>>,
}

/// Everything read from one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The header manifest (defaults when absent).
    pub manifest: Manifest,
    /// The closing manifest, when present.
    pub closing: Option<Closing>,
    /// Internet socket tables by [`InetKind::index`].
    pub inet: [Option<InetTable>; 8],
    /// `/proc/net/unix`.
    pub unix: Option<UnixTable>,
    /// `/proc/net/sctp/eps`.
    pub sctp_eps: Option<SctpTable>,
    /// `/proc/net/sctp/assocs`.
    pub sctp_assocs: Option<SctpTable>,
    /// Processes, fd links and command lines.
    pub processes: Processes,
    /// Name databases.
    pub names: Names,
    /// Other archived files that no parser has claimed yet, by path
    /// (small files only; kept for later views).
    pub other: BTreeMap<String, Vec<u8>>,
    /// Whether the reader stopped before the end of the archive because the
    /// views asked for had everything they need.
    pub stopped_early: bool,
    /// Whether the archive holds anything of a snapshot: a manifest or a
    /// `proc/net` entry (read or skipped).
    pub recognised: bool,
    /// Problems met while reading and parsing.
    pub diagnostics: Vec<Diagnostic>,
    /// Later frames of a multi-frame snapshot (`netsnap-collect --count`),
    /// each a snapshot of its own sharing the name databases and manifest.
    pub frames: Vec<Snapshot>,
}

impl Snapshot {
    /// The table of one kind, if the snapshot has that file.
    pub fn inet_table(&self, kind: InetKind) -> Option<&InetTable> {
        self.inet.get(kind.index()).and_then(|t| t.as_ref())
    }

    /// Byte order of the source machine.
    pub fn byte_order(&self) -> ByteOrder {
        self.manifest.byte_order
    }
}
