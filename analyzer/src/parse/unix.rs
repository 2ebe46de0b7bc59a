//! `/proc/net/unix`. Example (Linux 6.x):
//!
//! ```text
//! Num       RefCount Protocol Flags    Type St Inode Path
//! 0000000000000000: 00000002 00000000 00010000 0001 01 23456 /run/systemd/private
//! ```
//!
//! netstat reads rows with `%p: %lX %lX %lX %X %X %lu %s` and rejects a row
//! converting fewer than 6 items. The model keeps the whole path as the
//! kernel wrote it (spaces included); netstat shows only its first word.

use crate::model::{UnixRow, UnixTable};
use crate::parse::fgets_lines;
use crate::parse::inet::LINE_BUFFER;
use crate::parse::scan::{Scanner, dec_field, hex2, hex4, hex8, is_space};

/// Parses the table.
pub fn parse(input: &[u8]) -> UnixTable {
    let mut p = TableParser::default();
    p.feed(input);
    p.finish()
}

/// Parses the table as it arrives in pieces; every piece but the last must
/// end at a line boundary (after a `\n`).
#[derive(Debug, Default)]
pub struct TableParser {
    table: UnixTable,
    /// Lines seen so far (the header is line 1).
    lines: usize,
}

impl TableParser {
    /// Parses the whole lines in `piece`.
    pub fn feed(&mut self, piece: &[u8]) {
        let table = &mut self.table;
        for line in fgets_lines(piece, LINE_BUFFER) {
            self.lines += 1;
            if self.lines == 1 {
                table.has_inode = line.windows(5).any(|w| w == b"Inode");
                continue;
            }
            let lineno = u32::try_from(self.lines).unwrap_or(u32::MAX);
            let (mut row, path) = parse_row(line);
            if row.items < 6 {
                table.bogus_lines.push(lineno);
                continue;
            }
            row.line = lineno;
            let start = u32::try_from(table.text.len()).unwrap_or(u32::MAX);
            table.text.extend_from_slice(path);
            row.path = (start, u32::try_from(path.len()).unwrap_or(0));
            table.rows.push(row);
        }
    }

    /// Bytes the table holds in memory so far.
    pub fn held_bytes(&self) -> u64 {
        (self.table.rows.len() * std::mem::size_of::<crate::model::UnixRow>()
            + self.table.bogus_lines.len() * 4) as u64
            + self.table.text.len() as u64
    }

    /// The table.
    pub fn finish(self) -> UnixTable {
        self.table
    }
}

/// Parses one row; returns the row and the rest of the line after the inode
/// (the path as written, without the separating space).
///
/// Rows exactly in the kernel's layout take [`fast_row`], all others
/// [`parse_row_scanned`]; both give the same result.
pub fn parse_row(line: &[u8]) -> (UnixRow, &[u8]) {
    match fast_row(line) {
        Some(r) => r,
        None => parse_row_scanned(line),
    }
}

/// `N` bytes of `w` from `at`.
#[inline]
fn at<const N: usize>(w: &[u8], at: usize) -> Option<[u8; N]> {
    w.get(at..at + N)?.try_into().ok()
}

/// The fast path: a row exactly as `unix_seq_show` writes it,
///
/// ```text
/// %pK: %08X %08X %08X %04X %02X %5lu[ path]
/// ```
///
/// the pointer being any run of hex digits and the inode a space-padded
/// decimal of at most 19 digits. `None` for any other row (white space other
/// than `' '`, signs, `0x`, other widths); those take the `Scanner`. Within
/// that shape each conversion reads exactly its field, so the result is the
/// `Scanner`'s.
pub fn fast_row(line: &[u8]) -> Option<(UnixRow, &[u8])> {
    let n = line.iter().position(|b| !b.is_ascii_hexdigit())?;
    if n == 0 {
        return None;
    }
    let rest = line.get(n..)?.strip_prefix(b": ")?;
    // "RRRRRRRR PPPPPPPP FFFFFFFF TTTT SS "
    let (w, rest) = rest.split_first_chunk::<35>()?;
    if w[8] != b' ' || w[17] != b' ' || w[26] != b' ' || w[31] != b' ' || w[34] != b' ' {
        return None;
    }
    let mut row = UnixRow {
        refcnt: u64::from(hex8(at(w, 0)?)?),
        protocol: u64::from(hex8(at(w, 9)?)?),
        flags: u64::from(hex8(at(w, 18)?)?),
        sock_type: hex4(at(w, 27)?)?,
        state: hex2(at(w, 32)?)?,
        ..UnixRow::default()
    };
    let (inode, rest) = dec_field(rest)?;
    row.inode = inode;
    // The `%s` after the inode converts when anything but white space is
    // left; the path is then the rest after the kernel's one space.
    if rest.iter().all(|&b| is_space(b)) {
        row.items = 7;
        return Some((row, &[]));
    }
    row.items = 8;
    Some((row, rest.strip_prefix(b" ").unwrap_or(rest)))
}

