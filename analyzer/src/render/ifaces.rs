//! netstat's interface table: the short rows of `-i` and the
//! ifconfig-style blocks of `-ie` (net-tools 2.10 `ife_print_short` and
//! `ife_print_long`).

use crate::model::{Addr, Names};
use crate::parse::ifaces::{DevStats, IfaceFacts, Inet4, Inet6Line};
use crate::render::addr::{inet6_text, ntoa};
use crate::render::{dec, pad_left, pad_right, udec};

/// The title printed once, before the first table.
pub const TITLE: &[u8] = b"Kernel Interface table\n";

/// The column header of the short table.
pub const SHORT_HEADER: &[u8] =
    b"Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n";

const IFF_UP: u16 = 0x1;
const IFF_BROADCAST: u16 = 0x2;
const IFF_DEBUG: u16 = 0x4;
const IFF_LOOPBACK: u16 = 0x8;
const IFF_POINTOPOINT: u16 = 0x10;
const IFF_NOTRAILERS: u16 = 0x20;
const IFF_RUNNING: u16 = 0x40;
const IFF_NOARP: u16 = 0x80;
const IFF_PROMISC: u16 = 0x100;
const IFF_ALLMULTI: u16 = 0x200;
const IFF_MASTER: u16 = 0x400;
const IFF_SLAVE: u16 = 0x800;
const IFF_MULTICAST: u16 = 0x1000;
const IFF_PORTSEL: u16 = 0x2000;
const IFF_AUTOMEDIA: u16 = 0x4000;
const IFF_DYNAMIC: u16 = 0x8000;

/// Whether the interface is up (netstat without `-a` shows only these).
pub fn is_up(flags: u16) -> bool {
    flags & IFF_UP != 0
}

/// One interface as netstat prints it: its name in the list, the facts
/// `if_fetch` gathered (flags known to have been read), and the
/// `/proc/net/dev` counters when the name had a line there.
#[derive(Debug, Clone, Copy)]
pub struct Iface<'a> {
    /// The name in netstat's list.
    pub name: &'a [u8],
    /// `SIOCGIFFLAGS`.
    pub flags: u16,
    /// The rest of what `if_fetch` gathered.
    pub facts: &'a IfaceFacts,
    /// Counters (netstat's `statistics_valid`).
    pub stats: Option<&'a DevStats>,
}

impl Iface<'_> {
    /// netstat's `short type` (the hardware type, or the flags when
    /// `SIOCGIFHWADDR` failed and left them in the request).
    fn hw_type(&self) -> i16 {
        match self.facts.hwaddr {
            Some((t, _)) => t as i16,
            None => self.flags as i16,
        }
    }

    /// netstat's 32-byte `hwaddr`: the 8 bytes copied from the answer, then zeroes.
    fn hwaddr(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Some((_, bytes)) = self.facts.hwaddr {
            for (o, b) in out.iter_mut().zip(bytes) {
                *o = b;
            }
        }
        out
    }
}

// ------------------------------------------------------------ short rows

/// One row of `netstat -i`.
pub fn short_row(out: &mut Vec<u8>, i: &Iface<'_>) {
    let name = i.name.get(..15).unwrap_or(i.name);
    pad_right(out, name, 15);
    out.push(b' ');
    pad_left(out, &dec(i64::from(i.facts.mtu)), 5);
    out.push(b' ');
    match i.stats {
        Some(s) => {
            pad_left(out, &udec(s.rx_packets), 8);
            out.push(b' ');
            pad_left(out, &udec(s.rx_errors), 6);
            out.push(b' ');
            pad_left(out, &udec(s.rx_dropped), 6);
            out.push(b' ');
            pad_right(out, &udec(s.rx_fifo), 6);
            out.push(b' ');
            pad_left(out, &udec(s.tx_packets), 8);
            out.push(b' ');
            pad_left(out, &udec(s.tx_errors), 6);
            out.push(b' ');
            pad_left(out, &udec(s.tx_dropped), 6);
            out.push(b' ');
            pad_left(out, &udec(s.tx_fifo), 6);
            out.push(b' ');
        }
        None => pad_right(out, b"     - no statistics available -", 56),
    }
    let f = i.flags;
    if f == 0 {
        out.extend_from_slice(b"[NO FLAGS]");
    }
    for (bit, letter) in [
        (IFF_ALLMULTI, b'A'),
        (IFF_BROADCAST, b'B'),
        (IFF_DEBUG, b'D'),
        (IFF_LOOPBACK, b'L'),
        (IFF_MULTICAST, b'M'),
        (IFF_DYNAMIC, b'd'),
        (IFF_PROMISC, b'P'),
        (IFF_NOTRAILERS, b'N'),
        (IFF_NOARP, b'O'),
        (IFF_POINTOPOINT, b'P'),
        (IFF_SLAVE, b's'),
        (IFF_MASTER, b'm'),
        (IFF_RUNNING, b'R'),
        (IFF_UP, b'U'),
    ] {
        if f & bit != 0 {
            out.push(letter);
        }
    }
    out.push(b'\n');
}

