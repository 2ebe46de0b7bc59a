//! ss 6.1's filter expression: tokens, grammar and evaluation (docs/ss-behaviour.md §12, §13).
//!
//! [`parse_filter`] reads the words left after the options and the state
//! words, split again at spaces and tabs (§12.2), with ss's grammar: no
//! precedence, `and`/`or` strictly left to right, juxtaposition is `and`
//! (§12.3). Operands are parsed as ss's lexer parses them, when the parser
//! reaches them, so the first problem met (a syntax error or a bad operand)
//! is the one reported, with ss's message and exit status.
//! [`Filter::matches`] evaluates a parsed filter on one socket ([`SockRef`]).

use crate::model::Names;
use crate::parse::etc::{ServiceProto, parse_ipv6};
use crate::ss::args::Exit;
use crate::ss::args::{Family, Table, USAGE_TEXT};

/// Socket family of a row, as the filter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockFamily {
    /// AF_INET (tcp/udp/raw v4 files).
    Inet,
    /// AF_INET6 (tcp6/udp6/raw6 files).
    Inet6,
    /// AF_UNIX (`net/unix`).
    Unix,
    /// AF_PACKET (`net/packet`).
    Packet,
    /// AF_NETLINK (`net/netlink`).
    Netlink,
}

/// One socket row as the filter compares it (ss's `struct sockstat`).
///
/// Addresses are the bytes in network order: 4 for inet, 16 for inet6.
/// For netlink rows, `local_addr` is the protocol number as 4 little-endian
/// bytes (ss stores it in the first host-order word), `local_port` the pid
/// and `remote_port` −1. For packet rows `local_addr` is the protocol as
/// 4 little-endian bytes and `local_port` the interface index. For unix rows
/// only `unix_path` is used (file mode has no peers; ports are 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SockRef<'a> {
    /// The row's family.
    pub family: SockFamily,
    /// Local address bytes (see above).
    pub local_addr: &'a [u8],
    /// Local port (inet), pid (netlink), interface (packet).
    pub local_port: i64,
    /// Remote address bytes.
    pub remote_addr: &'a [u8],
    /// Remote port (−1 for netlink).
    pub remote_port: i64,
    /// Unix socket path (`None`: no path), as printed (cut at white space).
    pub unix_path: Option<&'a [u8]>,
    /// Interface index (always 0 for file-mode inet rows).
    pub iface: u32,
    /// Socket mark (always 0 in file mode).
    pub mark: u32,
    /// cgroup id (always 0 in file mode).
    pub cgroup: u64,
}

impl<'a> SockRef<'a> {
    /// An inet or inet6 row: family from the address length (4 or 16).
    pub fn inet(local: &'a [u8], lport: u16, remote: &'a [u8], rport: u16) -> Self {
        SockRef {
            family: if local.len() == 4 {
                SockFamily::Inet
            } else {
                SockFamily::Inet6
            },
            local_addr: local,
            local_port: i64::from(lport),
            remote_addr: remote,
            remote_port: i64::from(rport),
            unix_path: None,
            iface: 0,
            mark: 0,
            cgroup: 0,
        }
    }

    /// A unix row with its path (as printed, `None` when it has none).
    pub fn unix(path: Option<&'a [u8]>) -> Self {
        SockRef {
            family: SockFamily::Unix,
            local_addr: &[],
            local_port: 0,
            remote_addr: &[],
            remote_port: 0,
            unix_path: path,
            iface: 0,
            mark: 0,
            cgroup: 0,
        }
    }

    /// A netlink row: protocol number and pid.
    pub fn netlink(protocol: &'a [u8; 4], pid: i32) -> Self {
        SockRef {
            family: SockFamily::Netlink,
            local_addr: protocol,
            local_port: i64::from(pid),
            remote_addr: &[],
            remote_port: -1,
            unix_path: None,
            iface: 0,
            mark: 0,
            cgroup: 0,
        }
    }
}

/// What filter parsing needs from the snapshot and the host.
#[derive(Debug, Clone, Copy)]
pub struct FilterEnv<'a> {
    /// The snapshot's name databases (`etc/hosts`, `etc/services`).
    pub names: &'a Names,
    /// The ephemeral port range (`sys/net/ipv4/ip_local_port_range`,
    /// read by [`crate::parse::ss::port_range`]).
    pub ephemeral: (i64, i64),
    /// Interfaces of the running namespace, by name and index (`dev`):
    /// in ss's replay only `lo` (1), see [`REPLAY_INTERFACES`].
    pub interfaces: &'a [(&'a [u8], u32)],
}

/// The interfaces of the namespace ss is replayed in: only `lo`.
pub const REPLAY_INTERFACES: &[(&[u8], u32)] = &[(b"lo", 1)];

