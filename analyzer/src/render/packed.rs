//! Internet socket rows kept packed while they wait for their `-p` column.
//!
//! A listing with `-p` can only be printed once the processes are read, and they come after the
//! socket tables in a snapshot. [`crate::render::inet::Prerender`] keeps the rows it gets until
//! then: packed here, each row in about 20 bytes (a v4 row from the last row's local address; 32
//! for v6), where its text takes about 100. Only the columns the view prints are kept, and a local
//! address only when it is not the last row's; [`Packer::unpack`] gives back a row that prints the
//! same in that view.

use crate::model::{Addr, InetRow};
use crate::netstat::args::NetstatOptions;

/// Packs and unpacks the rows of one view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Packer {
    /// The view prints the owner (`-ee`).
    uid: bool,
    /// The view prints the timer (`-o`).
    timers: bool,
}

/// Flag bits of a packed row's first byte.
const LOCAL_V6: u8 = 1;
const LOCAL_WIDE: u8 = 2;
const REMOTE_V6: u8 = 4;
const REMOTE_WIDE: u8 = 8;
/// The local address is the last row's (a machine has few), and is left out.
const LOCAL_SAME: u8 = 16;

/// Where a reading of packed rows is: its next byte, and the local address of the row before.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Cursor {
    pub(crate) at: usize,
    local: Option<Addr>,
}

impl Packer {
    /// The packer for rows printed with `opts`.
    pub(crate) fn new(opts: &NetstatOptions) -> Self {
        Packer {
            uid: opts.extend > 1,
            timers: opts.timers > 0,
        }
    }

    /// Appends `row`, packed, to `out`; `last` is the local address of the row packed before
    /// it in `out` (`None` for the first), and becomes this row's.
    pub(crate) fn pack(&self, out: &mut Vec<u8>, row: &InetRow, last: &mut Option<Addr>) {
        // An address takes 4 bytes when it is IPv4 and its other 12 bytes are zero (always, as
        // parsed), else 16; the local one none when it is the last row's.
        let wide = |a: &Addr| a.v6 || a.bytes[4..] != [0; 12];
        let same = *last == Some(row.local);
        let (lw, rw) = (wide(&row.local), wide(&row.remote));
        let mut flags = 0;
        for (on, bit) in [
            (same, LOCAL_SAME),
            (!same && row.local.v6, LOCAL_V6),
            (!same && lw, LOCAL_WIDE),
            (row.remote.v6, REMOTE_V6),
            (rw, REMOTE_WIDE),
        ] {
            if on {
                flags |= bit;
            }
        }
        out.push(flags);
        if !same {
            out.extend_from_slice(&row.local.bytes[..if lw { 16 } else { 4 }]);
            *last = Some(row.local);
        }
        out.extend_from_slice(&row.remote.bytes[..if rw { 16 } else { 4 }]);
        for v in [
            u64::from(row.local_port),
            u64::from(row.remote_port),
            u64::from(row.state),
            row.rx_queue,
            row.tx_queue,
            row.inode,
        ] {
            put_varint(out, v);
        }
        if self.uid {
            put_varint(out, zigzag(row.uid));
        }
        if self.timers {
            for v in [
                u64::from(row.timer),
                row.when,
                row.retransmits,
                zigzag(row.timeout),
            ] {
                put_varint(out, v);
            }
        }
    }

    /// The next row of `packed` from `cur` (moved past it); `None` at the end. Columns the view
    /// does not print are 0, and so are `items` and `line`.
    #[cfg(test)]
    pub(crate) fn unpack(&self, packed: &[u8], cur: &mut Cursor) -> Option<InetRow> {
        let mut row = InetRow::default();
        self.unpack_into(packed, cur, &mut row).then_some(row)
    }

    /// Reads the next row of `packed` from `cur` into `row` (and moves `cur` past it); `false`
    /// at the end. The columns the view does not print are left as they are.
    #[inline]
    pub(crate) fn unpack_into(&self, packed: &[u8], cur: &mut Cursor, row: &mut InetRow) -> bool {
        self.read(
            &mut Reader {
                b: packed,
                at: cur.at,
            },
            cur.local,
            row,
        )
        .map(|end| {
            cur.at = end;
            cur.local = Some(row.local);
        })
        .is_some()
    }

    #[inline]
    fn read(&self, r: &mut Reader<'_>, last: Option<Addr>, row: &mut InetRow) -> Option<usize> {
        let flags = r.byte()?;
        row.local = if flags & LOCAL_SAME != 0 {
            last?
        } else {
            r.addr(flags & LOCAL_V6 != 0, flags & LOCAL_WIDE != 0)?
        };
        row.remote = r.addr(flags & REMOTE_V6 != 0, flags & REMOTE_WIDE != 0)?;
        row.local_port = r.varint()? as u32;
        row.remote_port = r.varint()? as u32;
        row.state = r.varint()? as u32;
        row.rx_queue = r.varint()?;
        row.tx_queue = r.varint()?;
        row.inode = r.varint()?;
        if self.uid {
            row.uid = unzigzag(r.varint()?);
        }
        if self.timers {
            row.timer = r.varint()? as u32;
            row.when = r.varint()?;
            row.retransmits = r.varint()?;
            row.timeout = unzigzag(r.varint()?);
        }
        Some(r.at)
    }
}

