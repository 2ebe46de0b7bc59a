//! `netstat -s`: counters as sentences.
//!
//! netstat 2.10 prints each counter through one routine that keeps a little
//! state between calls, and this module reproduces it:
//!
//! * A section whose title netstat knows (`Ip`, `Icmp`, `Tcp`, `Udp`,
//!   `Sctp`, `TcpExt`; for IPv6 `Ip6`, `Icmp6`, `Udp6`, `Tcp6`) prints its
//!   `Title:` line and its counters only when the section's filter is on
//!   (`-w` for Ip and Icmp, `-t` for Tcp and TcpExt, `-u` for Udp, `-S` for
//!   Sctp), and resets the indentation state either way. Any other title
//!   (`IcmpMsg`, `UdpLite`, `IpExt`, …) is always printed and leaves the
//!   state alone.
//! * A counter is looked up in its section's table with glibc's `bsearch`.
//!   netstat's tables are not all sorted, so some keys that are in a table
//!   are never found; [`lookup`] walks the tables in netstat's order, with
//!   the same midpoints, to miss exactly those.
//! * A counter that is not found prints as `Key: value` (only when non-zero)
//!   at the current indentation. Found counters print their sentence: some
//!   always, some only when non-zero, ICMP type counters under an `ICMP
//!   input histogram:` or `ICMP output histogram:` heading (printed at the
//!   indentation of the state before it), indented by 8.

use crate::parse::snmp::Counter;

/// How a found counter prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Always, even when 0.
    Always,
    /// Only when non-zero.
    NonZero,
    /// ICMP input histogram entry.
    InHist,
    /// ICMP output histogram entry.
    OutHist,
    /// Never (static configuration values, empty templates).
    Silent,
}

use Kind::{Always, InHist, NonZero, OutHist, Silent};

/// One known counter: its key, how it prints, and its sentence (`#` stands
/// for the value).
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: &'static [u8],
    kind: Kind,
    text: &'static str,
}

const fn e(key: &'static [u8], kind: Kind, text: &'static str) -> Entry {
    Entry { key, kind, text }
}

// The tables below are in netstat 2.10's order, which is what its binary
// search walks; some are out of order there, and that is kept on purpose.

const IP: &[Entry] = &[
    e(b"DefaultTTL", Silent, ""),
    e(b"Forwarding", Silent, ""),
    e(b"ForwDatagrams", Always, "# forwarded"),
    e(b"FragCreates", NonZero, "# fragments created"),
    e(
        b"FragFails",
        NonZero,
        "# outgoing packets failed fragmentation",
    ),
    e(b"FragOKs", NonZero, "# outgoing packets fragmented ok"),
    e(b"InAddrErrors", NonZero, "# with invalid addresses"),
    e(b"InDelivers", Always, "# incoming packets delivered"),
    e(b"InDiscards", Always, "# incoming packets discarded"),
    e(b"InHdrErrors", NonZero, "# with invalid headers"),
    e(b"InReceives", Always, "# total packets received"),
    e(b"InUnknownProtos", NonZero, "# with unknown protocol"),
    e(b"OutDiscards", NonZero, "# outgoing packets dropped"),
    e(
        b"OutNoRoutes",
        NonZero,
        "# dropped because of missing route",
    ),
    e(b"OutRequests", Always, "# requests sent out"),
    e(b"ReasmFails", NonZero, "# packet reassemblies failed"),
    e(b"ReasmOKs", NonZero, "# packets reassembled ok"),
    e(b"ReasmReqds", NonZero, "# reassemblies required"),
    e(
        b"ReasmTimeout",
        NonZero,
        "# fragments dropped after timeout",
    ),
];

