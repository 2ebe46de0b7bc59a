//! The `-s` summary's inputs (§11) and the ephemeral port range (§5.3).

use super::cbuf::{CBuf, SIZE};
use crate::parse::scan::{Scanner, is_space};

/// ss's `struct ssummary` and `CurrEstab`, with the lines ss writes to
/// stderr while reading them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// `sockets: used N`.
    pub socks: i32,
    /// `TCP: … mem N`.
    pub tcp_mem: i32,
    /// `TCP: … alloc N`.
    pub tcp_total: i32,
    /// `TCP: … orphan N`.
    pub tcp_orphans: i32,
    /// `TCP: … tw N`.
    pub tcp_tws: i32,
    /// `TCP: inuse N`.
    pub tcp4_hashed: i32,
    /// `UDP: inuse N`.
    pub udp4: i32,
    /// `RAW: inuse N`.
    pub raw4: i32,
    /// `FRAG: inuse N`.
    pub frag4: i32,
    /// `FRAG: … memory N`.
    pub frag4_mem: i32,
    /// `TCP6: inuse N`.
    pub tcp6_hashed: i32,
    /// `UDP6: inuse N`.
    pub udp6: i32,
    /// `RAW6: inuse N`.
    pub raw6: i32,
    /// `FRAG6: inuse N`.
    pub frag6: i32,
    /// `FRAG6: … memory N`.
    pub frag6_mem: i32,
    /// `Tcp:` `CurrEstab` from `net/snmp` (0 when not found).
    pub tcp_estab: i32,
    /// ss's stderr lines (without newline), in order, e.g.
    /// `ss: get_sockstat: No such file or directory`.
    pub errors: Vec<String>,
}

/// Reads `net/sockstat`, `net/sockstat6` and `net/snmp` as ss's `-s` does:
/// a missing `sockstat` gives ss's `perror` line and zeros (and
/// `sockstat6` is not read), a missing `snmp` or one without `Tcp:`
/// `CurrEstab` the other line.
pub fn read_summary(
    sockstat: Option<&[u8]>,
    sockstat6: Option<&[u8]>,
    snmp: Option<&[u8]>,
) -> Summary {
    let mut s = Summary::default();
    match sockstat {
        None => s
            .errors
            .push("ss: get_sockstat: No such file or directory".to_string()),
        Some(text) => {
            sockstat_file(text, &mut s);
            if let Some(text) = sockstat6 {
                sockstat_file(text, &mut s);
            }
        }
    }
    match snmp {
        None => s
            .errors
            .push("ss: get_snmpstat: No such file or directory".to_string()),
        Some(text) => match snmp_int(text, b"Tcp:", b"CurrEstab") {
            Some(v) => s.tcp_estab = v,
            None => s
                .errors
                .push("ss: get_snmpstat: No such process".to_string()),
        },
    }
    s
}

fn sockstat_file(text: &[u8], s: &mut Summary) {
    let mut buf = CBuf::new();
    let mut rest = text;
    while let Some(r) = buf.fgets(rest) {
        rest = r;
        let line = buf.cstr(0);
        sockstat_line(&line, s);
    }
}

/// `%[^ ] %[^\n]`: the first word (up to a space) and a non-empty rest.
fn split_id(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let id_len = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    if id_len == 0 {
        return None;
    }
    let (id, after) = line.split_at(id_len);
    let skip = after
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(after.len());
    let after = after.get(skip..).unwrap_or(&[]);
    let n = after
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(after.len());
    (n > 0).then(|| (id, after.get(..n).unwrap_or(after)))
}

/// `%*s%d` repeated: the numbers after each skipped word, as far as the
/// scan gets, into `slots` in order.
fn pairs(rem: &[u8], slots: &mut [&mut i32]) {
    let mut sc = Scanner::new(rem);
    for slot in slots.iter_mut() {
        if sc.word().is_none() {
            return;
        }
        match sc.int(10) {
            Some(v) => **slot = v as u32 as i32,
            None => return,
        }
    }
}

