//! The routing tables: `/proc/net/route` (IPv4 FIB), `/proc/net/rt_cache`
//! (IPv4 routing cache) and `/proc/net/ipv6_route`. Example rows (Linux 6.x;
//! the `route` columns are tab-separated):
//!
//! ```text
//! Iface Destination Gateway  Flags RefCnt Use Metric Mask  MTU Window IRTT
//! eth0 00000000 010200C0 0003 0 0 0 00000000 0 0 0
//! fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
//! ```
//!
//! Rows are read as netstat 2.10 reads them, so that odd files come out as
//! netstat shows them:
//!
//! * `route` and `rt_cache` are read through netstat's `proc_gen_fmt`: the
//!   header names the columns, the wanted names must appear in netstat's
//!   order (other columns are skipped), and each row is then scanned with
//!   `sscanf`. An IPv4 row is shown when at least 10 items convert and it has
//!   the UP flag; a cache row when at least 12 convert.
//! * `ipv6_route` rows are scanned with one fixed `sscanf` format, and every
//!   line is shown whatever the scan converted: values it did not convert
//!   keep those of the line before (netstat's variables live across lines).
//! * IPv4 addresses are netstat's `INET_getsock`: the first 8 characters must
//!   be hex digits, read as a 32-bit word in the source's byte order; when
//!   they are not, the address keeps its previous value.

use crate::model::{Addr, ByteOrder};
use crate::parse::etc::parse_ipv6;
use crate::parse::scan::is_space;

/// `RTF_UP`: the route is usable.
pub const RTF_UP: u32 = 0x0001;
/// `RTF_CACHE`: an IPv6 cache entry.
pub const RTF_CACHE: u32 = 0x0100_0000;

/// A file as C's `fgets` reads it: chunks of at most `size - 1` bytes,
/// ending after a newline.
#[derive(Debug, Clone)]
struct CFile<'a> {
    rest: &'a [u8],
    line: u32,
}

impl<'a> CFile<'a> {
    fn new(data: &'a [u8]) -> Self {
        CFile {
            rest: data,
            line: 0,
        }
    }

    /// One `fgets(buf, size)`: the chunk as a C string (cut at its first NUL).
    fn fgets(&mut self, size: usize) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let max = size.saturating_sub(1).max(1);
        let window = self.rest.get(..max).unwrap_or(self.rest);
        let len = match window.iter().position(|&b| b == b'\n') {
            Some(nl) => nl + 1,
            None => window.len(),
        };
        let chunk = self.rest.get(..len).unwrap_or(self.rest);
        self.rest = self.rest.get(len..).unwrap_or(&[]);
        self.line = self.line.saturating_add(1);
        Some(match chunk.iter().position(|&b| b == 0) {
            Some(nul) => chunk.get(..nul).unwrap_or(chunk),
            None => chunk,
        })
    }
}

// ---------------------------------------------------------------- sscanf

/// One conversion of a `sscanf` format (white-space directives between
/// conversions are implied: every conversion used here skips leading white
/// space itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    /// `%Ns`: a word of at most N bytes.
    Str(usize),
    /// `%*s`: a word, not assigned.
    Skip,
    /// `%d` (`signed`) or `%x`/`%X`, with an optional field width.
    Int {
        radix: u32,
        signed: bool,
        width: usize,
    },
}

/// A converted value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    Str(Vec<u8>),
    /// The value as C stores it into a 32-bit `int`/`unsigned`.
    Int(u32),
}

/// Why a conversion stopped the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// End of input before the conversion (`EOF` when nothing converted yet).
    Input,
    /// The input did not match.
    Matching,
}

fn skip_ws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| is_space(b)).count();
    s.get(n..).unwrap_or(&[])
}

/// `%Ns` / `%*s`.
fn scan_word(s: &[u8], width: usize) -> Result<(&[u8], &[u8]), Stop> {
    let s = skip_ws(s);
    if s.is_empty() {
        return Err(Stop::Input);
    }
    let n = s
        .iter()
        .take(width.max(1))
        .take_while(|&&b| !is_space(b))
        .count();
    Ok((s.get(..n).unwrap_or(s), s.get(n..).unwrap_or(&[])))
}

