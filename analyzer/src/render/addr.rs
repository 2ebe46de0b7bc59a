//! Address and port text as netstat prints them: numeric forms, names from
//! the snapshot's name databases, and the 23-column shortening rule.
//!
//! The `write_*` functions append to a buffer without allocating; the
//! functions returning `Vec<u8>` are built on them.

use crate::model::{Addr, Names};
use crate::parse::etc::ServiceProto;
use crate::render::{put_u64, write_u64};

/// Decimal text of every octet, padded with spaces, and its length.
const OCTETS: [([u8; 3], u8); 256] = {
    let mut t = [([b' '; 3], 0u8); 256];
    let mut i = 0;
    while i < 256 {
        let v = i as u8;
        t[i] = if v >= 100 {
            ([b'0' + v / 100, b'0' + v / 10 % 10, b'0' + v % 10], 3)
        } else if v >= 10 {
            ([b'0' + v / 10, b'0' + v % 10, b' '], 2)
        } else {
            ([b'0' + v, b' ', b' '], 1)
        };
        i += 1;
    }
    t
};

/// Writes an octet at `p` in space-filled room (with up to two spaces
/// after it); returns its end.
#[inline]
fn put_octet(b: &mut [u8], p: usize, v: u8) -> usize {
    let (digits, n) = &OCTETS[v as usize];
    b[p..p + 3].copy_from_slice(digits);
    p + *n as usize
}

/// Writes the dotted quad of an IPv4 address at `p` in space-filled room
/// (needs 17 bytes); returns its end.
#[inline]
pub fn put_ntoa(b: &mut [u8], p: usize, a: [u8; 4]) -> usize {
    let mut p = put_octet(b, p, a[0]);
    b[p] = b'.';
    p = put_octet(b, p + 1, a[1]);
    b[p] = b'.';
    p = put_octet(b, p + 1, a[2]);
    b[p] = b'.';
    put_octet(b, p + 1, a[3])
}

/// Appends the dotted-quad text of an IPv4 address (`inet_ntoa`).
#[inline]
pub fn write_ntoa(out: &mut Vec<u8>, a: [u8; 4]) {
    let mut b = [b' '; 20];
    let end = put_ntoa(&mut b, 0, a);
    out.extend_from_slice(&b[..end]);
}

/// Dotted-quad text of an IPv4 address (`inet_ntoa`).
pub fn ntoa(b: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(15);
    write_ntoa(&mut out, b);
    out
}

/// Writes lower-case hex without leading zeros (`%x`) at `p` in
/// space-filled room (needs 4 bytes); returns its end.
#[inline]
fn put_hex(b: &mut [u8], p: usize, v: u16) -> usize {
    let n = ((19 - (v | 1).leading_zeros()) / 4) as usize;
    // The four nibbles as bytes, most significant first, then as ASCII: '0' + n, and 39 more
    // ('a' - '0' - 10) for n above 9.
    let v = u64::from(v);
    let nib = ((v >> 12) & 0xf) << 24 | ((v >> 8) & 0xf) << 16 | ((v >> 4) & 0xf) << 8 | (v & 0xf);
    let letters = ((nib + 0x0606_0606) & 0x1010_1010) >> 4;
    let text = nib + 0x3030_3030 + letters * 39;
    // Drop the leading zeros; spaces come in behind.
    let drop = 8 * (4 - n);
    let word = ((text << drop) | (0x2020_2020 >> (32 - drop))) & 0xffff_ffff;
    b[p..p + 4].copy_from_slice(&(word as u32).to_be_bytes());
    p + n
}

/// For each set of zero words of an IPv6 address (bit i: word i is 0), the start and length of
/// its longest run of two or more (the first on a tie), or `(8, 0)`.
const ZERO_RUNS: [(u8, u8); 256] = zero_runs();