impl<'a> FilterEnv<'a> {
    /// An environment with the snapshot's names, the given ephemeral range
    /// and the replay namespace's interfaces.
    pub fn new(names: &'a Names, ephemeral: (i64, i64)) -> Self {
        FilterEnv {
            names,
            ephemeral,
            interfaces: REPLAY_INTERFACES,
        }
    }
}

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Both.
    And(Box<Filter>, Box<Filter>),
    /// Either.
    Or(Box<Filter>, Box<Filter>),
    /// Not.
    Not(Box<Filter>),
    /// `dst HOST` (remote side).
    Dst(HostCond),
    /// `src HOST` (local side).
    Src(HostCond),
    /// `dport >= N`.
    DportGe(i64),
    /// `dport <= N`.
    DportLe(i64),
    /// `sport >= N`.
    SportGe(i64),
    /// `sport <= N`.
    SportLe(i64),
    /// `dev`: interface index.
    Dev(u32),
    /// `fwmark MARK/MASK`.
    Mark {
        /// The mark.
        mark: u32,
        /// The mask.
        mask: u32,
    },
    /// `cgroup`: cgroup id.
    Cgroup(u64),
    /// `autobound`.
    Autobound {
        /// The ephemeral range at parse time.
        ephemeral: (i64, i64),
    },
}

/// Family of a host condition (`unix:` …, or the preferred family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondFamily {
    /// No family given and no preferred family.
    Unspec,
    /// `inet:` / `-4`.
    Inet,
    /// `inet6:` / `-6`.
    Inet6,
    /// `unix:` / `-x`.
    Unix,
    /// `link:` / `-0`.
    Packet,
    /// `netlink:`.
    Netlink,
    /// `vsock:`.
    Vsock,
    /// `--tipc`/`-f tipc` preferred (no address parses).
    Tipc,
    /// `--xdp`/`-f xdp` preferred (no address parses).
    Xdp,
}

/// One address prefix of a host condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// Whether the address was a v4 one (for the v4-mapped rule).
    pub v4: bool,
    /// Address bytes (4 or 16; netlink/packet: protocol as 4 LE bytes).
    pub bytes: Vec<u8>,
    /// Prefix length in bits (0: any address).
    pub bits: u32,
}

/// A `src`/`dst`/`sport`/`dport` operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCond {
    /// The family the operand was parsed in.
    pub family: CondFamily,
    /// The port, −1 for any.
    pub port: i64,
    /// Unix: the shell pattern (`None`: any).
    pub pattern: Option<Vec<u8>>,
    /// The addresses, any of which may match (empty or bits 0: any).
    pub addrs: Vec<Prefix>,
}

impl Filter {
    /// Whether a socket passes the filter (ss's `run_ssfilter`).
    pub fn matches(&self, s: &SockRef) -> bool {
        match self {
            Filter::And(a, b) => a.matches(s) && b.matches(s),
            Filter::Or(a, b) => a.matches(s) || b.matches(s),
            Filter::Not(a) => !a.matches(s),
            Filter::Dst(c) => c.matches(s, false),
            Filter::Src(c) => c.matches(s, true),
            Filter::DportGe(p) => s.remote_port >= *p,
            Filter::DportLe(p) => s.remote_port <= *p,
            Filter::SportGe(p) => s.local_port >= *p,
            Filter::SportLe(p) => s.local_port <= *p,
            Filter::Dev(i) => s.iface == *i,
            Filter::Mark { mark, mask } => s.mark & mask == *mark,
            Filter::Cgroup(id) => s.cgroup == *id,
            Filter::Autobound { ephemeral } => autobound(s, *ephemeral),
        }
    }
}

/// Parser state shared with the option resolution: the socket tables and
/// families ss's lexer consults and changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterCtx {
    /// Selected tables (ss DB bitmask).
    pub dbs: u32,
    /// Selected families (bitmask of [`crate::ss::args::Family`] bits).
    pub families: u32,
    /// The state set.
    pub states: u32,
    /// The preferred family for addresses.
    pub preferred: CondFamily,
}

/// ss's `autobound` test.
fn autobound(s: &SockRef, (min, max): (i64, i64)) -> bool {
    match s.family {
        SockFamily::Unix => match s.unix_path {
            None => true,
            Some(p) => {
                p.len() == 6
                    && p.first() == Some(&b'@')
                    && p.iter().skip(1).all(|b| b"0123456789abcdef".contains(b))
            }
        },
        SockFamily::Packet => s.local_port == 0 && s.local_addr.iter().take(4).all(|&b| b == 0),
        SockFamily::Netlink => s.local_port < 0,
        SockFamily::Inet | SockFamily::Inet6 => s.local_port >= min && s.local_port <= max,
    }
}

