//! The counter files of `netstat -s`:
//!
//! * `/proc/net/snmp` and `/proc/net/netstat`: line pairs, a title line
//!   naming the counters and a value line, e.g.
//!
//!   ```text
//!   Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
//!   Udp: 89 0 0 90 0 0 0 0 0
//!   ```
//!
//! * `/proc/net/snmp6` and `/proc/net/sctp/snmp`: one `Key value` per line,
//!   e.g. `Ip6InReceives                   \t1`.
//!
//! The parsers read these files exactly as netstat 2.10's loops do, odd
//! input included, and hand the renderer the (title, key, value) sequence
//! netstat would print from:
//!
//! * Line pairs are read with `getline`; a line that starts with a newline
//!   is skipped where a title line is expected. The title is the title line
//!   up to its first `:`; the keys are the words after it (split at space,
//!   tab and newline only), the values are read one per key with
//!   `strtoull(…, 10)` from after the first `:` of the value line. A value
//!   that is not a number reads as 0 and the reader does not move past it,
//!   so every later value of the line reads as 0 too. A pair whose either
//!   line lacks a `:` ends the file (netstat reports "Problem while parsing").
//! * `snmp6` is read with `fgets` into 1024 bytes and `sscanf("%s %llu")`:
//!   a line without a word repeats the previous key and value, a line
//!   without a number repeats the previous value. The section title is the
//!   key up to and including its first `6`; a section ends at the first key
//!   that does not contain the current title.
//! * `sctp/snmp` is read with `fgets` into one 1024-byte buffer that is
//!   reused line after line; the key is the line up to the first space, tab
//!   or newline, and the value is read after it, from the buffer's bytes
//!   (which, for a line with no separator after its key, are left over from
//!   earlier lines).
//!
//! Text is cut at its first NUL byte wherever netstat treats it as a C
//! string.

use crate::parse::fgets_lines;
use crate::parse::scan::is_space;

/// One counter, as netstat reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counter {
    /// The counter's name (bytes, as in the file).
    pub key: Vec<u8>,
    /// Its value.
    pub value: u64,
}

/// A titled group of counters (`Ip`, `TcpExt`, `Icmp6`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// The title (bytes before the `:` of a line pair; the key prefix in
    /// `snmp6`).
    pub title: Vec<u8>,
    /// Counters in file order.
    pub counters: Vec<Counter>,
}

/// `/proc/net/snmp` or `/proc/net/netstat`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PairFile {
    /// Sections in file order, one per line pair (a title can repeat, as
    /// `IcmpMsg` does when more than 16 ICMP types are counted).
    pub sections: Vec<Section>,
    /// 1-based number of the title line of a pair netstat could not read
    /// (a line without `:`); reading stopped there.
    pub malformed_line: Option<u32>,
}

/// `/proc/net/snmp6`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snmp6 {
    /// Sections in file order; a new one starts whenever the title changes.
    pub sections: Vec<Section>,
}

/// `/proc/net/sctp/snmp`: the counters of netstat's `Sctp` section.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SctpSnmp {
    /// Counters in file order.
    pub counters: Vec<Counter>,
}

/// The bytes `strspn`/`strcspn` use as separators in these loops.
fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

/// The C string at the start of `s`: up to its first NUL.
fn c_str(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => s.get(..n).unwrap_or(s),
        None => s,
    }
}

/// `s` without its leading separators (`s += strspn(s, " \t\n")`).
fn skip_sep(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| is_sep(b)).count();
    s.get(n..).unwrap_or(&[])
}

/// C's `strtoull(s, &end, 10)` on a C string: leading white space, an
/// optional sign, decimal digits. Returns the value and the text after the
/// number, or `(0, s)` when there are no digits (the end pointer does not
/// move). Overflow gives `u64::MAX` whatever the sign; a `-` negates modulo
/// 2^64.
pub fn strtoull(s: &[u8]) -> (u64, &[u8]) {
    let lead = s.iter().take_while(|&&b| is_space(b)).count();
    let mut rest = s.get(lead..).unwrap_or(&[]);
    let mut negative = false;
    if let Some(&c) = rest.first()
        && (c == b'+' || c == b'-')
    {
        negative = c == b'-';
        rest = rest.get(1..).unwrap_or(&[]);
    }
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return (0, s);
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &d in rest.iter().take(digits) {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    let after = rest.get(digits..).unwrap_or(&[]);
    let value = if overflow {
        u64::MAX
    } else if negative {
        value.wrapping_neg()
    } else {
        value
    };
    (value, after)
}

/// The lines `getline` returns, each with its newline if it has one.
fn getline_lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = input;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |n| n + 1);
        let (line, tail) = rest.split_at(end.min(rest.len()));
        rest = tail;
        Some(line)
    })
}

