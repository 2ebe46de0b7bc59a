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

/// The value of `b` as a digit in `radix` (2 to 36), as `char::to_digit`.
#[inline]
fn digit(b: u8, radix: u32) -> Option<u64> {
    let v = match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'z' => b - b'a' + 10,
        b'A'..=b'Z' => b - b'A' + 10,
        _ => return None,
    };
    (u32::from(v) < radix).then_some(u64::from(v))
}

/// One or more digits in `radix`, as a nom parser: their value, saturated
/// at `u64::MAX` on overflow (as `strtoul` does; once past the limit the
/// value only grows, so saturating each step is the same as saturating the
/// exact value). A plain byte loop: this runs for every numeric field of
/// every row, and going through `take_while1` and a `u128` fold per digit
/// was a quarter of a whole 1M-row run.
#[inline]
fn number(i: &[u8], radix: u32) -> IResult<&[u8], u64> {
    let mut acc: u64 = 0;
    let mut n = 0;
    for &b in i {
        let Some(d) = digit(b, radix) else { break };
        acc = acc.saturating_mul(u64::from(radix)).saturating_add(d);
        n += 1;
    }
    if n == 0 {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Digit,
        )));
    }
    Ok((i.get(n..).unwrap_or(&[]), acc))
}

/// Skips C white space; a byte loop (`take_while` on the hot path costs more
/// than the loop it wraps).
#[inline]
fn skip_space(i: &[u8]) -> &[u8] {
    let n = i.iter().position(|&b| !is_space(b)).unwrap_or(i.len());
    i.get(n..).unwrap_or(&[])
}