/// An integer conversion as glibc's `vfscanf` does it: optional sign, for
/// radix 16 an optional `0x` after a leading `0`, then digits, all within
/// `width` characters; converted with `strtol` (signed) or `strtoul`
/// semantics and stored into 32 bits.
fn scan_int(s: &[u8], radix: u32, signed: bool, width: usize) -> Result<(u32, &[u8]), Stop> {
    let mut s = skip_ws(s);
    if s.is_empty() {
        return Err(Stop::Input);
    }
    let mut left = width;
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'+' || c == b'-')
        && left > 0
    {
        neg = c == b'-';
        s = s.get(1..).unwrap_or(&[]);
        left -= 1;
    }
    let mut mag: u128 = 0;
    let mut digits = 0usize;
    if left > 0 && s.first() == Some(&b'0') {
        s = s.get(1..).unwrap_or(&[]);
        left -= 1;
        digits += 1;
        if radix == 16 && left > 0 && matches!(s.first(), Some(b'x' | b'X')) {
            s = s.get(1..).unwrap_or(&[]);
            left -= 1;
        }
    }
    while left > 0 {
        let Some(d) = s.first().and_then(|&b| (b as char).to_digit(radix)) else {
            break;
        };
        mag = mag
            .saturating_mul(u128::from(radix))
            .saturating_add(u128::from(d));
        digits += 1;
        s = s.get(1..).unwrap_or(&[]);
        left -= 1;
    }
    if digits == 0 {
        return Err(Stop::Matching);
    }
    let v: u64 = if signed {
        let v: i64 = if neg {
            if mag > 1u128 << 63 {
                i64::MIN
            } else {
                (mag as i128).wrapping_neg() as i64
            }
        } else if mag > i64::MAX as u128 {
            i64::MAX
        } else {
            mag as i64
        };
        v as u64
    } else if mag > u128::from(u64::MAX) {
        u64::MAX
    } else if neg {
        (mag as u64).wrapping_neg()
    } else {
        mag as u64
    };
    Ok((v as u32, s))
}

/// Runs the conversions over a line. Returns `sscanf`'s result (items
/// assigned, or -1 when the input ended before the first conversion) and
/// the assigned values, in order.
fn sscanf(line: &[u8], convs: &[Conv]) -> (i32, Vec<Val>) {
    let (num, vals, _) = sscanf_eof(line, convs);
    (num, vals)
}

/// [`sscanf`], and whether a conversion met the end of the line (glibc's
/// `sscanf` then leaves `errno` 0, which a later `perror` of netstat prints
/// as `Success`).
fn sscanf_eof(line: &[u8], convs: &[Conv]) -> (i32, Vec<Val>, bool) {
    let mut s = line;
    let mut vals = Vec::new();
    let mut any = false;
    for conv in convs {
        let r = match *conv {
            Conv::Str(w) => scan_word(s, w).map(|(word, rest)| {
                s = rest;
                Some(Val::Str(word.to_vec()))
            }),
            Conv::Skip => scan_word(s, usize::MAX).map(|(_, rest)| {
                s = rest;
                None
            }),
            Conv::Int {
                radix,
                signed,
                width,
            } => scan_int(s, radix, signed, width).map(|(v, rest)| {
                s = rest;
                Some(Val::Int(v))
            }),
        };
        match r {
            Ok(Some(v)) => {
                vals.push(v);
                any = true;
            }
            Ok(None) => any = true,
            Err(Stop::Input) if !any => return (-1, vals, true),
            Err(Stop::Input) => return (count(&vals), vals, true),
            Err(_) => break,
        }
    }
    (count(&vals), vals, false)
}

fn count(vals: &[Val]) -> i32 {
    i32::try_from(vals.len()).unwrap_or(i32::MAX)
}