const IP6: &[Entry] = &[
    e(b"Ip6FragCreates", NonZero, "# fragments created"),
    e(
        b"Ip6FragFails",
        NonZero,
        "# outgoing packets failed fragmentation",
    ),
    e(b"Ip6FragOKs", NonZero, "# outgoing packets fragmented ok"),
    e(b"Ip6InAddrErrors", NonZero, "# with invalid addresses"),
    e(b"Ip6InDelivers", Always, "# incoming packets delivered"),
    e(b"Ip6InDiscards", Always, "# incoming packets discarded"),
    e(b"Ip6InHdrErrors", NonZero, "# with invalid headers"),
    e(b"Ip6InMcastPkts", NonZero, "# incoming multicast packets"),
    e(
        b"Ip6InNoRoutes",
        NonZero,
        "# incoming packets with no route",
    ),
    e(b"Ip6InReceives", Always, "# total packets received"),
    e(b"Ip6InTooBigErrors", NonZero, "# with packets too big"),
    e(b"Ip6InTruncatedPkts", NonZero, "# with truncated packets"),
    e(b"Ip6InUnknownProtos", NonZero, "# with unknown protocol"),
    e(b"Ip6OutDiscards", NonZero, "# outgoing packets dropped"),
    e(b"Ip6OutForwDatagrams", Always, "# forwarded"),
    e(b"Ip6OutMcastPkts", NonZero, "# outgoing multicast packets"),
    e(
        b"Ip6OutNoRoutes",
        NonZero,
        "# dropped because of missing route",
    ),
    e(b"Ip6OutRequests", Always, "# requests sent out"),
    e(b"Ip6ReasmFails", NonZero, "# packet reassemblies failed"),
    e(b"Ip6ReasmOKs", NonZero, "# packets reassembled ok"),
    e(b"Ip6ReasmReqds", NonZero, "# reassemblies required"),
    e(
        b"Ip6ReasmTimeout",
        NonZero,
        "# fragments dropped after timeout",
    ),
];

const ICMP: &[Entry] = &[
    e(b"InAddrMaskReps", InHist, "address mask replies: #"),
    e(b"InAddrMasks", InHist, "address mask request: #"),
    e(b"InDestUnreachs", InHist, "destination unreachable: #"),
    e(b"InEchoReps", InHist, "echo replies: #"),
    e(b"InEchos", InHist, "echo requests: #"),
    e(b"InErrors", Always, "# input ICMP message failed"),
    e(b"InMsgs", Always, "# ICMP messages received"),
    e(b"InParmProbs", InHist, "wrong parameters: #"),
    e(b"InRedirects", InHist, "redirects: #"),
    e(b"InSrcQuenchs", InHist, "source quenches: #"),
    e(b"InTimeExcds", InHist, "timeout in transit: #"),
    e(b"InTimestampReps", InHist, "timestamp reply: #"),
    e(b"InTimestamps", InHist, "timestamp request: #"),
    e(b"OutAddrMaskReps", OutHist, "address mask replies: #"),
    e(b"OutAddrMasks", OutHist, "address mask requests: #"),
    e(b"OutDestUnreachs", OutHist, "destination unreachable: #"),
    e(b"OutEchoReps", OutHist, "echo replies: #"),
    e(b"OutEchos", OutHist, "echo requests: #"),
    e(b"OutErrors", Always, "# ICMP messages failed"),
    e(b"OutMsgs", Always, "# ICMP messages sent"),
    e(b"OutParmProbs", OutHist, "wrong parameters: #"),
    e(b"OutRedirects", OutHist, "redirect: #"),
    e(b"OutSrcQuenchs", OutHist, "source quench: #"),
    e(b"OutTimeExcds", OutHist, "time exceeded: #"),
    e(b"OutTimestampReps", OutHist, "timestamp replies: #"),
    e(b"OutTimestamps", OutHist, "timestamp requests: #"),
];