/// Reads one line pair (title line and value line, both already cut at
/// their first NUL) into a section; `None` when either lacks a `:`.
fn read_pair(keys_line: &[u8], values_line: &[u8]) -> Option<Section> {
    let colon = keys_line.iter().position(|&b| b == b':')?;
    let vcolon = values_line.iter().position(|&b| b == b':')?;
    let title = keys_line.get(..colon).unwrap_or(&[]).to_vec();
    let keys = keys_line.get(colon + 1..).unwrap_or(&[]);
    let mut values = values_line.get(vcolon + 1..).unwrap_or(&[]);
    let mut counters = Vec::new();
    for key in keys.split(|&b| is_sep(b)).filter(|k| !k.is_empty()) {
        let (value, rest) = strtoull(skip_sep(values));
        values = rest;
        counters.push(Counter {
            key: key.to_vec(),
            value,
        });
    }
    Some(Section { title, counters })
}

/// Parses `/proc/net/snmp` or `/proc/net/netstat`.
pub fn parse_pairs(input: &[u8]) -> PairFile {
    let mut file = PairFile::default();
    let mut lines = getline_lines(input).zip(1u32..);
    while let Some((first, lineno)) = lines.next() {
        if first.first() == Some(&b'\n') {
            continue;
        }
        let Some((second, _)) = lines.next() else {
            break;
        };
        match read_pair(c_str(first), c_str(second)) {
            Some(section) => file.sections.push(section),
            None => {
                file.malformed_line = Some(lineno);
                break;
            }
        }
    }
    file
}