/// netstat's `proc_gen_fmt`: matches the wanted column names, in order,
/// against the header's words (split at `|`, space, tab and newline; other
/// words become `%*s`). `Err` names the first wanted column not found.
fn gen_fmt(header: &[u8], wanted: &[(&'static str, Conv)]) -> Result<Vec<Conv>, &'static str> {
    let mut convs = Vec::new();
    let mut want = wanted.iter();
    let mut next = want.next();
    let mut rest = header;
    while let Some(&(title, conv)) = next {
        let n = rest
            .iter()
            .take_while(|&&b| is_space(b) || b == b'|')
            .count();
        rest = rest.get(n..).unwrap_or(&[]);
        let end = rest
            .iter()
            .position(|&b| matches!(b, b'|' | b' ' | b'\t' | b'\n'));
        let word = match end {
            Some(e) => rest.get(..e).unwrap_or(rest),
            None => rest,
        };
        if word == title.as_bytes() {
            convs.push(conv);
            next = want.next();
        } else {
            convs.push(Conv::Skip);
        }
        match end {
            Some(e) => rest = rest.get(e + 1..).unwrap_or(&[]),
            None => {
                return match next {
                    Some(&(t, _)) => Err(t),
                    None => Ok(convs),
                };
            }
        }
    }
    Ok(convs)
}

const S15: Conv = Conv::Str(15);
const S127: Conv = Conv::Str(127);
const HEX: Conv = Conv::Int {
    radix: 16,
    signed: false,
    width: usize::MAX,
};
const DEC: Conv = Conv::Int {
    radix: 10,
    signed: true,
    width: usize::MAX,
};

/// netstat's `INET_getsock`: the first 8 characters as 4 hex bytes, a 32-bit
/// word of the source's byte order. `None` when one of them is not a hex
/// digit.
pub fn getsock4(text: &[u8], order: ByteOrder) -> Option<[u8; 4]> {
    let mut b = [0u8; 4];
    for (i, slot) in b.iter_mut().enumerate() {
        let hi = (*text.get(2 * i)? as char).to_digit(16)?;
        let lo = (*text.get(2 * i + 1)? as char).to_digit(16)?;
        *slot = (hi * 16 + lo) as u8;
    }
    Some(match order {
        ByteOrder::Little => [b[3], b[2], b[1], b[0]],
        ByteOrder::Big => b,
    })
}

/// An IPv4 address variable of netstat: keeps its value when a decode fails.
#[derive(Debug, Clone, Copy, Default)]
struct AddrVar([u8; 4]);

impl AddrVar {
    fn input(&mut self, text: &[u8], order: ByteOrder) -> [u8; 4] {
        if let Some(a) = getsock4(text, order) {
            self.0 = a;
        }
        self.0
    }
}

fn take_str(vals: &[Val], i: usize) -> Vec<u8> {
    match vals.get(i) {
        Some(Val::Str(s)) => s.clone(),
        _ => Vec::new(),
    }
}

fn take_int(vals: &[Val], i: usize) -> Option<u32> {
    match vals.get(i) {
        Some(Val::Int(v)) => Some(*v),
        _ => None,
    }
}

// ---------------------------------------------------------------- route

/// One row of `/proc/net/route` that netstat shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv4Route {
    /// `Iface` (at most 15 bytes).
    pub iface: Vec<u8>,
    /// `Destination`, network byte order.
    pub destination: [u8; 4],
    /// `Gateway`, network byte order.
    pub gateway: [u8; 4],
    /// `Mask`, network byte order.
    pub mask: [u8; 4],
    /// `Flags` (`RTF_*`).
    pub flags: u32,
    /// `RefCnt`.
    pub refcnt: i32,
    /// `Use`.
    pub use_count: i32,
    /// `Metric`.
    pub metric: i32,
    /// `MTU` (netstat's MSS column).
    pub mtu: i32,
    /// `Window`.
    pub window: i32,
    /// `IRTT` (that of an earlier row when this row lacks it).
    pub irtt: i32,
    /// Line number in the file (the header is line 1).
    pub line: u32,
}

/// `/proc/net/route` as netstat reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv4RouteTable {
    /// Whether the file had a header line (an empty file has none, and
    /// netstat then stops after its column header without a word).
    pub has_header: bool,
    /// The first column netstat needs that the header lacks; netstat warns
    /// and stops.
    pub missing_field: Option<&'static str>,
    /// Rows shown (at least 10 items converted and the UP flag), file order.
    pub rows: Vec<Ipv4Route>,
    /// Line numbers of rows netstat skips.
    pub skipped_lines: Vec<u32>,
}

const ROUTE_FIELDS: [(&str, Conv); 11] = [
    ("Iface", S15),
    ("Destination", S127),
    ("Gateway", S127),
    ("Flags", HEX),
    ("RefCnt", DEC),
    ("Use", DEC),
    ("Metric", DEC),
    ("Mask", S127),
    ("MTU", DEC),
    ("Window", DEC),
    ("IRTT", DEC),
];

/// netstat's header buffer (`proc_gen_fmt`, `proc_guess_fmt`).
const HEADER_BUFFER: usize = 511;
/// netstat's row buffer for the IPv4 tables (`fgets(buff, 1023, fp)`).
const ROW_BUFFER: usize = 1023;

/// Parses `/proc/net/route`.
pub fn parse_route(input: &[u8], order: ByteOrder) -> Ipv4RouteTable {
    let mut table = Ipv4RouteTable::default();
    let mut file = CFile::new(input);
    let Some(header) = file.fgets(HEADER_BUFFER) else {
        return table;
    };
    table.has_header = true;
    let convs = match gen_fmt(header, &ROUTE_FIELDS) {
        Ok(c) => c,
        Err(missing) => {
            table.missing_field = Some(missing);
            return table;
        }
    };
    let mut irtt = 0i32;
    let (mut dest, mut gate, mut mask) =
        (AddrVar::default(), AddrVar::default(), AddrVar::default());
    while let Some(line) = file.fgets(ROW_BUFFER) {
        let (num, vals) = sscanf(line, &convs);
        if num == 11 {
            irtt = take_int(&vals, 10).unwrap_or(0) as i32;
        }
        let flags = take_int(&vals, 3).unwrap_or(0);
        if num < 10 || flags & RTF_UP == 0 {
            table.skipped_lines.push(file.line);
            continue;
        }
        let int = |i: usize| take_int(&vals, i).unwrap_or(0) as i32;
        table.rows.push(Ipv4Route {
            iface: take_str(&vals, 0),
            destination: dest.input(&take_str(&vals, 1), order),
            gateway: gate.input(&take_str(&vals, 2), order),
            mask: mask.input(&take_str(&vals, 7), order),
            flags,
            refcnt: int(4),
            use_count: int(5),
            metric: int(6),
            mtu: int(8),
            window: int(9),
            irtt,
            line: file.line,
        });
    }
    table
}

// ---------------------------------------------------------------- rt_cache

/// Layout of `/proc/net/rt_cache`, guessed from its header as netstat does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheFormat {
    /// Linux 2.0.36 (`HH` and `ARP` columns).
    Old,
    /// Linux 2.2 and later (`TOS`, `HHRef`, `HHUptod`, `SpecDst`).
    #[default]
    Modern,
    /// Neither: netstat prints an error line with this guess value.
    Unknown(i32),
}

