//! netstat's UNIX domain socket rows.
//!
//! Row layout: proto left in 5, RefCnt left in 6, flags left in 11, type
//! left in 10, state left in 13, inode left in 8, ` program` (left in 20)
//! with `-p`, then ` path` (the path's first word).

use crate::model::{UnixRow, UnixTable};
use crate::netstat::args::NetstatOptions;
use crate::parse::unix::netstat_path;
use crate::render::programs::{PROGNAME_WIDTH, ProgramMap};
use crate::render::{Num, pad_right, write_u64};

const ACCEPTCON: u64 = 1 << 16;
const WAITDATA: u64 = 1 << 17;
const NOSPACE: u64 = 1 << 18;

/// The flags column, `[ ACC W N ]` and the spaces to 11 bytes, by the
/// three flag bits (ACC 1, W 2, N 4).
const FLAGS: [&[u8; 12]; 8] = [
    b"[ ]         ",
    b"[ ACC ]     ",
    b"[ W ]       ",
    b"[ ACC W ]   ",
    b"[ N ]       ",
    b"[ ACC N ]   ",
    b"[ W N ]     ",
    b"[ ACC W N ] ",
];

/// Whether a row passes netstat's `-a` / `-l` / default filter.
#[inline]
fn shown(row: &UnixRow, opts: &NetstatOptions) -> bool {
    let server = row.state == 1 && row.flags & ACCEPTCON != 0;
    opts.all != 0 || server == (opts.listening > 0)
}

/// Appends one row.
#[inline]
fn render_row(out: &mut Vec<u8>, table: &UnixTable, row: &UnixRow, programs: Option<&ProgramMap>) {
    let proto: &[u8] = if row.protocol == 0 {
        b"unix  "
    } else {
        b"??    "
    };
    out.extend_from_slice(proto);
    pad_right(out, Num::i(row.refcnt as i64).bytes(), 6);
    out.push(b' ');
    let bits = usize::from(row.flags & ACCEPTCON != 0)
        | usize::from(row.flags & WAITDATA != 0) << 1
        | usize::from(row.flags & NOSPACE != 0) << 2;
    out.extend_from_slice(FLAGS.get(bits).map_or(&b"[ ]         "[..], |f| &f[..]));
    let ty: &[u8] = match row.sock_type {
        1 => b"STREAM     ",
        2 => b"DGRAM      ",
        3 => b"RAW        ",
        4 => b"RDM        ",
        5 => b"SEQPACKET  ",
        _ => b"UNKNOWN    ",
    };
    out.extend_from_slice(ty);
    let state: &[u8] = match row.state {
        0 => b"FREE          ",
        1 if row.flags & ACCEPTCON != 0 => b"LISTENING     ",
        1 => b"              ",
        2 => b"CONNECTING    ",
        3 => b"CONNECTED     ",
        4 => b"DISCONNECTING ",
        _ => b"UNKNOWN       ",
    };
    out.extend_from_slice(state);
    if table.has_inode {
        pad_right(out, Num::u(row.inode).bytes(), 8);
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
        write_u64(out, row.inode);
    }
    out.push(b'\n');
}

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
    let rows = table.rows.as_slice();
    let shown_rows = if rows.len() > crate::render::PARALLEL_ROWS {
        rows.iter().filter(|r| shown(r, opts)).count()
    } else {
        rows.len()
    };
    let row_size = 80 + if programs.is_some() { 21 } else { 0 };
    crate::render::in_parts(out, rows, shown_rows, row_size, &|buf, part| {
        for row in part {
            if shown(row, opts) {
                render_row(buf, table, row, programs);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FdLink;
    use crate::model::Processes;
    use crate::netstat::args::{Parsed, parse};
    use crate::render::{pad_right, udec};

    /// The renderer before it wrote rows in place, for comparison.
    fn reference(
        out: &mut Vec<u8>,
        table: &UnixTable,
        opts: &NetstatOptions,
        programs: Option<&ProgramMap>,
    ) {
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

    #[test]
    fn same_rows_as_before() {
        let mut seed = 0xdead_beef_1234_5678u64;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut table = UnixTable {
            has_inode: true,
            ..UnixTable::default()
        };
        let paths: [&[u8]; 4] = [b"", b"/run/a.sock", b"@abstract two words", b"/tmp/x y"];
        for i in 0..120_000u64 {
            let path = paths[(rnd() % 4) as usize];
            let start = table.text.len() as u32;
            table.text.extend_from_slice(path);
            table.rows.push(UnixRow {
                refcnt: match rnd() % 5 {
                    0 => u64::MAX - rnd() % 3,
                    _ => rnd() % 10,
                },
                protocol: u64::from(rnd() % 9 == 0),
                flags: ((rnd() % 8) << 16) | (rnd() % 3),
                sock_type: (rnd() % 7) as u32,
                state: (rnd() % 6) as u32,
                inode: if i % 11 == 0 { rnd() } else { i },
                path: (start, path.len() as u32),
                items: 7,
                line: i as u32 + 2,
            });
        }
        let mut procs = Processes::default();
        for pid in 1..500u32 {
            for fd in 0..50 {
                procs.fds.push(FdLink {
                    pid,
                    fd,
                    inode: Some(rnd() % 130_000),
                });
            }
            procs.cmdlines.insert(pid, b"/usr/bin/prog\0".to_vec());
        }
        let programs = ProgramMap::build(&procs, 0);
        for has_inode in [true, false] {
            table.has_inode = has_inode;
            for args in ["-x", "-xa", "-xl", "-xp", "-xap"] {
                let Parsed::Run(opts) = parse(&[args]) else {
                    panic!("{args}")
                };
                let p = (opts.programs > 0).then_some(&programs);
                let mut want = Vec::new();
                reference(&mut want, &table, &opts, p);
                for threads in [1, 2, 3] {
                    crate::par::set_threads(threads);
                    let mut got = b"head\n".to_vec();
                    let mut err = Vec::new();
                    render_table(&mut got, &mut err, &table, &opts, p);
                    assert_eq!(got.get(5..), Some(want.as_slice()), "{args} {threads}");
                }
            }
        }
        crate::par::set_threads(0);
    }
}
