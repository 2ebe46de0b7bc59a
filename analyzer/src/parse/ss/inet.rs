//! `net/tcp*`, `net/udp*`, `net/raw*` as ss reads them (§5.1).
//!
//! ss's `generic_record_read` and `proc_inet_split_line` work in place on
//! a 256-byte buffer: a short line's fields are found after its end, in
//! what earlier lines left there. [`CBuf`] reproduces that; bytes no line
//! ever wrote (ss's uninitialised stack) read as NUL, with a diagnostic.

use super::cbuf::{CBuf, int_width, not_newline};
use super::{InetSock, InetTable, Read, state_in, word_bytes};
use crate::diag::Diagnostic;
use crate::model::{Addr, ByteOrder};
use crate::parse::scan::Scanner;

/// Reads one inet table (v4 file then v6 file) as ss does; `want_v4` and
/// `want_v6` are the selected families, `states` the state set (bit per ss
/// state number), `keep` the filter expression, called after the state
/// check (it only ever needs the addresses and ports, which are read
/// before it in ss too). A missing v4 file (`None`), or one with a line
/// not ending in `\n`, makes ss skip the v6 file too.
#[allow(clippy::too_many_arguments)]
pub fn read_inet(
    table: InetTable,
    order: ByteOrder,
    v4: Option<&[u8]>,
    v6: Option<&[u8]>,
    want_v4: bool,
    want_v6: bool,
    states: u32,
    keep: &mut dyn FnMut(&InetSock) -> bool,
) -> Read<InetSock> {
    let mut rows = Vec::new();
    let diagnostics = each_inet(table, order, v4, v6, want_v4, want_v6, states, &mut |s| {
        if keep(&s) {
            rows.push(s);
        }
    });
    Read { rows, diagnostics }
}

/// [`read_inet`] without gathering the rows: every row in the state set goes to `each` as it is
/// read (the caller applies the filter), so that a listing never holds a whole table. Returns
/// the diagnostics.
#[allow(clippy::too_many_arguments)]
pub fn each_inet(
    table: InetTable,
    order: ByteOrder,
    v4: Option<&[u8]>,
    v6: Option<&[u8]>,
    want_v4: bool,
    want_v6: bool,
    states: u32,
    each: &mut dyn FnMut(InetSock),
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let (p4, p6) = table.paths();
    let ctx = Ctx {
        table,
        order,
        states,
    };
    if want_v4 {
        let Some(text) = v4 else {
            return diagnostics;
        };
        if ctx
            .read_file(false, p4, text, each, &mut diagnostics)
            .is_err()
        {
            return diagnostics;
        }
    }
    if want_v6 && let Some(text) = v6 {
        let _ = ctx.read_file(true, p6, text, each, &mut diagnostics);
    }
    diagnostics
}

struct Ctx {
    table: InetTable,
    order: ByteOrder,
    states: u32,
}

/// A line without a final newline: the table ends.
struct TableEnd;