// ------------------------------------------------------------ hardware types

/// How a hardware type prints its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HwPrint {
    None,
    Ether,
    Fddi,
    Hippi,
    Arcnet,
    Eui64,
    Irda,
    Unspec,
    Tunnel,
    Dlci,
    Ax25,
    Rose,
    X25,
    Ash,
}

struct HwType {
    kind: i32,
    name: &'static str,
    title: &'static str,
    print: HwPrint,
    /// Bytes `hw_null_address` checks (only used with `suppress_null`).
    alen: usize,
    suppress_null: bool,
}

const fn hw(kind: i32, name: &'static str, title: &'static str, print: HwPrint) -> HwType {
    HwType {
        kind,
        name,
        title,
        print,
        alen: 0,
        suppress_null: false,
    }
}

/// netstat's hardware table in its search order (Debian's build: no Token
/// Ring, STRIP, Econet or InfiniBand); the last entry (`unspec`) is also
/// the fallback.
const HW_TYPES: [HwType; 25] = [
    hw(772, "loop", "Local Loopback", HwPrint::None),
    hw(256, "slip", "Serial Line IP", HwPrint::None),
    hw(257, "cslip", "VJ Serial Line IP", HwPrint::None),
    hw(258, "slip6", "6-bit Serial Line IP", HwPrint::None),
    hw(259, "cslip6", "VJ 6-bit Serial Line IP", HwPrint::None),
    hw(264, "adaptive", "Adaptive Serial Line IP", HwPrint::None),
    HwType {
        kind: 781,
        name: "ash",
        title: "Ash",
        print: HwPrint::Ash,
        alen: 64,
        suppress_null: true,
    },
    hw(1, "ether", "Ethernet", HwPrint::Ether),
    hw(3, "ax25", "AMPR AX.25", HwPrint::Ax25),
    hw(0, "netrom", "AMPR NET/ROM", HwPrint::Ax25),
    hw(270, "rose", "AMPR ROSE", HwPrint::Rose),
    hw(768, "tunnel", "IPIP Tunnel", HwPrint::Tunnel),
    hw(512, "ppp", "Point-to-Point Protocol", HwPrint::None),
    hw(513, "hdlc", "(Cisco)-HDLC", HwPrint::None),
    hw(516, "lapb", "LAPB", HwPrint::None),
    hw(7, "arcnet", "ARCnet", HwPrint::Arcnet),
    hw(15, "dlci", "Frame Relay DLCI", HwPrint::Dlci),
    hw(770, "frad", "Frame Relay Access Device", HwPrint::None),
    hw(776, "sit", "IPv6-in-IPv4", HwPrint::None),
    hw(
        774,
        "fddi",
        "Fiber Distributed Data Interface",
        HwPrint::Fddi,
    ),
    hw(780, "hippi", "HIPPI", HwPrint::Hippi),
    hw(783, "irda", "IrLAP", HwPrint::Irda),
    hw(271, "x25", "generic X.25", HwPrint::X25),
    hw(27, "eui64", "Generic EUI-64", HwPrint::Eui64),
    hw(-1, "unspec", "UNSPEC", HwPrint::Unspec),
];