/// One row of `/proc/net/rt_cache` that netstat shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv4CacheRoute {
    /// `Iface`.
    pub iface: Vec<u8>,
    /// `Source`, network byte order.
    pub source: [u8; 4],
    /// `Destination`.
    pub destination: [u8; 4],
    /// `Gateway`.
    pub gateway: [u8; 4],
    /// `SpecDst`.
    pub spec_dst: [u8; 4],
    /// `Flags` (`RTF_*` and `RTCF_*`).
    pub flags: u32,
    /// `RefCnt`.
    pub refcnt: i32,
    /// `Use`.
    pub use_count: i32,
    /// `Metric`.
    pub metric: i32,
    /// `MTU`.
    pub mtu: i32,
    /// `Window`.
    pub window: i32,
    /// `IRTT`.
    pub irtt: i32,
    /// `TOS` (modern layout).
    pub tos: i32,
    /// `HHRef` (modern layout).
    pub hh_ref: i32,
    /// `HHUptod` (modern layout).
    pub hh_uptod: i32,
    /// `HH` (old layout).
    pub hh: i32,
    /// `ARP` (old layout).
    pub arp: i32,
    /// Line number.
    pub line: u32,
}

/// `/proc/net/rt_cache` as netstat reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv4CacheTable {
    /// Whether the file had a header line (netstat fails hard without one).
    pub has_header: bool,
    /// The layout netstat guessed.
    pub format: CacheFormat,
    /// The first needed column the header lacks (netstat warns).
    pub missing_field: Option<&'static str>,
    /// Rows shown (at least 12 items converted), file order.
    pub rows: Vec<Ipv4CacheRoute>,
    /// Line numbers of rows netstat skips.
    pub skipped_lines: Vec<u32>,
}

const CACHE_OLD_FIELDS: [(&str, Conv); 13] = [
    ("Iface", S15),
    ("Destination", S127),
    ("Gateway", S127),
    ("Flags", HEX),
    ("RefCnt", DEC),
    ("Use", DEC),
    ("Metric", DEC),
    ("Source", S127),
    ("MTU", DEC),
    ("Window", DEC),
    ("IRTT", DEC),
    ("HH", DEC),
    ("ARP", DEC),
];

