//! `/proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}`: one format
//! family. Example row (tcp, Linux 6.x):
//!
//! ```text
//!    0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
//! ```
//!
//! Rows are read as netstat 2.10 reads them: with the conversions
//! `%d: %64[hex]:%X %64[hex]:%X %X %lX:%lX %X:%lX %lX %d %d %lu`, a row being
//! bogus when fewer than `min_items` of them convert (11 for tcp, 10 for the
//! others). Addresses longer than 8 hex digits are IPv6, whichever file they
//! come from; each 8-digit group is a 32-bit word in the source's byte order.

use crate::model::{Addr, ByteOrder, InetRow, InetTable};
use crate::parse::fgets_lines;
use crate::parse::scan::Scanner;

/// netstat's line buffer for these tables.
pub const LINE_BUFFER: usize = 8192;

/// Parses one table. `min_items` is 11 for tcp and 10 for udp, udplite and raw.
pub fn parse(input: &[u8], order: ByteOrder, min_items: u8) -> InetTable {
    let mut p = TableParser::new(order, min_items);
    p.feed(input);
    p.finish()
}

/// Parses a table that arrives in pieces (as the archive is inflated).
/// Every piece but the last must end at a line boundary (after a `\n`), so
/// that the pieces split into the same lines as the whole file.
#[derive(Debug)]
pub struct TableParser {
    table: InetTable,
    order: ByteOrder,
    min_items: u8,
    /// Lines seen so far (the header is line 1).
    lines: usize,
}

impl TableParser {
    /// A parser for one table; `min_items` as for [`parse`].
    pub fn new(order: ByteOrder, min_items: u8) -> Self {
        TableParser {
            table: InetTable::default(),
            order,
            min_items,
            lines: 0,
        }
    }

    /// Parses the whole lines in `piece`.
    pub fn feed(&mut self, piece: &[u8]) {
        for line in fgets_lines(piece, LINE_BUFFER) {
            self.lines += 1;
            if self.lines == 1 {
                continue;
            }
            let lineno = u32::try_from(self.lines).unwrap_or(u32::MAX);
            match parse_row(line, self.order) {
                Some(mut row) if row.items >= self.min_items => {
                    row.line = lineno;
                    self.table.rows.push(row);
                }
                _ => self.table.bogus_lines.push(lineno),
            }
        }
    }

    /// The table.
    pub fn finish(self) -> InetTable {
        self.table
    }
}

/// Decodes one hex address as netstat does: up to 8 digits are one IPv4
/// word; more are four 8-digit words of an IPv6 address.
pub fn decode_addr(hex: &[u8], order: ByteOrder, v6: bool) -> Addr {
    let word = |digits: &[u8]| -> u32 {
        let mut s = Scanner::new(digits);
        s.int(16).map(|v| v as u32).unwrap_or(0)
    };
    let to_bytes = |w: u32| match order {
        ByteOrder::Little => w.to_le_bytes(),
        ByteOrder::Big => w.to_be_bytes(),
    };
    if v6 {
        let mut bytes = [0u8; 16];
        for (i, chunk) in hex.chunks(8).take(4).enumerate() {
            let b = to_bytes(word(chunk));
            if let Some(dst) = bytes.get_mut(i * 4..i * 4 + 4) {
                dst.copy_from_slice(&b);
            }
        }
        Addr::v6(bytes)
    } else {
        Addr::v4(to_bytes(word(hex)))
    }
}

/// Parses one row; `None` when not even the slot number converts.
pub fn parse_row(line: &[u8], order: ByteOrder) -> Option<InetRow> {
    let mut s = Scanner::new(line);
    let mut row = InetRow::default();
    let mut local_hex: &[u8] = &[];
    let mut remote_hex: &[u8] = &[];
    let mut items = 0u8;
    // Each step converts one item; the first failure ends the row.
    let mut steps = || -> Option<()> {
        s.int(10)?;
        items += 1;
        s.lit(b':')?;
        s.space();
        local_hex = s.hex_set(64)?;
        items += 1;
        s.lit(b':')?;
        row.local_port = s.int(16)? as u32;
        items += 1;
        s.space();
        remote_hex = s.hex_set(64)?;
        items += 1;
        s.lit(b':')?;
        row.remote_port = s.int(16)? as u32;
        items += 1;
        row.state = s.int(16)? as u32;
        items += 1;
        row.tx_queue = s.int(16)?;
        items += 1;
        s.lit(b':')?;
        row.rx_queue = s.int(16)?;
        items += 1;
        row.timer = s.int(16)? as u32;
        items += 1;
        s.lit(b':')?;
        row.when = s.int(16)?;
        items += 1;
        row.retransmits = s.int(16)?;
        items += 1;
        row.uid = s.int(10)? as i32;
        items += 1;
        row.timeout = s.int(10)? as i32;
        items += 1;
        row.inode = s.int(10)?;
        items += 1;
        Some(())
    };
    let _ = steps();
    if items == 0 {
        return None;
    }
    row.items = items;
    let v6 = local_hex.len() > 8;
    if items >= 2 {
        row.local = decode_addr(local_hex, order, v6);
    }
    if items >= 4 {
        row.remote = decode_addr(remote_hex, order, v6);
    } else {
        row.remote = Addr {
            v6,
            ..Addr::default()
        };
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Header and rows from /proc/net/tcp and tcp6 on Linux 6.18.
    const TCP: &[u8] = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000        3 12346 2 0000000000000000 20 4 30 10 -1\nbogus\n";

    #[test]
    fn reads_rows_and_flags_bogus_lines() {
        let t = parse(TCP, ByteOrder::Little, 11);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.bogus_lines, vec![4]);
        let r = &t.rows[1];
        assert_eq!(r.local.v4_bytes(), [127, 0, 0, 1]);
        assert_eq!(r.local_port, 0x9c40);
        assert_eq!(r.remote_port, 3306);
        assert_eq!(r.state, 1);
        assert_eq!((r.tx_queue, r.rx_queue), (10, 7));
        assert_eq!((r.timer, r.when, r.retransmits), (2, 3000, 2));
        assert_eq!((r.uid, r.timeout, r.inode), (1000, 3, 12346));
        assert_eq!(r.items, 14);
        assert_eq!(r.line, 3);
    }

    #[test]
    fn decodes_ipv6_words_in_source_byte_order() {
        let le = decode_addr(b"00000000000000000000000001000000", ByteOrder::Little, true);
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(le, Addr::v6(one));
        let be = decode_addr(b"00000000000000000000000000000001", ByteOrder::Big, true);
        assert_eq!(be, Addr::v6(one));
        assert_eq!(
            decode_addr(b"7F000001", ByteOrder::Big, false).v4_bytes(),
            [127, 0, 0, 1]
        );
    }
}
