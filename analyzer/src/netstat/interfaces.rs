//! netstat's `-i` view (`iface_info`): the interface list netstat builds
//! from `/proc/net/dev` and the kernel's IPv4 labels, in its "natural" name
//! order, each interface's ioctl facts, and the short (`-i`) or long
//! (`-ie`) table.
//!
//! The ioctl answers come from the collector's `netsnap-ifaces.json`; an
//! archive without it falls back to `sys/class/net` and the manifest's
//! `getifaddrs` answers (see [`crate::parse::ifaces::derive_facts`]).

use crate::model::Snapshot;
use crate::netstat::args::NetstatOptions;
use crate::parse::ifaces::{
    self, DevStats, IFACES_PATH, IfaceFacts, Inet6Line, IoctlEntry, NAME_MAX,
};
use crate::parse::scan;
use crate::render::Output;
use crate::render::ifaces::{Iface, SHORT_HEADER, TITLE, is_up, long_block, short_row};

/// Renders the `-i` view into `out` (which already holds any text
/// netstat printed while parsing options) and returns it.
pub fn run(snap: &Snapshot, opts: &NetstatOptions, mut out: Output) -> Output {
    out.stdout.extend_from_slice(TITLE);
    out.status = table(snap, opts, &mut out);
    out
}

/// One interface in netstat's list.
struct Entry {
    name: Vec<u8>,
    stats: Option<DevStats>,
}

/// C's `atoi` of the digits netstat compares, as an `int`.
fn atoi(digits: &[u8]) -> i32 {
    scan::atoi(digits)
}

/// netstat's `cutalias`: a trailing `:<digits>` (at least one digit) is the
/// alias; returns the base name and the alias digits.
fn cut_alias(name: &[u8]) -> (&[u8], Option<&[u8]>) {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let colon = name.len() - digits;
    if digits > 0 && colon > 0 && name.get(colon - 1) == Some(&b':') {
        (name.get(..colon - 1).unwrap_or(name), name.get(colon..))
    } else {
        (name, None)
    }
}

/// Index just past the last non-digit (0 when the name is all digits).
fn nondigit_end(name: &[u8]) -> usize {
    name.len() - name.iter().rev().take_while(|b| b.is_ascii_digit()).count()
}

/// netstat's `nstrcmp`: names compared with their trailing numbers as
/// numbers and a numeric `:alias` suffix last.
pub fn nstrcmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (a, a_alias) = cut_alias(a);
    let (b, b_alias) = cut_alias(b);
    let (ai, bi) = (nondigit_end(a), nondigit_end(b));
    let n = ai.min(bi);
    let ord = a.get(..n).cmp(&b.get(..n));
    if ord != Ordering::Equal {
        return ord;
    }
    if ai != bi {
        return ai.cmp(&bi);
    }
    let an = atoi(a.get(ai..).unwrap_or(&[]));
    let bn = atoi(b.get(bi..).unwrap_or(&[]));
    if an != bn {
        return an.cmp(&bn);
    }
    // strcmp stops at a NUL; names have none.
    let ord = a.cmp(b);
    if ord != Ordering::Equal {
        return ord;
    }
    let av = a_alias.map(atoi).unwrap_or(-1);
    let bv = b_alias.map(atoi).unwrap_or(-1);
    if av != bv {
        return av.cmp(&bv);
    }
    match (a_alias, b_alias) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// netstat's `if_cache_add`: walks back from the end of the sorted list and
/// inserts after the first smaller name; an equal name is the same entry.
fn cache_add(list: &mut Vec<Entry>, name: &[u8]) -> usize {
    let name = name.get(..NAME_MAX).unwrap_or(name);
    let mut at = 0;
    for (i, e) in list.iter().enumerate().rev() {
        match nstrcmp(&e.name, name) {
            std::cmp::Ordering::Equal => return i,
            std::cmp::Ordering::Less => {
                at = i + 1;
                break;
            }
            std::cmp::Ordering::Greater => {}
        }
    }
    list.insert(
        at,
        Entry {
            name: name.to_vec(),
            stats: None,
        },
    );
    at
}

