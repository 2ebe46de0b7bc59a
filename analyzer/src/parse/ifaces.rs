//! The interface sources of `netstat -i` and `-ie`: `/proc/net/dev`,
//! `/proc/net/if_inet6`, the collector's `netsnap-ifaces.json` (what netstat
//! asks the kernel by ioctl), and, for archives without that entry, the
//! `sys/class/net` attributes and the manifest's `getifaddrs` answers.
//!
//! Each parser reads its file the way netstat does: `/proc/net/dev` line by
//! line with `fgets` and `sscanf` (a counter that fails to convert keeps its
//! earlier value), `/proc/net/if_inet6` as one `fscanf` stream (a record that
//! stops early keeps the previous record's values in the fields it missed).

use std::collections::BTreeMap;

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::{take_while, take_while_m_n};
use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::parse::scan::{Scanner, is_space};
use crate::parse::{etc, fgets_lines};

/// Longest interface name netstat keeps (`IFNAMSIZ - 1`).
pub const NAME_MAX: usize = 15;

// ------------------------------------------------------------ /proc/net/dev

/// The counters netstat keeps per interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DevStats {
    /// Received bytes.
    pub rx_bytes: u64,
    /// Received packets.
    pub rx_packets: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Received packets dropped.
    pub rx_dropped: u64,
    /// Receive FIFO overruns.
    pub rx_fifo: u64,
    /// Frame errors.
    pub rx_frame: u64,
    /// Compressed packets received.
    pub rx_compressed: u64,
    /// Multicast packets received.
    pub rx_multicast: u64,
    /// Sent bytes.
    pub tx_bytes: u64,
    /// Sent packets.
    pub tx_packets: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Transmit drops.
    pub tx_dropped: u64,
    /// Transmit FIFO overruns.
    pub tx_fifo: u64,
    /// Collisions.
    pub collisions: u64,
    /// Carrier errors.
    pub tx_carrier: u64,
    /// Compressed packets sent.
    pub tx_compressed: u64,
}

/// Which of netstat's three `/proc/net/dev` layouts the header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DevLayout {
    /// Packets only (11 counters): the header has neither `bytes` nor `compressed`.
    V1,
    /// With bytes (13 counters).
    V2,
    /// With bytes, compressed and multicast (16 counters): every modern kernel.
    #[default]
    V3,
}

/// One interface line of `/proc/net/dev`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DevLine {
    /// The name as netstat's `get_name` cuts it (at most 15 bytes).
    pub name: Vec<u8>,
    /// The counters `sscanf` converted, in the layout's order, up to the
    /// first one that failed.
    pub values: Vec<u64>,
}

/// `/proc/net/dev`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcNetDev {
    /// The layout netstat chose from the header.
    pub layout: DevLayout,
    /// Interface lines in file order.
    pub lines: Vec<DevLine>,
}

impl DevStats {
    /// Stores the converted counters of one line the way netstat's
    /// `sscanf` call stores them: in the layout's order, leaving the
    /// counters after a failed conversion as they were, and then clearing
    /// the ones the layout does not have.
    pub fn apply(&mut self, layout: DevLayout, values: &[u64]) {
        let slots: Vec<&mut u64> = match layout {
            DevLayout::V3 => vec![
                &mut self.rx_bytes,
                &mut self.rx_packets,
                &mut self.rx_errors,
                &mut self.rx_dropped,
                &mut self.rx_fifo,
                &mut self.rx_frame,
                &mut self.rx_compressed,
                &mut self.rx_multicast,
                &mut self.tx_bytes,
                &mut self.tx_packets,
                &mut self.tx_errors,
                &mut self.tx_dropped,
                &mut self.tx_fifo,
                &mut self.collisions,
                &mut self.tx_carrier,
                &mut self.tx_compressed,
            ],
            DevLayout::V2 => vec![
                &mut self.rx_bytes,
                &mut self.rx_packets,
                &mut self.rx_errors,
                &mut self.rx_dropped,
                &mut self.rx_fifo,
                &mut self.rx_frame,
                &mut self.tx_bytes,
                &mut self.tx_packets,
                &mut self.tx_errors,
                &mut self.tx_dropped,
                &mut self.tx_fifo,
                &mut self.collisions,
                &mut self.tx_carrier,
            ],
            DevLayout::V1 => vec![
                &mut self.rx_packets,
                &mut self.rx_errors,
                &mut self.rx_dropped,
                &mut self.rx_fifo,
                &mut self.rx_frame,
                &mut self.tx_packets,
                &mut self.tx_errors,
                &mut self.tx_dropped,
                &mut self.tx_fifo,
                &mut self.collisions,
                &mut self.tx_carrier,
            ],
        };
        for (slot, v) in slots.into_iter().zip(values) {
            *slot = *v;
        }
        match layout {
            DevLayout::V3 => {}
            DevLayout::V2 => self.rx_multicast = 0,
            DevLayout::V1 => {
                self.rx_bytes = 0;
                self.tx_bytes = 0;
                self.rx_multicast = 0;
            }
        }
    }
}