impl Ctx {
    fn read_file(
        &self,
        v6: bool,
        path: &str,
        text: &[u8],
        each: &mut dyn FnMut(InetSock),
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<(), TableEnd> {
        let mut buf = CBuf::new();
        let Some(mut rest) = buf.fgets(text) else {
            return Ok(());
        };
        let mut line = 1u32;
        while let Some(r) = buf.fgets(rest) {
            rest = r;
            line = line.saturating_add(1);
            let n = buf.strlen(0);
            if n == 0 || buf.get(n - 1) != b'\n' {
                return Err(TableEnd);
            }
            buf.set(n - 1, 0);
            let row = self.line(&mut buf, v6, line);
            if buf.take_stray() {
                diagnostics.push(Diagnostic::at(
                    path,
                    line,
                    "ss reads this short line's fields past its end, in bytes no line \
                     wrote (uninitialised memory); they are read as empty",
                ));
            }
            match row {
                Line::Stop => return Ok(()),
                Line::Skip => {}
                Line::Row(sock) => each(sock),
            }
        }
        Ok(())
    }

    /// `tcp_show_line` / `dgram_show_line` up to the filter.
    fn line(&self, buf: &mut CBuf, v6: bool, line: u32) -> Line {
        let Some((loc, rem, data)) = split_line(buf) else {
            return Line::Stop;
        };
        // A C `char` (signed on x86-64).
        let c = i32::from(buf.get(data + 1) as i8);
        let state_checked = if c >= i32::from(b'A') {
            c - i32::from(b'A') + 10
        } else {
            c - i32::from(b'0')
        };
        if !state_in(self.states, state_checked) {
            return Line::Skip;
        }
        let mut s = InetSock {
            table: Some(self.table),
            v6,
            line,
            state_checked,
            ..InetSock::default()
        };
        let loc = buf.cstr(loc);
        let rem = buf.cstr(rem);
        (s.local, s.lport) = self.addr(&loc, v6);
        (s.remote, s.rport) = self.addr(&rem, v6);
        let data = buf.cstr(data);
        match self.table {
            InetTable::Tcp => scan_tcp(&data, &mut s),
            InetTable::Udp | InetTable::Raw => scan_dgram(&data, &mut s),
        }
        Line::Row(s)
    }

    /// `proc_parse_inet_addr`: `%x:%x` or `%08x%08x%08x%08x:%x`; what the
    /// scan does not reach stays 0.
    fn addr(&self, text: &[u8], v6: bool) -> (Addr, i32) {
        let mut bytes = [0u8; 16];
        let mut port = 0;
        if v6 {
            let mut rest = text;
            for w in 0..4 {
                let Some((v, r)) = int_width(rest, 16, 8) else {
                    return (Addr { bytes, v6 }, port);
                };
                if let Some(dst) = bytes.get_mut(w * 4..w * 4 + 4) {
                    dst.copy_from_slice(&word_bytes(v as u32, self.order));
                }
                rest = r;
            }
            let mut sc = Scanner::new(rest);
            if sc.lit(b':').is_some()
                && let Some(p) = sc.int(16)
            {
                port = p as u32 as i32;
            }
        } else {
            let mut sc = Scanner::new(text);
            if let Some(v) = sc.int(16) {
                if let Some(dst) = bytes.get_mut(..4) {
                    dst.copy_from_slice(&word_bytes(v as u32, self.order));
                }
                if sc.lit(b':').is_some()
                    && let Some(p) = sc.int(16)
                {
                    port = p as u32 as i32;
                }
            }
        }
        (Addr { bytes, v6 }, port)
    }
}

enum Line {
    /// `proc_inet_split_line` failed: ss stops reading this file.
    Stop,
    /// Not in the state set.
    Skip,
    Row(InetSock),
}

/// `proc_inet_split_line`: the starts of the local address, the remote
/// address and the data, writing NULs where ss does.
fn split_line(buf: &mut CBuf) -> Option<(usize, usize, usize)> {
    let p = buf.strchr(0, b':')?;
    let loc = p + 2;
    let p = buf.strchr(loc, b':')?;
    buf.set(p + 5, 0);
    let rem = p + 6;
    let p = buf.strchr(rem, b':')?;
    buf.set(p + 5, 0);
    Some((loc, rem, p + 6))
}

/// ss's scan of a TCP row's data:
/// `%x %x:%x %x:%x %x %d %d %u %d %llx %d %d %d %u %d %[^\n]`.
fn scan_tcp(data: &[u8], s: &mut InetSock) {
    let mut sc = Scanner::new(data);
    let mut n = 0u8;
    let mut rto = 0;
    let mut ato = 0;
    // Each step converts one item into its C type; the first failure ends
    // the scan.
    let mut steps = || -> Option<()> {
        s.state = sc.int(16)? as u32 as i32;
        n += 1;
        s.wq = sc.int(16)? as u32 as i32;
        n += 1;
        sc.lit(b':')?;
        s.rq = sc.int(16)? as u32 as i32;
        n += 1;
        s.timer = sc.int(16)? as u32;
        n += 1;
        sc.lit(b':')?;
        s.timeout = sc.int(16)? as u32;
        n += 1;
        s.retrans = sc.int(16)? as u32;
        n += 1;
        s.uid = sc.int(10)? as u32;
        n += 1;
        s.probes = sc.int(10)? as u32 as i32;
        n += 1;
        s.ino = sc.int(10)? as u32;
        n += 1;
        s.refcnt = sc.int(10)? as u32 as i32;
        n += 1;
        s.sk = sc.int(16)?;
        n += 1;
        rto = sc.int(10)? as u32 as i32;
        n += 1;
        ato = sc.int(10)? as u32 as i32;
        n += 1;
        s.qack = sc.int(10)? as u32 as i32;
        n += 1;
        s.cwnd = sc.int(10)? as u32;
        n += 1;
        s.ssthresh = sc.int(10)? as u32 as i32;
        n += 1;
        sc.space();
        s.opt = not_newline(sc.rest())?.to_vec();
        n += 1;
        Some(())
    };
    let _ = steps();
    if n < 17 {
        s.opt.clear();
    }
    if n < 12 {
        rto = 0;
        s.cwnd = 2;
        s.ssthresh = -1;
        ato = 0;
        s.qack = 0;
    }
    s.rto = rto;
    s.ato = ato;
    s.items = n;
}

/// ss's scan of a UDP or raw row's data:
/// `%x %x:%x %*x:%*x %*x %d %*d %u %d %llx %[^\n]` (the rest is read but
/// never printed: `opt` is only printed for TCP).
fn scan_dgram(data: &[u8], s: &mut InetSock) {
    let mut sc = Scanner::new(data);
    let mut n = 0u8;
    let mut steps = || -> Option<()> {
        s.state = sc.int(16)? as u32 as i32;
        n += 1;
        s.wq = sc.int(16)? as u32 as i32;
        n += 1;
        sc.lit(b':')?;
        s.rq = sc.int(16)? as u32 as i32;
        n += 1;
        sc.int(16)?;
        sc.lit(b':')?;
        sc.int(16)?;
        sc.int(16)?;
        s.uid = sc.int(10)? as u32;
        n += 1;
        sc.int(10)?;
        s.ino = sc.int(10)? as u32;
        n += 1;
        s.refcnt = sc.int(10)? as u32 as i32;
        n += 1;
        s.sk = sc.int(16)?;
        n += 1;
        sc.space();
        s.opt = not_newline(sc.rest())?.to_vec();
        n += 1;
        Some(())
    };
    let _ = steps();
    if n < 9 {
        s.opt.clear();
    }
    s.items = n;
}