/// glibc's message for an errno name as the manifests record it.
pub fn strerror(name: &str) -> String {
    let text = match name {
        "EPERM" => "Operation not permitted",
        "ENOENT" => "No such file or directory",
        "ESRCH" => "No such process",
        "EINTR" => "Interrupted system call",
        "EIO" => "Input/output error",
        "ENXIO" => "No such device or address",
        "EBADF" => "Bad file descriptor",
        "EAGAIN" => "Resource temporarily unavailable",
        "ENOMEM" => "Cannot allocate memory",
        "EACCES" => "Permission denied",
        "EFAULT" => "Bad address",
        "EBUSY" => "Device or resource busy",
        "EEXIST" => "File exists",
        "ENODEV" => "No such device",
        "ENOTDIR" => "Not a directory",
        "EISDIR" => "Is a directory",
        "EINVAL" => "Invalid argument",
        "ENFILE" => "Too many open files in system",
        "EMFILE" => "Too many open files",
        "ENOTTY" => "Inappropriate ioctl for device",
        "ENOSPC" => "No space left on device",
        "EROFS" => "Read-only file system",
        "ENAMETOOLONG" => "File name too long",
        "ELOOP" => "Too many levels of symbolic links",
        "ENODATA" => "No data available",
        "EOPNOTSUPP" | "ENOTSUP" => "Operation not supported",
        "EAFNOSUPPORT" => "Address family not supported by protocol",
        "EADDRNOTAVAIL" => "Cannot assign requested address",
        "ETIMEDOUT" => "Connection timed out",
        other => {
            return match other.strip_prefix("errno ") {
                Some(n) => format!("Unknown error {n}"),
                None => other.to_string(),
            };
        }
    };
    text.to_string()
}

/// What the snapshot says about the interfaces.
struct Sources<'a> {
    snap: &'a Snapshot,
    ioctls: Option<IoctlEntry>,
    addrs: Vec<ifaces::IfAddr>,
}

impl Sources<'_> {
    fn missing_error(&self, path: &str) -> String {
        self.snap
            .manifest
            .missing
            .iter()
            .find(|m| m.path == path)
            .map(|m| m.error.clone())
            .unwrap_or_else(|| "ENOENT".to_string())
    }

    /// The IPv4 labels, as `SIOCGIFCONF` gave them (or `getifaddrs`, for
    /// older archives), or the errno name of its failure.
    fn ifconf(&self) -> Result<Vec<Vec<u8>>, String> {
        match &self.ioctls {
            Some(e) if e.socket_error.is_none() => match &e.ifconf_error {
                Some(err) => Err(err.clone()),
                None => Ok(e.ifconf.clone()),
            },
            _ => Ok(self
                .addrs
                .iter()
                .filter(|a| a.family == "inet")
                .map(|a| a.name.as_bytes().to_vec())
                .collect()),
        }
    }

    fn facts(&self, name: &[u8]) -> IfaceFacts {
        if let Some(f) = self.ioctls.as_ref().and_then(|e| e.get(name)) {
            return f.clone();
        }
        let other = &self.snap.other;
        ifaces::derive_facts(name, &self.addrs, |dev, attr| {
            other
                .get(&format!("sys/class/net/{dev}/{attr}"))
                .map(|v| v.as_slice())
        })
    }
}