fn layout_of(header: &[u8]) -> DevLayout {
    let has = |w: &[u8]| header.windows(w.len()).any(|x| x == w);
    if has(b"compressed") {
        DevLayout::V3
    } else if has(b"bytes") {
        DevLayout::V2
    } else {
        DevLayout::V1
    }
}

/// netstat's `get_name` (Debian's 2.10 with the 2025 fixes): skips
/// blanks, copies up to 15 bytes until a blank or a `:`; a `:` followed by
/// digits and another `:` (an old-style alias line, `eth0:1:`) keeps the
/// `:digits`; one `:` after the name is consumed. Returns the name and the
/// rest of the line.
pub fn dev_name(line: &[u8]) -> (Vec<u8>, &[u8]) {
    let start = line
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(line.len());
    let mut p = line.get(start..).unwrap_or(&[]);
    let mut name = Vec::new();
    while let Some(&c) = p.first() {
        if is_space(c) || name.len() >= NAME_MAX {
            break;
        }
        if c == b':' {
            let after = p.get(1..).unwrap_or(&[]);
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            if after.get(digits) == Some(&b':') {
                name.push(b':');
                p = after;
                while let Some(&d) = p.first() {
                    if !d.is_ascii_digit() || name.len() >= NAME_MAX {
                        break;
                    }
                    name.push(d);
                    p = p.get(1..).unwrap_or(&[]);
                }
            }
            if p.first() == Some(&b':') {
                p = p.get(1..).unwrap_or(&[]);
            }
            break;
        }
        name.push(c);
        p = p.get(1..).unwrap_or(&[]);
    }
    (name, p)
}

/// Parses `/proc/net/dev` as netstat's `if_readlist_proc` reads it.
pub fn parse_proc_net_dev(data: &[u8]) -> ProcNetDev {
    let mut lines = fgets_lines(data, 512);
    let first = lines.next();
    let second = lines.next();
    let layout = second.or(first).map(layout_of).unwrap_or(DevLayout::V1);
    let want = match layout {
        DevLayout::V1 => 11,
        DevLayout::V2 => 13,
        DevLayout::V3 => 16,
    };
    let mut out = ProcNetDev {
        layout,
        lines: Vec::new(),
    };
    for line in lines {
        let (name, rest) = dev_name(line);
        let mut sc = Scanner::new(rest);
        let mut values = Vec::new();
        while values.len() < want {
            match sc.int(10) {
                Some(v) => values.push(v),
                None => break,
            }
        }
        out.lines.push(DevLine { name, values });
    }
    out
}

// ------------------------------------------------------------ /proc/net/if_inet6

/// The variables of netstat's `fscanf` loop over `/proc/net/if_inet6` after
/// one call that did not return `EOF`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inet6Line {
    /// The eight `%4s` groups of the address.
    pub groups: [Vec<u8>; 8],
    /// Interface index (`%08x`).
    pub ifindex: u32,
    /// Prefix length (`%02x`).
    pub plen: u32,
    /// Scope bits (`%02x`).
    pub scope: u32,
    /// Address flags (`%02x`).
    pub flags: u32,
    /// Device name (`%20s`).
    pub devname: Vec<u8>,
}