const ICMP6: &[Entry] = &[
    e(b"Icmp6InDestUnreachs", InHist, "destination unreachable: #"),
    e(b"Icmp6InEchoReplies", InHist, "echo replies: #"),
    e(b"Icmp6InEchos", InHist, "echo requests: #"),
    e(b"Icmp6InErrors", Always, "# input ICMP message failed"),
    e(
        b"Icmp6InGroupMembQueries",
        InHist,
        "group member queries: #",
    ),
    e(
        b"Icmp6InGroupMembReductions",
        InHist,
        "group member reductions: #",
    ),
    e(
        b"Icmp6InGroupMembResponses",
        InHist,
        "group member responses: #",
    ),
    e(b"Icmp6InMsgs", Always, "# ICMP messages received"),
    e(
        b"Icmp6InNeighborAdvertisements",
        InHist,
        "neighbour advertisement: #",
    ),
    e(b"Icmp6InNeighborSolicits", InHist, "neighbour solicits: #"),
    e(b"Icmp6InParmProblems", InHist, "parameter problem: #"),
    e(b"Icmp6InPktTooBigs", InHist, "packets too big: #"),
    e(b"Icmp6InRedirects", InHist, "redirects: #"),
    e(
        b"Icmp6InRouterAdvertisements",
        InHist,
        "router advertisement: #",
    ),
    e(b"Icmp6InRouterSolicits", InHist, "router solicits: #"),
    e(
        b"Icmp6InTimeExcds",
        InHist,
        "received ICMPv6 time exceeded: #",
    ),
    e(
        b"Icmp6OutDestUnreachs",
        OutHist,
        "destination unreachable: #",
    ),
    e(b"Icmp6OutEchoReplies", OutHist, "echo replies: #"),
    e(b"Icmp6OutEchos", OutHist, "echo requests: #"),
    e(
        b"Icmp6OutGroupMembQueries",
        OutHist,
        "group member queries: #",
    ),
    e(
        b"Icmp6OutGroupMembReductions",
        OutHist,
        "group member reductions: #",
    ),
    e(
        b"Icmp6OutGroupMembResponses",
        OutHist,
        "group member responses: #",
    ),
    e(b"Icmp6OutMsgs", Always, "# ICMP messages sent"),
    e(
        b"Icmp6OutNeighborAdvertisements",
        OutHist,
        "neighbor advertisements: #",
    ),
    e(b"Icmp6OutNeighborSolicits", OutHist, "neighbor solicits: #"),
    e(b"Icmp6OutParmProblems", OutHist, "parameter problem: #"),
    e(b"Icmp6OutPktTooBigs", OutHist, "packets too big: #"),
    e(b"Icmp6OutRedirects", OutHist, "redirects: #"),
    // The key carries a stray trailing space in netstat, so no kernel key
    // ever matches it.
    e(
        b"Icmp6OutRouterAdvertisements ",
        OutHist,
        "router advertisement: #",
    ),
    e(b"Icmp6OutRouterSolicits", OutHist, "router solicits: #"),
    e(
        b"Icmp6OutTimeExcds",
        OutHist,
        "sent ICMPv6 time exceeded: #",
    ),
];

const TCP: &[Entry] = &[
    e(b"ActiveOpens", Always, "# active connection openings"),
    e(b"AttemptFails", Always, "# failed connection attempts"),
    e(b"CurrEstab", Always, "# connections established"),
    e(b"EstabResets", Always, "# connection resets received"),
    e(b"InErrs", Always, "# bad segments received"),
    e(b"InSegs", Always, "# segments received"),
    e(b"MaxConn", Silent, ""),
    e(b"OutRsts", Always, "# resets sent"),
    e(b"OutSegs", Always, "# segments sent out"),
    e(b"PassiveOpens", Always, "# passive connection openings"),
    e(b"RetransSegs", Always, "# segments retransmitted"),
    e(b"RtoAlgorithm", Silent, ""),
    e(b"RtoMax", Silent, ""),
    e(b"RtoMin", Silent, ""),
];

