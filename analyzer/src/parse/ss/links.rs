//! `net/packet` (§7) and `net/netlink` (§8) as ss reads them.

use super::cbuf::CBuf;
use super::{NetlinkSock, PacketSock, Read, state, state_in};
use crate::diag::Diagnostic;
use crate::parse::scan::Scanner;

/// ss's start of a table it reads only for sockets in state UNCONN (packet, netlink): nothing
/// without the file or without UNCONN in the state set; otherwise the buffer holding the header
/// line and the text after it.
fn after_header(file: Option<&[u8]>, states: u32) -> Option<(CBuf, &[u8])> {
    let text = file?;
    if !state_in(states, state::UNCONN) {
        return None;
    }
    let mut buf = CBuf::new();
    let rest = buf.fgets(text)?;
    Some((buf, rest))
}

/// Reads `net/packet` as ss does (nothing unless `states` holds UNCONN):
/// lines as for the inet tables (a line without `\n` ends the file),
/// scanned as `%llx %*d %d %x %d %d %u %u %u`; `keep` is the filter
/// expression. The type check against `-A packet_raw/packet_dgram` looks
/// at a field ss has not set yet, so both kinds are always read.
///
/// Values a short line does not reach are uninitialised locals in ss;
/// here they are 0, with a diagnostic.
pub fn read_packet(
    file: Option<&[u8]>,
    states: u32,
    keep: &mut dyn FnMut(&PacketSock) -> bool,
) -> Read<PacketSock> {
    const PATH: &str = "proc/net/packet";
    let mut out = Read::default();
    let Some((mut buf, mut rest)) = after_header(file, states) else {
        return out;
    };
    let mut line = 1u32;
    while let Some(r) = buf.fgets(rest) {
        rest = r;
        line = line.saturating_add(1);
        let n = buf.strlen(0);
        if n == 0 || buf.get(n - 1) != b'\n' {
            break;
        }
        buf.set(n - 1, 0);
        let text = buf.cstr(0);
        let mut p = PacketSock {
            line,
            ..PacketSock::default()
        };
        let mut items = 0;
        {
            let mut sc = Scanner::new(&text);
            let mut steps = || -> Option<()> {
                p.sk = sc.int(16)?;
                items += 1;
                sc.int(10)?;
                p.kind = sc.int(10)? as u32 as i32;
                items += 1;
                p.proto = sc.int(16)? as u16;
                items += 1;
                p.iface = sc.int(10)? as u32 as i32;
                items += 1;
                sc.int(10)?;
                items += 1;
                p.rq = sc.int(10)? as u32 as i32;
                items += 1;
                p.uid = sc.int(10)? as u32;
                items += 1;
                p.ino = sc.int(10)? as u32;
                items += 1;
                Some(())
            };
            let _ = steps();
        }
        if items < 8 {
            out.diagnostics.push(Diagnostic::at(
                PATH,
                line,
                format!(
                    "ss reads only {items} of 8 values here and prints uninitialised \
                     memory for the others; shown as 0"
                ),
            ));
        }
        if keep(&p) {
            out.rows.push(p);
        }
    }
    out
}

/// Reads `net/netlink` as ss does (nothing unless `states` holds UNCONN):
/// 256-byte `fgets` pieces (no newline check), each scanned as
/// `%llx %d %d %x %d %d %llx %d`; values a piece does not reach keep the
/// previous piece's (ss's variables live across the loop; before the first
/// value they are uninitialised: 0 here, with a diagnostic). `keep` is the
/// filter expression (ss gives it the pid as local port, -1 as remote port
/// and the protocol as the first address byte).
pub fn read_netlink(
    file: Option<&[u8]>,
    states: u32,
    keep: &mut dyn FnMut(&NetlinkSock) -> bool,
) -> Read<NetlinkSock> {
    const PATH: &str = "proc/net/netlink";
    let mut out = Read::default();
    let Some((mut buf, mut rest)) = after_header(file, states) else {
        return out;
    };
    let mut cur = NetlinkSock::default();
    // How many of the variables have ever been written.
    let mut set = 0;
    let mut piece = 1u32;
    while let Some(r) = buf.fgets(rest) {
        rest = r;
        piece = piece.saturating_add(1);
        let text = buf.cstr(0);
        let mut items = 0;
        {
            let mut sc = Scanner::new(&text);
            let c = &mut cur;
            let mut steps = || -> Option<()> {
                c.sk = sc.int(16)?;
                items += 1;
                c.proto = sc.int(10)? as u32 as i32;
                items += 1;
                c.pid = sc.int(10)? as u32 as i32;
                items += 1;
                c.groups = sc.int(16)? as u32;
                items += 1;
                c.rq = sc.int(10)? as u32 as i32;
                items += 1;
                c.wq = sc.int(10)? as u32 as i32;
                items += 1;
                c.cb = sc.int(16)?;
                items += 1;
                Some(())
            };
            let _ = steps();
        }
        set = set.max(items);
        if set < 7 {
            out.diagnostics.push(Diagnostic::at(
                PATH,
                piece,
                "ss prints values no line has set yet (uninitialised memory); shown as 0",
            ));
        }
        cur.line = piece;
        if keep(&cur) {
            out.rows.push(cur.clone());
        }
    }
    out
}
