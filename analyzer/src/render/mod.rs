//! Renderers: pure functions from the model to bytes. One module per
//! netstat table or column group. Renderers never read files.
//!
//! All padding goes through [`pad_right`] and [`pad_left`], which count
//! bytes as C's `printf` does (Rust's `{:<n}` counts chars).

pub mod addr;
pub mod groups;
pub mod inet;
pub mod json;
pub mod programs;
pub mod sctp;
pub mod stats;
pub mod unix;

/// What a command prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status.
    pub status: i32,
    /// netsnap's own findings about damaged input (file and line); not
    /// part of what the real tool prints. Empty for a sound snapshot.
    pub diagnostics: Vec<crate::diag::Diagnostic>,
}

/// `%-Ns`: the text, then spaces up to `width` bytes; never cut.
pub fn pad_right(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.extend_from_slice(text);
    for _ in text.len()..width {
        out.push(b' ');
    }
}

/// `%Ns`: spaces up to `width` bytes, then the text; never cut.
pub fn pad_left(out: &mut Vec<u8>, text: &[u8], width: usize) {
    for _ in text.len()..width {
        out.push(b' ');
    }
    out.extend_from_slice(text);
}

/// Decimal text of a signed number.
pub fn dec(v: i64) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// Decimal text of an unsigned number.
pub fn udec(v: u64) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// C's `%2.2f` (and `%.2f`) of a double.
pub fn fixed2(v: f64) -> Vec<u8> {
    format!("{v:.2}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_by_bytes() {
        let mut v = Vec::new();
        pad_right(&mut v, "é".as_bytes(), 5);
        v.push(b'|');
        assert_eq!(v.len(), 6);
        let mut w = Vec::new();
        pad_left(&mut w, b"12", 6);
        assert_eq!(w, b"    12");
    }

    #[test]
    fn two_decimals() {
        assert_eq!(fixed2(250.0 / 100.0), b"2.50");
        assert_eq!(fixed2(5999.0 / 100.0), b"59.99");
        assert_eq!(fixed2(0.0), b"0.00");
    }
}
pub mod ifaces;
pub mod route;