const UDP: &[Entry] = &[
    e(b"InDatagrams", Always, "# packets received"),
    e(b"InErrors", Always, "# packet receive errors"),
    e(b"NoPorts", Always, "# packets to unknown port received"),
    e(b"OutDatagrams", Always, "# packets sent"),
    e(b"RcvbufErrors", Always, "# receive buffer errors"),
    e(b"SndbufErrors", Always, "# send buffer errors"),
];

const UDP6: &[Entry] = &[
    e(b"Udp6InDatagrams", Always, "# packets received"),
    e(b"Udp6InErrors", Always, "# packet receive errors"),
    e(b"Udp6NoPorts", Always, "# packets to unknown port received"),
    e(b"Udp6OutDatagrams", Always, "# packets sent"),
];

const TCP_EXT: &[Entry] = &[
    e(
        b"DelayedACKLocked",
        NonZero,
        "# delayed acks further delayed because of locked socket",
    ),
    e(
        b"DelayedACKLost",
        NonZero,
        "Quick ack mode was activated # times",
    ),
    e(b"DelayedACKs", NonZero, "# delayed acks sent"),
    e(
        b"EmbryonicRsts",
        NonZero,
        "# resets received for embryonic SYN_RECV sockets",
    ),
    e(b"ListenDrops", NonZero, "# SYNs to LISTEN sockets dropped"),
    e(
        b"ListenOverflows",
        NonZero,
        "# times the listen queue of a socket overflowed",
    ),
    e(
        b"LockDroppedIcmps",
        NonZero,
        "# ICMP packets dropped because socket was locked",
    ),
    e(
        b"OfoPruned",
        NonZero,
        "# packets dropped from out-of-order queue because of socket buffer overrun",
    ),
    e(
        b"OutOfWindowIcmps",
        NonZero,
        "# ICMP packets dropped because they were out-of-window",
    ),
    e(
        b"PAWSActive",
        NonZero,
        "# active connections rejected because of time stamp",
    ),
    e(
        b"PAWSEstab",
        NonZero,
        "# packets rejected in established connections because of timestamp",
    ),
    e(
        b"PAWSPassive",
        NonZero,
        "# passive connections rejected because of time stamp",
    ),
    e(
        b"PruneCalled",
        NonZero,
        "# packets pruned from receive queue because of socket buffer overrun",
    ),
    e(b"RcvPruned", NonZero, "# packets pruned from receive queue"),
    e(
        b"SockMallocOOM",
        NonZero,
        "Ran # times out of system memory during packet sending",
    ),
    e(
        b"SyncookiesFailed",
        NonZero,
        "# invalid SYN cookies received",
    ),
    e(b"SyncookiesRecv", NonZero, "# SYN cookies received"),
    e(b"SyncookiesSent", NonZero, "# SYN cookies sent"),
    e(
        b"TCPAbortFailed",
        NonZero,
        "# times unable to send RST due to no memory",
    ),
    e(
        b"TCPAbortOnClose",
        NonZero,
        "# connections reset due to early user close",
    ),
    e(
        b"TCPAbortOnData",
        NonZero,
        "# connections reset due to unexpected data",
    ),
    e(
        b"TCPAbortOnLinger",
        NonZero,
        "# connections aborted after user close in linger timeout",
    ),
    e(
        b"TCPAbortOnMemory",
        NonZero,
        "# connections aborted due to memory pressure",
    ),
    e(
        b"TCPAbortOnSyn",
        NonZero,
        "# connections reset due to unexpected SYN",
    ),
    e(
        b"TCPAbortOnTimeout",
        NonZero,
        "# connections aborted due to timeout",
    ),
    e(
        b"TCPDirectCopyFromBacklog",
        NonZero,
        "# bytes directly in process context from backlog",
    ),
    e(
        b"TCPDirectCopyFromPrequeue",
        NonZero,
        "# bytes directly received in process context from prequeue",
    ),
    e(
        b"TCPDSACKOfoRecv",
        NonZero,
        "# DSACKs for out of order packets received",
    ),
    e(
        b"TCPDSACKOfoSent",
        NonZero,
        "# DSACKs sent for out of order packets",
    ),
    e(b"TCPDSACKOldSent", NonZero, "# DSACKs sent for old packets"),
    e(b"TCPDSACKRecv", NonZero, "# DSACKs received"),
    e(
        b"TCPDSackUndo",
        NonZero,
        "# congestion window recovered without slow start using DSACK",
    ),
    e(
        b"TCPDSACKUndo",
        NonZero,
        "# congestion windows recovered without slow start by DSACK",
    ),
    e(
        b"TCPFACKReorder",
        NonZero,
        "Detected reordering # times using FACK",
    ),
    e(b"TCPFastRetrans", NonZero, "# fast retransmits"),
    e(b"TCPForwardRetrans", NonZero, "# forward retransmits"),
    e(
        b"TCPFullUndo",
        NonZero,
        "# congestion windows fully recovered without slow start",
    ),
    e(b"TCPHPAcks", NonZero, "# predicted acknowledgments"),
    e(b"TCPHPHits", Always, "# packet headers predicted"),
    e(
        b"TCPHPHitsToUser",
        NonZero,
        "# packet headers predicted and directly queued to user",
    ),
    e(b"TCPLossFailures", NonZero, "# timeouts in loss state"),
    e(b"TCPLoss", NonZero, "# TCP data loss events"),
    e(
        b"TCPLossUndo",
        NonZero,
        "# congestion windows recovered without slow start after partial ack",
    ),
    e(b"TCPLostRetransmits", NonZero, "# retransmits lost"),
    e(
        b"TCPMemoryPressures",
        NonZero,
        "TCP ran low on memory # times",
    ),
    e(
        b"TCPPartialUndo",
        NonZero,
        "# congestion windows partially recovered using Hoe heuristic",
    ),
    e(
        b"TCPPrequeued",
        NonZero,
        "# packets directly queued to recvmsg prequeue",
    ),
    e(
        b"TCPPrequeueDropped",
        NonZero,
        "# packets dropped from prequeue",
    ),
    e(
        b"TCPPureAcks",
        NonZero,
        "# acknowledgments not containing data payload received",
    ),
    e(
        b"TCPRcvCollapsed",
        NonZero,
        "# packets collapsed in receive queue due to low socket buffer",
    ),
    e(
        b"TCPRenoFailures",
        NonZero,
        "# timeouts after reno fast retransmit",
    ),
    e(
        b"TCPRenoRecoveryFailed",
        NonZero,
        "# reno fast retransmits failed",
    ),
    e(
        b"TCPRenoRecoveryFail",
        NonZero,
        "# classic Reno fast retransmits failed",
    ),
    e(
        b"TCPRenoRecovery",
        NonZero,
        "# times recovered from packet loss due to fast retransmit",
    ),
    e(
        b"TCPRenoReorder",
        NonZero,
        "Detected reordering # times using reno fast retransmit",
    ),
    e(
        b"TCPSackFailures",
        NonZero,
        "# timeouts after SACK recovery",
    ),
    e(b"TCPSackRecoveryFail", NonZero, "# SACK retransmits failed"),
    e(
        b"TCPSackRecovery",
        NonZero,
        "# times recovered from packet loss by selective acknowledgements",
    ),
    e(b"TCPSACKReneging", NonZero, "# bad SACK blocks received"),
    e(
        b"TCPSACKReorder",
        NonZero,
        "Detected reordering # times using SACK",
    ),
    e(
        b"TCPSchedulerFailed",
        NonZero,
        "# times receiver scheduled too late for direct processing",
    ),
    e(
        b"TCPSlowStartRetrans",
        NonZero,
        "# retransmits in slow start",
    ),
    e(b"TCPTimeouts", NonZero, "# other TCP timeouts"),
    e(
        b"TCPTSReorder",
        NonZero,
        "Detected reordering # times using time stamp",
    ),
    e(
        b"TWKilled",
        NonZero,
        "# TCP sockets finished time wait in slow timer",
    ),
    e(
        b"TW",
        NonZero,
        "# TCP sockets finished time wait in fast timer",
    ),
    e(
        b"TWRecycled",
        NonZero,
        "# time wait sockets recycled by time stamp",
    ),
];