/// One table (netstat's `iface_info` after the title): the column header
/// (short form), then a row or block per interface. Returns the exit status.
pub fn table(snap: &Snapshot, opts: &NetstatOptions, out: &mut Output) -> i32 {
    let long = opts.extend >= 2;
    if !long {
        out.stdout.extend_from_slice(SHORT_HEADER);
    }
    let ioctls = snap.other.get(IFACES_PATH).and_then(|data| {
        let (entry, diag) = ifaces::parse_ioctl_entry(IFACES_PATH, data);
        if let Some(d) = diag {
            out.diagnostics.push(d);
        }
        entry
    });
    let src = Sources {
        snap,
        ioctls,
        addrs: ifaces::ifaddrs(&snap.manifest.interfaces),
    };

    let mut list: Vec<Entry> = Vec::new();
    let proc_ok = match snap.other.get("proc/net/dev") {
        Some(data) => {
            let dev = ifaces::parse_proc_net_dev(data);
            for line in &dev.lines {
                let i = cache_add(&mut list, &line.name);
                if let Some(e) = list.get_mut(i) {
                    let stats = e.stats.get_or_insert_with(DevStats::default);
                    stats.apply(dev.layout, &line.values);
                }
            }
            true
        }
        None => {
            let err = strerror(&src.missing_error("proc/net/dev"));
            out.stderr.extend_from_slice(
                format!("Warning: cannot open /proc/net/dev ({err}). Limited output.\n").as_bytes(),
            );
            false
        }
    };
    let conf_err = match src.ifconf() {
        Ok(labels) => {
            for label in &labels {
                cache_add(&mut list, label);
            }
            None
        }
        Err(err) => {
            let text = strerror(&err);
            out.stderr
                .extend_from_slice(format!("SIOCGIFCONF: {text}\n").as_bytes());
            Some(text)
        }
    };
    if let (false, Some(text)) = (proc_ok, &conf_err) {
        out.stderr
            .extend_from_slice(format!("missing interface information: {text}\n").as_bytes());
        return 1;
    }

    let inet6: Option<Vec<Inet6Line>> = if long {
        snap.other
            .get("proc/net/if_inet6")
            .map(|d| ifaces::parse_if_inet6(d))
    } else {
        None
    };
    for e in &list {
        let facts = src.facts(&e.name);
        let flags = match &facts.flags {
            Ok(f) => *f,
            Err(err) => {
                let why = if err == "ENODEV" {
                    "Device not found".to_string()
                } else {
                    strerror(err)
                };
                let name = String::from_utf8_lossy(&e.name);
                out.stderr.extend_from_slice(
                    format!(
                        "{name}: error fetching interface information: {why}\nmissing interface information: {}\n",
                        strerror(err)
                    )
                    .as_bytes(),
                );
                return 1;
            }
        };
        if !is_up(flags) && opts.all == 0 {
            continue;
        }
        let iface = Iface {
            name: &e.name,
            flags,
            facts: &facts,
            stats: e.stats.as_ref(),
        };
        if long {
            long_block(&mut out.stdout, &iface, inet6.as_deref());
        } else {
            short_row(&mut out.stdout, &iface);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut list = Vec::new();
        for n in names {
            cache_add(&mut list, n.as_bytes());
        }
        list.iter()
            .map(|e| String::from_utf8_lossy(&e.name).into_owned())
            .collect()
    }

    #[test]
    fn natural_order_as_verified() {
        // Reference §5.1.
        assert_eq!(
            sorted(&[
                "veth-peer0",
                "lo",
                "eth10",
                "eth0:foo",
                "tun0",
                "eth0",
                "br0",
                "eth2",
                "tap0",
                "eth0:1"
            ]),
            [
                "br0",
                "eth0",
                "eth0:1",
                "eth2",
                "eth10",
                "eth0:foo",
                "lo",
                "tap0",
                "tun0",
                "veth-peer0"
            ]
        );
        assert_eq!(sorted(&["lo", "lo", "eth0", "lo"]), ["eth0", "lo"]);
    }

    #[test]
    fn nstrcmp_like_its_own_tests() {
        // The cases of net-tools' lib/nstrcmp.c self-test.
        let cases: &[(&str, &str, Ordering)] = &[
            ("eth1", "eth1", Ordering::Equal),
            ("eth0:1", "eth0:1", Ordering::Equal),
            ("a:b:c", "a:b:c", Ordering::Equal),
            ("a", "aa", Ordering::Less),
            ("eth0", "eth1", Ordering::Less),
            ("eth1", "eth20", Ordering::Less),
            ("eth20", "eth100", Ordering::Less),
            ("eth", "eth2", Ordering::Less),
            ("eth0:1", "eth0:2", Ordering::Less),
            ("eth1:10", "eth13:10", Ordering::Less),
            ("eth1:1", "eth1:13", Ordering::Less),
            ("a", "a:", Ordering::Less),
            ("eth2:10", "eth2:1", Ordering::Greater),
            ("eth3:2", "eth2:3", Ordering::Greater),
            ("a1b12", "a1b2", Ordering::Greater),
            ("eth1", "eth01", Ordering::Greater),
            ("eth01:1", "eth1:1", Ordering::Less),
            ("eth1:01", "eth01:1", Ordering::Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(nstrcmp(a.as_bytes(), b.as_bytes()), *want, "{a} {b}");
        }
    }

    const DEV: &[u8] = b"Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    2000      10    0    0    0     0          0         0     3000      20    0    0    0     0       0          0
  zz0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
";

    fn opts(args: &[&str]) -> NetstatOptions {
        match crate::netstat::args::parse(args) {
            crate::netstat::args::Parsed::Run(o) => o,
            crate::netstat::args::Parsed::Exit { .. } => NetstatOptions::default(),
        }
    }

    fn snapshot(files: &[(&str, &[u8])]) -> Snapshot {
        let mut snap = Snapshot::default();
        for (path, data) in files {
            snap.other.insert(path.to_string(), data.to_vec());
        }
        snap
    }

    fn show(snap: &Snapshot, args: &[&str]) -> (String, String, i32) {
        let out = run(snap, &opts(args), Output::default());
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status,
        )
    }

    const IOCTLS: &[u8] = br#"{"ifconf":["lo","eth0:1"],"interfaces":[
        {"name":"lo","flags":73,"mtu":65536,"txqlen":1000,"hwaddr":{"family":772,"data":""}},
        {"name":"eth0","flags":4163,"mtu":1500,"txqlen":1000,"hwaddr":{"family":1,"data":"02:00:00:00:00:01"}},
        {"name":"zz0","errors":{"SIOCGIFFLAGS":"ENODEV"}},
        {"name":"eth0:1","flags":4163,"mtu":1500,"txqlen":1000,"hwaddr":{"family":1,"data":"02:00:00:00:00:01"},
         "inet":{"addr":"10.0.0.1","netmask":"255.0.0.0","broadaddr":"0.0.0.0","dstaddr":"10.0.0.1"}}]}"#;

    #[test]
    fn a_vanished_interface_ends_the_table() {
        let snap = snapshot(&[("proc/net/dev", DEV), (IFACES_PATH, IOCTLS)]);
        let (stdout, stderr, status) = show(&snap, &["-i"]);
        assert_eq!(
            stdout,
            "Kernel Interface table
Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg
eth0             1500       10      0      0 0            20      0      0      0 BMRU
eth0:1           1500      - no statistics available -                        BMRU
lo              65536        2      0      0 0             2      0      0      0 LRU
"
        );
        assert_eq!(
            stderr,
            "zz0: error fetching interface information: Device not found\nmissing interface information: No such device\n"
        );
        assert_eq!(status, 1);
    }

    #[test]
    fn without_proc_net_dev_only_labels_are_listed() {
        let mut snap = snapshot(&[(IFACES_PATH, IOCTLS)]);
        snap.manifest.missing.push(crate::parse::manifest::Missing {
            path: "proc/net/dev".into(),
            error: "EACCES".into(),
        });
        let (stdout, stderr, status) = show(&snap, &["-ie"]);
        assert_eq!(
            stderr,
            "Warning: cannot open /proc/net/dev (Permission denied). Limited output.\n"
        );
        assert_eq!(status, 0);
        assert_eq!(
            stdout,
            "Kernel Interface table
eth0:1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet 10.0.0.1  netmask 255.0.0.0  broadcast 0.0.0.0
        ether 02:00:00:00:00:01  txqueuelen 1000  (Ethernet)

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        loop  txqueuelen 1000  (Local Loopback)

"
        );
    }

    #[test]
    fn ifconf_failure_without_proc_net_dev() {
        let snap = snapshot(&[(
            IFACES_PATH,
            br#"{"ifconf":[],"ifconf_error":"EPERM","interfaces":[]}"#,
        )]);
        let (stdout, stderr, status) = show(&snap, &["-i"]);
        assert!(stdout.ends_with("Flg\n"));
        assert_eq!(
            stderr,
            "Warning: cannot open /proc/net/dev (No such file or directory). Limited output.\nSIOCGIFCONF: Operation not permitted\nmissing interface information: Operation not permitted\n"
        );
        assert_eq!(status, 1);
    }

    #[test]
    fn older_archives_use_sysfs_and_getifaddrs() {
        let dev: Vec<u8> = DEV
            .split_inclusive(|&b| b == b'\n')
            .filter(|l| !l.starts_with(b"  zz0"))
            .flatten()
            .copied()
            .collect();
        let mut snap = snapshot(&[
            ("proc/net/dev", &dev),
            ("sys/class/net/lo/flags", b"0x9\n"),
            ("sys/class/net/lo/mtu", b"65536\n"),
            ("sys/class/net/eth0/flags", b"0x1003\n"),
            ("sys/class/net/eth0/mtu", b"9000\n"),
        ]);
        snap.manifest.interfaces = vec![
            serde_json::json!({"name":"eth0","family":"packet","address":"02:00:00:00:00:01","flags":69699}),
            serde_json::json!({"name":"eth0:5","family":"inet","address":"10.0.0.5","netmask":"255.0.0.0","broadcast":"10.255.255.255","flags":69699}),
        ];
        let (stdout, _, status) = show(&snap, &["-ia"]);
        assert_eq!(status, 0);
        assert_eq!(
            stdout,
            "Kernel Interface table
Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg
eth0             9000       10      0      0 0            20      0      0      0 BMRU
eth0:5           9000      - no statistics available -                        BMRU
lo              65536        2      0      0 0             2      0      0      0 LU
"
        );
    }

    #[test]
    fn errno_texts() {
        assert_eq!(strerror("ENODEV"), "No such device");
        assert_eq!(strerror("errno 200"), "Unknown error 200");
    }
}