const fn zero_runs() -> [(u8, u8); 256] {
    let mut table = [(8u8, 0u8); 256];
    let mut m = 0usize;
    while m < 256 {
        let (mut best, mut best_len) = (8usize, 0usize);
        let mut i = 0;
        while i < 8 {
            if m & (1 << i) != 0 {
                let start = i;
                while i < 8 && m & (1 << i) != 0 {
                    i += 1;
                }
                if i - start > best_len {
                    best = start;
                    best_len = i - start;
                }
            } else {
                i += 1;
            }
        }
        if best_len >= 2 {
            table[m] = (best as u8, best_len as u8);
        }
        m += 1;
    }
    table
}

/// Writes IPv6 text as glibc's `inet_ntop` writes it at `p` in
/// space-filled room (needs 42 bytes); returns its end. See
/// [`write_ntop6`].
pub fn put_ntop6(b: &mut [u8], p: usize, a: &[u8; 16]) -> usize {
    let mut words = [0u16; 8];
    let mut zeros = 0usize;
    for (i, w) in words.iter_mut().enumerate() {
        *w = u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
        zeros |= usize::from(*w == 0) << i;
    }
    let (best, best_len) = ZERO_RUNS[zeros];
    let (best, best_len) = (usize::from(best), usize::from(best_len));
    let base = p;
    let b = &mut b[base..base + 42];
    let mut p = 0;
    let mut i = 0;
    while i < 8 {
        if i == best {
            b[p] = b':';
            p += 1;
            i += best_len;
            if i == 8 {
                b[p] = b':';
                p += 1;
            }
            continue;
        }
        if i != 0 {
            b[p] = b':';
            p += 1;
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            return base + put_ntoa(b, p, [a[12], a[13], a[14], a[15]]);
        }
        p = put_hex(b, p, words[i]);
        i += 1;
    }
    base + p
}

/// Appends IPv6 text as glibc's `inet_ntop` writes it: lowercase hex, the
/// longest run of two or more zero words (the first one on a tie) written
/// `::`, and the last 32 bits in dotted form for IPv4-compatible
/// (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`) addresses.
pub fn write_ntop6(out: &mut Vec<u8>, a: &[u8; 16]) {
    let mut b = [b' '; 48];
    let end = put_ntop6(&mut b, 0, a);
    out.extend_from_slice(&b[..end]);
}

/// IPv6 text as glibc's `inet_ntop` writes it ([`write_ntop6`]).
pub fn ntop6(b: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(39);
    write_ntop6(&mut out, b);
    out
}

/// netstat's `fix_v4_address` on the text from `start` in `out`: for an
/// IPv4-mapped address whose text has a dot, drop everything up to the
/// last `:` before that dot.
fn fix_v4(addr: &Addr, out: &mut Vec<u8>, start: usize) {
    if !addr.is_v4_mapped() {
        return;
    }
    let text = out.get(start..).unwrap_or(&[]);
    let Some(dot) = text.iter().position(|&b| b == b'.') else {
        return;
    };
    let Some(colon) = text
        .get(..dot)
        .and_then(|h| h.iter().rposition(|&b| b == b':'))
    else {
        return;
    };
    let from = start + colon + 1;
    let len = out.len() - from;
    out.copy_within(from.., start);
    out.truncate(start + len);
}

/// Appends a name from a fixed-size C buffer: cut to `size - 1` bytes.
#[inline]
fn write_cbuf(out: &mut Vec<u8>, name: &[u8], size: usize) {
    out.extend_from_slice(name.get(..size - 1).unwrap_or(name));
}

/// Looks up a host name as the source's resolver would have: `etc/hosts`
/// first, then the reverse-DNS answers taken at capture time.
pub fn host_name<'a>(names: &'a Names, addr: &Addr) -> Option<&'a [u8]> {
    names.hosts.lookup(addr).or_else(|| {
        if names.reverse_dns.is_empty() {
            None
        } else {
            names.reverse_dns.get(addr).map(|v| v.as_slice())
        }
    })
}