/// Whether the first `bits` bits of `a` and `b` (zero-padded) are equal.
fn prefix_eq(a: &[u8], b: &[u8], bits: u32) -> bool {
    let byte = |v: &[u8], i: usize| v.get(i).copied().unwrap_or(0);
    let full = (bits / 8) as usize;
    if (0..full).any(|i| byte(a, i) != byte(b, i)) {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    (byte(a, full) ^ byte(b, full)) & mask == 0
}

impl HostCond {
    /// ss's `SSF_SCOND` (`local`) / `SSF_DCOND` on one socket.
    fn matches(&self, s: &SockRef, local: bool) -> bool {
        if self.family == CondFamily::Unix {
            // ss compares the socket's name; only unix rows have one (an
            // inet row under a unix condition would make ss read its
            // address as a pointer: netsnap says no match).
            if s.family != SockFamily::Unix {
                return false;
            }
            let Some(pattern) = &self.pattern else {
                return true;
            };
            let name = if local { s.unix_path } else { None };
            return fnmatch_casefold(pattern, name.unwrap_or_default());
        }
        let port = if local { s.local_port } else { s.remote_port };
        if self.port != -1 && self.port != port {
            return false;
        }
        if self.addrs.is_empty() {
            return true;
        }
        // The socket's address bytes; a unix row's local "address" is a
        // pointer to its name (zero when it has none), its remote is zero.
        let bytes: Option<&[u8]> = match (s.family, local) {
            (SockFamily::Unix, true) if s.unix_path.is_some() => None,
            (SockFamily::Unix, _) => Some(&[]),
            (_, true) => Some(s.local_addr),
            (_, false) => Some(s.remote_addr),
        };
        let Some(bytes) = bytes else {
            return false;
        };
        self.addrs.iter().any(|p| {
            if prefix_eq(bytes, &p.bytes, p.bits) {
                return true;
            }
            let mapped = bytes.len() == 16
                && bytes.iter().take(10).all(|&b| b == 0)
                && bytes.get(10..12) == Some(&[0xff, 0xff]);
            p.v4 && s.family == SockFamily::Inet6
                && mapped
                && prefix_eq(bytes.get(12..).unwrap_or_default(), &p.bytes, p.bits)
        })
    }
}

/// `fnmatch(pattern, name, FNM_CASEFOLD)` in the C locale: `*`, `?`,
/// bracket expressions (`!`/`^`, ranges, `[:class:]`), backslash escapes;
/// `/` and leading dots are not special.
pub fn fnmatch_casefold(pattern: &[u8], name: &[u8]) -> bool {
    let lower = |b: u8| b.to_ascii_lowercase();
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(&pc) = pattern.get(p) {
            match pc {
                b'*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                b'?' if n < name.len() => {
                    p += 1;
                    n += 1;
                    continue;
                }
                b'[' if n < name.len() => {
                    if let Some((matched, next)) = bracket(pattern, p, lower(name[n])) {
                        if matched {
                            p = next;
                            n += 1;
                            continue;
                        }
                    } else if lower(name[n]) == b'[' {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                b'\\' if n < name.len() => {
                    let lit = pattern.get(p + 1).copied().unwrap_or(b'\\');
                    if lower(lit) == lower(name[n]) {
                        p += if p + 1 < pattern.len() { 2 } else { 1 };
                        n += 1;
                        continue;
                    }
                }
                _ if n < name.len() && lower(pc) == lower(name[n]) => {
                    p += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
        } else if n == name.len() {
            return true;
        }
        // Mismatch: let the last star take one more byte.
        match star {
            Some((sp, sn)) if sn < name.len() => {
                star = Some((sp, sn + 1));
                p = sp + 1;
                n = sn + 1;
            }
            _ => return false,
        }
    }
}

/// A bracket expression at `pattern[start] == '['` against the
/// lower-cased byte `c`: `(matched, index after ']')`, or `None` when the
/// bracket is not closed (then `[` is an ordinary character).
fn bracket(pattern: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let b = *pattern.get(i)?;
        if b == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if b == b'[' && pattern.get(i + 1) == Some(&b':') {
            let rest = pattern.get(i + 2..)?;
            let end = rest.windows(2).position(|w| w == b":]")?;
            let class = rest.get(..end)?;
            let up = c.to_ascii_uppercase();
            matched |=
                match class {
                    b"alpha" => c.is_ascii_alphabetic(),
                    b"digit" => c.is_ascii_digit(),
                    b"alnum" => c.is_ascii_alphanumeric(),
                    b"upper" | b"lower" => c.is_ascii_alphabetic(),
                    b"space" => c.is_ascii_whitespace() || c == 0x0b,
                    b"blank" => c == b' ' || c == b'\t',
                    b"xdigit" => c.is_ascii_hexdigit(),
                    b"punct" => c.is_ascii_punctuation(),
                    b"print" => (0x20..0x7f).contains(&c),
                    b"graph" => c.is_ascii_graphic(),
                    b"cntrl" => c.is_ascii_control(),
                    _ => return None,
                } || (class == b"upper" && up.is_ascii_uppercase() && c.is_ascii_alphabetic());
            i += 2 + end + 2;
            continue;
        }
        let (lo, next) = if b == b'\\' {
            (*pattern.get(i + 1)?, i + 2)
        } else {
            (b, i + 1)
        };
        if pattern.get(next) == Some(&b'-') && pattern.get(next + 1).is_some_and(|&e| e != b']') {
            let hi_at = next + 1;
            let (hi, after) = match pattern.get(hi_at) {
                Some(b'\\') => (*pattern.get(hi_at + 1)?, hi_at + 2),
                Some(&h) => (h, hi_at + 1),
                None => return None,
            };
            let (lo, hi) = (lo.to_ascii_lowercase(), hi.to_ascii_lowercase());
            matched |= lo <= c && c <= hi;
            i = after;
        } else {
            matched |= lo.to_ascii_lowercase() == c;
            i = next;
        }
    }
}

/// C `strtoul`/`strtol` with base 0 on a byte string: skips white space,
/// takes a sign and a `0x`/`0` prefix. Returns the value (negated for `-`,
/// saturated to ±u64::MAX) and how many bytes were used (0: no digits).
fn c_strtol(s: &[u8]) -> (i128, usize) {
    let mut i = 0;
    while s
        .get(i)
        .is_some_and(|&b| b == b' ' || (9..=13).contains(&b))
    {
        i += 1;
    }
    let mut neg = false;
    if let Some(&b) = s.get(i)
        && (b == b'+' || b == b'-')
    {
        neg = b == b'-';
        i += 1;
    }
    let hex = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    let (base, mut j) = if hex {
        (16, i + 2)
    } else if s.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let start = j;
    let mut v: i128 = 0;
    while let Some(d) = s.get(j).and_then(|&b| (b as char).to_digit(base)) {
        v = (v * i128::from(base) + i128::from(d)).min(i128::from(u64::MAX) + 1);
        j += 1;
    }
    if j == start {
        return (0, 0);
    }
    (if neg { -v } else { v }, j)
}

/// iproute2's `get_integer(…, 0)`: the whole string, within `int`.
fn get_integer(s: &[u8]) -> Option<i64> {
    let (v, used) = c_strtol(s);
    if used == 0 || used != s.len() || v < i128::from(i32::MIN) || v > i128::from(i32::MAX) {
        return None;
    }
    Some(v as i64)
}

/// iproute2's `get_unsigned`/`get_u32(…, 0)`: the whole string, within
/// `unsigned int` (a `-N` wraps as in `strtoul` and is then too large,
/// except `-0`).
fn get_unsigned(s: &[u8]) -> Option<u32> {
    let (v, used) = c_strtol(s);
    if used == 0 || used != s.len() {
        return None;
    }
    let v = if v < 0 {
        if v < -i128::from(u64::MAX) {
            u64::MAX
        } else {
            (v + i128::from(u64::MAX) + 1) as u64
        }
    } else {
        v.min(i128::from(u64::MAX)) as u64
    };
    u32::try_from(v).ok()
}

/// `scanf("%i")`: an integer with C prefixes, trailing bytes allowed;
/// value (as `int`, truncated) and bytes used.
fn scanf_i(s: &[u8]) -> Option<(u32, usize)> {
    let (v, used) = c_strtol(s);
    if used == 0 {
        return None;
    }
    let v = v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    Some((v as u32, used))
}

/// iproute2's `get_addr_ipv4`: one to four dot-separated parts, each a C
/// integer up to 255; missing parts are 0.
fn get_addr_ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut rest = s;
    for i in 0..4 {
        let (v, used) = c_strtol(rest);
        if used == 0 {
            return None;
        }
        let v = if v < 0 {
            u64::MAX
        } else {
            v.min(i128::from(u64::MAX)) as u64
        };
        *out.get_mut(i)? = u8::try_from(v).ok()?;
        match rest.get(used) {
            None => break,
            Some(b'.') if i < 3 => rest = rest.get(used + 1..)?,
            Some(_) => return None,
        }
    }
    Some(out)
}

/// The address family an address text parsed as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AddrFamily {
    /// Same as asked (`default`, `any`, `all`).
    Asked,
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

/// iproute2's `get_addr_1` for the families ss's filter uses: the parsed
/// family, bytes and whether it was `default`/`any`/`all` (bit length -2).
fn get_addr_1(s: &[u8], fam: CondFamily) -> Option<(AddrFamily, [u8; 16], bool)> {
    if s == b"default" || s == b"all" || s == b"any" {
        return Some((AddrFamily::Asked, [0; 16], true));
    }
    let mut bytes = [0u8; 16];
    if s.contains(&b':') {
        if !matches!(fam, CondFamily::Unspec | CondFamily::Inet6) {
            return None;
        }
        return Some((AddrFamily::V6, parse_ipv6(s)?, false));
    }
    if !matches!(fam, CondFamily::Unspec | CondFamily::Inet) {
        return None;
    }
    let v4 = get_addr_ipv4(s)?;
    bytes.get_mut(..4)?.copy_from_slice(&v4);
    Some((AddrFamily::V4, bytes, false))
}

/// iproute2's `get_prefix_1`: an address with an optional `/LEN` or
/// `/NETMASK`. `None` for an empty list means "any address".
fn get_prefix_1(s: &[u8], fam: CondFamily) -> Option<Option<Prefix>> {
    let slash = s.iter().position(|&b| b == b'/');
    let addr_text = slash.and_then(|i| s.get(..i)).unwrap_or(s);
    let (family, bytes, any) = get_addr_1(addr_text, fam)?;
    let full = match family {
        AddrFamily::V4 => 32,
        AddrFamily::V6 => 128,
        AddrFamily::Asked => match fam {
            CondFamily::Inet => 32,
            CondFamily::Inet6 => 128,
            _ => 0,
        },
    };
    let bits = match slash {
        Some(i) => {
            if any {
                return None;
            }
            let text = s.get(i + 1..)?;
            let plen = match get_unsigned(text) {
                Some(v) => v,
                None => {
                    let (f, mask, _) = get_addr_1(text, CondFamily::Inet)?;
                    if f == AddrFamily::V6 {
                        return None;
                    }
                    let m = u32::from_be_bytes([mask[0], mask[1], mask[2], mask[3]]);
                    let host = !m;
                    if host & host.wrapping_add(1) != 0 {
                        return None;
                    }
                    m.count_ones()
                }
            };
            if plen > full {
                return None;
            }
            plen
        }
        None if any => 0,
        None => full,
    };
    if bits == 0 {
        return Some(None);
    }
    let len = if family == AddrFamily::V6 { 16 } else { 4 };
    Some(Some(Prefix {
        v4: family == AddrFamily::V4 || (family == AddrFamily::Asked && fam == CondFamily::Inet),
        bytes: bytes.get(..len).unwrap_or_default().to_vec(),
        bits,
    }))
}

/// The `Exit` of a condition ss's lexer cannot parse: `message` (may be
/// empty) then `Cannot parse dst/src address.`, status 1.
fn bad_address(message: Vec<u8>) -> Exit {
    let mut stderr = message;
    stderr.extend_from_slice(b"Cannot parse dst/src address.\n");
    Exit {
        stdout: Vec::new(),
        stderr,
        status: 1,
    }
}

/// The family bit a condition family restricts the listing to.
fn family_bit(fam: CondFamily) -> Option<u32> {
    Some(match fam {
        CondFamily::Unspec => return None,
        CondFamily::Inet => Family::Inet.bit(),
        CondFamily::Inet6 => Family::Inet6.bit(),
        CondFamily::Unix => Family::Unix.bit(),
        CondFamily::Packet => Family::Packet.bit(),
        CondFamily::Netlink => Family::Netlink.bit(),
        CondFamily::Vsock => Family::Vsock.bit(),
        CondFamily::Tipc => Family::Tipc.bit(),
        CondFamily::Xdp => Family::Xdp.bit(),
    })
}

/// ss's `find_port` for link/netlink/vsock conditions: the address part
/// and the port part (after the first `:`; the whole text for a port).
fn find_port(text: &[u8], is_port: bool) -> (&[u8], Option<&[u8]>) {
    if is_port {
        return match text.split_first() {
            Some((b':', rest)) => (&[], Some(rest)),
            _ => (text, Some(text)),
        };
    }
    match text.iter().position(|&b| b == b':') {
        Some(i) => (text.get(..i).unwrap_or_default(), text.get(i + 1..)),
        None => (text, None),
    }
}

/// ss's `parse_hostcond`.
fn parse_hostcond(
    text: &[u8],
    is_port: bool,
    env: &FilterEnv,
    ctx: &mut FilterCtx,
) -> Result<HostCond, Exit> {
    let mut fam = ctx.preferred;
    let mut rest = text;
    for (prefix, f) in [
        (&b"unix:"[..], CondFamily::Unix),
        (b"link:", CondFamily::Packet),
        (b"netlink:", CondFamily::Netlink),
        (b"vsock:", CondFamily::Vsock),
        (b"inet:", CondFamily::Inet),
        (b"inet6:", CondFamily::Inet6),
    ] {
        if let Some(r) = text.strip_prefix(prefix) {
            fam = f;
            rest = r;
            break;
        }
    }
    let mut cond = HostCond {
        family: fam,
        port: -1,
        pattern: None,
        addrs: Vec::new(),
    };
    let not_star = |s: &[u8]| !s.is_empty() && s != b"*";
    match fam {
        CondFamily::Unix => cond.pattern = Some(rest.to_vec()),
        CondFamily::Packet | CondFamily::Netlink => {
            let (addr, port) = find_port(rest, is_port);
            if let Some(port) = port.filter(|p| not_star(p)) {
                cond.port = match get_integer(port) {
                    Some(v) => v,
                    None if fam == CondFamily::Netlink && port == b"kernel" => 0,
                    None if fam == CondFamily::Packet => match interface_index(port, env) {
                        Some(i) if i > 0 => i64::from(i),
                        _ => return Err(bad_address(Vec::new())),
                    },
                    None => return Err(bad_address(Vec::new())),
                };
            }
            if !is_port && not_star(addr) {
                let id = if fam == CondFamily::Netlink {
                    super::names::NETLINK_PROTOCOLS
                        .iter()
                        .find(|(_, n)| *n == addr)
                        .map(|&(id, _)| id as u32)
                } else {
                    super::names::LINK_PROTOCOLS
                        .iter()
                        .find(|(_, n)| n.eq_ignore_ascii_case(addr))
                        .map(|&(id, _)| u32::from(id))
                };
                let id = id
                    .or_else(|| {
                        let v = get_unsigned(addr)?;
                        if fam == CondFamily::Packet {
                            u16::try_from(v).ok().map(u32::from)
                        } else {
                            Some(v)
                        }
                    })
                    .ok_or_else(|| bad_address(Vec::new()))?;
                cond.addrs.push(Prefix {
                    v4: false,
                    bytes: id.to_le_bytes().to_vec(),
                    bits: 32,
                });
            }
        }
        CondFamily::Vsock => {
            let (addr, port) = find_port(rest, is_port);
            if let Some(port) = port.filter(|p| *p != b"*") {
                let v = get_unsigned(port).ok_or_else(|| bad_address(Vec::new()))?;
                cond.port = i64::from(v as i32);
            }
            if !is_port && not_star(addr) {
                let cid = get_unsigned(addr).ok_or_else(|| bad_address(Vec::new()))?;
                cond.addrs.push(Prefix {
                    v4: false,
                    bytes: cid.to_le_bytes().to_vec(),
                    bits: 32,
                });
            }
        }
        _ => inet_hostcond(rest, is_port, fam, env, ctx, &mut cond)?,
    }
    if let Some(bit) = family_bit(fam) {
        ctx.families = bit;
        ctx.preferred = fam;
    }
    Ok(cond)
}

/// The inet part of `parse_hostcond`: `[ADDR]:PORT`, `ADDR/LEN:PORT`,
/// `*:PORT`, host and service names.
fn inet_hostcond(
    text: &[u8],
    is_port: bool,
    fam: CondFamily,
    env: &FilterEnv,
    ctx: &FilterCtx,
    cond: &mut HostCond,
) -> Result<(), Exit> {
    let mut addr = text;
    let mut port: Option<&[u8]> = None;
    // What `port = addr` sees for sport/dport: the text after a `[`, cut
    // at the `]`; the `:` before a port is only cut off later.
    let mut whole = text;
    if let Some(inner) = text.strip_prefix(b"[") {
        let close = inner
            .iter()
            .position(|&b| b == b']')
            .ok_or_else(|| bad_address(Vec::new()))?;
        addr = inner.get(..close).unwrap_or_default();
        port = inner.get(close + 1..);
        whole = addr;
    } else if let Some(after) = text.strip_prefix(b"*") {
        port = Some(after);
    } else {
        let base = text.iter().position(|&b| b == b'/').unwrap_or(0);
        if let Some(i) = text
            .get(base..)
            .and_then(|t| t.iter().rposition(|&b| b == b':'))
        {
            let at = base + i;
            port = text.get(at..);
            addr = text.get(..at).unwrap_or_default();
        }
    }
    if is_port {
        port = Some(whole);
    }
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        let p = p.strip_prefix(b":").unwrap_or(p);
        if p.first().is_some_and(|&b| b != b'*') {
            cond.port = match get_integer(p) {
                Some(v) => v,
                None => service_port(p, env, ctx)?,
            };
        }
    }
    if !is_port && addr.first().is_some_and(|&b| b != b'*') {
        match get_prefix_1(addr, fam) {
            Some(Some(prefix)) => cond.addrs.push(prefix),
            Some(None) => {}
            None => {
                let mut found = Vec::new();
                let mut add = |v6: bool| {
                    for a in env.names.hosts.addresses(addr, v6) {
                        let len = if v6 { 16 } else { 4 };
                        found.push(Prefix {
                            v4: !v6,
                            bytes: a.bytes.get(..len).unwrap_or_default().to_vec(),
                            bits: len as u32 * 8,
                        });
                    }
                };
                match fam {
                    CondFamily::Unspec => {
                        add(false);
                        add(true);
                    }
                    CondFamily::Inet => add(false),
                    CondFamily::Inet6 => add(true),
                    _ => {}
                }
                if found.is_empty() {
                    return Err(bad_address(
                        [
                            &b"Error: an inet prefix is expected rather than \""[..],
                            addr,
                            b"\".\n",
                        ]
                        .concat(),
                    ));
                }
                cond.addrs = found;
            }
        }
    }
    Ok(())
}