const CACHE_FIELDS: [(&str, Conv); 15] = [
    ("Iface", S15),
    ("Destination", S127),
    ("Gateway", S127),
    ("Flags", HEX),
    ("RefCnt", DEC),
    ("Use", DEC),
    ("Metric", DEC),
    ("Source", S127),
    ("MTU", DEC),
    ("Window", DEC),
    ("IRTT", DEC),
    ("TOS", DEC),
    ("HHRef", DEC),
    ("HHUptod", DEC),
    ("SpecDst", S127),
];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Parses `/proc/net/rt_cache`.
pub fn parse_rt_cache(input: &[u8], order: ByteOrder) -> Ipv4CacheTable {
    let mut table = Ipv4CacheTable::default();
    let mut file = CFile::new(input);
    let Some(header) = file.fgets(HEADER_BUFFER) else {
        return table;
    };
    table.has_header = true;
    let guess = [
        ("IRTT", 1),
        ("TOS", 2),
        ("HHRef", 4),
        ("HHUptod", 8),
        ("SpecDst", 16),
        ("HH", 32),
        ("ARP", 64),
    ]
    .iter()
    .filter(|(w, _)| contains(header, w.as_bytes()))
    .fold(0, |acc, (_, f)| acc | f);
    table.format = match guess {
        63 => CacheFormat::Modern,
        97 => CacheFormat::Old,
        g => CacheFormat::Unknown(g),
    };
    let fields: &[(&'static str, Conv)] = match table.format {
        CacheFormat::Modern => &CACHE_FIELDS,
        CacheFormat::Old => &CACHE_OLD_FIELDS,
        // netstat has no format then and reads no row sensibly.
        CacheFormat::Unknown(_) => return table,
    };
    let convs = match gen_fmt(header, fields) {
        Ok(c) => c,
        Err(missing) => {
            table.missing_field = Some(missing);
            return table;
        }
    };
    let modern = table.format == CacheFormat::Modern;
    // Variables that outlive a row in netstat.
    let mut prev = Ipv4CacheRoute::default();
    let mut snet = AddrVar::default();
    while let Some(line) = file.fgets(ROW_BUFFER) {
        let (num, vals) = sscanf(line, &convs);
        let int = |i: usize, old: i32| take_int(&vals, i).map_or(old, |v| v as i32);
        prev.mtu = int(8, prev.mtu);
        prev.window = int(9, prev.window);
        prev.irtt = int(10, prev.irtt);
        if modern {
            prev.tos = int(11, prev.tos);
            prev.hh_ref = int(12, prev.hh_ref);
            prev.hh_uptod = int(13, prev.hh_uptod);
        } else {
            prev.hh = int(11, prev.hh);
            prev.arp = int(12, prev.arp);
        }
        if num < 12 {
            table.skipped_lines.push(file.line);
            continue;
        }
        let mut row = prev.clone();
        row.iface = take_str(&vals, 0);
        row.flags = take_int(&vals, 3).unwrap_or(0);
        row.refcnt = int(4, 0);
        row.use_count = int(5, 0);
        row.metric = int(6, 0);
        row.destination = snet.input(&take_str(&vals, 1), order);
        row.gateway = snet.input(&take_str(&vals, 2), order);
        row.source = snet.input(&take_str(&vals, 7), order);
        // netstat's SpecDst buffer holds the text it printed for the row
        // before when this row lacks the column: not hex, so the address
        // variable keeps the source's value.
        row.spec_dst = match vals.get(14) {
            Some(Val::Str(t)) if modern => snet.input(t, order),
            _ => snet.0,
        };
        row.line = file.line;
        table.rows.push(row);
    }
    table
}

// ---------------------------------------------------------------- ipv6_route

/// One line of `/proc/net/ipv6_route`, with netstat's carried-over values
/// for whatever the line lacked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv6Route {
    /// Destination; `None` while no line so far held a readable one.
    pub destination: Option<Addr>,
    /// Destination prefix length.
    pub prefix_len: i32,
    /// Next hop; `None` while no line so far held a readable one.
    pub next_hop: Option<Addr>,
    /// Metric (printed signed).
    pub metric: i32,
    /// Reference count.
    pub refcnt: i32,
    /// Use count.
    pub use_count: i32,
    /// Flags (`RTF_*`).
    pub flags: u32,
    /// Interface name (at most 15 bytes).
    pub iface: Vec<u8>,
    /// Items the line's `sscanf` converted (31 for a sound line).
    pub items: i32,
    /// Line number (1-based).
    pub line: u32,
}

/// `/proc/net/ipv6_route`: every line netstat reads, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ipv6RouteTable {
    /// One row per line.
    pub rows: Vec<Ipv6Route>,
    /// Whether netstat's `sscanf` of some line ran out of input inside a
    /// conversion (a line cut short, or cut by the 1023-byte buffer): glibc
    /// then leaves `errno` 0, which the IPv4 routing cache's `perror` prints
    /// when IPv6 routes were printed first.
    pub scan_met_end: bool,
}

