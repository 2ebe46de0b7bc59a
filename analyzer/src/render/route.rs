//! netstat's routing tables (`-r`): the IPv4 FIB, the IPv4 routing cache
//! and the IPv6 table, byte for byte as netstat 2.10 prints them.
//!
//! `ext` is netstat's route detail level (0 to 3, after its `-e` swap: no
//! `-e` gives 2, `-e` 1, `-ee` 3, `-eee` 0); `numeric` is `--numeric-hosts`
//! or `-N`.

use crate::model::{Addr, Names};
use crate::parse::route::{
    CacheFormat, Ipv4CacheTable, Ipv4RouteTable, Ipv6RouteTable, RTF_CACHE, RTF_UP,
};
use crate::render::addr::{host_name, inet4_text, inet6_text, ntoa};
use crate::render::{dec, pad_left, pad_right};

const RTF_GATEWAY: u32 = 0x0002;
const RTF_HOST: u32 = 0x0004;
const RTF_REJECT: u32 = 0x0200;

/// IPv4 FIB flag letters after `U` and `G` (and the `!` of a reject
/// route), in netstat's order. `c` appears twice, as in netstat.
const FIB_FLAGS: [(u32, &str); 17] = [
    (RTF_HOST, "H"),
    (0x0008, "R"),
    (0x0010, "D"),
    (0x0020, "M"),
    (0x0001_0000, "d"),
    (0x0002_0000, "a"),
    (0x0004_0000, "c"),
    (0x0020_0000, "o"),
    (0x0040_0000, "e"),
    (0x0100_0000, "c"),
    (0x0200_0000, "f"),
    (0x0400_0000, "p"),
    (0x8000_0000, "l"),
    (0x0040, "u"),
    (0x0080, "w"),
    (0x0100, "i"),
    (0x0400, "n"),
];

/// The IPv4 FIB flags text.
pub fn fib_flags(flags: u32) -> Vec<u8> {
    let mut s = Vec::new();
    if flags & RTF_UP != 0 {
        s.push(b'U');
    }
    if flags & RTF_GATEWAY != 0 {
        s.push(b'G');
    }
    if flags & RTF_REJECT != 0 {
        s.clear();
        s.push(b'!');
    }
    for (bit, letter) in FIB_FLAGS {
        if flags & bit != 0 {
            s.extend_from_slice(letter.as_bytes());
        }
    }
    s
}

/// The IPv6 flags text.
pub fn ipv6_flags(flags: u32) -> Vec<u8> {
    const LETTERS: [(u32, &str); 12] = [
        (RTF_UP, "U"),
        (RTF_REJECT, "!"),
        (RTF_GATEWAY, "G"),
        (RTF_HOST, "H"),
        (0x0001_0000, "D"),
        (0x0004_0000, "A"),
        (RTF_CACHE, "C"),
        (0x0002_0000, "a"),
        (0x0040_0000, "e"),
        (0x0020, "m"),
        (0x0020_0000, "n"),
        (0x0200_0000, "f"),
    ];
    let mut s = Vec::new();
    for (bit, letter) in LETTERS {
        if flags & bit != 0 {
            s.extend_from_slice(letter.as_bytes());
        }
    }
    s
}

/// The routing cache flags text (`old` = the Linux 2.0.36 layout).
pub fn cache_flags(flags: u32, old: bool) -> Vec<u8> {
    let mut s: Vec<u8> = Vec::new();
    let add = |bit: u32, text: &str, s: &mut Vec<u8>| {
        if flags & bit != 0 {
            s.extend_from_slice(text.as_bytes());
        }
    };
    if old {
        add(RTF_UP, "U", &mut s);
        add(RTF_HOST, "H", &mut s);
    }
    add(RTF_GATEWAY, "G", &mut s);
    if flags & RTF_REJECT != 0 {
        s.clear();
        s.push(b'!');
    }
    add(0x0008, "R", &mut s);
    add(0x0010, "D", &mut s);
    add(0x0020, "M", &mut s);
    if !old {
        add(0x0001, "-", &mut s);
        add(0x0004, "o", &mut s);
    }
    for (bit, text) in [
        (0x0001_0000, "n"),
        (0x0002_0000, "d"),
        (0x0008_0000, "t"),
        (0x0020_0000, "f"),
        (0x0040_0000, "q"),
        (0x0080_0000, "Ns"),
        (0x0100_0000, "r"),
        (0x0400_0000, "i"),
        (0x0800_0000, "Nd"),
        (0x1000_0000, "b"),
        (0x2000_0000, "m"),
        (0x4000_0000, "#"),
        (0x8000_0000, "l"),
    ] {
        add(bit, text, &mut s);
    }
    s
}