/// A service name as ss looks it up: udp if udp is selected, tcp if tcp
/// is; different ports are ambiguous.
fn service_port(name: &[u8], env: &FilterEnv, ctx: &FilterCtx) -> Result<i64, Exit> {
    let services = &env.names.services;
    let udp = (ctx.dbs & Table::Udp.bit() != 0)
        .then(|| services.port_by_name(name, ServiceProto::Udp))
        .flatten();
    let tcp = (ctx.dbs & Table::Tcp.bit() != 0)
        .then(|| services.port_by_name(name, ServiceProto::Tcp))
        .flatten();
    if let (Some(u), Some(t)) = (udp, tcp)
        && u != t
    {
        return Err(bad_address(
            [&b"Error: ambiguous port \""[..], name, b"\".\n"].concat(),
        ));
    }
    match udp.or(tcp) {
        Some(p) => Ok(i64::from(p)),
        None => Err(bad_address(
            [&b"Error: \""[..], name, b"\" does not look like a port.\n"].concat(),
        )),
    }
}

/// ss's interface lookup for `dev` and link ports: a name of the running
/// namespace, `ifN`, else 0.
fn interface_index(name: &[u8], env: &FilterEnv) -> Option<u32> {
    if let Some(&(_, i)) = env.interfaces.iter().find(|(n, _)| *n == name) {
        return Some(i);
    }
    let digits = name.strip_prefix(b"if")?;
    let (v, used) = c_strtol(digits);
    let first = digits
        .iter()
        .position(|b| !(b == &b' ' || (9..=13).contains(b)));
    // `%u` takes decimal digits only.
    let decimal = first
        .and_then(|f| digits.get(f..))
        .is_some_and(|d| !matches!(d, [b'0', b'x' | b'X', ..]));
    if used == 0 || !decimal {
        return None;
    }
    Some(v as u32)
}

