//! netstat's SCTP rows: endpoints (`eps`) and associations (`assocs`).
//!
//! An endpoint prints one line per local address: `sctp` and 16 spaces,
//! `address:port` left in 47, the state left in 11 on the first line only.
//! An association prints queues and `address:port` pairs on its first line
//! and one address pair per following line. Ports are always numeric;
//! addresses are looked up unless any numeric flag was given.

use crate::model::{Addr, Names, SctpTable};
use crate::parse::etc::{parse_ipv4, parse_ipv6};
use crate::parse::scan::Scanner;
use crate::render::addr::{addr_text, ntop6, port_text};
use crate::render::inet::{Extras, TCP_STATES};
use crate::render::pad_right;

fn state_text(state: i32) -> Vec<u8> {
    match usize::try_from(state).ok().and_then(|s| TCP_STATES.get(s)) {
        Some(s) => s.as_bytes().to_vec(),
        None => format!("UNKNOWN({state})").into_bytes(),
    }
}

/// `inet_addr`: dotted IPv4 text to an address; INADDR_NONE when invalid.
fn inet_addr(s: &[u8]) -> [u8; 4] {
    parse_ipv4(s).unwrap_or([255; 4])
}

/// Decodes an address as netstat reads the kernel's text: with a `:` it is
/// eight 16-bit hex groups, otherwise dotted IPv4.
fn decode(text: &[u8]) -> Addr {
    if text.contains(&b':') {
        let mut bytes = [0u8; 16];
        let mut s = Scanner::new(text);
        for i in 0..8 {
            if i > 0 && s.lit(b':').is_none() {
                break;
            }
            let Some(v) = s.int(16) else { break };
            let w = (v as u16).to_be_bytes();
            if let Some(dst) = bytes.get_mut(2 * i..2 * i + 2) {
                dst.copy_from_slice(&w);
            }
        }
        // netstat re-reads the compressed text; the round trip is exact.
        let text = ntop6(&bytes);
        Addr::v6(parse_ipv6(&text).unwrap_or(bytes))
    } else {
        Addr::v4(inet_addr(text))
    }
}

fn sprint(names: &Names, text: &[u8], numeric: bool) -> Vec<u8> {
    let mut v = addr_text(names, &decode(text), numeric);
    v.truncate(63);
    v
}

/// An SCTP port as netstat prints it: never a service name (there is no
/// sctp table), `*` for 0, cut to its 15-byte buffer.
fn port(ex: &Extras<'_>, port: i32) -> Vec<u8> {
    let mut p = port_text(ex.names, port as u32, None, ex.opts.numeric_ports);
    p.truncate(15);
    p
}

/// Renders endpoints.
pub fn render_eps(
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
    table: &SctpTable,
    ex: &Extras<'_>,
    numeric: bool,
) {
    for _ in &table.bogus_lines {
        err.extend_from_slice(b"warning, got bogus sctp eps line.\n");
    }
    for row in &table.rows {
        let lport = port(ex, row.local_port);
        for (i, a) in row.local_addrs.iter().enumerate() {
            if i == 0 {
                out.extend_from_slice(b"sctp                ");
            } else {
                out.extend_from_slice(b"\n                    ");
            }
            let mut cell = sprint(ex.names, a, numeric);
            cell.push(b':');
            cell.extend_from_slice(&lport);
            pad_right(out, &cell, 47);
            out.push(b' ');
            let st = if i == 0 {
                state_text(row.state)
            } else {
                Vec::new()
            };
            pad_right(out, &st, 11);
        }
        ex.finish(out, row.uid, row.inode, b"");
    }
}

/// Renders associations.
pub fn render_assocs(
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
    table: &SctpTable,
    ex: &Extras<'_>,
    numeric: bool,
) {
    for _ in &table.bogus_lines {
        err.extend_from_slice(b"warning, got bogus sctp assoc line.\n");
    }
    for row in &table.rows {
        let lport = port(ex, row.local_port);
        let rport = port(ex, row.remote_port);
        let strip = |a: &Vec<u8>| -> Vec<u8> {
            let s: &[u8] = a.strip_prefix(b"*").unwrap_or(a);
            sprint(ex.names, s, numeric)
        };
        let n = row.local_addrs.len().max(row.remote_addrs.len());
        for i in 0..n {
            if i == 0 {
                out.extend_from_slice(
                    format!("sctp  {:>6} {:>6} ", row.rx_queue, row.tx_queue).as_bytes(),
                );
            } else {
                out.extend_from_slice(b"\n                    ");
            }
            for (list, port) in [(&row.local_addrs, &lport), (&row.remote_addrs, &rport)] {
                match list.get(i) {
                    Some(a) => {
                        let mut cell = strip(a);
                        if i == 0 {
                            cell.push(b':');
                            cell.extend_from_slice(port);
                        }
                        pad_right(out, &cell, 23);
                    }
                    None => pad_right(out, b"", 23),
                }
                out.push(b' ');
            }
            let st = if i == 0 {
                state_text(row.state)
            } else {
                Vec::new()
            };
            pad_right(out, &st, 11);
        }
        ex.finish(out, row.uid, row.inode, b"");
    }
}
