//! netstat's UNIX domain socket rows.
//!
//! Row layout: proto left in 5, RefCnt left in 6, flags left in 11, type
//! left in 10, state left in 13, inode left in 8, ` program` (left in 20)
//! with `-p`, then ` path` (the path's first word).

use crate::model::UnixTable;
use crate::netstat::args::NetstatOptions;
use crate::parse::unix::netstat_path;
use crate::render::programs::{PROGNAME_WIDTH, ProgramMap};
use crate::render::{pad_right, udec};

const ACCEPTCON: u64 = 1 << 16;
const WAITDATA: u64 = 1 << 17;
const NOSPACE: u64 = 1 << 18;

/// Renders the table's shown rows into `out`, and bogus-line warnings into `err`.
pub fn render_table(
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
    table: &UnixTable,
    opts: &NetstatOptions,
    programs: Option<&ProgramMap>,
) {
    for _ in &table.bogus_lines {
        err.extend_from_slice(b"warning, got bogus unix line.\n");
    }
    for row in &table.rows {
        let server = row.state == 1 && row.flags & ACCEPTCON != 0;
        if opts.all == 0 && server != (opts.listening > 0) {
            continue;
        }
        let proto: &[u8] = if row.protocol == 0 { b"unix" } else { b"??" };
        let mut flags = b"[ ".to_vec();
        if row.flags & ACCEPTCON != 0 {
            flags.extend_from_slice(b"ACC ");
        }
        if row.flags & WAITDATA != 0 {
            flags.extend_from_slice(b"W ");
        }
        if row.flags & NOSPACE != 0 {
            flags.extend_from_slice(b"N ");
        }
        flags.push(b']');
        let ty: &[u8] = match row.sock_type {
            1 => b"STREAM",
            2 => b"DGRAM",
            3 => b"RAW",
            4 => b"RDM",
            5 => b"SEQPACKET",
            _ => b"UNKNOWN",
        };
        let state: &[u8] = match row.state {
            0 => b"FREE",
            1 if row.flags & ACCEPTCON != 0 => b"LISTENING",
            1 => b"",
            2 => b"CONNECTING",
            3 => b"CONNECTED",
            4 => b"DISCONNECTING",
            _ => b"UNKNOWN",
        };
        pad_right(out, proto, 5);
        out.push(b' ');
        pad_right(out, &(row.refcnt as i64).to_string().into_bytes(), 6);
        out.push(b' ');
        pad_right(out, &flags, 11);
        out.push(b' ');
        pad_right(out, ty, 10);
        out.push(b' ');
        pad_right(out, state, 13);
        out.push(b' ');
        if table.has_inode {
            pad_right(out, &udec(row.inode), 8);
        } else {
            out.extend_from_slice(b"-       ");
        }
        if let Some(p) = programs {
            out.push(b' ');
            let name = if table.has_inode {
                p.get(row.inode)
            } else {
                b"-"
            };
            pad_right(out, name, PROGNAME_WIDTH);
        }
        out.push(b' ');
        if table.has_inode {
            out.extend_from_slice(netstat_path(table.path(row)));
        } else {
            out.extend_from_slice(&udec(row.inode));
        }
        out.push(b'\n');
    }
}
