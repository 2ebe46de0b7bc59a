//! A small `sscanf` work-alike over bytes, built from nom parsers.
//!
//! netstat reads its /proc tables with `sscanf` and decides from the number
//! of converted items whether a row is "bogus". To treat odd rows exactly as
//! netstat does, the table parsers walk a row with this scanner, one
//! conversion at a time, and count how far they got.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{tag, take_while, take_while_m_n, take_while1};
use nom::character::complete::one_of;
use nom::combinator::opt;

/// C's `isspace` in the C locale.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn ws(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_space)(i)
}

fn sign(i: &[u8]) -> IResult<&[u8], bool> {
    let (i, s) = opt(one_of("+-")).parse(i)?;
    Ok((i, s == Some('-')))
}

fn digits_in(i: &[u8], radix: u32) -> IResult<&[u8], &[u8]> {
    take_while1(move |b: u8| (b as char).is_digit(radix))(i)
}

fn accumulate(digits: &[u8], radix: u32) -> u128 {
    digits.iter().fold(0u128, |acc, &d| {
        let v = (d as char).to_digit(radix).unwrap_or(0);
        acc.saturating_mul(radix as u128).saturating_add(v as u128)
    })
}

/// Cursor over one row; each conversion returns `None` on a matching or
/// input failure, after which the caller stops counting items.
#[derive(Debug, Clone, Copy)]
pub struct Scanner<'a> {
    rest: &'a [u8],
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `input`.
    pub fn new(input: &'a [u8]) -> Self {
        Scanner { rest: input }
    }

    /// What is left of the row.
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }

    fn step<T>(&mut self, r: IResult<&'a [u8], T>) -> Option<T> {
        match r {
            Ok((rest, v)) => {
                self.rest = rest;
                Some(v)
            }
            Err(_) => None,
        }
    }

    /// A whitespace directive: skips any amount of white space, even none.
    pub fn space(&mut self) {
        let r = ws(self.rest);
        let _ = self.step(r);
    }

    /// A literal byte in the format.
    pub fn lit(&mut self, c: u8) -> Option<()> {
        let r = tag(&[c][..])(self.rest);
        self.step(r).map(|_| ())
    }

    /// An integer conversion (`%d`, `%u`, `%x`, `%X`, `%lu`, …): leading white
    /// space, an optional sign, and digits in `radix` (for 16, an optional
    /// `0x` prefix). Returns the value reduced modulo 2^64, negated for `-`,
    /// saturated like `strtoul` when it overflows.
    pub fn int(&mut self, radix: u32) -> Option<u64> {
        let start = self.rest;
        let r = (ws, sign).parse(start);
        let (after_sign, neg) = match r {
            Ok((i, (_, neg))) => (i, neg),
            Err(_) => return None,
        };
        let mut body = after_sign;
        if radix == 16 {
            let r: IResult<&[u8], &[u8]> =
                nom::branch::alt((tag(&b"0x"[..]), tag(&b"0X"[..]))).parse(after_sign);
            if let Ok((i, _)) = r
                && digits_in(i, 16).is_ok()
            {
                body = i;
            }
        }
        let r = digits_in(body, radix);
        let (rest, digits) = self.step_raw(r)?;
        self.rest = rest;
        let v = accumulate(digits, radix);
        let v = if v > u64::MAX as u128 {
            u64::MAX
        } else {
            v as u64
        };
        Some(if neg { v.wrapping_neg() } else { v })
    }

    fn step_raw<T>(&self, r: IResult<&'a [u8], T>) -> Option<(&'a [u8], T)> {
        r.ok()
    }

    /// `%[0-9A-Fa-f]` with a maximum width: one or more hex digits, no
    /// white-space skipping.
    pub fn hex_set(&mut self, max: usize) -> Option<&'a [u8]> {
        let r = take_while_m_n(1, max, |b: u8| b.is_ascii_hexdigit())(self.rest);
        self.step(r)
    }

    /// `%s`: skips white space, then takes bytes up to the next white space.
    pub fn word(&mut self) -> Option<&'a [u8]> {
        let r = (ws, take_while1(|b: u8| !is_space(b))).parse(self.rest);
        self.step(r).map(|(_, w)| w)
    }
}

/// C's `strtoul(s, &end, 0)` that must consume the whole string: optional
/// leading white space and sign, then a hex (`0x`), octal (leading `0`) or
/// decimal number. `None` if anything is left over or nothing was read;
/// overflow gives `u64::MAX`.
pub fn strtoul_whole(s: &[u8]) -> Option<u64> {
    let r = (ws, sign).parse(s);
    let (body, neg) = match r {
        Ok((i, (_, neg))) => (i, neg),
        Err(_) => return None,
    };
    let (radix, digits_start) = if (body.starts_with(b"0x") || body.starts_with(b"0X"))
        && body.get(2).is_some_and(|b| b.is_ascii_hexdigit())
    {
        (16, body.get(2..).unwrap_or(&[]))
    } else if body.starts_with(b"0") {
        (8, body)
    } else {
        (10, body)
    };
    let (rest, digits) = digits_in(digits_start, radix).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let v = accumulate(digits, radix);
    let v = if v > u64::MAX as u128 {
        u64::MAX
    } else {
        v as u64
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

/// C's `atoi`: leading white space, optional sign, decimal digits, stop at
/// anything else; 0 when there are no digits.
pub fn atoi(s: &[u8]) -> i32 {
    let mut sc = Scanner::new(s);
    sc.int(10).map(|v| v as i64 as i32).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_like_sscanf() {
        // From /proc/net/tcp on Linux 6.x.
        let mut s = Scanner::new(b"   0: 0100007F:0CEA 00000000:0000 0A");
        assert_eq!(s.int(10), Some(0));
        assert_eq!(s.lit(b':'), Some(()));
        s.space();
        assert_eq!(s.hex_set(64), Some(&b"0100007F"[..]));
        assert_eq!(s.lit(b':'), Some(()));
        assert_eq!(s.int(16), Some(0x0cea));
        s.space();
        assert_eq!(s.hex_set(64), Some(&b"00000000"[..]));
        s.lit(b':');
        assert_eq!(s.int(16), Some(0));
        assert_eq!(s.int(16), Some(10));
        assert_eq!(s.int(16), None);
    }

    #[test]
    fn strtoul_bases() {
        assert_eq!(strtoul_whole(b"12345"), Some(12345));
        assert_eq!(strtoul_whole(b"0123"), Some(83));
        assert_eq!(strtoul_whole(b"0x10"), Some(16));
        assert_eq!(strtoul_whole(b"0"), Some(0));
        assert_eq!(strtoul_whole(b"12a"), None);
        assert_eq!(strtoul_whole(b""), None);
        assert_eq!(strtoul_whole(b"99999999999999999999999"), Some(u64::MAX));
    }

    #[test]
    fn atoi_stops_at_garbage() {
        assert_eq!(atoi(b" 42x"), 42);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b"-3"), -3);
    }
}
