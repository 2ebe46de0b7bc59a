//! Parsers: one module per file format, each a pure function from bytes to
//! typed rows plus diagnostics.
//!
//! Parsers never fail: a row they cannot read becomes a [`Diagnostic`] (or a
//! row marked the way netstat would treat it) and parsing goes on.

pub mod cmdline;
pub mod etc;
pub mod fd;
pub mod igmp;
pub mod inet;
pub mod manifest;
pub mod scan;
pub mod sctp;
pub mod snmp;
pub mod stat;
pub mod unix;

/// Splits a file into the lines netstat's `fgets(buffer, size)` loop sees.
///
/// Each item is one `fgets` result: at most `size - 1` bytes, ending at a
/// newline (kept out of the item) or at the chunk limit, and cut at its first
/// NUL byte, since netstat then treats it as a C string.
/// The second value tells whether the line ended with a newline.
pub fn fgets_lines(input: &[u8], size: usize) -> FgetsLines<'_> {
    FgetsLines {
        rest: input,
        max: size.saturating_sub(1).max(1),
    }
}

/// Iterator returned by [`fgets_lines`].
#[derive(Debug, Clone)]
pub struct FgetsLines<'a> {
    rest: &'a [u8],
    max: usize,
}

impl<'a> Iterator for FgetsLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let window = self.rest.get(..self.max).unwrap_or(self.rest);
        let (chunk, consumed) = match window.iter().position(|&b| b == b'\n') {
            Some(nl) => (window.get(..nl).unwrap_or(window), nl + 1),
            None => (window, window.len()),
        };
        self.rest = self.rest.get(consumed..).unwrap_or(&[]);
        let chunk = match chunk.iter().position(|&b| b == 0) {
            Some(nul) => chunk.get(..nul).unwrap_or(chunk),
            None => chunk,
        };
        Some(chunk)
    }
}

/// Plain newline-separated lines (for files read by glibc's line parsers,
/// such as `/etc/hosts`), without the newline.
pub fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let trimmed = input.strip_suffix(b"\n").unwrap_or(input);
    let empty = input.is_empty();
    trimmed.split(|&b| b == b'\n').filter(move |_| !empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fgets_splits_long_lines_and_cuts_at_nul() {
        let v: Vec<&[u8]> = fgets_lines(b"abcdef\nxy\0z\nq", 4).collect();
        assert_eq!(v, vec![&b"abc"[..], b"def", b"", b"xy", b"z", b"q"]);
    }

    #[test]
    fn lines_of_empty_input() {
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"a\nb\n").collect::<Vec<_>>(), vec![&b"a"[..], b"b"]);
    }
}
pub mod ifaces;
pub mod route;