fn hw_type(kind: i16) -> &'static HwType {
    let unspec = &HW_TYPES[HW_TYPES.len() - 1];
    HW_TYPES
        .iter()
        .find(|h| h.kind == i32::from(kind))
        .unwrap_or(unspec)
}

fn hex_join(bytes: &[u8], upper: bool, sep: &str) -> Vec<u8> {
    let parts: Vec<String> = bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect();
    parts.join(sep).into_bytes()
}

/// `%x` of a C `char` (signed on x86): bytes from 0x80 print as `ffffffNN`.
fn signed_char_hex(b: u8, width: usize) -> String {
    let v = b as i8 as i32 as u32;
    format!("{v:0width$x}")
}

/// The AX.25 / NET/ROM call sign: six shifted characters (a space ends
/// it), then `-SSID` when the SSID is not 0.
fn ax25_text(a: &[u8; 64]) -> Vec<u8> {
    let mut call: Vec<u8> = a
        .iter()
        .take(6)
        .map(|&b| b >> 1)
        .take_while(|&c| c != b' ' && c != 0)
        .collect();
    let ssid = (a[6] & 0x1e) >> 1;
    if ssid != 0 {
        call.extend_from_slice(format!("-{ssid}").as_bytes());
    }
    call
}

/// The address text of a hardware type, over netstat's `hwaddr` buffer
/// (32 bytes, then the struct's next fields, which only `ash` reads).
fn hw_text(print: HwPrint, a: &[u8; 64]) -> Vec<u8> {
    match print {
        HwPrint::None => Vec::new(),
        HwPrint::Ether => hex_join(&a[..6], false, ":"),
        HwPrint::Fddi => hex_join(&a[..6], true, "-"),
        HwPrint::Hippi => hex_join(&a[..6], true, ":"),
        HwPrint::Arcnet => hex_join(&a[..1], true, ""),
        HwPrint::Eui64 => hex_join(&a[..8], true, ":"),
        HwPrint::Unspec => hex_join(&a[..16], true, "-"),
        HwPrint::Tunnel => Vec::new(),
        HwPrint::Irda => {
            let parts: Vec<String> = [a[3], a[2], a[1], a[0]]
                .iter()
                .map(|&b| signed_char_hex(b, 2))
                .collect();
            let mut text = parts.join(":").into_bytes();
            // snprintf into 12 bytes.
            text.truncate(11);
            text
        }
        HwPrint::Dlci => dec(i64::from(i16::from_le_bytes([a[0], a[1]]))),
        HwPrint::Ax25 => ax25_text(a),
        HwPrint::Rose => hex_join(&a[..5], false, ""),
        HwPrint::X25 => a.iter().take(16).copied().take_while(|&b| b != 0).collect(),
        HwPrint::Ash => {
            // Each byte's `%1x` overwrites the previous one's tail, and the
            // closing bracket the last one's second digit: the first hex
            // digit of each of the 64 bytes, in brackets.
            let mut text = vec![b'['];
            for &b in a.iter() {
                text.push(signed_char_hex(b, 1).as_bytes()[0]);
            }
            text.push(b']');
            text
        }
    }
}

// ------------------------------------------------------------ long blocks

/// `ntoa` of an IPv4 answer, `[NONE SET]` for a request that failed.
fn inet4_text(a: Option<[u8; 4]>) -> Vec<u8> {
    match a {
        Some(b) => ntoa(b),
        None => b"[NONE SET]".to_vec(),
    }
}

