//! Address and port text as netstat prints them: numeric forms, names from
//! the snapshot's name databases, and the 23-column shortening rule.

use crate::model::{Addr, Names};
use crate::parse::etc::ServiceProto;

/// Dotted-quad text of an IPv4 address (`inet_ntoa`).
pub fn ntoa(b: [u8; 4]) -> Vec<u8> {
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]).into_bytes()
}

/// IPv6 text as glibc's `inet_ntop` writes it: lowercase hex, the longest
/// run of two or more zero words (the first one on a tie) written `::`,
/// and the last 32 bits in dotted form for IPv4-compatible (`::a.b.c.d`)
/// and IPv4-mapped (`::ffff:a.b.c.d`) addresses.
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
        if i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
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

/// netstat's `fix_v4_address`: for an IPv4-mapped address whose text has a
/// dot, drop everything up to the last `:` before that dot.
fn fix_v4(addr: &Addr, text: Vec<u8>) -> Vec<u8> {
    if !addr.is_v4_mapped() {
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

/// A name from a fixed-size C buffer: cut to `size - 1` bytes.
fn cbuf(name: &[u8], size: usize) -> Vec<u8> {
    name.get(..size - 1).unwrap_or(name).to_vec()
}

/// Looks up a host name as the source's resolver would have: `etc/hosts`
/// first, then the reverse-DNS answers taken at capture time.
pub fn host_name<'a>(names: &'a Names, addr: &Addr) -> Option<&'a [u8]> {
    names
        .hosts
        .lookup(addr)
        .or_else(|| names.reverse_dns.get(addr).map(|v| v.as_slice()))
}

/// IPv4 address text for socket views (netstat's `INET_sprint`): numeric,
/// or `0.0.0.0` for the wildcard, or a host name when the first octet is
/// non-zero, or a network name from `etc/networks` when it is zero.
pub fn inet4_text(names: &Names, b: [u8; 4], numeric: bool) -> Vec<u8> {
    if numeric || b == [0; 4] {
        return ntoa(b);
    }
    let found = if b[0] != 0 {
        host_name(names, &Addr::v4(b))
    } else {
        names.networks.lookup(u32::from_be_bytes(b))
    };
    match found {
        Some(n) => cbuf(n, 128),
        None => ntoa(b),
    }
}

/// IPv6 address text for socket views (netstat's `INET6_sprint`).
pub fn inet6_text(names: &Names, addr: &Addr, numeric: bool) -> Vec<u8> {
    let text = if numeric {
        ntop6(&addr.bytes)
    } else if addr.is_unspecified() {
        b"[::]".to_vec()
    } else {
        match host_name(names, addr) {
            // getnameinfo fails on names that do not fit its 128-byte buffer.
            Some(n) if n.len() < 128 => n.to_vec(),
            _ => ntop6(&addr.bytes),
        }
    };
    fix_v4(addr, text)
}

/// Address text of either family.
pub fn addr_text(names: &Names, addr: &Addr, numeric: bool) -> Vec<u8> {
    if addr.v6 {
        inet6_text(names, addr, numeric)
    } else {
        inet4_text(names, addr.v4_bytes(), numeric)
    }
}

/// Port text (netstat's `get_sname`): `*` for 0, a service name unless
/// numeric, else decimal. Only the low 16 bits of the value count.
pub fn port_text(names: &Names, port: u32, proto: Option<ServiceProto>, numeric: bool) -> Vec<u8> {
    let p = (port & 0xffff) as u16;
    if p == 0 {
        return b"*".to_vec();
    }
    if !numeric
        && let Some(name) = proto.and_then(|pr| names.services.lookup(pr, p))
        && !name.is_empty()
    {
        return cbuf(name, 64);
    }
    p.to_string().into_bytes()
}

/// `address:port` for a socket row, shortened to 23 columns unless `wide`
/// (netstat's `addr_do_one` with a short length of 22).
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