/// Appends `v` in 7-bit groups, low first, the high bit saying that more follow.
#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A signed value as an unsigned one, small either side of zero.
fn zigzag(v: i32) -> u64 {
    u64::from(((v << 1) ^ (v >> 31)) as u32)
}

fn unzigzag(v: u64) -> i32 {
    let v = v as u32;
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

/// Reads packed bytes; every read is `None` past the end.
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    #[inline]
    fn addr(&mut self, v6: bool, wide: bool) -> Option<Addr> {
        let n = if wide { 16 } else { 4 };
        let src = self.b.get(self.at..self.at + n)?;
        self.at += n;
        let mut bytes = [0u8; 16];
        bytes[..n].copy_from_slice(src);
        Some(Addr { bytes, v6 })
    }

    #[inline]
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b < 0x80 {
                return Some(v);
            }
            shift += 7;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::Rng;

    /// Small values mostly, and the extremes now and then.
    fn value(rng: &mut Rng) -> u64 {
        match rng.below(6) {
            0 => 0,
            1 => u64::MAX,
            2 => rng.next(),
            3 => rng.below(300),
            _ => rng.next() >> rng.below(64),
        }
    }

    fn addr(rng: &mut Rng) -> Addr {
        let mut bytes = [0u8; 16];
        let n = [4, 16, 16][rng.below(3) as usize];
        for b in bytes.iter_mut().take(n) {
            *b = rng.next() as u8;
        }
        Addr {
            bytes,
            v6: rng.next().is_multiple_of(2),
        }
    }

    fn row(rng: &mut Rng) -> InetRow {
        // Half the rows from one of a few local addresses (then often the last row's).
        let local = match rng.below(6) {
            0 => Addr::v4([10, 0, 0, 1]),
            1 => Addr::v6([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            2 => Addr {
                bytes: [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                v6: false,
            },
            _ => addr(rng),
        };
        InetRow {
            local,
            remote: addr(rng),
            local_port: value(rng) as u32,
            remote_port: value(rng) as u32,
            state: value(rng) as u32,
            tx_queue: value(rng),
            rx_queue: value(rng),
            timer: value(rng) as u32,
            when: value(rng),
            retransmits: value(rng),
            uid: value(rng) as i32,
            timeout: value(rng) as i32,
            inode: value(rng),
            items: 14,
            line: 7,
        }
    }

    /// The columns `p` keeps, the others zero.
    fn kept(p: Packer, r: &InetRow) -> InetRow {
        let mut want = InetRow {
            items: 0,
            line: 0,
            ..*r
        };
        if !p.uid {
            want.uid = 0;
        }
        if !p.timers {
            (want.timer, want.when, want.retransmits, want.timeout) = (0, 0, 0, 0);
        }
        want
    }

    #[test]
    fn rows_come_back_as_they_went_in() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for (uid, timers) in [(false, false), (true, false), (false, true), (true, true)] {
            let p = Packer { uid, timers };
            let rows: Vec<InetRow> = (0..5000).map(|_| row(&mut rng)).collect();
            let mut packed = Vec::new();
            let mut last = None;
            for r in &rows {
                p.pack(&mut packed, r, &mut last);
            }
            let mut cur = Cursor::default();
            for r in &rows {
                assert_eq!(p.unpack(&packed, &mut cur), Some(kept(p, r)));
            }
            assert_eq!(cur.at, packed.len());
            assert_eq!(p.unpack(&packed, &mut cur), None);
        }
    }

    #[test]
    fn a_cut_row_is_none() {
        let mut rng = Rng(7);
        let p = Packer {
            uid: true,
            timers: true,
        };
        let r = row(&mut rng);
        let mut packed = Vec::new();
        p.pack(&mut packed, &r, &mut None);
        for cut in 0..packed.len() {
            let mut cur = Cursor::default();
            assert_eq!(p.unpack(&packed[..cut], &mut cur), None, "{cut}");
            assert_eq!(cur.at, 0);
        }
    }

    #[test]
    fn a_v4_row_is_small() {
        let p = Packer {
            uid: false,
            timers: false,
        };
        let r = InetRow {
            local: Addr::v4([10, 77, 0, 1]),
            remote: Addr::v4([10, 81, 78, 132]),
            local_port: 10963,
            remote_port: 34412,
            state: 2,
            inode: 2_345_678,
            ..InetRow::default()
        };
        let mut packed = Vec::new();
        let mut last = None;
        p.pack(&mut packed, &r, &mut last);
        // Flags, addresses, ports (2 and 3 bytes), state, queues, inode (22 bits).
        assert_eq!(packed.len(), 1 + 8 + 2 + 3 + 1 + 1 + 1 + 4);
        // The next row from the same local address leaves it out.
        p.pack(&mut packed, &r, &mut last);
        assert_eq!(packed.len(), 2 * (1 + 8 + 2 + 3 + 1 + 1 + 1 + 4) - 4);
    }
}