impl Inet6Line {
    /// The address netstat rebuilds from the groups (`inet_pton` of the
    /// groups joined with `:`), or `None` when that text is no address.
    pub fn address(&self) -> Option<[u8; 16]> {
        let text = self.groups.join(&b':');
        etc::parse_ipv6(&text)
    }
}

/// Why an `fscanf` conversion stopped.
enum Stop {
    /// End of input before anything was read (`EOF` if first).
    Input,
    /// The input did not match.
    Matching,
}

/// A byte stream under `fscanf`.
struct Stream<'a> {
    rest: &'a [u8],
}

fn blanks(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_space)(i)
}

impl Stream<'_> {
    fn skip_space(&mut self) {
        if let Ok((rest, _)) = blanks(self.rest) {
            self.rest = rest;
        }
    }

    /// `%Ns`.
    fn string(&mut self, width: usize) -> Result<Vec<u8>, Stop> {
        self.skip_space();
        if self.rest.is_empty() {
            return Err(Stop::Input);
        }
        let r: IResult<&[u8], &[u8]> =
            take_while_m_n(1, width, |b: u8| !is_space(b)).parse(self.rest);
        match r {
            Ok((rest, s)) => {
                self.rest = rest;
                Ok(s.to_vec())
            }
            Err(_) => Err(Stop::Matching),
        }
    }

    /// `%Nx`: optional sign and `0x` prefix, hex digits, all within `width` bytes.
    fn hex(&mut self, width: usize) -> Result<u32, Stop> {
        self.skip_space();
        if self.rest.is_empty() {
            return Err(Stop::Input);
        }
        let mut used = 0;
        let mut neg = false;
        if let Some(&s) = self.rest.first()
            && (s == b'+' || s == b'-')
        {
            neg = s == b'-';
            used = 1;
        }
        let body = self.rest.get(used..).unwrap_or(&[]);
        if used + 2 < width
            && (body.starts_with(b"0x") || body.starts_with(b"0X"))
            && body.get(2).is_some_and(|b| b.is_ascii_hexdigit())
        {
            used += 2;
        }
        let digits = self
            .rest
            .get(used..)
            .unwrap_or(&[])
            .iter()
            .take(width.saturating_sub(used))
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if digits == 0 {
            self.rest = self.rest.get(used..).unwrap_or(&[]);
            return Err(Stop::Matching);
        }
        let text = self.rest.get(used..used + digits).unwrap_or(&[]);
        self.rest = self.rest.get(used + digits..).unwrap_or(&[]);
        let v = text.iter().fold(0u64, |acc, &d| {
            let x = (d as char).to_digit(16).unwrap_or(0);
            acc.saturating_mul(16).saturating_add(u64::from(x))
        });
        let v = if v > u64::from(u32::MAX) {
            u32::MAX
        } else {
            v as u32
        };
        Ok(if neg { v.wrapping_neg() } else { v })
    }
}

/// One `fscanf(f, "%4s%4s%4s%4s%4s%4s%4s%4s %08x %02x %02x %02x %20s\n", ...)`
/// call: the number of conversions, or `None` for `EOF`.
fn scan_record(st: &mut Stream<'_>, rec: &mut Inet6Line) -> Option<usize> {
    let mut n = 0usize;
    let stop = 'conv: {
        for g in rec.groups.iter_mut() {
            match st.string(4) {
                Ok(s) => *g = s,
                Err(e) => break 'conv e,
            }
            n += 1;
        }
        for slot in [
            &mut rec.ifindex,
            &mut rec.plen,
            &mut rec.scope,
            &mut rec.flags,
        ] {
            let width = if n == 8 { 8 } else { 2 };
            match st.hex(width) {
                Ok(v) => *slot = v,
                Err(e) => break 'conv e,
            }
            n += 1;
        }
        match st.string(20) {
            Ok(s) => rec.devname = s,
            Err(e) => break 'conv e,
        }
        n += 1;
        st.skip_space();
        return Some(n);
    };
    match stop {
        Stop::Input if n == 0 => None,
        _ => Some(n),
    }
}