/// A C string copied into a buffer of `size` bytes.
fn cut(mut v: Vec<u8>, size: usize) -> Vec<u8> {
    v.truncate(size.saturating_sub(1));
    v
}

/// netstat's `INET_rresolve` as the FIB calls it for a destination:
/// `default` for 0.0.0.0/0, `0.0.0.0` for 0.0.0.0 with another mask, else a
/// host name (H flag, or bits outside the mask) or a network name, else the
/// dotted quad.
pub fn fib_destination(
    names: &Names,
    dest: [u8; 4],
    mask: [u8; 4],
    host: bool,
    numeric: bool,
) -> Vec<u8> {
    if numeric {
        return ntoa(dest);
    }
    if dest == [0; 4] {
        return if mask == [0; 4] {
            b"default".to_vec()
        } else {
            b"0.0.0.0".to_vec()
        };
    }
    let outside = dest.iter().zip(mask.iter()).any(|(d, m)| d & !m != 0);
    let found = if host || outside {
        host_name(names, &Addr::v4(dest))
    } else {
        names.networks.lookup(u32::from_be_bytes(dest))
    };
    match found {
        Some(n) => cut(n.to_vec(), 128),
        None => ntoa(dest),
    }
}

/// A FIB gateway: `0.0.0.0` for none, else a host name or the dotted quad.
pub fn fib_gateway(names: &Names, gw: [u8; 4], numeric: bool) -> Vec<u8> {
    if numeric || gw == [0; 4] {
        return ntoa(gw);
    }
    match host_name(names, &Addr::v4(gw)) {
        Some(n) => cut(n.to_vec(), 128),
        None => ntoa(gw),
    }
}

fn c15(mut v: Vec<u8>) -> Vec<u8> {
    v.truncate(15);
    v
}

/// Whether printing this FIB makes netstat call the resolver at least once
/// (which leaves `errno` at 0: it shows in the `perror` text of an empty
/// routing cache file read afterwards).
pub fn fib_resolves(table: &Ipv4RouteTable, numeric: bool) -> bool {
    !numeric
        && table.has_header
        && table.missing_field.is_none()
        && table
            .rows
            .iter()
            .any(|r| r.destination != [0; 4] || r.gateway != [0; 4])
}

/// Column header lines of the IPv4 FIB by `ext`.
fn fib_header(ext: u32) -> &'static [u8] {
    match ext {
        1 => b"Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n",
        2 => b"Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n",
        3 => b"Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n",
        _ => b"",
    }
}

/// The IPv4 FIB (`rprint_fib`): title, column header and rows. Returns
/// netstat's status for it (1 when the file has no usable header).
pub fn fib4(
    stdout: &mut Vec<u8>,
    stderr: &mut Vec<u8>,
    table: &Ipv4RouteTable,
    names: &Names,
    ext: u32,
    numeric: bool,
) -> i32 {
    stdout.extend_from_slice(b"Kernel IP routing table\n");
    stdout.extend_from_slice(fib_header(ext));
    if !table.has_header {
        return 1;
    }
    if let Some(field) = table.missing_field {
        stderr.extend_from_slice(
            format!("warning: /proc/net/route does not contain required field {field}\n")
                .as_bytes(),
        );
        return 1;
    }
    if !(1..=3).contains(&ext) {
        return 0;
    }
    for r in &table.rows {
        let dest = c15(fib_destination(
            names,
            r.destination,
            r.mask,
            r.flags & RTF_HOST != 0,
            numeric,
        ));
        let gate = c15(fib_gateway(names, r.gateway, numeric));
        let mask = ntoa(r.mask);
        let flags = fib_flags(r.flags);
        let reject = r.flags & RTF_REJECT != 0;
        let o = &mut *stdout;
        pad_right(o, &dest, 15);
        o.push(b' ');
        if reject {
            o.extend_from_slice(b"-               ");
        } else {
            pad_right(o, &gate, 15);
            o.push(b' ');
        }
        pad_right(o, &mask, 15);
        o.push(b' ');
        pad_right(o, &flags, 5);
        o.push(b' ');
        match (ext, reject) {
            (2, true) => o.extend_from_slice(b"    - -          - -\n"),
            (2, false) => {
                pad_left(o, &dec(r.mtu.into()), 5);
                o.push(b' ');
                pad_right(o, &dec(r.window.into()), 5);
                o.push(b' ');
                pad_left(o, &dec(r.irtt.into()), 6);
                o.push(b' ');
                o.extend_from_slice(&r.iface);
                o.push(b'\n');
            }
            (_, true) => {
                pad_right(o, &dec(r.metric.into()), 6);
                o.extend_from_slice(b" -  ");
                pad_left(o, &dec(r.use_count.into()), 7);
                if ext == 1 {
                    o.extend_from_slice(b" -\n");
                } else {
                    o.extend_from_slice(b" -        -     -      -\n");
                }
            }
            (1, false) => {
                pad_right(o, &dec(r.metric.into()), 6);
                o.push(b' ');
                pad_right(o, &dec(r.refcnt.into()), 2);
                o.push(b' ');
                pad_left(o, &dec(r.use_count.into()), 7);
                o.push(b' ');
                o.extend_from_slice(&r.iface);
                o.push(b'\n');
            }
            (_, false) => {
                pad_right(o, &dec(r.metric.into()), 6);
                o.push(b' ');
                pad_right(o, &dec(r.refcnt.into()), 3);
                o.push(b' ');
                pad_left(o, &dec(r.use_count.into()), 6);
                o.push(b' ');
                let iface = r.iface.get(..6).unwrap_or(&r.iface);
                pad_right(o, iface, 6);
                o.extend_from_slice(b"   ");
                pad_right(o, &dec(r.mtu.into()), 5);
                o.push(b' ');
                pad_right(o, &dec(r.window.into()), 6);
                o.push(b' ');
                o.extend_from_slice(&dec(r.irtt.into()));
                o.push(b'\n');
            }
        }
    }
    0
}