const SCTP: &[Entry] = &[
    e(b"SctpAborteds", Always, "# Number of Aborteds "),
    e(b"SctpActiveEstabs", Always, "# Active Associations"),
    e(
        b"SctpChecksumErrors",
        Always,
        "# Number of Packets with invalid Checksum",
    ),
    e(b"SctpCurrEstab", Always, "# Current Associations"),
    e(
        b"SctpFragUsrMsgs",
        Always,
        "# Number of messages fragmented",
    ),
    e(
        b"SctpInCtrlChunks",
        Always,
        "# Number of control chunks received",
    ),
    e(
        b"SctpInOrderChunks",
        Always,
        "# Number of ordered chunks received",
    ),
    e(
        b"SctpInSCTPPacks",
        Always,
        "# Number of SCTP packets received",
    ),
    e(
        b"SctpInUnorderChunks",
        Always,
        "# Number of Unordered chunks received",
    ),
    e(
        b"SctpOutCtrlChunks",
        Always,
        "# Number of control chunks sent",
    ),
    e(b"SctpOutOfBlues", Always, "# Number of Out of Blue packets"),
    e(
        b"SctpOutOrderChunks",
        Always,
        "# Number of ordered chunks sent",
    ),
    e(b"SctpOutSCTPPacks", Always, "# Number of SCTP packets sent"),
    e(
        b"SctpOutUnorderChunks",
        Always,
        "# Number of Unordered chunks sent",
    ),
    e(b"SctpPassiveEstabs", Always, "# Passive Associations"),
    e(
        b"SctpReasmUsrMsgs",
        Always,
        "# Number of messages reassembled ",
    ),
    e(
        b"SctpShutdowns",
        Always,
        "# Number of Graceful Terminations",
    ),
];