/// The records of `/proc/net/if_inet6` as netstat's `fscanf` loop sees them,
/// one per call until `EOF`.
pub fn parse_if_inet6(data: &[u8]) -> Vec<Inet6Line> {
    let mut st = Stream { rest: data };
    let mut rec = Inet6Line::default();
    let mut out = Vec::new();
    while let Some(_n) = scan_record(&mut st, &mut rec) {
        out.push(rec.clone());
        // A record that consumed nothing would repeat forever in netstat;
        // stop instead (cannot happen: every call reads at least one byte).
        if out.len() > data.len() {
            break;
        }
    }
    out
}

// ------------------------------------------------------------ netsnap-ifaces.json

/// Archive path of the collector's ioctl entry.
pub const IFACES_PATH: &str = "netsnap-ifaces.json";

/// `SIOCGIFMAP`'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct IfMap {
    /// Shared memory start.
    pub mem_start: u64,
    /// Shared memory end.
    pub mem_end: u64,
    /// I/O base address.
    pub base_addr: u16,
    /// Interrupt.
    pub irq: u8,
    /// DMA channel.
    pub dma: u8,
    /// Media port.
    pub port: u8,
}

/// The IPv4 answers for one label. A `None` is a request that failed
/// (netstat then holds an all-zero `sockaddr` and prints `[NONE SET]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Inet4 {
    /// `SIOCGIFADDR`.
    pub addr: [u8; 4],
    /// `SIOCGIFDSTADDR`.
    pub dstaddr: Option<[u8; 4]>,
    /// `SIOCGIFBRDADDR`.
    pub broadaddr: Option<[u8; 4]>,
    /// `SIOCGIFNETMASK`.
    pub netmask: Option<[u8; 4]>,
}

/// What netstat's `if_fetch` learns about one name, whichever source it
/// came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfaceFacts {
    /// Interface name or IPv4 label.
    pub name: Vec<u8>,
    /// `SIOCGIFFLAGS`, or the errno name of its failure (then netstat stops).
    pub flags: Result<u16, String>,
    /// `SIOCGIFHWADDR`: ARPHRD type and the first 8 address bytes; `None`
    /// when it failed (netstat then takes the flags for the type and zeroes).
    pub hwaddr: Option<(u16, [u8; 8])>,
    /// `SIOCGIFMTU` (0 when it failed).
    pub mtu: i32,
    /// SLIP outfill (0 unless asked and answered).
    pub outfill: u64,
    /// SLIP keepalive.
    pub keepalive: u64,
    /// `SIOCGIFMAP` (zeroes when it failed).
    pub map: IfMap,
    /// `SIOCGIFTXQLEN` (-1 when it failed).
    pub txqlen: i32,
    /// IPv4 answers, when `SIOCGIFADDR` succeeded.
    pub inet: Option<Inet4>,
}

impl Default for IfaceFacts {
    fn default() -> Self {
        IfaceFacts {
            name: Vec::new(),
            flags: Err("ENODEV".to_string()),
            hwaddr: None,
            mtu: 0,
            outfill: 0,
            keepalive: 0,
            map: IfMap::default(),
            txqlen: -1,
            inet: None,
        }
    }
}

/// A name as the collector stores it: text, or its bytes when not UTF-8.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum NameJson {
    Text(String),
    Bytes(Vec<u8>),
}

