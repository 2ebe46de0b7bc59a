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
use crate::parse::scan::Scanner;

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

    /// The table.
    pub fn finish(self) -> UnixTable {
        self.table
    }
}

/// Parses one row; returns the row and the rest of the line after the inode
/// (the path as written, without the separating space).
pub fn parse_row(line: &[u8]) -> (UnixRow, &[u8]) {
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
}