/// ss's `parse_devcond`.
fn parse_devcond(name: &[u8], env: &FilterEnv) -> Option<u32> {
    match interface_index(name, env) {
        Some(i) if i != 0 => Some(i),
        _ => get_unsigned(name),
    }
}

/// ss's `parse_markmask`.
fn parse_markmask(text: &[u8]) -> Option<(u32, u32)> {
    if text.contains(&b'/') {
        let (mark, used) = scanf_i(text)?;
        let rest = text.get(used..)?.strip_prefix(b"/")?;
        let (mask, _) = scanf_i(rest)?;
        Some((mark, mask))
    } else {
        Some((scanf_i(text)?.0, u32::MAX))
    }
}

/// Splits the words into tokens as ss's lexer does: at spaces and tabs, a
/// backslash taking the next byte literally.
pub fn tokenize<A: AsRef<[u8]>>(words: &[A]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for word in words {
        let word = word.as_ref();
        let word = word
            .get(..word.iter().position(|&b| b == 0).unwrap_or(word.len()))
            .unwrap_or_default();
        let mut i = 0;
        loop {
            while matches!(word.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            if i >= word.len() {
                break;
            }
            let mut tok = Vec::new();
            while let Some(&b) = word.get(i) {
                if b == b' ' || b == b'\t' {
                    break;
                }
                if b == b'\\' {
                    i += 1;
                    match word.get(i) {
                        Some(&next) => tok.push(next),
                        None => break,
                    }
                } else {
                    tok.push(b);
                }
                i += 1;
            }
            i += 1;
            out.push(tok);
        }
    }
    out
}

/// A lexed token.
#[derive(Debug)]
enum Tok {
    /// `!`, `not`.
    Not,
    /// `&`, `&&`, `and`.
    And,
    /// `|`, `||`, `or`.
    Or,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `dst`.
    Dst,
    /// `src`.
    Src,
    /// `dport`.
    Dport,
    /// `sport`.
    Sport,
    /// `dev`.
    Dev,
    /// `fwmark`.
    Fwmark,
    /// `cgroup`.
    Cgroup,
    /// `>=`.
    Geq,
    /// `<=`.
    Leq,
    /// `!=`.
    Neq,
    /// `=`.
    Eq,
    /// `>`.
    Gt,
    /// `<`.
    Lt,
    /// `autobound`.
    Autobound,
    /// A host/port operand.
    Host(HostCond),
    /// A device operand.
    DevCond(u32),
    /// A mark operand.
    Mark(u32, u32),
    /// End of input.
    End,
}

/// ss's lexer and a parser for its grammar, reading tokens on demand.
struct Parser<'a, 'e> {
    /// The tokens.
    tokens: std::vec::IntoIter<Vec<u8>>,
    /// The lookahead, once lexed.
    peeked: Option<Tok>,
    /// The last keyword (`tok_type`): how operands are read.
    mode: Tok,
    /// Names, ports, interfaces.
    env: &'a FilterEnv<'e>,
    /// Tables/families ss's lexer consults and changes.
    ctx: &'a mut FilterCtx,
}

/// The syntax error exit: bison's message, ` Sorry.`, the usage.
fn syntax_error() -> Exit {
    let mut stderr =
        b"ss: bison bellows (while parsing filter): \"syntax error!\" Sorry.\n".to_vec();
    stderr.extend_from_slice(USAGE_TEXT.as_bytes());
    Exit {
        stdout: Vec::new(),
        stderr,
        status: 255,
    }
}

impl Parser<'_, '_> {
    /// Lexes the next token.
    fn lex(&mut self) -> Result<Tok, Exit> {
        let Some(t) = self.tokens.next() else {
            return Ok(Tok::End);
        };
        let keyword = match t.as_slice() {
            b"!" | b"not" => Tok::Not,
            b"&" | b"&&" | b"and" => Tok::And,
            b"|" | b"||" | b"or" => Tok::Or,
            b"(" => Tok::Open,
            b")" => Tok::Close,
            b">=" | b"ge" | b"geq" => Tok::Geq,
            b"<=" | b"le" | b"leq" => Tok::Leq,
            b"!=" | b"ne" | b"neq" => Tok::Neq,
            b"=" | b"==" | b"eq" => Tok::Eq,
            b">" | b"gt" => Tok::Gt,
            b"<" | b"lt" => Tok::Lt,
            b"dst" | b"src" | b"dport" | b"sport" | b"dev" | b"fwmark" | b"cgroup"
            | b"autobound" => {
                let kw = |t: &[u8]| match t {
                    b"dst" => Tok::Dst,
                    b"src" => Tok::Src,
                    b"dport" => Tok::Dport,
                    b"sport" => Tok::Sport,
                    b"dev" => Tok::Dev,
                    b"fwmark" => Tok::Fwmark,
                    b"cgroup" => Tok::Cgroup,
                    _ => Tok::Autobound,
                };
                self.mode = kw(&t);
                return Ok(kw(&t));
            }
            _ => Tok::End,
        };
        if !matches!(keyword, Tok::End) {
            return Ok(keyword);
        }
        let fail = |message: Vec<u8>| Exit {
            stdout: Vec::new(),
            stderr: message,
            status: 1,
        };
        match self.mode {
            Tok::Dev => parse_devcond(&t, self.env)
                .map(Tok::DevCond)
                .ok_or_else(|| fail(b"Cannot parse device.\n".to_vec())),
            Tok::Fwmark => parse_markmask(&t)
                .map(|(m, k)| Tok::Mark(m, k))
                .ok_or_else(|| fail([&b"Cannot parse mark "[..], &t, b".\n"].concat())),
            Tok::Cgroup => Err(fail(
                [
                    &b"netsnap: ss: cgroup "[..],
                    &t,
                    b": cgroup conditions need the live system's cgroup2 hierarchy\n",
                ]
                .concat(),
            )),
            _ => {
                let is_port = matches!(self.mode, Tok::Sport | Tok::Dport);
                parse_hostcond(&t, is_port, self.env, self.ctx).map(Tok::Host)
            }
        }
    }

    /// The lookahead token.
    fn peek(&mut self) -> Result<&Tok, Exit> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex()?);
        }
        Ok(self.peeked.get_or_insert(Tok::End))
    }

    /// Takes the next token.
    fn take(&mut self) -> Result<Tok, Exit> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    /// `exprlist`: exprs joined by `|`, `&` or nothing, left to right.
    fn list(&mut self) -> Result<Filter, Exit> {
        let mut left = self.expr()?;
        loop {
            let or = match self.peek()? {
                Tok::Or => true,
                Tok::And => false,
                Tok::Open
                | Tok::Not
                | Tok::Dst
                | Tok::Src
                | Tok::Dport
                | Tok::Sport
                | Tok::Dev
                | Tok::Fwmark
                | Tok::Cgroup
                | Tok::Autobound => {
                    let right = self.expr()?;
                    left = Filter::And(Box::new(left), Box::new(right));
                    continue;
                }
                _ => return Ok(left),
            };
            self.take()?;
            let right = self.expr()?;
            left = if or {
                Filter::Or(Box::new(left), Box::new(right))
            } else {
                Filter::And(Box::new(left), Box::new(right))
            };
        }
    }

    /// Takes an optional `=`.
    fn eq(&mut self) -> Result<(), Exit> {
        if matches!(self.peek()?, Tok::Eq) {
            self.take()?;
        }
        Ok(())
    }

    /// The next token must be a host condition.
    fn host(&mut self) -> Result<HostCond, Exit> {
        match self.take()? {
            Tok::Host(c) => Ok(c),
            _ => Err(syntax_error()),
        }
    }

    /// `expr`.
    fn expr(&mut self) -> Result<Filter, Exit> {
        let not = |f: Filter| Filter::Not(Box::new(f));
        Ok(match self.take()? {
            Tok::Open => {
                let inner = self.list()?;
                match self.take()? {
                    Tok::Close => inner,
                    _ => return Err(syntax_error()),
                }
            }
            Tok::Not => not(self.expr()?),
            Tok::Dst => {
                self.eq()?;
                Filter::Dst(self.host()?)
            }
            Tok::Src => {
                self.eq()?;
                Filter::Src(self.host()?)
            }
            kw @ (Tok::Dport | Tok::Sport) => {
                let dst = matches!(kw, Tok::Dport);
                let cond = |c: HostCond| if dst { Filter::Dst(c) } else { Filter::Src(c) };
                let ge = |p: i64| {
                    if dst {
                        Filter::DportGe(p)
                    } else {
                        Filter::SportGe(p)
                    }
                };
                let le = |p: i64| {
                    if dst {
                        Filter::DportLe(p)
                    } else {
                        Filter::SportLe(p)
                    }
                };
                match self.take()? {
                    Tok::Geq => ge(self.host()?.port),
                    Tok::Leq => le(self.host()?.port),
                    Tok::Gt => not(le(self.host()?.port)),
                    Tok::Lt => not(ge(self.host()?.port)),
                    Tok::Eq => cond(self.host()?),
                    Tok::Neq => not(cond(self.host()?)),
                    Tok::Host(c) => cond(c),
                    _ => return Err(syntax_error()),
                }
            }
            Tok::Dev => {
                let negate = self.negation()?;
                match self.take()? {
                    Tok::DevCond(i) if negate => not(Filter::Dev(i)),
                    Tok::DevCond(i) => Filter::Dev(i),
                    _ => return Err(syntax_error()),
                }
            }
            Tok::Fwmark => {
                let negate = self.negation()?;
                match self.take()? {
                    Tok::Mark(mark, mask) => {
                        let f = Filter::Mark { mark, mask };
                        if negate { not(f) } else { f }
                    }
                    _ => return Err(syntax_error()),
                }
            }
            Tok::Cgroup => {
                self.negation()?;
                // Any operand fails while it is lexed (see `lex`).
                self.take()?;
                return Err(syntax_error());
            }
            Tok::Autobound => Filter::Autobound {
                ephemeral: self.env.ephemeral,
            },
            _ => return Err(syntax_error()),
        })
    }

    /// `eq` or `NEQ` after `dev`/`fwmark`/`cgroup`: whether it was `!=`.
    fn negation(&mut self) -> Result<bool, Exit> {
        Ok(match self.peek()? {
            Tok::Eq => {
                self.take()?;
                false
            }
            Tok::Neq => {
                self.take()?;
                true
            }
            _ => false,
        })
    }
}

/// Parses the filter words (after the state words), as ss's bison parser
/// and lexer do: `Ok(None)` for an empty expression; operands are read
/// when the parser reaches them, so the first problem met is the one
/// reported (§13). Updates `ctx` as ss does: a condition parsed in a
/// family (`inet:` …, or the preferred one) restricts the families to it
/// and makes it the preferred family.
pub fn parse_filter<A: AsRef<[u8]>>(
    words: &[A],
    env: &FilterEnv,
    ctx: &mut FilterCtx,
) -> Result<Option<Filter>, Exit> {
    let mut parser = Parser {
        tokens: tokenize(words).into_iter(),
        peeked: None,
        mode: Tok::End,
        env,
        ctx,
    };
    if matches!(parser.peek()?, Tok::End) {
        return Ok(None);
    }
    let filter = parser.list()?;
    match parser.take()? {
        Tok::End => Ok(Some(filter)),
        _ => Err(syntax_error()),
    }
}