/// Parses one row with the [`Scanner`], one `sscanf` conversion at a time:
/// the reference for every row, and the path for rows the fast path does
/// not take.
pub fn parse_row_scanned(line: &[u8]) -> (UnixRow, &[u8]) {
    let mut s = Scanner::new(line);
    let mut row = UnixRow::default();
    let mut items = 0u8;
    let mut path: &[u8] = &[];
    let mut steps = || -> Option<()> {
        s.int(16)?;
        items += 1;
        s.lit(b':')?;
        row.refcnt = s.int(16)?;
        items += 1;
        row.protocol = s.int(16)?;
        items += 1;
        row.flags = s.int(16)?;
        items += 1;
        row.sock_type = s.int(16)? as u32;
        items += 1;
        row.state = s.int(16)? as u32;
        items += 1;
        row.inode = s.int(10)?;
        items += 1;
        let rest = s.rest();
        // The kernel separates the path with one space.
        path = rest.strip_prefix(b" ").unwrap_or(rest);
        let mut probe = s;
        probe.word()?;
        items += 1;
        Some(())
    };
    let _ = steps();
    row.items = items;
    if items < 8 {
        path = &[];
    }
    (row, path)
}

/// The path as netstat prints it: the first white-space-delimited word.
pub fn netstat_path(path: &[u8]) -> &[u8] {
    let mut s = Scanner::new(path);
    s.word().unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_whole_paths() {
        let t = parse(b"Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 23456 /tmp/a b\n0000000000000000: 00000003 00000000 00000000 0001 03 23457\nshort\n");
        assert!(t.has_inode);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.bogus_lines, vec![4]);
        assert_eq!(t.path(&t.rows[0]), b"/tmp/a b");
        assert_eq!(netstat_path(t.path(&t.rows[0])), b"/tmp/a");
        assert_eq!(t.rows[0].flags, 0x10000);
        assert_eq!(t.path(&t.rows[1]), b"");
        assert_eq!(t.rows[1].items, 7);
    }

    /// Rows as kernels wrote them: 64- and 32-bit pointers, listening and
    /// connected sockets, no path, abstract names, paths with one and two
    /// spaces and with a tab.
    const REAL_ROWS: &[&[u8]] = &[
        b"00000000a65dfefb: 00000003 00000000 00000000 0001 03 2740840",
        b"00000000aaeac032: 00000003 00000000 00000000 0001 03  1579",
        b"0000000000000000: 00000002 00000000 00010000 0001 01 23456 /run/systemd/private",
        b"0000000021026128: 00000003 00000000 00000000 0001 03 181512 @netsnap-abstract-stream",
        b"00000000ee963c35: 00000002 00000000 00010000 0001 01 181531 /tmp/nsnap-unix/with space.sock",
        b"0000000025d2e135: 00000002 00000000 00000000 0002 01 181534 /tmp/nsnap-unix/dgram with  two spaces",
        b"000000008e192c7d: 00000002 00000000 00010000 0001 01 181533 /tmp/nsnap-unix/tab\there.sock",
        b"00000000a24200cc: 00000003 00000000 00000000 0001 02     0 /tmp/nsnap-unix/with space.sock",
        b"c7a3e1c0: 00000002 00000000 00000000 0005 01 18203 @/tmp/.X11-unix/X0",
        b"ffff8a0c3b7e4400: 0000000C 00000000 00000000 0002 01 11021 /run/systemd/journal/dev-log",
    ];

    #[test]
    fn fast_path_reads_kernel_rows_as_the_scanner_does() {
        for (i, line) in REAL_ROWS.iter().enumerate() {
            let fast = fast_row(line);
            assert!(fast.is_some(), "row {i} missed the fast path");
            assert_eq!(fast, Some(parse_row_scanned(line)), "row {i}");
        }
        let (row, path) = fast_row(REAL_ROWS[5]).unwrap_or_default();
        assert_eq!(path, b"/tmp/nsnap-unix/dgram with  two spaces");
        assert_eq!(
            (row.sock_type, row.state, row.inode, row.items),
            (2, 1, 181534, 8)
        );
        let (row, path) = fast_row(REAL_ROWS[1]).unwrap_or_default();
        assert_eq!((path, row.inode, row.items), (&b""[..], 1579, 7));
        let (row, _) = fast_row(REAL_ROWS[9]).unwrap_or_default();
        assert_eq!(row.refcnt, 12);
        // Odd rows: the Scanner's.
        for line in [
            &b"0x00000000: 00000002 00000000 00010000 0001 01 23456 /a"[..],
            b"00000000: 00000002 00000000 00010000 0001 01\t23456 /a",
            b"00000000: 00000002 00000000 00010000 0001 01 -23456 /a",
            b"00000000: 00000002 00000000 00010000 1 01 23456 /a",
            b"00000000: 00000002 00000000 00010000 0001 01 23456   \t ",
        ] {
            let fast = fast_row(line);
            assert!(fast.is_none() || line.ends_with(b"\t "));
            assert_eq!(parse_row(line), parse_row_scanned(line));
        }
    }

    #[test]
    fn fast_path_equals_scanner_on_mutated_rows() {
        let mut rng = crate::parse::inet::tests::Rng(0xfeed_face_dead_beef);
        let mut fast = 0;
        for _ in 0..250_000 {
            let base = REAL_ROWS[rng.below(REAL_ROWS.len())];
            let line = rng.mutate(base);
            let want = parse_row_scanned(&line);
            if let Some(got) = fast_row(&line) {
                fast += 1;
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&line));
            }
            assert_eq!(parse_row(&line), want);
        }
        assert!(fast > 25_000 && fast < 225_000, "{fast} on the fast path");
    }
}