/// `%d`/`%X`/…: white space, optional sign, an optional `0x` prefix when
/// `radix` is 16 (only taken when a hex digit follows, as in `strtoul`),
/// digits. Returns the value reduced modulo 2^64 and negated for `-`.
#[inline]
fn int_conv(i: &[u8], radix: u32) -> IResult<&[u8], u64> {
    let i = skip_space(i);
    let (i, neg) = match i.first() {
        Some(b'-') => (i.get(1..).unwrap_or(&[]), true),
        Some(b'+') => (i.get(1..).unwrap_or(&[]), false),
        _ => (i, false),
    };
    let i = match i {
        [b'0', b'x' | b'X', h, ..] if radix == 16 && h.is_ascii_hexdigit() => {
            i.get(2..).unwrap_or(&[])
        }
        _ => i,
    };
    let (rest, v) = number(i, radix)?;
    Ok((rest, if neg { v.wrapping_neg() } else { v }))
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
        let r = int_conv(self.rest, radix);
        self.step(r)
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
    // The common case, plain decimal without a leading zero (19 digits cannot overflow).
    if matches!(s.first(), Some(b'1'..=b'9')) && s.len() <= 19 && s.iter().all(u8::is_ascii_digit) {
        return Some(s.iter().fold(0, |v, &b| v * 10 + u64::from(b - b'0')));
    }
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
    let (rest, v) = number(digits_start, radix).ok()?;
    if !rest.is_empty() {
        return None;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// C's `atoi`: leading white space, optional sign, decimal digits, stop at
/// anything else; 0 when there are no digits.
pub fn atoi(s: &[u8]) -> i32 {
    let mut sc = Scanner::new(s);
    sc.int(10).map(|v| v as i64 as i32).unwrap_or(0)
}

// Fixed-width fields for the table parsers' fast paths.
//
// The kernel writes its socket tables with fixed-width hex fields
// (`%08X:%04X`, …). The fast paths in `inet` and `unix` check that a row has
// exactly that shape and decode 8 hex digits at once; any row that deviates
// goes through the `Scanner`, which stays the definition of the semantics.
// These are plain word arithmetic rather than nom parsers: a nom combinator
// per digit is what made the old path slow, and for fixed widths there is
// nothing left to combine.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Eight ASCII bytes, loaded big-endian (first byte most significant), as
/// eight hex digits: `None` unless every byte is one of `0-9a-fA-F`.
#[inline(always)]
pub fn hex_word(x: u64) -> Option<u32> {
    if x & HIGHS != 0 {
        return None;
    }
    // All bytes are below 0x80, so none of these sums carries into the next
    // byte; each sets a byte's high bit when the byte reaches a bound.
    let ge_0 = x.wrapping_add(ONES * (0x80 - b'0' as u64));
    let gt_9 = x.wrapping_add(ONES * (0x7f - b'9' as u64));
    let lower = x | (ONES * 0x20);
    let ge_a = lower.wrapping_add(ONES * (0x80 - b'a' as u64));
    let gt_f = lower.wrapping_add(ONES * (0x7f - b'f' as u64));
    let digit = ge_0 & !gt_9 & HIGHS;
    let letter = ge_a & !gt_f & HIGHS;
    if digit | letter != HIGHS {
        return None;
    }
    // Nibbles: the low four bits, plus 9 for letters.
    let n = (x & (ONES * 0x0f)) + (letter >> 7) * 9;
    let n = (n | (n >> 4)) & 0x00ff_00ff_00ff_00ff;
    let n = (n | (n >> 8)) & 0x0000_ffff_0000_ffff;
    let n = (n | (n >> 16)) & 0xffff_ffff;
    Some(n as u32)
}

/// Exactly 8 hex digits.
#[inline]
pub fn hex8(b: [u8; 8]) -> Option<u32> {
    hex_word(u64::from_be_bytes(b))
}

/// Exactly 4 hex digits.
#[inline]
pub fn hex4(b: [u8; 4]) -> Option<u32> {
    // Leading '0's do not change the value.
    hex_word(0x3030_3030_0000_0000 | u64::from(u32::from_be_bytes(b)))
}

/// Exactly 2 hex digits.
#[inline]
pub fn hex2(b: [u8; 2]) -> Option<u32> {
    hex_word(0x3030_3030_3030_0000 | u64::from(u16::from_be_bytes(b)))
}

/// A decimal field as the kernel writes `%5u`, `%8d` or `%lu`: spaces (only
/// `' '`), then 1 to 19 digits (which cannot overflow), no sign. Returns the
/// value and what follows the digits; `None` for any other shape (then the
/// row needs the `Scanner`).
#[inline]
pub fn dec_field(i: &[u8]) -> Option<(u64, &[u8])> {
    let start = i.iter().position(|&b| b != b' ')?;
    let digits = i.get(start..)?;
    let mut v: u64 = 0;
    let mut n = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if n == 19 {
            return None;
        }
        v = v * 10 + u64::from(d);
        n += 1;
    }
    if n == 0 {
        return None;
    }
    Some((v, digits.get(n..)?))
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

    /// The conversions as they were before the byte loops (nom
    /// `take_while1` and a `u128` fold): the reference for the new ones.
    mod reference {
        use super::super::{sign, ws};
        use nom::IResult;
        use nom::Parser;
        use nom::bytes::complete::{tag, take_while1};

        fn digits_in(i: &[u8], radix: u32) -> IResult<&[u8], &[u8]> {
            take_while1(move |b: u8| (b as char).is_digit(radix))(i)
        }

        fn accumulate(digits: &[u8], radix: u32) -> u64 {
            let v = digits.iter().fold(0u128, |acc, &d| {
                let v = (d as char).to_digit(radix).unwrap_or(0);
                acc.saturating_mul(radix as u128).saturating_add(v as u128)
            });
            u64::try_from(v).unwrap_or(u64::MAX)
        }

        /// `(rest, value)` of `Scanner::int`.
        pub fn int(start: &[u8], radix: u32) -> Option<(&[u8], u64)> {
            let (after_sign, (_, neg)) = (ws, sign).parse(start).ok()?;
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
            let (rest, digits) = digits_in(body, radix).ok()?;
            let v = accumulate(digits, radix);
            Some((rest, if neg { v.wrapping_neg() } else { v }))
        }

        pub fn strtoul_whole(s: &[u8]) -> Option<u64> {
            // The common case, plain decimal without a leading zero (19 digits cannot overflow).
            if matches!(s.first(), Some(b'1'..=b'9'))
                && s.len() <= 19
                && s.iter().all(u8::is_ascii_digit)
            {
                return Some(s.iter().fold(0, |v, &b| v * 10 + u64::from(b - b'0')));
            }
            let (body, (_, neg)) = (ws, sign).parse(s).ok()?;
            let (radix, start) = if (body.starts_with(b"0x") || body.starts_with(b"0X"))
                && body.get(2).is_some_and(|b| b.is_ascii_hexdigit())
            {
                (16, &body[2..])
            } else if body.starts_with(b"0") {
                (8, body)
            } else {
                (10, body)
            };
            let (rest, digits) = digits_in(start, radix).ok()?;
            if !rest.is_empty() {
                return None;
            }
            let v = accumulate(digits, radix);
            Some(if neg { v.wrapping_neg() } else { v })
        }
    }

    #[test]
    fn int_matches_the_reference_on_random_text() {
        const ALPHABET: &[u8] = b"0123456789abcdefxyzABCDEFXYZ +-\t\n\r\x0b\x0c\0:";
        let mut rng = crate::parse::inet::tests::Rng(0x5eed);
        for case in 0..200_000 {
            let len = rng.below(if case % 10 == 0 { 60 } else { 12 });
            let text: Vec<u8> = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            for radix in [8, 10, 16] {
                let mut s = Scanner::new(&text);
                let got = s.int(radix).map(|v| (s.rest(), v));
                assert_eq!(got, reference::int(&text, radix), "{text:?} radix {radix}");
                if got.is_none() {
                    assert_eq!(s.rest(), &text[..]);
                }
            }
            assert_eq!(strtoul_whole(&text), reference::strtoul_whole(&text));
        }
        for text in [
            &b"18446744073709551615"[..],
            b"18446744073709551616",
            b"-18446744073709551616",
            b"0xFFFFFFFFFFFFFFFF",
            b"0x10000000000000000",
            b"0x",
            b"-0x1g",
        ] {
            for radix in [10, 16] {
                let mut s = Scanner::new(text);
                let got = s.int(radix).map(|v| (s.rest(), v));
                assert_eq!(got, reference::int(text, radix));
            }
        }
    }

    #[test]
    fn hex_words_decode_every_byte_in_every_place() {
        let reference = |b: &[u8]| -> Option<u32> {
            if !b.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            u32::from_str_radix(std::str::from_utf8(b).ok()?, 16).ok()
        };
        for base in [*b"00000000", *b"fFfFfFfF", *b"9aB07c3E"] {
            for pos in 0..8 {
                for byte in 0..=255u8 {
                    let mut w = base;
                    w[pos] = byte;
                    assert_eq!(hex8(w), reference(&w), "{w:?}");
                    if pos < 4 {
                        let w4 = [w[0], w[1], w[2], w[3]];
                        assert_eq!(hex4(w4), reference(&w4), "{w4:?}");
                    }
                    if pos < 2 {
                        assert_eq!(hex2([w[0], w[1]]), reference(&w[..2]));
                    }
                }
            }
        }
    }

    #[test]
    fn decimal_fields_as_the_kernel_pads_them() {
        assert_eq!(dec_field(b"    0 x"), Some((0, &b" x"[..])));
        assert_eq!(dec_field(b"1000"), Some((1000, &b""[..])));
        assert_eq!(
            dec_field(b" 9999999999999999999 "),
            Some((9_999_999_999_999_999_999, &b" "[..]))
        );
        // 20 digits may overflow, signs and tabs are the Scanner's.
        assert_eq!(dec_field(b" 10000000000000000000"), None);
        assert_eq!(dec_field(b" -1"), None);
        assert_eq!(dec_field(b"\t1"), None);
        assert_eq!(dec_field(b"   "), None);
    }
}
