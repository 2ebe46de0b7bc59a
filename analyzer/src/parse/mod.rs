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
pub mod ss;
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
        // One pass for both stops: the line ends at the newline, the C string
        // at the first NUL, whichever comes first.
        let (chunk, consumed) = match find_newline_or_nul(window) {
            None => (window, window.len()),
            Some(k) => {
                let chunk = window.get(..k).unwrap_or(window);
                if window.get(k) == Some(&b'\n') {
                    (chunk, k + 1)
                } else {
                    let after = window.get(k..).unwrap_or(&[]);
                    match after.iter().position(|&b| b == b'\n') {
                        Some(nl) => (chunk, k + nl + 1),
                        None => (chunk, window.len()),
                    }
                }
            }
        };
        self.rest = self.rest.get(consumed..).unwrap_or(&[]);
        Some(chunk)
    }
}

/// Index of the first `\n` or NUL in `hay` (a byte loop over the table text was most of a
/// table parser's time; `memchr2` looks at 32 bytes at a time where the CPU allows).
fn find_newline_or_nul(hay: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', 0, hay)
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

    /// `fgets_lines` as it was before the word-at-a-time search.
    fn reference_fgets(input: &[u8], size: usize) -> Vec<&[u8]> {
        let max = size.saturating_sub(1).max(1);
        let mut rest = input;
        let mut out = Vec::new();
        while !rest.is_empty() {
            let window = rest.get(..max).unwrap_or(rest);
            let (chunk, consumed) = match window.iter().position(|&b| b == b'\n') {
                Some(nl) => (&window[..nl], nl + 1),
                None => (window, window.len()),
            };
            rest = &rest[consumed..];
            out.push(match chunk.iter().position(|&b| b == 0) {
                Some(nul) => &chunk[..nul],
                None => chunk,
            });
        }
        out
    }

    #[test]
    fn fgets_matches_the_reference_on_random_text() {
        let mut rng = crate::parse::inet::tests::Rng(0xf6e7);
        for _ in 0..20_000 {
            let len = rng.below(300);
            let text: Vec<u8> = (0..len)
                .map(|_| match rng.below(20) {
                    0 => b'\n',
                    1 => 0,
                    2 => 0x8a,
                    3 => 0x0b,
                    _ => b'a',
                })
                .collect();
            let size = [2, 3, 9, 17, 64, 8192][rng.below(6)];
            let got: Vec<&[u8]> = fgets_lines(&text, size).collect();
            assert_eq!(got, reference_fgets(&text, size), "{text:?} {size}");
        }
    }
}
pub mod ifaces;
pub mod route;