impl NameJson {
    fn bytes(&self) -> Vec<u8> {
        match self {
            NameJson::Text(s) => s.as_bytes().to_vec(),
            NameJson::Bytes(b) => b.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct HwJson {
    family: u16,
    #[serde(default)]
    data: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct InetJson {
    addr: Option<String>,
    dstaddr: Option<String>,
    broadaddr: Option<String>,
    netmask: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct IfaceJson {
    name: NameJson,
    #[serde(default)]
    flags: Option<u16>,
    #[serde(default)]
    hwaddr: Option<HwJson>,
    #[serde(default)]
    mtu: Option<i32>,
    #[serde(default)]
    outfill: Option<u64>,
    #[serde(default)]
    keepalive: Option<u64>,
    #[serde(default)]
    map: Option<IfMap>,
    #[serde(default)]
    txqlen: Option<i32>,
    #[serde(default)]
    inet: Option<InetJson>,
    #[serde(default)]
    errors: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EntryJson {
    socket_error: Option<String>,
    ifconf: Vec<NameJson>,
    ifconf_error: Option<String>,
    interfaces: Vec<IfaceJson>,
}

/// `netsnap-ifaces.json`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IoctlEntry {
    /// errno name when the collector could not open its `AF_INET` socket
    /// (then nothing else was asked).
    pub socket_error: Option<String>,
    /// `SIOCGIFCONF`'s labels in kernel order.
    pub ifconf: Vec<Vec<u8>>,
    /// errno name when `SIOCGIFCONF` failed.
    pub ifconf_error: Option<String>,
    /// Per name (the names of `/proc/net/dev`, then the other labels).
    pub interfaces: Vec<IfaceFacts>,
}

impl IoctlEntry {
    /// The facts recorded for exactly this name.
    pub fn get(&self, name: &[u8]) -> Option<&IfaceFacts> {
        self.interfaces.iter().find(|f| f.name == name)
    }
}

/// Lower-case hex bytes joined by `:` (the collector's `data`); bytes that
/// are not hex count as 0.
fn hex_bytes(text: &str) -> Vec<u8> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(':')
        .map(|h| u8::from_str_radix(h, 16).unwrap_or(0))
        .collect()
}

fn first8(bytes: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = *b;
    }
    out
}

fn ipv4(text: &Option<String>) -> Option<[u8; 4]> {
    text.as_deref().and_then(|t| etc::parse_ipv4(t.as_bytes()))
}

impl IfaceJson {
    fn facts(&self) -> IfaceFacts {
        let flags = match self.flags {
            Some(f) => Ok(f),
            None => Err(self
                .errors
                .get("SIOCGIFFLAGS")
                .cloned()
                .unwrap_or_else(|| "ENODEV".to_string())),
        };
        let inet = self.inet.as_ref().and_then(|i| {
            ipv4(&i.addr).map(|addr| Inet4 {
                addr,
                dstaddr: ipv4(&i.dstaddr),
                broadaddr: ipv4(&i.broadaddr),
                netmask: ipv4(&i.netmask),
            })
        });
        IfaceFacts {
            name: self.name.bytes(),
            flags,
            hwaddr: self
                .hwaddr
                .as_ref()
                .map(|h| (h.family, first8(&hex_bytes(&h.data)))),
            mtu: self.mtu.unwrap_or(0),
            outfill: self.outfill.unwrap_or(0),
            keepalive: self.keepalive.unwrap_or(0),
            map: self.map.unwrap_or_default(),
            txqlen: self.txqlen.unwrap_or(-1),
            inet,
        }
    }
}

/// Reads `netsnap-ifaces.json`; a damaged entry gives `None` and a
/// diagnostic (the view then falls back to sysfs and `getifaddrs`).
pub fn parse_ioctl_entry(path: &str, data: &[u8]) -> (Option<IoctlEntry>, Option<Diagnostic>) {
    match serde_json::from_slice::<EntryJson>(data) {
        Ok(e) => (
            Some(IoctlEntry {
                socket_error: e.socket_error.clone(),
                ifconf: e.ifconf.iter().map(NameJson::bytes).collect(),
                ifconf_error: e.ifconf_error.clone(),
                interfaces: e.interfaces.iter().map(IfaceJson::facts).collect(),
            }),
            None,
        ),
        Err(err) => (
            None,
            Some(Diagnostic::at(
                path,
                u32::try_from(err.line()).unwrap_or(0),
                format!("unreadable interface entry, using sysfs and getifaddrs: {err}"),
            )),
        ),
    }
}

// ------------------------------------------------------------ older archives

/// One `getifaddrs` answer from the header manifest's `interfaces`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default)]
pub struct IfAddr {
    /// Interface name (the label, for IPv4).
    pub name: String,
    /// `inet`, `inet6` or `packet`.
    pub family: String,
    /// Address text.
    pub address: Option<String>,
    /// Netmask text.
    pub netmask: Option<String>,
    /// Broadcast address text.
    pub broadcast: Option<String>,
    /// Point-to-point destination text.
    pub destination: Option<String>,
    /// `IFF_*` bits.
    pub flags: u32,
}

/// The manifest's `interfaces` values that read as [`IfAddr`]s, in order.
pub fn ifaddrs(values: &[serde_json::Value]) -> Vec<IfAddr> {
    values
        .iter()
        .filter_map(|v| IfAddr::deserialize(v).ok())
        .collect()
}

/// A number in a sysfs attribute (`1500\n`, or `0x1003\n` for `flags`).
pub fn sysfs_number(data: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(data).ok()?.trim();
    match text.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// The bytes of a sysfs `address` attribute (`02:00:5e:00:00:01\n`).
pub fn sysfs_hwaddr(data: &[u8]) -> Vec<u8> {
    std::str::from_utf8(data)
        .map(|t| hex_bytes(t.trim()))
        .unwrap_or_default()
}

/// The IFF_UP bit and friends used to decide what an older archive lacks.
const IFF_BROADCAST: u32 = 0x2;
const IFF_POINTOPOINT: u32 = 0x10;

/// Facts for one name of an archive without `netsnap-ifaces.json`:
/// flags from `getifaddrs` (the `packet` answer of the device, which the
/// kernel fills exactly as `SIOCGIFFLAGS`), else from `sys/class/net/*/flags`
/// (which lacks RUNNING); MTU, type, address and queue length from sysfs;
/// the IPv4 address of the first `inet` answer with this label. The device
/// map is unknown (zeroes). `sysfs(device, attribute)` returns a file.
pub fn derive_facts<'a>(
    name: &[u8],
    addrs: &[IfAddr],
    sysfs: impl Fn(&str, &str) -> Option<&'a [u8]>,
) -> IfaceFacts {
    let label = String::from_utf8_lossy(name).into_owned();
    let device = label.split(':').next().unwrap_or("").to_string();
    let packet = addrs
        .iter()
        .find(|a| a.family == "packet" && a.name == device);
    let any = addrs.iter().find(|a| a.name == label);
    let flags = match (
        packet.or(any),
        sysfs(&device, "flags").and_then(sysfs_number),
    ) {
        (Some(a), _) => Ok((a.flags & 0xffff) as u16),
        (None, Some(f)) => Ok((f & 0xffff) as u16),
        (None, None) => Err("ENODEV".to_string()),
    };
    let number = |attr: &str| sysfs(&device, attr).and_then(sysfs_number);
    let hw_type = number("type").map(|t| (t & 0xffff) as u16);
    let hwaddr = hw_type.map(|t| {
        let bytes = sysfs(&device, "address")
            .map(sysfs_hwaddr)
            .unwrap_or_default();
        (t, first8(&bytes))
    });
    let inet = addrs
        .iter()
        .find(|a| a.family == "inet" && a.name == label)
        .and_then(|a| {
            let addr = ipv4(&a.address)?;
            let p2p = a.flags & IFF_POINTOPOINT != 0;
            let dst = if p2p { ipv4(&a.destination) } else { None };
            // glibc reports the local address as the broadcast address
            // of an address that has none.
            let brd = if a.flags & IFF_BROADCAST != 0 && !p2p {
                ipv4(&a.broadcast).filter(|b| *b != addr)
            } else {
                None
            };
            Some(Inet4 {
                addr,
                dstaddr: Some(dst.unwrap_or(addr)),
                broadaddr: Some(brd.unwrap_or([0; 4])),
                netmask: Some(ipv4(&a.netmask).unwrap_or([0; 4])),
            })
        });
    IfaceFacts {
        name: name.to_vec(),
        flags,
        hwaddr,
        mtu: number("mtu").map(|m| m as i32).unwrap_or(0),
        outfill: 0,
        keepalive: 0,
        map: IfMap::default(),
        txqlen: number("tx_queue_len").map(|q| q as i32).unwrap_or(-1),
        inet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &[u8] = b"Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:   19588     319    0    0    0     0          0         0    19588     319    0    0    0     0       0          0
 veth1:     266       3    1    2    3     4          5         6      266       3    7    8    9    10      11         12
veth-longname15:     266       3    0    0    0     0          0         0      386       3    0    0    0     0       0          0
";

    #[test]
    fn proc_net_dev_like_netstat() {
        let d = parse_proc_net_dev(DEV);
        assert_eq!(d.layout, DevLayout::V3);
        assert_eq!(d.lines.len(), 3);
        assert_eq!(d.lines[0].name, b"lo");
        assert_eq!(d.lines[0].values.len(), 16);
        let mut s = DevStats::default();
        s.apply(d.layout, &d.lines[1].values);
        assert_eq!(s.rx_bytes, 266);
        assert_eq!(s.rx_fifo, 3);
        assert_eq!(s.tx_fifo, 9);
        assert_eq!(s.collisions, 10);
        assert_eq!(s.tx_carrier, 11);
        assert_eq!(s.tx_compressed, 12);
        // A 15-byte name fills netstat's buffer before the colon, which then
        // stops sscanf at once: no counter is converted.
        assert_eq!(d.lines[2].name, b"veth-longname15");
        assert!(d.lines[2].values.is_empty());
    }

    #[test]
    fn names_like_get_name() {
        assert_eq!(dev_name(b"  eth0: 1 2").0, b"eth0");
        assert_eq!(dev_name(b"  eth0: 1 2").1, b" 1 2");
        assert_eq!(dev_name(b"eth0:1: 5").0, b"eth0:1");
        assert_eq!(dev_name(b"eth0:1: 5").1, b" 5");
        assert_eq!(dev_name(b"eth0:12x 5").0, b"eth0");
        assert_eq!(dev_name(b"abcdefghijklmnopq: 1").0, b"abcdefghijklmno");
        assert_eq!(dev_name(b"").0, b"");
    }

    #[test]
    fn older_layouts() {
        let v1 = b"Inter-|   Receive |  Transmit\n face |packets errs drop fifo frame|packets errs drop fifo colls carrier\n  eth0: 1 2 3 4 5 6 7 8 9 10 11\n";
        let d = parse_proc_net_dev(v1);
        assert_eq!(d.layout, DevLayout::V1);
        let mut s = DevStats {
            rx_bytes: 9,
            ..Default::default()
        };
        s.apply(d.layout, &d.lines[0].values);
        assert_eq!(
            (s.rx_packets, s.tx_packets, s.tx_carrier, s.rx_bytes),
            (1, 6, 11, 0)
        );
        let d = parse_proc_net_dev(b"x\nbytes\n e: 1 2 3 4 5 6 7 8 9 10 11 12 13\n");
        assert_eq!(d.layout, DevLayout::V2);
        assert_eq!(d.lines[0].values.len(), 13);
    }

    #[test]
    fn damaged_counters_stop_at_the_first_bad_one() {
        let d = parse_proc_net_dev(DEV.split_at(300).0);
        assert!(d.lines.iter().all(|l| l.values.len() <= 16));
        let d = parse_proc_net_dev(b"h\nh compressed\n eth0: 1 2 x 4\n");
        assert_eq!(d.lines[0].values, vec![1, 2]);
        let mut s = DevStats {
            rx_errors: 77,
            ..Default::default()
        };
        s.apply(d.layout, &d.lines[0].values);
        assert_eq!(s.rx_errors, 77);
    }

    const INET6: &[u8] = b"fe800000000000001c5fc6fffef461fa 03 40 20 c0    veth0
00000000000000000000ffff0a000002 0b 80 00 82 veth-longname15
00000000000000000000000000000001 01 80 10 80       lo
";

    #[test]
    fn if_inet6_records() {
        let r = parse_if_inet6(INET6);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].devname, b"veth0");
        assert_eq!(r[0].ifindex, 3);
        assert_eq!(r[0].plen, 0x40);
        assert_eq!(r[0].scope, 0x20);
        assert_eq!(r[1].ifindex, 0x0b);
        assert_eq!(r[2].devname, b"lo");
        let a = r[2].address().unwrap_or_default();
        assert_eq!(a[15], 1);
        assert_eq!(r[0].groups[0], b"fe80");
    }

    #[test]
    fn if_inet6_short_record_keeps_stale_fields() {
        let r = parse_if_inet6(b"fe800000000000000000000000000001 02 40 20 80 eth0\nabcd zz\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].groups[0], b"abcd");
        assert_eq!(r[1].groups[1], b"zz");
        assert_eq!(r[1].devname, b"eth0");
        assert!(parse_if_inet6(b"").is_empty());
        assert!(parse_if_inet6(b"  \n").is_empty());
    }

    #[test]
    fn ioctl_entry() {
        let json = br#"{"ifconf":["lo","eth0:1",[101,255]],
          "interfaces":[{"name":"lo","flags":73,"hwaddr":{"family":772,"data":"00:00:00:00:00:00:00:00:00:00:00:00:00:00"},
           "inet":{"addr":"127.0.0.1","broadaddr":"0.0.0.0","dstaddr":"127.0.0.1","netmask":"255.0.0.0"},
           "map":{"base_addr":0,"dma":0,"irq":0,"mem_end":0,"mem_start":0,"port":0},"mtu":65536,"txqlen":1000},
           {"name":"gone","errors":{"SIOCGIFFLAGS":"ENXIO"}},
           {"name":"v","flags":4098,"errors":{"SIOCGIFADDR":"EADDRNOTAVAIL","SIOCGIFTXQLEN":"EINVAL"},"future":1}]}"#;
        let (e, d) = parse_ioctl_entry("netsnap-ifaces.json", json);
        assert!(d.is_none());
        let e = e.unwrap_or_default();
        assert_eq!(
            e.ifconf,
            vec![b"lo".to_vec(), b"eth0:1".to_vec(), vec![101, 255]]
        );
        let lo = e.get(b"lo").cloned().unwrap_or_default();
        assert_eq!(lo.flags, Ok(73));
        assert_eq!(lo.hwaddr, Some((772, [0; 8])));
        assert_eq!(lo.inet.map(|i| i.netmask), Some(Some([255, 0, 0, 0])));
        assert_eq!(
            e.get(b"gone").map(|g| g.flags.clone()),
            Some(Err("ENXIO".into()))
        );
        let v = e.get(b"v").cloned().unwrap_or_default();
        assert_eq!((v.txqlen, v.mtu, v.inet), (-1, 0, None));
        let (none, diag) = parse_ioctl_entry("netsnap-ifaces.json", b"{");
        assert!(none.is_none() && diag.is_some());
    }

    #[test]
    fn derived_from_sysfs_and_getifaddrs() {
        let addrs = ifaddrs(&[
            serde_json::json!({"name":"eth0","family":"packet","address":"02:00:00:00:00:01","flags":69699}),
            serde_json::json!({"name":"eth0:1","family":"inet","address":"10.0.0.1","netmask":"255.0.0.0","broadcast":null,"flags":69699}),
        ]);
        let files: BTreeMap<String, Vec<u8>> = [
            ("eth0/mtu", &b"9000\n"[..]),
            ("eth0/type", b"1\n"),
            ("eth0/address", b"02:00:00:00:00:01\n"),
            ("eth0/tx_queue_len", b"1000\n"),
            ("eth0/flags", b"0x1003\n"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_vec()))
        .collect();
        let sysfs =
            |dev: &str, attr: &str| files.get(&format!("{dev}/{attr}")).map(|v| v.as_slice());
        let f = derive_facts(b"eth0:1", &addrs, sysfs);
        assert_eq!(f.flags, Ok(0x1043));
        assert_eq!(f.mtu, 9000);
        assert_eq!(f.hwaddr, Some((1, [2, 0, 0, 0, 0, 1, 0, 0])));
        let inet = f.inet.unwrap_or_default();
        assert_eq!(inet.broadaddr, Some([0; 4]));
        assert_eq!(inet.netmask, Some([255, 0, 0, 0]));
        let g = derive_facts(b"eth0", &[], sysfs);
        assert_eq!(g.flags, Ok(0x1003));
        assert_eq!(g.inet, None);
        assert!(derive_facts(b"nope", &[], sysfs).flags.is_err());
        assert_eq!(sysfs_number(b"0x1003\n"), Some(0x1003));
        assert_eq!(sysfs_number(b"junk"), None);
    }
}