/// What the routing cache printer ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheEnd {
    /// It returned this status.
    Status(i32),
    /// netstat exited on the spot with this status (the header could not be
    /// read); nothing after it is printed.
    Exit(i32),
}

/// The IPv4 routing cache (`rprint_cache`). `errno_text` is what `perror`
/// appends when the file has no header line at all.
pub fn cache4(
    stdout: &mut Vec<u8>,
    stderr: &mut Vec<u8>,
    table: &Ipv4CacheTable,
    names: &Names,
    ext: u32,
    numeric: bool,
    errno_text: &str,
) -> CacheEnd {
    stdout.extend_from_slice(b"Kernel IP routing cache\n");
    if !table.has_header {
        stderr.extend_from_slice(format!("/proc/net/rt_cache: {errno_text}\n").as_bytes());
        return CacheEnd::Exit(255);
    }
    if let CacheFormat::Unknown(g) = table.format {
        stdout.extend_from_slice(
            format!("ERROR: proc_guess_fmt(/proc/net/rt_cache,... returned: {g}\n").as_bytes(),
        );
    }
    match ext {
        1 => stdout.extend_from_slice(
            b"Source          Destination     Gateway         Flags Metric Ref    Use Iface\n",
        ),
        2 => stdout.extend_from_slice(
            b"Source          Destination     Gateway         Flags   MSS Window  irtt Iface\n",
        ),
        _ => {}
    }
    let old = table.format == CacheFormat::Old;
    if ext == 3 {
        match table.format {
            CacheFormat::Old => stdout.extend_from_slice(
                b"Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  HH  Arp\n",
            ),
            CacheFormat::Modern => stdout.extend_from_slice(
                b"Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n",
            ),
            CacheFormat::Unknown(_) => {}
        }
    }
    if let Some(field) = table.missing_field {
        stderr.extend_from_slice(
            format!("warning: /proc/net/rt_cache does not contain required field {field}\n")
                .as_bytes(),
        );
    }
    if !(1..=3).contains(&ext) {
        return CacheEnd::Status(0);
    }
    for r in &table.rows {
        let text = |a: [u8; 4]| inet4_text(names, a, numeric);
        let (src, dst, gw) = (text(r.source), text(r.destination), text(r.gateway));
        let o = &mut *stdout;
        pad_right(o, &src, 15);
        o.push(b' ');
        pad_right(o, &dst, 15);
        o.push(b' ');
        pad_right(o, &gw, 15);
        o.push(b' ');
        pad_right(o, &cache_flags(r.flags, old), 5);
        o.push(b' ');
        match ext {
            1 => {
                pad_right(o, &dec(r.metric.into()), 6);
                o.push(b' ');
                pad_right(o, &dec(r.refcnt.into()), 2);
                o.push(b' ');
                pad_left(o, &dec(r.use_count.into()), 7);
                o.push(b' ');
                o.extend_from_slice(&r.iface);
            }
            2 => {
                pad_left(o, &dec(r.mtu.into()), 5);
                o.push(b' ');
                pad_right(o, &dec(r.window.into()), 5);
                o.push(b' ');
                pad_left(o, &dec(r.irtt.into()), 6);
                o.push(b' ');
                o.extend_from_slice(&r.iface);
            }
            3 => {
                pad_right(o, &dec(r.metric.into()), 6);
                o.push(b' ');
                pad_right(o, &dec(r.refcnt.into()), 3);
                o.push(b' ');
                pad_left(o, &dec(r.use_count.into()), 6);
                o.push(b' ');
                let iface = r.iface.get(..6).unwrap_or(&r.iface);
                pad_right(o, iface, 6);
                o.extend_from_slice(b"   ");
                pad_right(o, &dec(r.mtu.into()), 5);
                o.push(b' ');
                pad_right(o, &dec(r.window.into()), 6);
                o.push(b' ');
                pad_right(o, &dec(r.irtt.into()), 5);
                o.push(b' ');
                if old {
                    pad_right(o, &dec(r.hh.into()), 3);
                    o.push(b' ');
                    o.extend_from_slice(&dec(r.arp.into()));
                } else {
                    pad_right(o, &dec(r.tos.into()), 3);
                    o.push(b' ');
                    pad_right(o, &dec(r.hh_ref.into()), 3);
                    o.extend_from_slice(b"   ");
                    pad_right(o, &dec(r.hh_uptod.into()), 3);
                    o.push(b' ');
                    pad_left(o, &text(r.spec_dst), 15);
                }
            }
            _ => {}
        }
        o.push(b'\n');
    }
    CacheEnd::Status(0)
}

