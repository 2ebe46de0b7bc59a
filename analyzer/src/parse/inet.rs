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
use crate::parse::scan::{Scanner, dec_field, hex2, hex4, hex8};

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
    /// Rows handed out by [`TableParser::drain`] so far.
    drained: usize,
}

impl TableParser {
    /// A parser for one table; `min_items` as for [`parse`].
    pub fn new(order: ByteOrder, min_items: u8) -> Self {
        TableParser {
            table: InetTable::default(),
            order,
            min_items,
            lines: 0,
            drained: 0,
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

    /// Hands the rows parsed since the last call to `f` and forgets them, for a reader that
    /// consumes rows as they come instead of keeping the table. `f` may take the vector's
    /// contents (swapping in an empty vector, whose room the next rows use).
    pub fn drain(&mut self, f: impl FnOnce(&mut Vec<crate::model::InetRow>)) {
        self.drained += self.table.rows.len();
        f(&mut self.table.rows);
        self.table.rows.clear();
    }

    /// Bytes the table holds in memory so far; rows handed out by [`TableParser::drain`]
    /// count as held, so that a limit stops at the same row either way.
    pub fn held_bytes(&self) -> u64 {
        ((self.table.rows.len() + self.drained) * std::mem::size_of::<crate::model::InetRow>()
            + self.table.bogus_lines.len() * 4) as u64
    }

    /// The table.
    pub fn finish(self) -> InetTable {
        self.table
    }
}

/// Decodes one hex address as netstat does: up to 8 digits are one IPv4
/// word; more are four 8-digit words of an IPv6 address.
pub fn decode_addr(hex: &[u8], order: ByteOrder, v6: bool) -> Addr {
    decode_addr_onto(hex, order, v6, [0; 16])
}

/// [`decode_addr`], where the IPv6 words that the hex text is too short for
/// keep their bytes in `base`: netstat decodes both addresses of a row into
/// one `in6_addr` with `sscanf("%08X%08X%08X%08X")`, so a short remote
/// address keeps the words of the local one decoded just before.
pub fn decode_addr_onto(hex: &[u8], order: ByteOrder, v6: bool, base: [u8; 16]) -> Addr {
    let word = |digits: &[u8]| -> u32 {
        let mut s = Scanner::new(digits);
        s.int(16).map(|v| v as u32).unwrap_or(0)
    };
    let to_bytes = |w: u32| match order {
        ByteOrder::Little => w.to_le_bytes(),
        ByteOrder::Big => w.to_be_bytes(),
    };
    if v6 {
        let mut bytes = base;
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
///
/// Rows exactly in the kernel's layout take [`fast_row`]; every other row
/// goes through [`parse_row_scanned`], whose result is the same by
/// construction (and by the property test below).
pub fn parse_row(line: &[u8], order: ByteOrder) -> Option<InetRow> {
    match fast_row(line, order) {
        Some(row) => Some(row),
        None => parse_row_scanned(line, order),
    }
}

/// `N` bytes of `w` from `at`.
#[inline]
fn at<const N: usize>(w: &[u8], at: usize) -> Option<[u8; N]> {
    w.get(at..at + N)?.try_into().ok()
}

#[inline]
fn word_bytes(w: u32, order: ByteOrder) -> [u8; 4] {
    match order {
        ByteOrder::Little => w.to_le_bytes(),
        ByteOrder::Big => w.to_be_bytes(),
    }
}

/// Four 8-digit words of an IPv6 address from 32 hex digits.
#[inline]
fn hex_v6(w: &[u8], start: usize, order: ByteOrder) -> Option<Addr> {
    let mut bytes = [0u8; 16];
    for (i, dst) in bytes.chunks_exact_mut(4).enumerate() {
        dst.copy_from_slice(&word_bytes(hex8(at(w, start + 8 * i)?)?, order));
    }
    Some(Addr::v6(bytes))
}

/// The fast path: a row exactly as `tcp4_seq_show`, `tcp6_seq_show`,
/// `udp4_seq_show`, `raw_seq_show` and friends write it,
///
/// ```text
/// %4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu ...
/// ```
///
/// (32 hex digits per address for IPv6), with the slot, uid, timeout and
/// inode as space-padded unsigned decimals of at most 19 digits. `None` for
/// any other row, however small the difference: white space other than
/// `' '`, signs, `0x`, other widths, other separators, fewer fields. Within
/// that shape every `sscanf` conversion reads exactly its field (each field
/// ends at a separator that is not a digit of it), so the row equals the
/// `Scanner`'s with all 14 items converted.
pub fn fast_row(line: &[u8], order: ByteOrder) -> Option<InetRow> {
    // "%4d: " (the slot's value is not kept).
    let digits = line.iter().position(|&b| b != b' ')?;
    let rest = line.get(digits..)?;
    let n = rest.iter().position(|b| !b.is_ascii_digit())?;
    if n == 0 {
        return None;
    }
    let rest = rest.get(n..)?.strip_prefix(b": ")?;
    let mut row = InetRow::default();
    // Addresses and ports.
    let rest = if rest.get(8) == Some(&b':') {
        // "LLLLLLLL:PPPP RRRRRRRR:PPPP "
        let (w, rest) = rest.split_first_chunk::<28>()?;
        if w[8] != b':' || w[13] != b' ' || w[22] != b':' || w[27] != b' ' {
            return None;
        }
        row.local = Addr::v4(word_bytes(hex8(at(w, 0)?)?, order));
        row.local_port = hex4(at(w, 9)?)?;
        row.remote = Addr::v4(word_bytes(hex8(at(w, 14)?)?, order));
        row.remote_port = hex4(at(w, 23)?)?;
        rest
    } else {
        // The same with 32-digit addresses.
        let (w, rest) = rest.split_first_chunk::<76>()?;
        if w[32] != b':' || w[37] != b' ' || w[70] != b':' || w[75] != b' ' {
            return None;
        }
        row.local = hex_v6(w, 0, order)?;
        row.local_port = hex4(at(w, 33)?)?;
        row.remote = hex_v6(w, 38, order)?;
        row.remote_port = hex4(at(w, 71)?)?;
        rest
    };
    // "SS TTTTTTTT:RRRRRRRR TT:WWWWWWWW XXXXXXXX "
    let (w, rest) = rest.split_first_chunk::<42>()?;
    if w[2] != b' '
        || w[11] != b':'
        || w[20] != b' '
        || w[23] != b':'
        || w[32] != b' '
        || w[41] != b' '
    {
        return None;
    }
    row.state = hex2(at(w, 0)?)?;
    row.tx_queue = u64::from(hex8(at(w, 3)?)?);
    row.rx_queue = u64::from(hex8(at(w, 12)?)?);
    row.timer = hex2(at(w, 21)?)?;
    row.when = u64::from(hex8(at(w, 24)?)?);
    row.retransmits = u64::from(hex8(at(w, 33)?)?);
    // "%5u %8d %lu": whatever follows the inode is not converted.
    let (uid, rest) = dec_field(rest)?;
    let (timeout, rest) = dec_field(rest)?;
    let (inode, _) = dec_field(rest)?;
    row.uid = uid as i32;
    row.timeout = timeout as i32;
    row.inode = inode;
    row.items = 14;
    Some(row)
}

/// Parses one row with the [`Scanner`], one `sscanf` conversion at a time:
/// the reference for every row, and the path for rows the fast path does
/// not take.
pub fn parse_row_scanned(line: &[u8], order: ByteOrder) -> Option<InetRow> {
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
        row.remote = decode_addr_onto(remote_hex, order, v6, row.local.bytes);
    } else {
        row.remote = Addr {
            v6,
            ..Addr::default()
        };
    }
    Some(row)
}

#[cfg(test)]
pub(crate) mod tests {
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

    /// Rows as kernels wrote them (from fixtures and live machines): tcp
    /// (padded to 149 columns), tcp TIME_WAIT and SYN_RECV (the short forms),
    /// tcp6 with v4-mapped and native addresses, udp with its drops column,
    /// udplite, raw and raw6.
    const REAL_ROWS: &[&[u8]] = &[
        b"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1583 1 000000001e89566b 100 0 0 10 0                      ",
        b"   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000        3 12346 2 0000000000000000 20 4 30 10 -1",
        b"   5: 0100007F:1F90 0100007F:C350 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000",
        b"  13: 0A4D0001:9C4C 0A4D0002:1538 06 00000000:00000000 03:00001738 00000000     0        0 0 3 00000000da747f75                                      ",
        b"  15: 0A4D0001:0016 0A4D000C:9C51 03 00000000:00000000 01:000000C7 00000001     0        0 0 0 00000000e2aff649                                      ",
        b"  10: 01004D0A:0016 0C004D0A:9C51 03 00000000:00000000 01:00000000 00000000     0        0 0 0 000000004cf29061                                      ",
        b"   8: 0000000000000000FFFF000001004D0A:1F90 0000000000000000FFFF000002004D0A:9C44 01 00000000:00000000 00:00000000 00000000     0        0 588452 1 000000007aaf4085 20 0 0 10 -1",
        b"  11: 0000000000000000FFFF000001004D0A:9C4E 0000000000000000FFFF000002004D0A:1538 01 00000000:00000000 02:0000112E 00000000     0        0 588463 3 0000000030e5135f 20 0 0 10 -1",
        b"   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21432 1 0000000000000000 100 0 0 10 0",
        b"   3: 000080FE00000000FF5A2E02D2B8A1FE:C0DE 000080FE00000000ab5A2E02D2B8A1FE:0016 01 00000000:00000000 02:000A3F1C 00000000  1000        0 99120 2 0000000000000000 21 4 30 10 -1",
        b" 2653: 00000000:3039 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 160749 2 000000006b79fda5 0        ",
        b"  307: 00000000000000000000000000000000:270F 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 160750 2 000000006a16dc04 0",
        b"11692: 00000000:1388 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 160752 2 000000009be17cd0 0        ",
        b"13977: 0A4D0001:9C75 0A4D0002:138A 01 00000000:00000000 00:00000000 00000000 65534        0 160754 2 000000005716c726 12        ",
        b"   8: 00000000:0001 00000000:0000 07 00000000:00000340 00:00000000 00000000     0        0 160755 2 000000000c7680fe 0",
        b"  37: 0A4D0001:0011 0A4D0002:0000 01 00000000:00000D00 00:00000000 00000000     0        0 160758 2 000000006a522d50 0",
        b"   92: 00000000000000000000000000000000:003A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 160756 2 00000000ad65ae4c 0",
    ];

    #[test]
    fn fast_path_reads_kernel_rows_as_the_scanner_does() {
        for order in [ByteOrder::Little, ByteOrder::Big] {
            for (i, line) in REAL_ROWS.iter().enumerate() {
                let fast = fast_row(line, order);
                assert!(fast.is_some(), "row {i} missed the fast path");
                assert_eq!(fast, parse_row_scanned(line, order), "row {i}");
                assert_eq!(parse_row(line, order), fast);
            }
        }
        let tw = fast_row(REAL_ROWS[2], ByteOrder::Little);
        let tw = tw.unwrap_or_default();
        assert_eq!(tw.local.v4_bytes(), [127, 0, 0, 1]);
        assert_eq!((tw.local_port, tw.remote_port, tw.state), (8080, 50000, 6));
        assert_eq!((tw.timer, tw.when, tw.inode, tw.items), (3, 6000, 0, 14));
        let mapped = fast_row(REAL_ROWS[6], ByteOrder::Little).unwrap_or_default();
        assert!(mapped.local.is_v4_mapped() && mapped.remote.v6);
        assert_eq!(mapped.local.bytes[12..], [10, 77, 0, 1]);
        let syn = fast_row(REAL_ROWS[4], ByteOrder::Little).unwrap_or_default();
        assert_eq!(
            (syn.state, syn.timer, syn.when, syn.retransmits),
            (3, 1, 0xc7, 1)
        );
        let udp = fast_row(REAL_ROWS[13], ByteOrder::Little).unwrap_or_default();
        assert_eq!((udp.uid, udp.inode), (65534, 160754));
    }

    #[test]
    fn odd_rows_take_the_scanner() {
        let odd: &[&[u8]] = &[
            // Tab, sign, 0x prefix, long `when`, huge inode, short row,
            // mixed address widths, two spaces after the slot.
            b"   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002\t1000 3 12346",
            b"   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002    -1 3 12346",
            b"   1: 0100007F:0x40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000 3 12346",
            b"   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:1FFFFFFFF 00000002  1000 3 12346",
            b"   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000 3 123456789012345678901234",
            b"   1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8",
            b"   1: 0100007F:9C40 00000000000000000000000001000000:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000 3 1",
            b"   1:  0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000 3 1",
            b"  +1: 0100007F:9C40 0100007F:0CEA 01 0000000A:00000007 02:00000BB8 00000002  1000 3 1",
        ];
        for line in odd {
            assert_eq!(fast_row(line, ByteOrder::Little), None);
            assert_eq!(
                parse_row(line, ByteOrder::Little),
                parse_row_scanned(line, ByteOrder::Little)
            );
        }
        let r = parse_row(odd[4], ByteOrder::Little).unwrap_or_default();
        assert_eq!((r.inode, r.items), (u64::MAX, 14));
        let r = parse_row(odd[5], ByteOrder::Little).unwrap_or_default();
        assert_eq!(r.items, 10);
    }

    /// xorshift64*: deterministic, no crates.
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }

        /// A byte that matters to some conversion.
        fn byte(&mut self) -> u8 {
            const ALPHABET: &[u8] = b"0123456789abcdefABCDEF      ::++--xXxX\t\r\n\x0b\x0c\0gG@/.";
            ALPHABET[self.below(ALPHABET.len())]
        }

        /// `line` with one to four random edits: deleted, inserted or
        /// replaced bytes, long digit runs, a cut.
        pub(crate) fn mutate(&mut self, line: &[u8]) -> Vec<u8> {
            let mut v = line.to_vec();
            for _ in 0..1 + self.below(4) {
                let pos = self.below(v.len() + 1);
                match self.below(7) {
                    0 if pos < v.len() => {
                        v.remove(pos);
                    }
                    1 => v.insert(pos, self.byte()),
                    2 | 3 if pos < v.len() => v[pos] = self.byte(),
                    4 => {
                        let digits: &[u8] = if self.below(2) == 0 {
                            b"0123456789"
                        } else {
                            b"0123456789ABCDEFabcdef"
                        };
                        let run: Vec<u8> = (0..1 + self.below(40))
                            .map(|_| digits[self.below(digits.len())])
                            .collect();
                        v.splice(pos..pos, run);
                    }
                    5 => v.truncate(pos),
                    // A hex digit for a hex digit: keeps the shape.
                    _ if pos < v.len() && v[pos].is_ascii_hexdigit() => {
                        v[pos] = b"0123456789abcdefABCDEF"[self.below(22)];
                    }
                    _ => {}
                }
            }
            v
        }
    }

    #[test]
    fn fast_path_equals_scanner_on_mutated_rows() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        let (mut fast, mut cases) = (0, 0);
        for _ in 0..250_000 {
            let base = REAL_ROWS[rng.below(REAL_ROWS.len())];
            let line = rng.mutate(base);
            let order = if rng.below(2) == 0 {
                ByteOrder::Little
            } else {
                ByteOrder::Big
            };
            let want = parse_row_scanned(&line, order);
            if let Some(row) = fast_row(&line, order) {
                fast += 1;
                assert_eq!(Some(row), want, "{:?}", String::from_utf8_lossy(&line));
            }
            assert_eq!(parse_row(&line, order), want);
            cases += 1;
        }
        assert_eq!(cases, 250_000);
        // Both paths were exercised.
        assert!(fast > 25_000 && fast < 225_000, "{fast} on the fast path");
    }
}
