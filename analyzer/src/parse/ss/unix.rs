//! `net/unix` as ss reads it (§6).

use super::cbuf::CBuf;
use super::{Read, UnixSock, UnixTypes, state, state_in};
use crate::diag::Diagnostic;
use crate::parse::scan::Scanner;

const PATH: &str = "proc/net/unix";

/// Rows ss collects before it prints and frees them
/// (`MAX_UNIX_REMEMBER` = 1 MiB / 624-byte `struct sockstat` on x86-64);
/// it prints once the count goes past this, so batches hold one more.
pub const UNIX_REMEMBER: usize = 1680;

/// ss's buffer for the path (`char name[128]`).
const NAME_MAX: usize = 127;

/// Reads `net/unix` as ss does: each 256-byte `fgets` piece scanned as
/// `%x: %x %x %x %x %x %d %s`, `flags` carried over from the previous piece
/// when the scan does not reach it, the state mapped, rows of unselected
/// `types` or states not in `states` dropped, then `keep` (the filter
/// expression, which sees the path and, in the old format, the peer name);
/// rows come back in ss's print order: sorted by (type, inode), stably, in
/// batches of [`UNIX_REMEMBER`] + 1 rows.
///
/// A header starting with `Peer` (the pre-2.6 format) keeps Num, RefCount
/// and Protocol as peer, Recv-Q and Send-Q, and names the peer from the
/// rows of the batch; any other header zeroes them.
pub fn read_unix(
    file: Option<&[u8]>,
    types: UnixTypes,
    states: u32,
    keep: &mut dyn FnMut(&UnixSock) -> bool,
) -> Read<UnixSock> {
    let mut out = Read::default();
    let Some(text) = file else {
        return out;
    };
    let mut buf = CBuf::new();
    let Some(mut rest) = buf.fgets(text) else {
        return out;
    };
    let peer_format = buf.starts_with(b"Peer");
    let _ = buf.take_stray();
    // `int flags;` lives across iterations and is only written by a scan
    // that reaches it; before the first such scan it is uninitialised.
    let mut flags: Option<i32> = None;
    let mut list: Vec<UnixSock> = Vec::new();
    let mut piece = 1u32;
    while let Some(r) = buf.fgets(rest) {
        rest = r;
        piece = piece.saturating_add(1);
        let text = buf.cstr(0);
        let mut u = UnixSock {
            line: piece,
            ..UnixSock::default()
        };
        let mut name: Option<Vec<u8>> = None;
        {
            let mut sc = Scanner::new(&text);
            let mut steps = || -> Option<()> {
                u.rport = sc.int(16)? as u32 as i32;
                sc.lit(b':')?;
                u.rq = sc.int(16)? as u32 as i32;
                u.wq = sc.int(16)? as u32 as i32;
                flags = Some(sc.int(16)? as u32 as i32);
                u.kind = sc.int(16)? as u32;
                u.state = sc.int(16)? as u32 as i32;
                u.ino = sc.int(10)? as u32;
                name = Some(sc.word()?.to_vec());
                Some(())
            };
            let _ = steps();
        }
        let f = match flags {
            Some(f) => f,
            None => {
                out.diagnostics.push(Diagnostic::at(
                    PATH,
                    piece,
                    "ss tests the flags of a line whose scan never reached them \
                     (uninitialised memory); taken as 0",
                ));
                flags = Some(0);
                0
            }
        };
        u.flags = f;
        u.lport = u.ino as i32;
        if f & (1 << 16) != 0 {
            u.state = state::LISTEN;
        } else if (1..=4).contains(&u.state) {
            const MAP: [i32; 4] = [state::UNCONN, state::SYN_SENT, state::ESTAB, state::CLOSING];
            u.state = MAP.get((u.state - 1) as usize).copied().unwrap_or(0);
            if u.kind == 2 && u.state == state::UNCONN && u.rport != 0 {
                u.state = state::ESTAB;
            }
        }
        let skip_type = match u.kind {
            1 => !types.stream,
            2 => !types.dgram,
            5 => !types.seqpacket,
            _ => false,
        };
        if skip_type || !state_in(states, u.state) {
            continue;
        }
        if !peer_format {
            u.rport = 0;
            u.rq = 0;
            u.wq = 0;
        }
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            if n.len() > NAME_MAX {
                out.diagnostics.push(Diagnostic::at(
                    PATH,
                    piece,
                    format!(
                        "path of {} bytes overflows ss's {}-byte buffer (undefined \
                         behaviour); shown whole",
                        n.len(),
                        NAME_MAX + 1
                    ),
                ));
            }
            u.path = Some(n);
        }
        if u.rport != 0 {
            u.peer = Some(match list.iter().find(|p| p.lport == u.rport) {
                None => b"?".to_vec(),
                Some(p) => p.path.clone().unwrap_or_else(|| b"*".to_vec()),
            });
        }
        if !keep(&u) {
            continue;
        }
        let at = list.partition_point(|p| (p.kind, p.ino) <= (u.kind, u.ino));
        list.insert(at, u);
        if list.len() > UNIX_REMEMBER {
            out.rows.append(&mut list);
        }
    }
    out.rows.append(&mut list);
    out
}
