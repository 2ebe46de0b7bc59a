//! The source machine's name databases: `etc/hosts`, `etc/networks`,
//! `etc/services`, `etc/protocols`, `etc/passwd`, read the way glibc's
//! `files` NSS backend reads them.
//!
//! ```text
//! 127.0.0.1   localhost          # hosts: address, canonical name, aliases
//! ssh         22/tcp             # services: name, port/protocol, aliases
//! icmp        1   ICMP           # protocols: name, number, aliases
//! loopback    127                # networks: name, number
//! root:x:0:0:::                  # passwd: name, password, uid, gid, ...
//! ```

use std::collections::HashMap;

use crate::model::Addr;
use crate::parse::lines;
use crate::parse::scan::is_space;

/// Cuts a line at `#` and splits it into white-space-separated fields.
fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let line = match line.iter().position(|&b| b == b'#') {
        Some(p) => line.get(..p).unwrap_or(line),
        None => line,
    };
    line.split(|&b| is_space(b)).filter(|f| !f.is_empty())
}

/// Parses a dotted-quad IPv4 address (four decimal parts, each up to 255).
pub fn parse_ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split(|&b| b == b'.');
    for slot in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.iter().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0'));
        *slot = u8::try_from(v).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(out)
}

/// Parses an IPv6 address in text form (as `inet_pton` does, including a
/// trailing dotted IPv4 part).
pub fn parse_ipv6(s: &[u8]) -> Option<[u8; 16]> {
    let text = std::str::from_utf8(s).ok()?;
    let a: std::net::Ipv6Addr = text.parse().ok()?;
    Some(a.octets())
}

/// `/etc/hosts`: address to canonical name, first line wins.
#[derive(Debug, Clone, Default)]
pub struct Hosts {
    map: HashMap<Addr, Vec<u8>>,
}

impl Hosts {
    /// Parses the file.
    pub fn parse(input: &[u8]) -> Hosts {
        let mut map = HashMap::new();
        for line in lines(input) {
            let mut f = fields(line);
            let (Some(addr), Some(name)) = (f.next(), f.next()) else {
                continue;
            };
            let addr = if let Some(v4) = parse_ipv4(addr) {
                Addr::v4(v4)
            } else if let Some(v6) = parse_ipv6(addr) {
                Addr::v6(v6)
            } else {
                continue;
            };
            map.entry(addr).or_insert_with(|| name.to_vec());
        }
        Hosts { map }
    }

    /// The canonical name of an address, if a line lists it.
    pub fn lookup(&self, addr: &Addr) -> Option<&[u8]> {
        self.map.get(addr).map(|v| v.as_slice())
    }
}

/// `inet_network`: one to four dot-separated parts (decimal, `0x` hex or
/// leading-0 octal), packed into the low bytes of a 32-bit number.
pub fn inet_network(s: &[u8]) -> Option<u32> {
    let parts: Vec<&[u8]> = s.split(|&b| b == b'.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut v: u32 = 0;
    for p in parts {
        let n = crate::parse::scan::strtoul_whole(p)?;
        if p.first().is_some_and(|b| !b.is_ascii_digit()) || n > 255 {
            return None;
        }
        v = (v << 8) | n as u32;
    }
    Some(v)
}

/// `/etc/networks`: network number to name, first line wins.
#[derive(Debug, Clone, Default)]
pub struct Networks {
    map: HashMap<u32, Vec<u8>>,
}

impl Networks {
    /// Parses the file.
    pub fn parse(input: &[u8]) -> Networks {
        let mut map = HashMap::new();
        for line in lines(input) {
            let mut f = fields(line);
            let (Some(name), Some(num)) = (f.next(), f.next()) else {
                continue;
            };
            // glibc pads a number of fewer than four parts with `.0` parts
            // before `inet_network`: `127` means 127.0.0.0.
            let mut padded = num.to_vec();
            let parts = 1 + num.iter().filter(|&&b| b == b'.').count();
            for _ in parts..4 {
                padded.extend_from_slice(b".0");
            }
            if let Some(n) = inet_network(&padded) {
                map.entry(n).or_insert_with(|| name.to_vec());
            }
        }
        Networks { map }
    }

    /// The name of a network number (host byte order).
    pub fn lookup(&self, net: u32) -> Option<&[u8]> {
        self.map.get(&net).map(|v| v.as_slice())
    }
}

/// Which service table a socket's port is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceProto {
    /// tcp rows.
    Tcp,
    /// udp and udplite rows.
    Udp,
    /// raw rows (protocol numbers).
    Raw,
}