/// Appends IPv4 address text for socket views (netstat's `INET_sprint`):
/// numeric, or `0.0.0.0` for the wildcard, or a host name when the first
/// octet is non-zero, or a network name from `etc/networks` when it is zero.
pub fn write_inet4(out: &mut Vec<u8>, names: &Names, b: [u8; 4], numeric: bool) {
    if numeric || b == [0; 4] {
        write_ntoa(out, b);
        return;
    }
    let found = if b[0] != 0 {
        host_name(names, &Addr::v4(b))
    } else {
        names.networks.lookup(u32::from_be_bytes(b))
    };
    match found {
        Some(n) => write_cbuf(out, n, 128),
        None => write_ntoa(out, b),
    }
}

/// IPv4 address text for socket views ([`write_inet4`]).
pub fn inet4_text(names: &Names, b: [u8; 4], numeric: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(15);
    write_inet4(&mut out, names, b, numeric);
    out
}

/// Appends IPv6 address text for socket views (netstat's `INET6_sprint`).
pub fn write_inet6(out: &mut Vec<u8>, names: &Names, addr: &Addr, numeric: bool) {
    let start = out.len();
    if numeric {
        write_ntop6(out, &addr.bytes);
    } else if addr.is_unspecified() {
        out.extend_from_slice(b"[::]");
    } else {
        match host_name(names, addr) {
            // getnameinfo fails on names that do not fit its 128-byte buffer.
            Some(n) if n.len() < 128 => out.extend_from_slice(n),
            _ => write_ntop6(out, &addr.bytes),
        }
    }
    fix_v4(addr, out, start);
}

/// IPv6 address text for socket views ([`write_inet6`]).
pub fn inet6_text(names: &Names, addr: &Addr, numeric: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(39);
    write_inet6(&mut out, names, addr, numeric);
    out
}

/// Appends address text of either family.
#[inline]
pub fn write_addr(out: &mut Vec<u8>, names: &Names, addr: &Addr, numeric: bool) {
    if addr.v6 {
        write_inet6(out, names, addr, numeric);
    } else {
        write_inet4(out, names, addr.v4_bytes(), numeric);
    }
}

/// Address text of either family.
pub fn addr_text(names: &Names, addr: &Addr, numeric: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(39);
    write_addr(&mut out, names, addr, numeric);
    out
}

/// Appends port text (netstat's `get_sname`): `*` for 0, a service name
/// unless numeric, else decimal. Only the low 16 bits of the value count.
#[inline]
pub fn write_port(
    out: &mut Vec<u8>,
    names: &Names,
    port: u32,
    proto: Option<ServiceProto>,
    numeric: bool,
) {
    let p = (port & 0xffff) as u16;
    if p == 0 {
        out.push(b'*');
        return;
    }
    if !numeric
        && let Some(name) = proto.and_then(|pr| names.services.lookup(pr, p))
        && !name.is_empty()
    {
        write_cbuf(out, name, 64);
        return;
    }
    write_u64(out, u64::from(p));
}

/// Port text ([`write_port`]).
pub fn port_text(names: &Names, port: u32, proto: Option<ServiceProto>, numeric: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(5);
    write_port(&mut out, names, port, proto, numeric);
    out
}

/// The longest `address:port` netstat keeps without `--wide`, less one.
const SHORT: usize = 22;

/// Turns `address` `port` written from `start` in `out` (the address
/// `addr_len` bytes long, then a `:`, then the port) into what
/// [`addr_port`] makes of them.
#[inline]
fn shorten(out: &mut Vec<u8>, start: usize, addr_len: usize, wide: bool) {
    let port_len = out.len() - start - addr_len - 1;
    if !wide && addr_len + port_len > SHORT {
        let plen = port_len.min(SHORT - 4);
        let alen = (SHORT - plen).min(addr_len);
        let port_at = start + addr_len + 1;
        out.copy_within(port_at..port_at + plen, start + alen + 1);
        if let Some(b) = out.get_mut(start + alen) {
            *b = b':';
        }
        out.truncate(start + alen + 1 + plen);
    } else {
        out.truncate(start + 127);
    }
}