/// An IPv6 route address as netstat prints it; `None` is an address
/// netstat never managed to read.
fn ipv6_text(names: &Names, addr: Option<&Addr>, numeric: bool) -> Vec<u8> {
    match addr {
        Some(a) => inet6_text(names, a, numeric),
        None => b"[NONE SET]".to_vec(),
    }
}

/// The IPv6 table (`rprint_fib6`): `cache` shows only cache entries and
/// titles them so, otherwise cache entries are left out.
pub fn fib6(
    stdout: &mut Vec<u8>,
    table: &Ipv6RouteTable,
    names: &Names,
    numeric: bool,
    cache: bool,
) {
    stdout.extend_from_slice(if cache {
        b"Kernel IPv6 routing cache\n"
    } else {
        b"Kernel IPv6 routing table\n"
    });
    stdout.extend_from_slice(
        b"Destination                    Next Hop                   Flag Met Ref  Use If\n",
    );
    for r in &table.rows {
        if (r.flags & RTF_CACHE != 0) != cache {
            continue;
        }
        let mut dest = ipv6_text(names, r.destination.as_ref(), numeric);
        dest.push(b'/');
        dest.extend_from_slice(&dec(r.prefix_len.into()));
        let dest = cut(dest, 128);
        let hop = cut(ipv6_text(names, r.next_hop.as_ref(), numeric), 128);
        let o = &mut *stdout;
        pad_right(o, &dest, 30);
        o.push(b' ');
        pad_right(o, &hop, 26);
        o.push(b' ');
        pad_right(o, &ipv6_flags(r.flags), 4);
        o.push(b' ');
        pad_right(o, &dec(r.metric.into()), 3);
        o.push(b' ');
        pad_right(o, &dec(r.refcnt.into()), 1);
        o.push(b' ');
        pad_left(o, &dec(r.use_count.into()), 6);
        o.push(b' ');
        o.extend_from_slice(&r.iface);
        o.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_letters() {
        assert_eq!(fib_flags(0xF9), b"URDMuw");
        assert_eq!(fib_flags(0x0203), b"!");
        assert_eq!(fib_flags(0x0207), b"!H");
        assert_eq!(fib_flags(0x0104_0001), b"Ucc");
        assert_eq!(ipv6_flags(0x0045_0003), b"UGDAe");
        assert_eq!(ipv6_flags(0x0020_0201), b"U!n");
        assert_eq!(cache_flags(0x8000_0007, false), b"G-ol");
        assert_eq!(cache_flags(0x0207, true), b"!");
    }

    #[test]
    fn destinations() {
        let names = Names::default();
        assert_eq!(
            fib_destination(&names, [0; 4], [0; 4], false, false),
            b"default"
        );
        assert_eq!(
            fib_destination(&names, [0; 4], [0; 4], false, true),
            b"0.0.0.0"
        );
        assert_eq!(
            fib_destination(&names, [0; 4], [128, 0, 0, 0], false, false),
            b"0.0.0.0"
        );
        assert_eq!(
            fib_destination(&names, [10, 1, 0, 0], [255, 255, 0, 0], false, false),
            b"10.1.0.0"
        );
    }
}