/// glibc's `bsearch` with `strcmp` over a table in netstat's order: finds
/// the entry only if the halving path reaches it.
fn lookup(table: &[Entry], key: &[u8]) -> Option<Entry> {
    let (mut lo, mut hi) = (0usize, table.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        let entry = table.get(mid)?;
        match key.cmp(entry.key) {
            std::cmp::Ordering::Less => hi = mid,
            std::cmp::Ordering::Greater => lo = mid + 1,
            std::cmp::Ordering::Equal => return Some(*entry),
        }
    }
    None
}

/// Which of netstat's two lists of known section titles applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `/proc/net/snmp`, `/proc/net/netstat` and `sctp/snmp`.
    Inet,
    /// `/proc/net/snmp6`.
    Inet6,
}

/// The section filters (`-w`, `-t`, `-u`, `-S`; all on when none was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filters {
    /// `-w`: Ip, Icmp, Ip6, Icmp6.
    pub raw: bool,
    /// `-t`: Tcp, TcpExt, Tcp6.
    pub tcp: bool,
    /// `-u`: Udp, Udp6.
    pub udp: bool,
    /// `-S`: Sctp.
    pub sctp: bool,
}

/// A known section: its table and whether its filter is on.
fn known(family: Family, title: &[u8], f: &Filters) -> Option<(&'static [Entry], bool)> {
    let found = match (family, title) {
        (Family::Inet, b"Ip") => (IP, f.raw),
        (Family::Inet, b"Icmp") => (ICMP, f.raw),
        (Family::Inet, b"Tcp") => (TCP, f.tcp),
        (Family::Inet, b"Udp") => (UDP, f.udp),
        (Family::Inet, b"Sctp") => (SCTP, f.sctp),
        (Family::Inet, b"TcpExt") => (TCP_EXT, f.tcp),
        (Family::Inet6, b"Ip6") => (IP6, f.raw),
        (Family::Inet6, b"Icmp6") => (ICMP6, f.raw),
        (Family::Inet6, b"Udp6") => (UDP6, f.udp),
        (Family::Inet6, b"Tcp6") => (TCP, f.tcp),
        _ => return None,
    };
    Some(found)
}

