//! ss's 256-byte `fgets` buffer, simulated: what a line leaves behind stays
//! in the buffer for the next, and ss's parsing reads and writes past a
//! short line's end; which bytes were never written is tracked so that
//! reading them gives a diagnostic instead of invented data.

use crate::parse::scan::{Scanner, is_space};

/// Size of ss's line buffers.
pub(super) const SIZE: usize = 256;

/// A `char buf[256]` that `fgets` fills.
pub(super) struct CBuf {
    bytes: [u8; SIZE],
    /// Bytes `0..written` have been written at least once.
    written: usize,
    /// Whether something read a byte never written (or past the buffer)
    /// since the last [`CBuf::take_stray`].
    stray: bool,
}

impl CBuf {
    pub(super) fn new() -> Self {
        CBuf {
            bytes: [0; SIZE],
            written: 0,
            stray: false,
        }
    }

    /// `fgets(buf, 256, fp)` over `input`: copies up to 255 bytes, through
    /// the first newline, and a NUL after them. Returns the input left, or
    /// `None` at the end of the input (the buffer is then untouched).
    pub(super) fn fgets<'a>(&mut self, input: &'a [u8]) -> Option<&'a [u8]> {
        if input.is_empty() {
            return None;
        }
        let window = input.get(..SIZE - 1).unwrap_or(input);
        let n = window
            .iter()
            .position(|&b| b == b'\n')
            .map_or(window.len(), |i| i + 1);
        let piece = window.get(..n).unwrap_or(window);
        if let Some(dst) = self.bytes.get_mut(..n) {
            dst.copy_from_slice(piece);
        }
        if let Some(b) = self.bytes.get_mut(n) {
            *b = 0;
        }
        self.written = self.written.max(n + 1);
        Some(input.get(n..).unwrap_or(&[]))
    }

    /// The byte at `i`; one never written, or past the buffer, reads as NUL
    /// and is noted.
    pub(super) fn get(&mut self, i: usize) -> u8 {
        if i >= self.written {
            self.stray = true;
            return 0;
        }
        self.bytes.get(i).copied().unwrap_or(0)
    }

    /// Writes `b` at `i`; past the buffer it is noted and dropped.
    pub(super) fn set(&mut self, i: usize, b: u8) {
        match self.bytes.get_mut(i) {
            Some(slot) => {
                *slot = b;
                // The tracking is by prefix: a byte written further on
                // still reads as stray.
                if i == self.written {
                    self.written += 1;
                }
            }
            None => self.stray = true,
        }
    }

    /// `strlen(buf + from)`.
    pub(super) fn strlen(&mut self, from: usize) -> usize {
        let mut i = from;
        while self.get(i) != 0 {
            i += 1;
        }
        i - from
    }

    /// `strchr(buf + from, c)`: the index of the first `c` before the end
    /// of the C string.
    pub(super) fn strchr(&mut self, from: usize, c: u8) -> Option<usize> {
        let mut i = from;
        loop {
            let b = self.get(i);
            if b == c {
                return Some(i);
            }
            if b == 0 {
                return None;
            }
            i += 1;
        }
    }

    /// The C string at `from` (without its NUL).
    pub(super) fn cstr(&mut self, from: usize) -> Vec<u8> {
        let n = self.strlen(from);
        (from..from + n).map(|i| self.get(i)).collect()
    }

    /// The first `n` bytes as `memcmp` sees them.
    pub(super) fn starts_with(&mut self, prefix: &[u8]) -> bool {
        prefix.iter().enumerate().all(|(i, &b)| self.get(i) == b)
    }

    /// Whether a stray byte was read since the last call; clears the note.
    pub(super) fn take_stray(&mut self) -> bool {
        std::mem::take(&mut self.stray)
    }
}

/// A `%Nx`-style conversion with a maximum field width (`%08x`): white
/// space skipped first (not counted), then at most `width` bytes of sign,
/// `0x` prefix and digits. Returns the value (modulo 2^64, negated for
/// `-`, saturated on overflow) and the bytes left.
pub(super) fn int_width(input: &[u8], radix: u32, width: usize) -> Option<(u64, &[u8])> {
    let skip = input
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(input.len());
    let start = input.get(skip..).unwrap_or(&[]);
    let field = start.get(..width).unwrap_or(start);
    let mut s = Scanner::new(field);
    let v = s.int(radix)?;
    let used = field.len() - s.rest().len();
    Some((v, start.get(used..).unwrap_or(&[])))
}

/// `%[^\n]`: one or more bytes up to a newline.
pub(super) fn not_newline(input: &[u8]) -> Option<&[u8]> {
    let n = input
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(input.len());
    (n > 0).then(|| input.get(..n).unwrap_or(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fgets_keeps_what_a_longer_line_left() {
        let mut b = CBuf::new();
        let rest = b.fgets(b"abcdef\nxy\n").unwrap_or_default();
        assert_eq!(b.cstr(0), b"abcdef\n");
        b.fgets(rest);
        assert_eq!(b.cstr(0), b"xy\n");
        // Past the NUL lies the first line's tail.
        assert_eq!(b.cstr(4), b"ef\n");
        assert!(!b.take_stray());
        assert_eq!(b.get(9), 0);
        assert!(b.take_stray());
    }

    #[test]
    fn widths() {
        assert_eq!(
            int_width(b"  0000000100000000", 16, 8),
            Some((1, &b"00000000"[..]))
        );
        assert_eq!(int_width(b"zz", 16, 8), None);
    }
}
