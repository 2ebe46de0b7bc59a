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
    /// Every line in file order: address, canonical name and aliases (for
    /// forward lookups).
    lines: Vec<(Addr, Vec<Vec<u8>>)>,
}

impl Hosts {
    /// Parses the file.
    pub fn parse(input: &[u8]) -> Hosts {
        let mut map = HashMap::new();
        let mut entries = Vec::new();
        for line in lines(input) {
            let mut f = fields(line);
            let (Some(addr), Some(name)) = (f.next(), f.next()) else {
                continue;
            };
            let names: Vec<Vec<u8>> = std::iter::once(name).chain(f).map(<[u8]>::to_vec).collect();
            let addr = if let Some(v4) = parse_ipv4(addr) {
                Addr::v4(v4)
            } else if let Some(v6) = parse_ipv6(addr) {
                Addr::v6(v6)
            } else {
                continue;
            };
            map.entry(addr).or_insert_with(|| name.to_vec());
            entries.push((addr, names));
        }
        Hosts {
            map,
            lines: entries,
        }
    }

    /// Forward lookup (`gethostbyname2` through NSS `files`): the addresses
    /// of every line naming `name` (canonical name or alias, compared
    /// without case), v6 ones when `v6`, else v4 ones, in file order.
    pub fn addresses(&self, name: &[u8], v6: bool) -> Vec<Addr> {
        self.lines
            .iter()
            .filter(|(addr, names)| {
                addr.v6 == v6 && names.iter().any(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|(addr, _)| *addr)
            .collect()
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
    /// The first name per port instead (glibc's `getservbyport` and `getprotobynumber`, which
    /// ss calls; raw ports from `etc/protocols` only).
    first: HashMap<(ServiceProto, u16), Vec<u8>>,
    /// `etc/services` entries in file order: protocol, port and the names
    /// (name and aliases), for `getservbyname`.
    by_name: Vec<(ServiceProto, u16, Vec<Vec<u8>>)>,
}

impl Services {
    /// Builds the tables from `etc/services` and `etc/protocols`.
    pub fn parse(services: &[u8], protocols: &[u8]) -> Services {
        let mut map = HashMap::new();
        let mut first = HashMap::new();
        let mut by_name = Vec::new();
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
            if proto != ServiceProto::Raw && port <= u64::from(u16::MAX) {
                first
                    .entry((proto, port as u16))
                    .or_insert_with(|| name.to_vec());
            }
            let names = std::iter::once(name).chain(f).map(<[u8]>::to_vec).collect();
            by_name.push((proto, port as u16, names));
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
            if n <= u64::from(u16::MAX) {
                first
                    .entry((ServiceProto::Raw, n as u16))
                    .or_insert_with(|| name.to_vec());
            }
        }
        Services {
            map,
            first,
            by_name,
        }
    }

    /// `getservbyname(name, proto)`: the port of the first entry of
    /// `etc/services` with that name or alias (case-sensitive) for `proto`.
    pub fn port_by_name(&self, name: &[u8], proto: ServiceProto) -> Option<u16> {
        self.by_name
            .iter()
            .find(|(p, _, names)| *p == proto && names.iter().any(|n| n == name))
            .map(|&(_, port, _)| port)
    }

    /// The first name for a port, as glibc's `getservbyport` (tcp, udp) and `getprotobynumber`
    /// (raw) give it to ss.
    pub fn first_name(&self, proto: ServiceProto, port: u16) -> Option<&[u8]> {
        self.first.get(&(proto, port)).map(|v| v.as_slice())
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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    const SAMPLE: &[&[u8]] = &[
        b"127.0.0.1   localhost",
        b"::1         ip6-localhost ip6-loopback # comment",
        b"10.0.0.1\tweb.example web",
        b"ssh         22/tcp",
        b"domain      53/udp",
        b"icmp        1   ICMP",
        b"loopback    127",
        b"link-local  169.254.0.0",
        b"root:x:0:0:root:/root:/bin/bash",
        b"nobody:x:65534:65534:::",
        b"# only a comment",
        b"",
    ];

    fn file(rng: &mut Rng) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..rng.below(10) {
            let line = SAMPLE[rng.below(SAMPLE.len())];
            let line = if rng.below(2) == 0 {
                rng.mutate(line)
            } else {
                line.to_vec()
            };
            out.extend_from_slice(&line);
            out.push(b'\n');
        }
        out
    }

    /// Mutated databases: no panic, and every name found is a field of
    /// some line of the file.
    #[test]
    fn mutated_databases() {
        let mut rng = Rng(0x6574_6370_726f);
        for _ in 0..20_000 {
            let text = file(&mut rng);
            let hosts = Hosts::parse(&text);
            let networks = Networks::parse(&text);
            let services = Services::parse(&text, &text);
            let passwd = Passwd::parse(&text);
            let known =
                |name: &[u8]| !name.is_empty() && text.windows(name.len()).any(|w| w == name);
            for line in lines(&text) {
                for w in line.split(|&b| is_space(b) || b == b':') {
                    if let Some(a) = parse_ipv4(w) {
                        assert!(hosts.lookup(&Addr::v4(a)).is_none_or(known));
                    }
                    if let Some(a) = parse_ipv6(w) {
                        assert!(hosts.lookup(&Addr::v6(a)).is_none_or(known));
                    }
                    if let Some(n) = inet_network(w) {
                        assert!(networks.lookup(n).is_none_or(known));
                    }
                    if let Some(n) = crate::parse::scan::strtoul_whole(w) {
                        for p in [ServiceProto::Tcp, ServiceProto::Udp, ServiceProto::Raw] {
                            assert!(services.lookup(p, n as u16).is_none_or(known));
                        }
                        assert!(passwd.lookup(n as u32).is_none_or(known));
                    }
                }
            }
        }
    }

    /// Generated databases: hosts and passwd keep the first entry of a key,
    /// services the last.
    #[test]
    fn first_and_last_wins() {
        let mut rng = Rng(0x6669_7273_7477);
        for _ in 0..5_000 {
            let mut hosts = Vec::new();
            let mut passwd = Vec::new();
            let mut services = Vec::new();
            let mut want_hosts: Vec<([u8; 4], String)> = Vec::new();
            let mut want_uid: Vec<(u32, String)> = Vec::new();
            let mut want_port: Vec<(u16, String)> = Vec::new();
            for i in 0..1 + rng.below(12) {
                let a = [127, 0, rng.below(3) as u8, rng.below(3) as u8];
                let name = format!("h{i}");
                hosts.extend_from_slice(
                    format!("{}.{}.{}.{}\t{name} alias\n", a[0], a[1], a[2], a[3]).as_bytes(),
                );
                if !want_hosts.iter().any(|(x, _)| *x == a) {
                    want_hosts.push((a, name.clone()));
                }
                let uid = rng.below(4) as u32;
                passwd.extend_from_slice(format!("{name}:x:{uid}:0:::\n").as_bytes());
                if !want_uid.iter().any(|(u, _)| *u == uid) {
                    want_uid.push((uid, name.clone()));
                }
                let port = rng.below(4) as u16;
                services.extend_from_slice(format!("{name} {port}/tcp\n").as_bytes());
                want_port.retain(|(p, _)| *p != port);
                want_port.push((port, name));
            }
            let h = Hosts::parse(&hosts);
            for (a, n) in &want_hosts {
                assert_eq!(h.lookup(&Addr::v4(*a)), Some(n.as_bytes()));
            }
            let p = Passwd::parse(&passwd);
            for (u, n) in &want_uid {
                assert_eq!(p.lookup(*u), Some(n.as_bytes()));
            }
            let s = Services::parse(&services, b"");
            for (port, n) in &want_port {
                assert_eq!(s.lookup(ServiceProto::Tcp, *port), Some(n.as_bytes()));
            }
        }
    }

    /// Addresses written in their canonical forms read back.
    #[test]
    fn addresses_round_trip() {
        let mut rng = Rng(0x6164_6472_7274);
        for _ in 0..20_000 {
            let v4 = (rng.next() as u32).to_be_bytes();
            let text = std::net::Ipv4Addr::from(v4).to_string();
            assert_eq!(parse_ipv4(text.as_bytes()), Some(v4));
            assert_eq!(inet_network(text.as_bytes()), Some(u32::from_be_bytes(v4)));
            let mut v6 = [0u8; 16];
            for b in v6.iter_mut() {
                *b = if rng.below(3) == 0 {
                    rng.next() as u8
                } else {
                    0
                };
            }
            let text = std::net::Ipv6Addr::from(v6).to_string();
            assert_eq!(parse_ipv6(text.as_bytes()), Some(v6));
            let junk = rng.mutate(text.as_bytes());
            let _ = (parse_ipv4(&junk), parse_ipv6(&junk), inet_network(&junk));
        }
    }
}