/// netstat's printing state: it sets the indentation of unknown counters
/// and decides when a histogram heading is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Normal,
    InHist,
    OutHist,
}

impl State {
    fn indent(self) -> usize {
        match self {
            State::Normal => 4,
            State::InHist | State::OutHist => 8,
        }
    }
}

/// Prints sections one after the other, carrying netstat's state across
/// them (and across files: the state survives from one file to the next).
#[derive(Debug)]
pub struct Printer<'a> {
    out: &'a mut Vec<u8>,
    filters: Filters,
    state: State,
}

impl<'a> Printer<'a> {
    /// A printer writing to `out`, in the state netstat starts in.
    pub fn new(out: &'a mut Vec<u8>, filters: Filters) -> Self {
        Printer {
            out,
            filters,
            state: State::Normal,
        }
    }

    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(b' ', n));
    }

    /// One section: its title line, then its counters.
    pub fn section(&mut self, family: Family, title: &[u8], counters: &[Counter]) {
        let table = match known(family, title, &self.filters) {
            Some((table, on)) => {
                if on {
                    self.title(title);
                }
                self.state = State::Normal;
                if !on {
                    return;
                }
                Some(table)
            }
            None => {
                self.title(title);
                None
            }
        };
        for c in counters {
            self.counter(table, &c.key, c.value);
        }
    }

    fn title(&mut self, title: &[u8]) {
        self.out.extend_from_slice(title);
        self.out.extend_from_slice(b":\n");
    }

    fn sentence(&mut self, indent: usize, text: &str, value: u64) {
        self.spaces(indent);
        let (before, after) = text.split_once('#').unwrap_or((text, ""));
        self.out.extend_from_slice(before.as_bytes());
        self.out.extend_from_slice(value.to_string().as_bytes());
        self.out.extend_from_slice(after.as_bytes());
        self.out.push(b'\n');
    }

    fn counter(&mut self, table: Option<&[Entry]>, key: &[u8], value: u64) {
        let Some(entry) = table.and_then(|t| lookup(t, key)) else {
            if value != 0 {
                self.spaces(self.state.indent());
                self.out.extend_from_slice(key);
                self.out.extend_from_slice(b": ");
                self.out.extend_from_slice(value.to_string().as_bytes());
                self.out.push(b'\n');
            }
            return;
        };
        match entry.kind {
            Silent => {}
            Always => {
                self.sentence(4, entry.text, value);
                self.state = State::Normal;
            }
            NonZero => {
                if value != 0 {
                    self.sentence(4, entry.text, value);
                }
                self.state = State::Normal;
            }
            InHist | OutHist => {
                let (state, heading) = if entry.kind == InHist {
                    (State::InHist, &b"ICMP input histogram:"[..])
                } else {
                    (State::OutHist, &b"ICMP output histogram:"[..])
                };
                if self.state != state {
                    self.spaces(self.state.indent());
                    self.out.extend_from_slice(heading);
                    self.out.push(b'\n');
                }
                if value > 0 {
                    self.sentence(8, entry.text, value);
                }
                self.state = state;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(key: &str, value: u64) -> Counter {
        Counter {
            key: key.as_bytes().to_vec(),
            value,
        }
    }

    const ALL: Filters = Filters {
        raw: true,
        tcp: true,
        udp: true,
        sctp: true,
    };

    fn found(table: &[Entry], key: &str) -> bool {
        lookup(table, key.as_bytes()).is_some()
    }

    #[test]
    fn unsorted_tables_miss_some_keys() {
        // netstat 2.10's binary search cannot find these.
        assert!(!found(IP, "Forwarding"));
        assert!(found(IP, "DefaultTTL"));
        for k in [
            "TWKilled",
            "TCPSackRecovery",
            "TCPSACKReneging",
            "TCPDSACKUndo",
            "TCPDSackUndo",
            "TCPSackFailures",
            "TCPTimeouts",
            "TCPRenoRecoveryFail",
            "TCPRenoRecoveryFailed",
            "TCPSackRecoveryFail",
            "TCPDSACKOldSent",
            "TCPDSACKOfoSent",
            "TCPDSACKRecv",
            "TCPDSACKOfoRecv",
            "TCPLoss",
            "TCPPrequeueDropped",
            "TCPDirectCopyFromPrequeue",
        ] {
            assert!(!found(TCP_EXT, k), "{k}");
        }
        for k in [
            "TW",
            "TCPHPHits",
            "TCPLossFailures",
            "TCPSACKReorder",
            "SyncookiesSent",
        ] {
            assert!(found(TCP_EXT, k), "{k}");
        }
        assert!(!found(ICMP6, "Icmp6OutRouterAdvertisements"));
        assert!(found(ICMP6, "Icmp6OutRouterSolicits"));
    }

    #[test]
    fn every_key_of_the_sorted_tables_is_found() {
        for table in [ICMP, TCP, UDP, UDP6, SCTP, IP6] {
            for entry in table {
                assert!(lookup(table, entry.key).is_some());
            }
        }
    }

    #[test]
    fn histogram_and_raw_indentation() {
        let mut out = Vec::new();
        let mut p = Printer::new(&mut out, ALL);
        p.section(
            Family::Inet,
            b"Icmp",
            &[
                c("InMsgs", 1),
                c("InCsumErrors", 0),
                c("InDestUnreachs", 1),
                c("InEchos", 0),
                c("OutMsgs", 0),
                c("OutDestUnreachs", 0),
            ],
        );
        p.section(Family::Inet, b"IcmpMsg", &[c("InType3", 1)]);
        p.section(
            Family::Inet,
            b"Ip",
            &[c("Forwarding", 2), c("DefaultTTL", 64)],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Icmp:\n    1 ICMP messages received\n    ICMP input histogram:\n        \
             destination unreachable: 1\n    0 ICMP messages sent\n    \
             ICMP output histogram:\nIcmpMsg:\n        InType3: 1\nIp:\n    Forwarding: 2\n"
        );
    }

    #[test]
    fn filtered_known_sections_reset_state_silently() {
        let mut out = Vec::new();
        let only_tcp = Filters {
            tcp: true,
            ..Filters::default()
        };
        let mut p = Printer::new(&mut out, only_tcp);
        p.section(Family::Inet, b"Icmp", &[c("OutDestUnreachs", 1)]);
        p.section(Family::Inet, b"IcmpMsg", &[c("OutType3", 1)]);
        p.section(Family::Inet, b"Udp", &[c("InDatagrams", 1)]);
        p.section(Family::Inet, b"UdpLite", &[c("InDatagrams", 0)]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "IcmpMsg:\n    OutType3: 1\nUdpLite:\n"
        );
    }

    #[test]
    fn sentences_with_trailing_space_and_large_values() {
        let mut out = Vec::new();
        let mut p = Printer::new(&mut out, ALL);
        p.section(
            Family::Inet,
            b"Sctp",
            &[c("SctpAborteds", u64::MAX), c("SctpReasmUsrMsgs", 0)],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Sctp:\n    18446744073709551615 Number of Aborteds \n    \
             0 Number of messages reassembled \n"
        );
    }
}