/// `<size>` of `bytes <n> (<size>)`: tenths of the largest binary unit the
/// count exceeds, truncated.
pub fn human_bytes(n: u64) -> Vec<u8> {
    const UNITS: [(u64, &str); 5] = [
        (1 << 50, "PiB"),
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    let (tenths, unit) = if n > 1 << 60 {
        (n / 115_292_150_460_684_697, "EiB")
    } else {
        UNITS
            .iter()
            .find(|(limit, _)| n > *limit)
            .map(|&(limit, unit)| (n.wrapping_mul(10) / limit, unit))
            .unwrap_or((n.wrapping_mul(10), "B"))
    };
    format!("{}.{} {unit}", tenths / 10, tenths % 10).into_bytes()
}

fn flag_list(flags: u16) -> Vec<u8> {
    let mut text = format!("flags={}<", flags as i16).into_bytes();
    if flags == 0 {
        text.push(b'>');
    }
    for (bit, name) in [
        (IFF_UP, "UP"),
        (IFF_BROADCAST, "BROADCAST"),
        (IFF_DEBUG, "DEBUG"),
        (IFF_LOOPBACK, "LOOPBACK"),
        (IFF_POINTOPOINT, "POINTOPOINT"),
        (IFF_NOTRAILERS, "NOTRAILERS"),
        (IFF_RUNNING, "RUNNING"),
        (IFF_NOARP, "NOARP"),
        (IFF_PROMISC, "PROMISC"),
        (IFF_ALLMULTI, "ALLMULTI"),
        (IFF_SLAVE, "SLAVE"),
        (IFF_MASTER, "MASTER"),
        (IFF_MULTICAST, "MULTICAST"),
        (IFF_DYNAMIC, "DYNAMIC"),
    ] {
        if flags & bit != 0 {
            text.extend_from_slice(name.as_bytes());
            text.push(b',');
        }
    }
    // The last character becomes `>` if it is a comma, else it is dropped.
    if text.last() == Some(&b',') {
        text.pop();
        text.push(b'>');
    } else {
        text.pop();
    }
    text
}

fn inet_line(out: &mut Vec<u8>, flags: u16, inet: &Inet4) {
    out.extend_from_slice(b"        inet ");
    out.extend_from_slice(&ntoa(inet.addr));
    out.extend_from_slice(b"  netmask ");
    out.extend_from_slice(&inet4_text(inet.netmask));
    if flags & IFF_BROADCAST != 0 {
        out.extend_from_slice(b"  broadcast ");
        out.extend_from_slice(&inet4_text(inet.broadaddr));
    }
    if flags & IFF_POINTOPOINT != 0 {
        out.extend_from_slice(b"  destination ");
        out.extend_from_slice(&inet4_text(inet.dstaddr));
    }
    out.push(b'\n');
}

fn inet6_lines(out: &mut Vec<u8>, name: &[u8], records: &[Inet6Line]) {
    let names = Names::default();
    // netstat's `sas` keeps the last address it could read.
    let mut last: Option<[u8; 16]> = None;
    for r in records.iter().filter(|r| r.devname == name) {
        if let Some(a) = r.address() {
            last = Some(a);
        }
        out.extend_from_slice(b"        inet6 ");
        match last {
            Some(a) => out.extend_from_slice(&inet6_text(&names, &Addr::v6(a), true)),
            None => out.extend_from_slice(b"[NONE SET]"),
        }
        out.extend_from_slice(b"  prefixlen ");
        out.extend_from_slice(&dec(i64::from(r.plen as i32)));
        out.extend_from_slice(format!("  scopeid 0x{:x}", r.scope).as_bytes());
        let mut scope = r.scope as i32;
        let mut tags: Vec<&str> = Vec::new();
        if scope & 0x80 != 0 {
            tags.push("compat");
            scope -= 0x80;
        }
        if scope == 0 {
            tags.push("global");
        }
        for (bit, tag) in [(0x20, "link"), (0x40, "site"), (0x10, "host")] {
            if scope & bit != 0 {
                tags.push(tag);
            }
        }
        if !tags.is_empty() {
            out.push(b'<');
            out.extend_from_slice(tags.join(",").as_bytes());
            out.push(b'>');
        }
        out.push(b'\n');
    }
}

fn hw_line(out: &mut Vec<u8>, i: &Iface<'_>) {
    let kind = i.hw_type();
    let hw = hw_type(kind);
    let mut a = [0u8; 64];
    for (o, b) in a.iter_mut().zip(i.hwaddr()) {
        *o = b;
    }
    // Past the 32 address bytes comes netstat's `statistics_valid` (an
    // int); the counters after it are not modelled.
    if i.stats.is_some() {
        a[32] = 1;
    }
    let null = a.iter().take(hw.alen).all(|&b| b == 0);
    out.extend_from_slice(b"        ");
    out.extend_from_slice(hw.name.as_bytes());
    if hw.print != HwPrint::None && !(null && hw.suppress_null) {
        out.push(b' ');
        out.extend_from_slice(&hw_text(hw.print, &a));
    }
    if i.facts.txqlen != -1 {
        out.extend_from_slice(b"  txqueuelen ");
        out.extend_from_slice(&dec(i64::from(i.facts.txqlen)));
    }
    out.extend_from_slice(b"  (");
    out.extend_from_slice(hw.title.as_bytes());
    out.extend_from_slice(b")\n");
}

fn media_line(out: &mut Vec<u8>, i: &Iface<'_>) {
    const PORTS: [&str; 7] = [
        "unknown",
        "10base2",
        "10baseT",
        "AUI",
        "100baseT",
        "100baseTX",
        "100baseFX",
    ];
    out.extend_from_slice(b"        media ");
    let port = PORTS
        .get(usize::from(i.facts.map.port))
        .copied()
        .unwrap_or("(null)");
    out.extend_from_slice(port.as_bytes());
    if i.flags & IFF_AUTOMEDIA != 0 {
        out.extend_from_slice(b"autoselect");
    }
    out.push(b'\n');
}

fn stats_lines(out: &mut Vec<u8>, s: &DevStats, compressed: bool) {
    out.extend_from_slice(
        format!(
            "        RX packets {}  bytes {} (",
            s.rx_packets, s.rx_bytes
        )
        .as_bytes(),
    );
    out.extend_from_slice(&human_bytes(s.rx_bytes));
    out.extend_from_slice(b")\n");
    if compressed {
        out.extend_from_slice(format!("        RX compressed:{}\n", s.rx_compressed).as_bytes());
    }
    out.extend_from_slice(
        format!(
            "        RX errors {}  dropped {}  overruns {}  frame {}\n",
            s.rx_errors, s.rx_dropped, s.rx_fifo, s.rx_frame
        )
        .as_bytes(),
    );
    out.extend_from_slice(
        format!(
            "        TX packets {}  bytes {} (",
            s.tx_packets, s.tx_bytes
        )
        .as_bytes(),
    );
    out.extend_from_slice(&human_bytes(s.tx_bytes));
    out.extend_from_slice(b")\n");
    if compressed {
        out.extend_from_slice(format!("        TX compressed {}\n", s.tx_compressed).as_bytes());
    }
    out.extend_from_slice(
        format!(
            "        TX errors {}  dropped {} overruns {}  carrier {}  collisions {}\n",
            s.tx_errors, s.tx_dropped, s.tx_fifo, s.tx_carrier, s.collisions
        )
        .as_bytes(),
    );
}

fn device_line(out: &mut Vec<u8>, i: &Iface<'_>) {
    let m = &i.facts.map;
    if m.irq == 0 && m.mem_start == 0 && m.dma == 0 && m.base_addr < 0x100 {
        return;
    }
    out.extend_from_slice(b"        device ");
    if m.irq != 0 {
        out.extend_from_slice(format!("interrupt {}  ", m.irq).as_bytes());
    }
    if m.base_addr >= 0x100 {
        out.extend_from_slice(format!("base 0x{:x}  ", m.base_addr).as_bytes());
    }
    if m.mem_start != 0 {
        out.extend_from_slice(format!("memory 0x{:x}-{:x}  ", m.mem_start, m.mem_end).as_bytes());
    }
    if m.dma != 0 {
        out.extend_from_slice(format!("  dma 0x{:x}", m.dma).as_bytes());
    }
    out.push(b'\n');
}

/// One block of `netstat -ie`; `inet6` is `/proc/net/if_inet6` as netstat's
/// `fscanf` loop reads it (`None` when the file is absent).
pub fn long_block(out: &mut Vec<u8>, i: &Iface<'_>, inet6: Option<&[Inet6Line]>) {
    let f = i.facts;
    out.extend_from_slice(i.name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(&flag_list(i.flags));
    out.extend_from_slice(b"  mtu ");
    out.extend_from_slice(&dec(i64::from(f.mtu)));
    // `int outfill, keepalive` hold the low bits of the driver's answers.
    let (outfill, keepalive) = (f.outfill as i32, f.keepalive as i32);
    if outfill != 0 || keepalive != 0 {
        out.extend_from_slice(format!("  outfill {outfill}  keepalive {keepalive}").as_bytes());
    }
    out.push(b'\n');
    if let Some(inet) = &f.inet {
        inet_line(out, i.flags, inet);
    }
    if let Some(records) = inet6 {
        inet6_lines(out, i.name, records);
    }
    hw_line(out, i);
    if i.flags & IFF_PORTSEL != 0 {
        media_line(out, i);
    }
    if let Some(s) = i.stats {
        let kind = i.hw_type();
        stats_lines(out, s, kind == 257 || kind == 259);
    }
    device_line(out, i);
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::ifaces::{IfMap, parse_if_inet6};

    fn facts(mtu: i32, hw: Option<(u16, [u8; 8])>, txqlen: i32) -> IfaceFacts {
        IfaceFacts {
            name: Vec::new(),
            flags: Ok(0),
            hwaddr: hw,
            mtu,
            outfill: 0,
            keepalive: 0,
            map: IfMap::default(),
            txqlen,
            inet: None,
        }
    }

    fn text(v: &[u8]) -> String {
        String::from_utf8_lossy(v).into_owned()
    }

    #[test]
    fn short_rows_as_verified() {
        // Reference §5.3.
        let f = facts(1500, Some((1, [0; 8])), 1000);
        let s = DevStats {
            rx_packets: 1,
            tx_packets: 1,
            ..Default::default()
        };
        let mut out = Vec::new();
        short_row(
            &mut out,
            &Iface {
                name: b"eth0",
                flags: 0x1043,
                facts: &f,
                stats: Some(&s),
            },
        );
        short_row(
            &mut out,
            &Iface {
                name: b"eth0:1",
                flags: 0x1043,
                facts: &f,
                stats: None,
            },
        );
        let lo = DevStats {
            rx_packets: 12345678901,
            rx_errors: 1,
            rx_dropped: 2,
            rx_fifo: 3,
            tx_packets: 2,
            tx_errors: 7,
            tx_dropped: 8,
            tx_fifo: 9,
            ..Default::default()
        };
        let f2 = facts(65536, None, -1);
        short_row(
            &mut out,
            &Iface {
                name: b"lo",
                flags: 0x49,
                facts: &f2,
                stats: Some(&lo),
            },
        );
        let f3 = facts(9000, None, -1);
        short_row(
            &mut out,
            &Iface {
                name: b"eth10",
                flags: 0x1343,
                facts: &f3,
                stats: Some(&s),
            },
        );
        short_row(
            &mut out,
            &Iface {
                name: b"tun0",
                flags: 0x1091,
                facts: &f,
                stats: Some(&DevStats::default()),
            },
        );
        assert_eq!(
            text(&out),
            "eth0             1500        1      0      0 0             1      0      0      0 BMRU
eth0:1           1500      - no statistics available -                        BMRU
lo              65536 12345678901      1      2 3             2      7      8      9 LRU
eth10            9000        1      0      0 0             1      0      0      0 ABMPRU
tun0             1500        0      0      0 0             0      0      0      0 MOPU
"
        );
        let mut out = Vec::new();
        short_row(
            &mut out,
            &Iface {
                name: b"abcdefghijklmnopq",
                flags: 0,
                facts: &f,
                stats: None,
            },
        );
        assert!(text(&out).starts_with("abcdefghijklmno  1500"));
        assert!(text(&out).ends_with("[NO FLAGS]\n"));
    }

    #[test]
    fn sizes_truncate() {
        for (n, t) in [
            (90, "90.0 B"),
            (1024, "1024.0 B"),
            (1536, "1.5 KiB"),
            (1073741825, "1.0 GiB"),
            (1 << 20, "1024.0 KiB"),
            (u64::MAX, "16.0 EiB"),
        ] {
            assert_eq!(text(&human_bytes(n)), t, "{n}");
        }
    }

    #[test]
    fn flag_lists() {
        assert_eq!(text(&flag_list(73)), "flags=73<UP,LOOPBACK,RUNNING>");
        assert_eq!(text(&flag_list(0)), "flags=0<");
        assert_eq!(text(&flag_list(0x9000)), "flags=-28672<MULTICAST,DYNAMIC>");
    }

    #[test]
    fn long_blocks() {
        let mut f = facts(
            1500,
            Some((1, [6, 0x1a, 0x83, 0xf2, 0x85, 0xa8, 0, 0])),
            1000,
        );
        f.inet = Some(Inet4 {
            addr: [10, 0, 0, 1],
            dstaddr: Some([10, 0, 0, 1]),
            broadaddr: Some([10, 0, 0, 255]),
            netmask: None,
        });
        let s = DevStats {
            rx_packets: 3,
            rx_bytes: 1536,
            tx_bytes: 90,
            ..Default::default()
        };
        let v6 = parse_if_inet6(
            b"fe800000000000000000000000000001 02 40 20 80 eth0\n00000000000000000000ffff0a000002 02 80 00 80 eth0\n20010db8000000000000000000000001 03 40 00 80 eth1\n",
        );
        let mut out = Vec::new();
        long_block(
            &mut out,
            &Iface {
                name: b"eth0",
                flags: 0x1043,
                facts: &f,
                stats: Some(&s),
            },
            Some(&v6),
        );
        assert_eq!(
            text(&out),
            "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 10.0.0.1  netmask [NONE SET]  broadcast 10.0.0.255
        inet6 fe80::1  prefixlen 64  scopeid 0x20<link>
        inet6 10.0.0.2  prefixlen 128  scopeid 0x0<global>
        ether 06:1a:83:f2:85:a8  txqueuelen 1000  (Ethernet)
        RX packets 3  bytes 1536 (1.5 KiB)
        RX errors 0  dropped 0  overruns 0  frame 0
        TX packets 0  bytes 90 (90.0 B)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

"
        );
        let lo = facts(65536, Some((772, [0; 8])), 1000);
        let tun = facts(1500, Some((0xfffe, [0; 8])), 500);
        let tunnel = facts(1480, Some((768, [0; 8])), -1);
        let mut out = Vec::new();
        for (name, f) in [(&b"lo"[..], &lo), (b"tun0", &tun), (b"t", &tunnel)] {
            hw_line(
                &mut out,
                &Iface {
                    name,
                    flags: 1,
                    facts: f,
                    stats: None,
                },
            );
        }
        assert_eq!(
            text(&out),
            "        loop  txqueuelen 1000  (Local Loopback)
        unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen 500  (UNSPEC)
        tunnel   (IPIP Tunnel)
"
        );
    }

    #[test]
    fn device_and_media_lines() {
        let mut f = facts(1500, Some((1, [0; 8])), 1000);
        f.map = IfMap {
            mem_start: 0xfe00_0000,
            mem_end: 0xfe01_ffff,
            base_addr: 0x300,
            irq: 11,
            dma: 3,
            port: 2,
        };
        let i = Iface {
            name: b"e",
            flags: IFF_PORTSEL | IFF_AUTOMEDIA,
            facts: &f,
            stats: None,
        };
        let mut out = Vec::new();
        device_line(&mut out, &i);
        media_line(&mut out, &i);
        assert_eq!(
            text(&out),
            "        device interrupt 11  base 0x300  memory 0xfe000000-fe01ffff    dma 0x3\n        media 10baseTautoselect\n"
        );
    }

    #[test]
    fn odd_hardware_printers() {
        let mut a = [0u8; 64];
        a[..4].copy_from_slice(&[1, 2, 0x80, 4]);
        assert_eq!(text(&hw_text(HwPrint::Irda, &a)), "04:ffffff80");
        let call: Vec<u8> = b"N0CALL".iter().map(|c| c << 1).collect();
        a[..6].copy_from_slice(&call);
        a[6] = 7 << 1;
        assert_eq!(text(&hw_text(HwPrint::Ax25, &a)), "N0CALL-7");
        a[..2].copy_from_slice(&[0x10, 0x00]);
        assert_eq!(text(&hw_text(HwPrint::Dlci, &a)), "16");
        assert_eq!(hw_type(-2).name, "unspec");
        assert_eq!(hw_type(0).name, "netrom");
    }
}