fn sockstat_line(line: &[u8], s: &mut Summary) {
    let Some((id, rem)) = split_id(line) else {
        return;
    };
    match id {
        b"sockets:" => pairs(rem, &mut [&mut s.socks]),
        b"UDP:" => pairs(rem, &mut [&mut s.udp4]),
        b"UDP6:" => pairs(rem, &mut [&mut s.udp6]),
        b"RAW:" => pairs(rem, &mut [&mut s.raw4]),
        b"RAW6:" => pairs(rem, &mut [&mut s.raw6]),
        b"TCP6:" => pairs(rem, &mut [&mut s.tcp6_hashed]),
        b"FRAG:" => pairs(rem, &mut [&mut s.frag4, &mut s.frag4_mem]),
        b"FRAG6:" => pairs(rem, &mut [&mut s.frag6, &mut s.frag6_mem]),
        b"TCP:" => pairs(
            rem,
            &mut [
                &mut s.tcp4_hashed,
                &mut s.tcp_orphans,
                &mut s.tcp_tws,
                &mut s.tcp_total,
                &mut s.tcp_mem,
            ],
        ),
        _ => {}
    }
}

/// ss's `get_snmp_int`: 1024-byte `fgets` pieces; a header piece starting
/// with `proto` gives the position (count of spaces) of `key`; the next
/// piece must start with `proto` too and holds the value after as many
/// spaces. `None` when not found (ss's `ESRCH`).
fn snmp_int(text: &[u8], proto: &[u8], key: &[u8]) -> Option<i32> {
    const SNMP_BUF: usize = 1024;
    let mut pieces = Pieces {
        rest: text,
        max: SNMP_BUF - 1,
    };
    while let Some(head) = pieces.next() {
        if !head.starts_with(proto) {
            continue;
        }
        let mut pos = 0usize;
        let mut i = 0usize;
        while let Some(off) = head
            .get(i..)
            .and_then(|t| t.iter().position(|&b| b == b' '))
        {
            pos += 1;
            i += off + 1;
            let after = head.get(i..).unwrap_or(&[]);
            if after.starts_with(key) && matches!(after.get(key.len()), Some(b' ') | Some(b'\n')) {
                break;
            }
        }
        let values = pieces.next()?;
        if !values.starts_with(proto) {
            return None;
        }
        let mut i = 0usize;
        while let Some(off) = values
            .get(i..)
            .and_then(|t| t.iter().position(|&b| b == b' '))
        {
            i += off + 1;
            pos = pos.wrapping_sub(1);
            if pos == 0 {
                let mut sc = Scanner::new(values.get(i..).unwrap_or(&[]));
                return Some(sc.int(10).map_or(0, |v| v as u32 as i32));
            }
        }
    }
    None
}

/// `fgets` pieces of at most `max` bytes, as C strings (cut at a NUL).
struct Pieces<'a> {
    rest: &'a [u8],
    max: usize,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let window = self.rest.get(..self.max).unwrap_or(self.rest);
        let n = window
            .iter()
            .position(|&b| b == b'\n')
            .map_or(window.len(), |i| i + 1);
        let piece = window.get(..n).unwrap_or(window);
        self.rest = self.rest.get(n..).unwrap_or(&[]);
        let c = piece.iter().position(|&b| b == 0).unwrap_or(piece.len());
        Some(piece.get(..c).unwrap_or(piece))
    }
}

/// The ephemeral port range from `sys/net/ipv4/ip_local_port_range`
/// (`fscanf "%d %d"`), 1024–4999 when missing or when fewer than two
/// numbers are read.
pub fn port_range(file: Option<&[u8]>) -> (i32, i32) {
    let Some(text) = file else {
        return (1024, 4999);
    };
    let mut sc = Scanner::new(text);
    match (sc.int(10), sc.int(10)) {
        (Some(a), Some(b)) => (a as u32 as i32, b as u32 as i32),
        _ => (1024, 4999),
    }
}

const _: () = assert!(SIZE == 256);