/// netstat's row buffer for `ipv6_route` (`fgets(buff, 1023, fp)`).
const ROW6_BUFFER: usize = 1023;

fn ipv6_convs() -> Vec<Conv> {
    let s4 = Conv::Str(4);
    let x2 = Conv::Int {
        radix: 16,
        signed: false,
        width: 2,
    };
    let x8 = Conv::Int {
        radix: 16,
        signed: false,
        width: 8,
    };
    let mut v = vec![s4; 8];
    v.push(x2);
    v.extend([s4; 8]);
    v.push(x2);
    v.extend([s4; 8]);
    v.extend([x8; 4]);
    v.push(S15);
    v
}

/// netstat's `INET6_getsock` on the 8 groups joined with `:`.
fn getsock6(groups: &[Vec<u8>]) -> Option<Addr> {
    let text = groups.join(&b':');
    parse_ipv6(&text).map(Addr::v6)
}

/// Parses `/proc/net/ipv6_route` (its addresses are byte-order independent).
pub fn parse_ipv6_route(input: &[u8]) -> Ipv6RouteTable {
    let convs = ipv6_convs();
    let mut table = Ipv6RouteTable::default();
    let mut file = CFile::new(input);
    let mut dst_groups: Vec<Vec<u8>> = vec![Vec::new(); 8];
    let mut hop_groups: Vec<Vec<u8>> = vec![Vec::new(); 8];
    let mut cur = Ipv6Route::default();
    while let Some(line) = file.fgets(ROW6_BUFFER) {
        let (num, vals, eof) = sscanf_eof(line, &convs);
        table.scan_met_end |= eof;
        for (i, v) in vals.iter().enumerate() {
            match (i, v) {
                (0..=7, Val::Str(s)) => {
                    if let Some(g) = dst_groups.get_mut(i) {
                        *g = s.clone();
                    }
                }
                (8, Val::Int(n)) => cur.prefix_len = *n as i32,
                (18..=25, Val::Str(s)) => {
                    if let Some(g) = hop_groups.get_mut(i - 18) {
                        *g = s.clone();
                    }
                }
                (26, Val::Int(n)) => cur.metric = *n as i32,
                (27, Val::Int(n)) => cur.refcnt = *n as i32,
                (28, Val::Int(n)) => cur.use_count = *n as i32,
                (29, Val::Int(n)) => cur.flags = *n,
                (30, Val::Str(s)) => cur.iface = s.clone(),
                _ => {}
            }
        }
        if let Some(a) = getsock6(&dst_groups) {
            cur.destination = Some(a);
        }
        if let Some(a) = getsock6(&hop_groups) {
            cur.next_hop = Some(a);
        }
        cur.items = num;
        cur.line = file.line;
        table.rows.push(cur.clone());
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &[u8] = b"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n\
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \n\
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n\
eth1\t0000000A\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0\n\
eth1\t0000140A\t0200000A\t0003\t1\t12345\t5\t0000FFFF\t1400\t64\n";

    #[test]
    fn reads_route_rows_like_netstat() {
        let t = parse_route(ROUTE, ByteOrder::Little);
        assert!(t.has_header && t.missing_field.is_none());
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.skipped_lines, vec![4]);
        let r = &t.rows[0];
        assert_eq!(r.gateway, [192, 0, 2, 1]);
        assert_eq!(r.flags, 3);
        let r = &t.rows[2];
        assert_eq!(r.destination, [10, 20, 0, 0]);
        assert_eq!(r.mask, [255, 255, 0, 0]);
        assert_eq!((r.refcnt, r.use_count, r.metric), (1, 12345, 5));
        assert_eq!((r.mtu, r.window, r.irtt), (1400, 64, 0));
        assert_eq!(r.line, 5);
    }

    #[test]
    fn big_endian_words() {
        assert_eq!(getsock4(b"C0000201", ByteOrder::Big), Some([192, 0, 2, 1]));
        assert_eq!(
            getsock4(b"010200C0", ByteOrder::Little),
            Some([192, 0, 2, 1])
        );
        assert_eq!(getsock4(b"0102", ByteOrder::Little), None);
        assert_eq!(getsock4(b"0102zz00", ByteOrder::Little), None);
    }

    #[test]
    fn header_names_must_come_in_order() {
        let t = parse_route(b"Destination Iface Gateway\n", ByteOrder::Little);
        assert_eq!(t.missing_field, Some("Destination"));
        let t = parse_route(b"", ByteOrder::Little);
        assert!(!t.has_header);
        // Extra columns are skipped.
        let t = parse_route(
            b"Iface|X Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT\nlo x 0000007F 00000000 1 0 0 0 000000FF 0 0 9\n",
            ByteOrder::Little,
        );
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].destination, [127, 0, 0, 0]);
        assert_eq!(t.rows[0].irtt, 9);
    }

    #[test]
    fn scanf_integers() {
        assert_eq!(
            scan_int(b" -1", 16, false, usize::MAX).map(|v| v.0),
            Ok(u32::MAX)
        );
        assert_eq!(
            scan_int(b"0x1F", 16, false, usize::MAX).map(|v| v.0),
            Ok(31)
        );
        assert_eq!(
            scan_int(b"99999999999", 10, true, usize::MAX).map(|v| v.0 as i32),
            Ok(99999999999i64 as i32)
        );
        assert_eq!(
            scan_int(b"-99999999999999999999", 10, true, usize::MAX).map(|v| v.0),
            Ok(0)
        );
        assert_eq!(scan_int(b"abc", 10, true, usize::MAX), Err(Stop::Matching));
        assert_eq!(scan_int(b"   ", 10, true, usize::MAX), Err(Stop::Input));
        assert_eq!(scan_int(b"12345", 16, false, 2).map(|v| v.0), Ok(0x12));
    }

    #[test]
    fn ipv6_rows_carry_values_over() {
        let t = parse_ipv6_route(b"fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n\nzz\n");
        assert_eq!(t.rows.len(), 3);
        let r = &t.rows[0];
        assert_eq!(r.items, 31);
        assert_eq!(r.prefix_len, 64);
        assert_eq!(r.metric, 256);
        assert_eq!(r.iface, b"eth0");
        let mut fe80 = [0u8; 16];
        fe80[0] = 0xfe;
        fe80[1] = 0x80;
        assert_eq!(r.destination, Some(Addr::v6(fe80)));
        assert_eq!(t.rows[1].items, -1);
        assert_eq!(t.rows[1].destination, r.destination);
        assert_eq!(t.rows[2].items, 1);
        assert_eq!(t.rows[2].iface, b"eth0");
    }

    #[test]
    fn rt_cache_header_only() {
        let t = parse_rt_cache(b"Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst\n", ByteOrder::Little);
        assert_eq!(t.format, CacheFormat::Modern);
        assert!(t.rows.is_empty() && t.missing_field.is_none());
        let t = parse_rt_cache(b"Iface Destination\n", ByteOrder::Little);
        assert_eq!(t.format, CacheFormat::Unknown(0));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    const ROUTE: &[&[u8]] = &[
        b"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       ",
        b"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               ",
        b"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               ",
        b"eth1\t0000000A\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0",
        b"eth1\t0000140A\t0200000A\t0003\t1\t12345\t5\t0000FFFF\t1400\t64",
    ];

    const RT_CACHE: &[&[u8]] = &[
        b"Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst",
        b"lo\t0100007F\t0100007F\t80000000\t0\t0\t0\t0100007F\t16436\t0\t0\t0\t-1\t0\t0100007F",
        b"eth0\t0202000A\t0102000A\t00000003\t0\t7\t0\t0F02000A\t1500\t0\t3\t10\t1\t1\t0F02000A",
        b"Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tHH\tARP",
        b"eth0\t0202000A\t0102000A\t0003\t0\t7\t0\t0F02000A\t1500\t0\t3\t-1\t0",
    ];

    const IPV6_ROUTE: &[&[u8]] = &[
        b"fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0",
        b"00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001       lo",
        b"20010db8000000000000000000000000 30 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000000 00000005 00000003     eth1",
    ];

    /// A file of mutated lines taken from `base` (the header stays first
    /// now and then), with random line ends.
    fn file(rng: &mut Rng, base: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..rng.below(8) {
            let line = if i == 0 && rng.below(3) > 0 {
                base[0]
            } else {
                base[rng.below(base.len())]
            };
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

    /// How many `fgets` calls return a line: the header with one buffer
    /// size, the rows with another.
    fn fgets_count(input: &[u8], header: usize, rows: usize) -> u32 {
        let mut f = CFile::new(input);
        if f.fgets(header).is_none() {
            return 0;
        }
        while f.fgets(rows).is_some() {}
        f.line
    }

    fn assert_partition(rows: &[u32], skipped: &[u32], lines: u32) {
        let mut all: Vec<u32> = rows.iter().chain(skipped).copied().collect();
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        all.sort_unstable();
        assert_eq!(all, (2..=lines).collect::<Vec<_>>());
    }

    /// Every line after the header is a shown row or a skipped line; shown
    /// rows are UP and name an interface of at most 15 bytes.
    #[test]
    fn route_lines_are_rows_or_skipped() {
        let mut rng = Rng(0x726f_7574_6531);
        let mut shown = 0;
        for _ in 0..20_000 {
            let text = file(&mut rng, ROUTE);
            for order in [ByteOrder::Little, ByteOrder::Big] {
                let t = parse_route(&text, order);
                assert_eq!(t.has_header, !text.is_empty());
                if t.missing_field.is_some() || !t.has_header {
                    assert!(t.rows.is_empty() && t.skipped_lines.is_empty());
                    continue;
                }
                let rows: Vec<u32> = t.rows.iter().map(|r| r.line).collect();
                let lines = fgets_count(&text, HEADER_BUFFER, ROW_BUFFER);
                assert_partition(&rows, &t.skipped_lines, lines);
                for r in &t.rows {
                    assert!(r.flags & RTF_UP != 0 && r.iface.len() <= 15);
                }
                shown += t.rows.len();
            }
        }
        assert!(shown > 10_000, "{shown}");
    }

    #[test]
    fn rt_cache_lines_are_rows_or_skipped() {
        let mut rng = Rng(0x7274_6361_6368);
        let mut shown = 0;
        for _ in 0..20_000 {
            let base = if rng.below(2) == 0 {
                &RT_CACHE[..3]
            } else {
                &RT_CACHE[3..]
            };
            let text = file(&mut rng, base);
            let t = parse_rt_cache(&text, ByteOrder::Little);
            let known = !matches!(t.format, CacheFormat::Unknown(_));
            if !t.has_header || !known || t.missing_field.is_some() {
                assert!(t.rows.is_empty() && t.skipped_lines.is_empty());
                continue;
            }
            let rows: Vec<u32> = t.rows.iter().map(|r| r.line).collect();
            let lines = fgets_count(&text, HEADER_BUFFER, ROW_BUFFER);
            assert_partition(&rows, &t.skipped_lines, lines);
            assert!(t.rows.iter().all(|r| r.iface.len() <= 15));
            shown += t.rows.len();
        }
        assert!(shown > 5_000, "{shown}");
    }

    /// Every `ipv6_route` line is one row, numbered from 1.
    #[test]
    fn ipv6_route_one_row_per_line() {
        let mut rng = Rng(0x6970_7636_7274);
        for _ in 0..20_000 {
            let text = file(&mut rng, IPV6_ROUTE);
            let t = parse_ipv6_route(&text);
            let lines = fgets_count(&text, ROW6_BUFFER, ROW6_BUFFER);
            assert_eq!(t.rows.len(), lines as usize);
            for (i, r) in t.rows.iter().enumerate() {
                assert_eq!(r.line as usize, i + 1);
                assert!(r.items <= 31 && r.iface.len() <= 15);
            }
        }
    }

    /// Random bytes from the formats' alphabet: no panic, same partition.
    #[test]
    fn random_bytes() {
        let mut rng = Rng(0x7261_6e64_726f);
        const ALPHABET: &[u8] = b"0123456789abcdefABCDEF \t\n\0-+xX:IfaceDestinationGatewayFlagsRefCntUseMetricMaskMTUWindowIRTTSourceTOSHHRefHHUptodSpecDstARP";
        for _ in 0..20_000 {
            let len = rng.below(400);
            let text: Vec<u8> = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            let t = parse_route(&text, ByteOrder::Little);
            if t.has_header && t.missing_field.is_none() {
                let rows: Vec<u32> = t.rows.iter().map(|r| r.line).collect();
                let lines = fgets_count(&text, HEADER_BUFFER, ROW_BUFFER);
                assert_partition(&rows, &t.skipped_lines, lines);
            }
            let _ = parse_rt_cache(&text, ByteOrder::Big);
            let t6 = parse_ipv6_route(&text);
            assert_eq!(
                t6.rows.len(),
                fgets_count(&text, ROW6_BUFFER, ROW6_BUFFER) as usize
            );
            let _ = getsock4(&text, ByteOrder::Little);
        }
    }
}