/// netstat's section title of an `snmp6` key: up to and including the
/// first `6`, or the whole key.
fn snmp6_title(key: &[u8]) -> &[u8] {
    match key.iter().position(|&b| b == b'6') {
        Some(n) => key.get(..=n).unwrap_or(key),
        None => key,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Parses `/proc/net/snmp6`.
pub fn parse_snmp6(input: &[u8]) -> Snmp6 {
    let mut out = Snmp6::default();
    // sscanf leaves its targets alone when a conversion fails, so a line
    // without a word or a number reuses what the previous line gave. Before
    // the first line netstat's buffers hold whatever the stack held; here
    // they start empty.
    let mut key: Vec<u8> = Vec::new();
    let mut value: u64 = 0;
    for line in fgets_lines(input, 1024) {
        let lead = line.iter().take_while(|&&b| is_space(b)).count();
        let rest = line.get(lead..).unwrap_or(&[]);
        let word_len = rest.iter().take_while(|&&b| !is_space(b)).count();
        if word_len > 0 {
            key = rest.get(..word_len).unwrap_or(&[]).to_vec();
            let after = rest.get(word_len..).unwrap_or(&[]);
            let (v, end) = strtoull(after);
            if end.len() != after.len() {
                value = v;
            }
        }
        let current = out.sections.last().map(|s| s.title.as_slice());
        let same = current.is_some_and(|t| contains(&key, t));
        if !same {
            out.sections.push(Section {
                title: snmp6_title(&key).to_vec(),
                counters: Vec::new(),
            });
        }
        if let Some(section) = out.sections.last_mut() {
            section.counters.push(Counter {
                key: key.clone(),
                value,
            });
        }
    }
    out
}

/// netstat's `fgets` buffer for `sctp/snmp`.
const SCTP_BUFFER: usize = 1024;

/// Parses `/proc/net/sctp/snmp`.
pub fn parse_sctp_snmp(input: &[u8]) -> SctpSnmp {
    let mut out = SctpSnmp::default();
    let mut buf = [0u8; SCTP_BUFFER];
    let mut rest = input;
    while !rest.is_empty() {
        // fgets: at most size - 1 bytes, through the first newline, then NUL.
        let window = rest.len().min(SCTP_BUFFER - 1);
        let n = rest
            .iter()
            .take(window)
            .position(|&b| b == b'\n')
            .map_or(window, |p| p + 1);
        let (line, tail) = rest.split_at(n);
        rest = tail;
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(line);
        }
        if let Some(b) = buf.get_mut(n) {
            *b = 0;
        }
        // The key ends at the first separator or at the end of the string;
        // that byte is overwritten with NUL and the value is looked for
        // just after it.
        let key_len = buf.iter().take_while(|&&b| b != 0 && !is_sep(b)).count();
        let key = buf.get(..key_len).unwrap_or(&[]).to_vec();
        if let Some(b) = buf.get_mut(key_len) {
            *b = 0;
        }
        let after = c_str(buf.get(key_len + 1..).unwrap_or(&[]));
        let after = skip_sep(after);
        if !after.is_empty() {
            let (value, _) = strtoull(after);
            out.counters.push(Counter { key, value });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counters(s: &Section) -> Vec<(&str, u64)> {
        s.counters
            .iter()
            .map(|c| (std::str::from_utf8(&c.key).unwrap(), c.value))
            .collect()
    }

    #[test]
    fn strtoull_like_c() {
        assert_eq!(strtoull(b"12 3"), (12, &b" 3"[..]));
        assert_eq!(strtoull(b"  +7x"), (7, &b"x"[..]));
        assert_eq!(strtoull(b"-1"), (u64::MAX, &b""[..]));
        assert_eq!(strtoull(b"-2"), (u64::MAX - 1, &b""[..]));
        assert_eq!(strtoull(b"99999999999999999999"), (u64::MAX, &b""[..]));
        assert_eq!(strtoull(b"-99999999999999999999"), (u64::MAX, &b""[..]));
        assert_eq!(strtoull(b"18446744073709551615"), (u64::MAX, &b""[..]));
        assert_eq!(strtoull(b" abc"), (0, &b" abc"[..]));
        assert_eq!(strtoull(b"-"), (0, &b"-"[..]));
        assert_eq!(strtoull(b"0x10"), (0, &b"x10"[..]));
    }

    #[test]
    fn line_pairs() {
        let f = parse_pairs(
            b"Ip: Forwarding DefaultTTL InReceives\nIp: 2 64 5179\n\
              Udp: InDatagrams NoPorts\nUdp: 89 0\n",
        );
        assert_eq!(f.malformed_line, None);
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[0].title, b"Ip");
        assert_eq!(
            counters(&f.sections[0]),
            [("Forwarding", 2), ("DefaultTTL", 64), ("InReceives", 5179)]
        );
        assert_eq!(
            counters(&f.sections[1]),
            [("InDatagrams", 89), ("NoPorts", 0)]
        );
    }

    #[test]
    fn empty_lines_between_pairs_and_at_the_start() {
        let f = parse_pairs(b"\n\nTcpExt: A B\nTcpExt: 1 2\n\nIpExt: C\nIpExt: 3");
        assert_eq!(f.sections.len(), 2);
        assert_eq!(counters(&f.sections[1]), [("C", 3)]);
    }

    #[test]
    fn values_stick_at_garbage_and_run_out() {
        let f = parse_pairs(b"X: a b c d e\nX: 1 z 3\n");
        assert_eq!(
            counters(&f.sections[0]),
            [("a", 1), ("b", 0), ("c", 0), ("d", 0), ("e", 0)]
        );
        let f = parse_pairs(b"X: a b\nX: 1 2 3 4\n");
        assert_eq!(counters(&f.sections[0]), [("a", 1), ("b", 2)]);
    }

    #[test]
    fn keys_split_on_space_tab_newline_only() {
        let f = parse_pairs(b"X:\ta\rb  c\nY: 5 6\n");
        assert_eq!(f.sections[0].title, b"X");
        assert_eq!(counters(&f.sections[0]), [("a\rb", 5), ("c", 6)]);
    }

    #[test]
    fn title_from_first_line_values_after_first_colon() {
        let f = parse_pairs(b"Odd Title: k\nwhatever: 9\n");
        assert_eq!(f.sections[0].title, b"Odd Title");
        assert_eq!(counters(&f.sections[0]), [("k", 9)]);
    }

    #[test]
    fn malformed_pair_stops_reading() {
        let f = parse_pairs(b"A: k\nA: 1\nB k\nB: 2\nC: k\nC: 3\n");
        assert_eq!(f.sections.len(), 1);
        assert_eq!(f.malformed_line, Some(3));
        // An empty value line is no pair either.
        let f = parse_pairs(b"A: k\n\nA: 1\n");
        assert_eq!(f.malformed_line, Some(1));
        assert!(f.sections.is_empty());
    }

    #[test]
    fn odd_line_count_and_nul_bytes() {
        let f = parse_pairs(b"A: k\nA: 1\nB: k\n");
        assert_eq!(f.sections.len(), 1);
        assert_eq!(f.malformed_line, None);
        let f = parse_pairs(b"A: k j\0x\nA: 1 2\n");
        assert_eq!(counters(&f.sections[0]), [("k", 1), ("j", 2)]);
        let f = parse_pairs(b"A: k\n\0A: 1\n");
        assert_eq!(f.malformed_line, Some(1));
    }

    #[test]
    fn snmp6_sections() {
        let f = parse_snmp6(
            b"Ip6InReceives                   \t1\nIp6InHdrErrors \t0\n\
              Icmp6InMsgs\t3\nIcmp6InType135\t2\nUdp6InDatagrams 4\nUdpLite6InDatagrams 0\n",
        );
        let titles: Vec<&[u8]> = f.sections.iter().map(|s| s.title.as_slice()).collect();
        assert_eq!(titles, [&b"Ip6"[..], b"Icmp6", b"Udp6", b"UdpLite6"]);
        assert_eq!(
            counters(&f.sections[1]),
            [("Icmp6InMsgs", 3), ("Icmp6InType135", 2)]
        );
    }

    #[test]
    fn snmp6_reuses_previous_key_and_value() {
        let f = parse_snmp6(b"Ip6A 5\n\n   \nIp6B x\nFoo 7\nFooBar 8\nIp6C\n");
        type Got<'a> = Vec<(Vec<u8>, Vec<(&'a str, u64)>)>;
        let got: Got<'_> = f
            .sections
            .iter()
            .map(|s| (s.title.clone(), counters(s)))
            .collect();
        assert_eq!(
            got,
            [
                (
                    b"Ip6".to_vec(),
                    vec![("Ip6A", 5), ("Ip6A", 5), ("Ip6A", 5), ("Ip6B", 5)]
                ),
                (b"Foo".to_vec(), vec![("Foo", 7), ("FooBar", 8)]),
                (b"Ip6".to_vec(), vec![("Ip6C", 8)]),
            ]
        );
    }

    #[test]
    fn snmp6_title_is_a_substring_match() {
        let f = parse_snmp6(b"Udp6X 1\nXUdp6Y 2\nUdpLite6Z 3\n");
        assert_eq!(f.sections.len(), 2);
        assert_eq!(counters(&f.sections[0]), [("Udp6X", 1), ("XUdp6Y", 2)]);
    }

    #[test]
    fn sctp_lines() {
        let f = parse_sctp_snmp(
            b"SctpCurrEstab                   \t3\nSctpActiveEstabs \t-1\n\nkeyonly\n \t5\n",
        );
        let got: Vec<(&str, u64)> = f
            .counters
            .iter()
            .map(|c| (std::str::from_utf8(&c.key).unwrap(), c.value))
            .collect();
        assert_eq!(
            got,
            [
                ("SctpCurrEstab", 3),
                ("SctpActiveEstabs", u64::MAX),
                ("", 5)
            ]
        );
    }

    #[test]
    fn sctp_value_from_stale_buffer() {
        // The last line has no separator after its key: netstat reads the
        // value from what the previous line left in the buffer.
        let f = parse_sctp_snmp(b"A 12345\nKey");
        assert_eq!(f.counters.len(), 2);
        assert_eq!(f.counters[1].key, b"Key");
        assert_eq!(f.counters[1].value, 345);
        // A NUL inside a line ends the key; the value after it still counts.
        let f = parse_sctp_snmp(b"Key\0 7\n");
        assert_eq!(f.counters[0].key, b"Key");
        assert_eq!(f.counters[0].value, 7);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    const PAIRS: &[&[u8]] = &[
        b"Ip: Forwarding DefaultTTL InReceives InHdrErrors",
        b"Ip: 2 64 5179 0",
        b"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors",
        b"Udp: 89 0 0 90 0 0 0 0 0",
        b"TcpExt: SyncookiesSent SyncookiesRecv",
        b"TcpExt: 18446744073709551615 -1",
        b"",
    ];

    const SNMP6: &[&[u8]] = &[
        b"Ip6InReceives                   \t1",
        b"Ip6InHdrErrors                  \t0",
        b"Icmp6InMsgs                     \t12",
        b"Icmp6OutMsgs                    \t13",
        b"Udp6InDatagrams                 \t99999999999999999999",
        b"UdpLite6InDatagrams             \t0",
        b"Ip6OutNoRoutes\t",
        b"   ",
    ];

    const SCTP: &[&[u8]] = &[
        b"SctpCurrEstab                   \t1",
        b"SctpActiveEstabs                \t2",
        b"SctpPassiveEstabs\t3",
        b"SctpAborteds",
    ];

    fn file(rng: &mut Rng, base: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..rng.below(12) {
            let line = base[rng.below(base.len())];
            let line = if rng.below(3) == 0 {
                rng.mutate(line)
            } else {
                line.to_vec()
            };
            out.extend_from_slice(&line);
            if rng.below(20) > 0 {
                out.push(b'\n');
            }
        }
        out
    }

    /// Line pairs: each section takes two lines, its keys are words (no
    /// separators, no NUL), and a malformed pair names a line of the file.
    #[test]
    fn pairs_invariants() {
        let mut rng = Rng(0x736e_6d70_3131);
        let mut sections = 0;
        for _ in 0..30_000 {
            let text = file(&mut rng, PAIRS);
            let f = parse_pairs(&text);
            let lines = getline_lines(&text).count();
            assert!(f.sections.len() * 2 <= lines);
            if let Some(l) = f.malformed_line {
                assert!(l >= 1 && l as usize <= lines);
            }
            for s in &f.sections {
                assert!(!s.title.contains(&b':') && !s.title.contains(&0));
                for c in &s.counters {
                    assert!(!c.key.is_empty());
                    assert!(!c.key.iter().any(|&b| is_sep(b) || b == 0));
                }
            }
            sections += f.sections.len();
        }
        assert!(sections > 10_000, "{sections}");
    }

    /// `snmp6`: one counter per `fgets` line, each in a non-empty section
    /// whose title it contains.
    #[test]
    fn snmp6_one_counter_per_line() {
        let mut rng = Rng(0x736e_6d70_3636);
        for _ in 0..30_000 {
            let text = file(&mut rng, SNMP6);
            let s = parse_snmp6(&text);
            let counters: usize = s.sections.iter().map(|s| s.counters.len()).sum();
            assert_eq!(counters, fgets_lines(&text, 1024).count());
            for sec in &s.sections {
                assert!(!sec.counters.is_empty());
                for c in &sec.counters {
                    assert!(contains(&c.key, &sec.title));
                }
            }
        }
    }

    /// `sctp/snmp`: at most one counter per line, keys without separators.
    #[test]
    fn sctp_snmp_keys() {
        let mut rng = Rng(0x7363_7470_736e);
        for _ in 0..30_000 {
            let text = file(&mut rng, SCTP);
            let s = parse_sctp_snmp(&text);
            assert!(s.counters.len() <= getline_lines(&text).count() + text.len() / 1023);
            for c in &s.counters {
                assert!(!c.key.iter().any(|&b| is_sep(b) || b == 0));
            }
        }
    }

    /// `strtoull` agrees with Rust's parser on decimal numbers, saturates
    /// on overflow, and never moves past text that is not a number.
    #[test]
    fn strtoull_agrees_with_parse() {
        let mut rng = Rng(0x7374_726f_756c);
        for _ in 0..50_000 {
            let digits: String = (0..1 + rng.below(24))
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect();
            let tail = [&b""[..], b" 7", b"x", b"\n", b"-3"][rng.below(5)];
            let lead = [&b""[..], b" ", b"\t\t", b"+"][rng.below(4)];
            let text = [lead, digits.as_bytes(), tail].concat();
            let want = digits.parse::<u64>().unwrap_or(u64::MAX);
            assert_eq!(strtoull(&text), (want, tail), "{digits}");
            let neg = [b"-", digits.as_bytes()].concat();
            let (v, rest) = strtoull(&neg);
            assert!(rest.is_empty());
            assert_eq!(v, digits.parse::<u64>().map_or(u64::MAX, u64::wrapping_neg));
            let junk = rng.mutate(&text);
            let (_, rest) = strtoull(&junk);
            assert!(rest.len() <= junk.len());
        }
    }
}