/// netstat's port-name tables, built from the whole services database and,
/// for raw, the protocols database (which takes precedence). Within one
/// table the last entry for a port wins, as in netstat.
#[derive(Debug, Clone, Default)]
pub struct Services {
    map: HashMap<(ServiceProto, u16), Vec<u8>>,
}

impl Services {
    /// Builds the tables from `etc/services` and `etc/protocols`.
    pub fn parse(services: &[u8], protocols: &[u8]) -> Services {
        let mut map = HashMap::new();
        for line in lines(services) {
            let mut f = fields(line);
            let (Some(name), Some(portproto)) = (f.next(), f.next()) else {
                continue;
            };
            let Some(slash) = portproto.iter().position(|&b| b == b'/') else {
                continue;
            };
            let (port, proto) = (
                portproto.get(..slash).unwrap_or(&[]),
                portproto.get(slash + 1..).unwrap_or(&[]),
            );
            if port.is_empty() || !port.iter().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let port = port.iter().fold(0u64, |a, &d| {
                a.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            });
            let proto = match proto {
                b"tcp" => ServiceProto::Tcp,
                b"udp" => ServiceProto::Udp,
                b"raw" => ServiceProto::Raw,
                _ => continue,
            };
            map.insert((proto, port as u16), name.to_vec());
        }
        for line in lines(protocols) {
            let mut f = fields(line);
            let (Some(name), Some(num)) = (f.next(), f.next()) else {
                continue;
            };
            if num.is_empty() || !num.iter().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let n = num.iter().fold(0u64, |a, &d| {
                a.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            });
            map.insert((ServiceProto::Raw, n as u16), name.to_vec());
        }
        Services { map }
    }

    /// The name netstat shows for a port.
    pub fn lookup(&self, proto: ServiceProto, port: u16) -> Option<&[u8]> {
        self.map.get(&(proto, port)).map(|v| v.as_slice())
    }
}

/// `/etc/passwd`: uid to login name, first line wins.
#[derive(Debug, Clone, Default)]
pub struct Passwd {
    map: HashMap<u32, Vec<u8>>,
}

impl Passwd {
    /// Parses the file.
    pub fn parse(input: &[u8]) -> Passwd {
        let mut map = HashMap::new();
        for line in lines(input) {
            let mut f = line.split(|&b| b == b':');
            let (Some(name), Some(_pw), Some(uid)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if name.is_empty() || uid.is_empty() || !uid.iter().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Ok(uid) = std::str::from_utf8(uid).unwrap_or("x").parse::<u32>() else {
                continue;
            };
            map.entry(uid).or_insert_with(|| name.to_vec());
        }
        Passwd { map }
    }

    /// The login name of a uid.
    pub fn lookup(&self, uid: u32) -> Option<&[u8]> {
        self.map.get(&uid).map(|v| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_first_line_wins() {
        let h = Hosts::parse(
            b"127.0.0.1 localhost\n127.0.0.1 other\n::1 ip6-localhost ip6-loopback # c\n# x\n",
        );
        assert_eq!(h.lookup(&Addr::v4([127, 0, 0, 1])), Some(&b"localhost"[..]));
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(h.lookup(&Addr::v6(one)), Some(&b"ip6-localhost"[..]));
    }

    #[test]
    fn services_last_wins_and_protocols_override_raw() {
        let s = Services::parse(b"a 22/tcp\nb 22/tcp\nc 53/udp\nd 1/raw\n", b"icmp 1 ICMP\n");
        assert_eq!(s.lookup(ServiceProto::Tcp, 22), Some(&b"b"[..]));
        assert_eq!(s.lookup(ServiceProto::Udp, 53), Some(&b"c"[..]));
        assert_eq!(s.lookup(ServiceProto::Raw, 1), Some(&b"icmp"[..]));
        assert_eq!(s.lookup(ServiceProto::Tcp, 53), None);
    }

    #[test]
    fn networks_and_passwd() {
        let n = Networks::parse(b"loopback 127\nlink-local 169.254.0.0\n");
        assert_eq!(n.lookup(0x7f00_0000), Some(&b"loopback"[..]));
        assert_eq!(n.lookup(127), None);
        assert_eq!(n.lookup(0xa9fe_0000), Some(&b"link-local"[..]));
        let p = Passwd::parse(b"root:x:0:0:::\nnobody:x:65534:65534:::\ntoor:x:0:0:::\n");
        assert_eq!(p.lookup(0), Some(&b"root"[..]));
        assert_eq!(p.lookup(65534), Some(&b"nobody"[..]));
    }
}