/// Appends `address:port` for a socket row, shortened to 23 columns unless
/// `wide` (netstat's `addr_do_one` with a short length of 22).
pub fn write_addr_port(out: &mut Vec<u8>, addr_text: &[u8], port_text: &[u8], wide: bool) {
    let start = out.len();
    out.extend_from_slice(addr_text);
    out.push(b':');
    out.extend_from_slice(port_text);
    shorten(out, start, addr_text.len(), wide);
}

/// `address:port` for a socket row ([`write_addr_port`]).
pub fn addr_port(addr_text: &[u8], port_text: &[u8], wide: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(24);
    write_addr_port(&mut out, addr_text, port_text, wide);
    out
}

/// How a socket row's `address:port` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointStyle {
    /// The services table for port names (`None`: numbers only).
    pub proto: Option<ServiceProto>,
    /// Numeric addresses (`-n`, `--numeric-hosts`).
    pub numeric_hosts: bool,
    /// Numeric ports (`-n`, `--numeric-ports`).
    pub numeric_ports: bool,
    /// No shortening (`-W`).
    pub wide: bool,
}

/// Writes a socket row's `address:port` with numeric address and port
/// (`-n`) at `p` in space-filled room (needs 56 bytes), shortened as
/// [`write_addr_port`] does unless `wide`; returns its end.
#[inline]
pub fn put_endpoint_numeric(b: &mut [u8], p: usize, addr: &Addr, port: u32, wide: bool) -> usize {
    let start = p;
    let mut p = if !addr.v6 {
        put_ntoa(b, p, addr.v4_bytes())
    } else if addr.is_v4_mapped() {
        // What fix_v4 leaves of `::ffff:a.b.c.d`.
        put_ntoa(
            b,
            p,
            [
                addr.bytes[12],
                addr.bytes[13],
                addr.bytes[14],
                addr.bytes[15],
            ],
        )
    } else {
        put_ntop6(b, p, &addr.bytes)
    };
    let addr_len = p - start;
    b[p] = b':';
    p += 1;
    let port = port & 0xffff;
    if port == 0 {
        b[p] = b'*';
        p += 1;
    } else {
        p = put_u64(b, p, u64::from(port));
    }
    let port_len = p - start - addr_len - 1;
    if wide || addr_len + port_len <= SHORT {
        return p;
    }
    // The port is at most 5 bytes: keep it whole, cut the address.
    let alen = (SHORT - port_len).min(addr_len);
    let from = start + addr_len + 1;
    let to = start + alen + 1;
    b[to - 1] = b':';
    for i in 0..port_len {
        b[to + i] = b[from + i];
    }
    let end = to + port_len;
    for c in &mut b[end..p] {
        *c = b' ';
    }
    end
}

/// Appends a socket row's `address:port` for one end: the address and port
/// text ([`write_addr`], [`write_port`]) joined and shortened as
/// [`write_addr_port`] does, without allocating.
#[inline]
pub fn write_endpoint(
    out: &mut Vec<u8>,
    names: &Names,
    addr: &Addr,
    port: u32,
    style: &EndpointStyle,
) {
    let start = out.len();
    write_addr(out, names, addr, style.numeric_hosts);
    let addr_len = out.len() - start;
    out.push(b':');
    write_port(out, names, port, style.proto, style.numeric_ports);
    shorten(out, start, addr_len, style.wide);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> [u8; 16] {
        s.parse::<std::net::Ipv6Addr>()
            .map(|a| a.octets())
            .unwrap_or([0; 16])
    }

    #[test]
    fn ntop_like_glibc() {
        for s in [
            "::",
            "::1",
            "fe80::1",
            "2001:db8:1234:5678:9abc:def0:1234:5678",
            "2001:db8::1:0:0:1",
            "::ffff:192.168.1.10",
            "1::",
            "2001:0:0:1::1",
        ] {
            assert_eq!(String::from_utf8_lossy(&ntop6(&v6(s))), s);
        }
        assert_eq!(ntop6(&v6("::1.2.3.4")), b"::1.2.3.4");
        assert_eq!(ntop6(&v6("2001:db8:0:1:1:1:1:1")), b"2001:db8:0:1:1:1:1:1");
    }

    #[test]
    fn shortening() {
        assert_eq!(
            addr_port(b"2001:db8:1234:5678:9abc:def0:1234:5678", b"443", false),
            b"2001:db8:1234:5678::443"
        );
        assert_eq!(
            addr_port(b"0.0.0.0", b"clc-build-daemon", false),
            b"0.0.0.:clc-build-daemon"
        );
        assert_eq!(
            addr_port(b"198.51.100.77", b"secondname", false),
            b"198.51.100.7:secondname"
        );
        assert_eq!(addr_port(b"10.0.0.1", b"22", false), b"10.0.0.1:22");
    }

    /// The implementation before the `write_*` functions, for comparison.
    mod reference {
        pub fn ntop6(b: &[u8; 16]) -> Vec<u8> {
            let mut words = [0u16; 8];
            for (i, w) in words.iter_mut().enumerate() {
                *w = u16::from_be_bytes([b[2 * i], b[2 * i + 1]]);
            }
            let (mut best_base, mut best_len) = (usize::MAX, 0usize);
            let (mut cur_base, mut cur_len) = (usize::MAX, 0usize);
            for (i, &w) in words.iter().enumerate() {
                if w == 0 {
                    if cur_base == usize::MAX {
                        cur_base = i;
                        cur_len = 1;
                    } else {
                        cur_len += 1;
                    }
                } else if cur_base != usize::MAX {
                    if best_base == usize::MAX || cur_len > best_len {
                        best_base = cur_base;
                        best_len = cur_len;
                    }
                    cur_base = usize::MAX;
                }
            }
            if cur_base != usize::MAX && (best_base == usize::MAX || cur_len > best_len) {
                best_base = cur_base;
                best_len = cur_len;
            }
            if best_base != usize::MAX && best_len < 2 {
                best_base = usize::MAX;
            }
            let mut out = String::new();
            let mut i = 0;
            while i < 8 {
                if best_base != usize::MAX && i >= best_base && i < best_base + best_len {
                    if i == best_base {
                        out.push(':');
                    }
                    i += 1;
                    continue;
                }
                if i != 0 {
                    out.push(':');
                }
                if i == 6
                    && best_base == 0
                    && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))
                {
                    out.push_str(&format!("{}.{}.{}.{}", b[12], b[13], b[14], b[15]));
                    break;
                }
                out.push_str(&format!("{:x}", words[i]));
                i += 1;
            }
            if best_base != usize::MAX && best_base + best_len == 8 {
                out.push(':');
            }
            out.into_bytes()
        }

        pub fn fix_v4(mapped: bool, text: Vec<u8>) -> Vec<u8> {
            if !mapped {
                return text;
            }
            let Some(dot) = text.iter().position(|&b| b == b'.') else {
                return text;
            };
            match text
                .get(..dot)
                .and_then(|h| h.iter().rposition(|&b| b == b':'))
            {
                Some(colon) => text.get(colon + 1..).map(|s| s.to_vec()).unwrap_or(text),
                None => text,
            }
        }

        pub fn addr_port(addr_text: &[u8], port_text: &[u8], wide: bool) -> Vec<u8> {
            let short = 22usize;
            let mut out = Vec::with_capacity(24);
            if !wide && addr_text.len() + port_text.len() > short {
                let plen = port_text.len().min(short - 4);
                let alen = short - plen;
                out.extend_from_slice(addr_text.get(..alen).unwrap_or(addr_text));
                out.push(b':');
                out.extend_from_slice(port_text.get(..plen).unwrap_or(port_text));
            } else {
                out.extend_from_slice(addr_text);
                out.push(b':');
                out.extend_from_slice(port_text);
                out.truncate(127);
            }
            out
        }
    }

    use crate::testing::Rng;

    #[test]
    fn same_text_as_before() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for n in 0..200_000 {
            let mut b = [0u8; 16];
            for (i, byte) in b.iter_mut().enumerate() {
                let r = rng.next();
                // Mostly zero words, to hit every run length.
                *byte = if r.is_multiple_of(3) || (n % 7 == 0 && i < 10) {
                    0
                } else {
                    (r >> 8) as u8
                };
            }
            if n % 5 == 0 {
                b[10] = 0xff;
                b[11] = 0xff;
            }
            assert_eq!(ntop6(&b), reference::ntop6(&b), "{b:?}");
            let a = Addr::v6(b);
            assert_eq!(
                inet6_text(&Names::default(), &a, true),
                reference::fix_v4(a.is_v4_mapped(), reference::ntop6(&b)),
                "{b:?}"
            );
            for (port, wide) in [
                (0u32, false),
                (22, false),
                (65535, false),
                (0x1_0050, true),
                (443, true),
            ] {
                let mut room = [b' '; 64];
                let end = put_endpoint_numeric(&mut room, 3, &a, port, wide);
                let mut want = Vec::new();
                write_endpoint(
                    &mut want,
                    &Names::default(),
                    &a,
                    port,
                    &EndpointStyle {
                        proto: None,
                        numeric_hosts: true,
                        numeric_ports: true,
                        wide,
                    },
                );
                assert_eq!(&room[3..end], &want[..], "{b:?}");
                assert!(room[..3].iter().chain(&room[end..]).all(|&c| c == b' '));
                let v4 = Addr::v4([b[0], b[1], b[2], b[3]]);
                let mut room = [b' '; 64];
                let end = put_endpoint_numeric(&mut room, 0, &v4, port, wide);
                assert_eq!(
                    &room[..end],
                    &addr_port(
                        &addr_text(&Names::default(), &v4, true),
                        &port_text(&Names::default(), port, None, true),
                        wide
                    )[..]
                );
                assert!(room[end..].iter().all(|&c| c == b' '));
            }
            let v4 = [b[0], b[13], b[14], b[15]];
            assert_eq!(
                ntoa(v4),
                format!("{}.{}.{}.{}", v4[0], v4[1], v4[2], v4[3]).into_bytes()
            );
        }
        let texts: [&[u8]; 9] = [
            b"",
            b"::",
            b"10.0.0.1",
            b"2001:db8:1234:5678:9abc:def0:1234:5678",
            b"a-very-long-host-name.example.org",
            b"x",
            b"abcd",
            b"abcde",
            &[b'h'; 200],
        ];
        let ports: [&[u8]; 7] = [
            b"*",
            b"22",
            b"65535",
            b"clc-build-daemon",
            b"a-service-name-of-nineteen",
            b"",
            &[b'p'; 70],
        ];
        for a in texts {
            for p in ports {
                for wide in [false, true] {
                    assert_eq!(addr_port(a, p, wide), reference::addr_port(a, p, wide));
                }
            }
        }
        // fix_v4 on names: dots after colons, and none.
        for name in [
            &b"host.example"[..],
            b"a:b:c.d:e.f",
            b"nodots:here",
            b":lead.dot",
            b"",
        ] {
            let mut v = b"prefix".to_vec();
            v.extend_from_slice(name);
            let mapped = Addr::v6(v6("::ffff:1.2.3.4"));
            fix_v4(&mapped, &mut v, 6);
            let mut want = b"prefix".to_vec();
            want.extend_from_slice(&reference::fix_v4(true, name.to_vec()));
            assert_eq!(v, want);
        }
    }

    #[test]
    fn mapped_addresses_drop_prefix() {
        let names = Names::default();
        let a = Addr::v6(v6("::ffff:192.168.1.10"));
        assert_eq!(inet6_text(&names, &a, true), b"192.168.1.10");
        assert_eq!(inet6_text(&names, &a, false), b"192.168.1.10");
        assert_eq!(inet6_text(&names, &Addr::v6([0; 16]), false), b"[::]");
        assert_eq!(inet6_text(&names, &Addr::v6([0; 16]), true), b"::");
    }
}
