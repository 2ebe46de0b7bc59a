//! `--resolve`: reverse DNS of the socket addresses, taken at capture time within a time budget.
//!
//! Decoding the hex addresses of the inet tables is the only parsing the collector does.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::{Error, check_signal};
use crate::gather::Entry;

const INET_TABLES: &[&str] = &[
    "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6",
];

/// Decodes a `/proc/net` address field (`0100007F:0035`): each group of 8 hex digits is a u32 in this machine's byte order.
fn decode(field: &[u8]) -> Option<IpAddr> {
    let hex = field.split(|&b| b == b':').next()?;
    let mut bytes = Vec::with_capacity(16);
    for group in hex.chunks(8) {
        let text = std::str::from_utf8(group).ok()?;
        if group.len() != 8 {
            return None;
        }
        bytes.extend_from_slice(&u32::from_str_radix(text, 16).ok()?.to_ne_bytes());
    }
    if let Ok(v4) = <[u8; 4]>::try_from(bytes.as_slice()) {
        Some(IpAddr::V4(Ipv4Addr::from(v4)))
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes.as_slice()) {
        Some(IpAddr::V6(Ipv6Addr::from(v6)))
    } else {
        None
    }
}

/// Every distinct non-wildcard local and remote address of the inet tables, keyed by the address to look up
/// (the IPv4 address for an IPv4-mapped one), with the texts its answer is stored under.
fn addresses(tables: &[Entry]) -> BTreeMap<IpAddr, Vec<String>> {
    let mut found: BTreeMap<IpAddr, Vec<String>> = BTreeMap::new();
    for table in tables {
        let inet = INET_TABLES
            .iter()
            .any(|name| table.path == Path::new("proc/net").join(name));
        if !inet {
            continue;
        }
        for line in table.data.split(|&b| b == b'\n').skip(1) {
            let mut fields = line
                .split(u8::is_ascii_whitespace)
                .filter(|f| !f.is_empty());
            for field in fields.by_ref().skip(1).take(2) {
                let Some(ip) = decode(field).filter(|ip| !ip.is_unspecified()) else {
                    continue;
                };
                let (lookup, texts) = match ip {
                    IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                        Some(v4) => (IpAddr::V4(v4), vec![v6.to_string(), v4.to_string()]),
                        None => (ip, vec![v6.to_string()]),
                    },
                    IpAddr::V4(v4) => (ip, vec![v4.to_string()]),
                };
                let keys = found.entry(lookup).or_default();
                for text in texts {
                    if !keys.contains(&text) {
                        keys.push(text);
                    }
                }
            }
        }
    }
    found
}

/// Looks up the addresses of the inet tables on a worker thread and collects the answers that arrive within `budget`.
/// Addresses without an answer, or not reached in time, are left out; running out of time adds a warning.
pub fn reverse_dns(
    tables: &[Entry],
    budget: Duration,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, String>, Error> {
    let wanted = addresses(tables);
    let total = wanted.len();
    let mut names = BTreeMap::new();
    if total == 0 {
        return Ok(names);
    }
    let deadline = Instant::now() + budget;
    let (tx, rx) = mpsc::channel();
    let order: Vec<IpAddr> = wanted.keys().copied().collect();
    let worker = std::thread::Builder::new()
        .name("resolve".into())
        .spawn(move || {
            for ip in order {
                // The receiver is gone once the budget is spent: stop there.
                if tx.send((ip, crate::sys::reverse_lookup(ip))).is_err() {
                    break;
                }
            }
        });
    if let Err(e) = worker {
        warnings.push(format!("reverse DNS: cannot start a thread: {e}"));
        return Ok(names);
    }
    let mut answered = 0;
    while answered < total {
        check_signal()?;
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // Wake up now and then to notice signals.
        match rx.recv_timeout((deadline - now).min(Duration::from_millis(100))) {
            Ok((ip, name)) => {
                answered += 1;
                if let (Some(name), Some(keys)) = (name, wanted.get(&ip)) {
                    for key in keys {
                        names.insert(key.clone(), name.clone());
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if answered < total {
        warnings.push(format!(
            "reverse DNS: time budget of {} s spent; {} of {total} addresses not looked up",
            budget.as_secs_f64(),
            total - answered
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn table(name: &str, data: &str) -> Entry {
        Entry {
            path: PathBuf::from("proc/net").join(name),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn decodes_in_host_byte_order() {
        assert_eq!(decode(b"0100007F:0035"), Some(IpAddr::from([127, 0, 0, 1])));
        assert_eq!(
            decode(b"00000000000000000000000001000000:0016"),
            Some(IpAddr::V6(Ipv6Addr::LOCALHOST))
        );
        assert_eq!(
            decode(b"0000000000000000FFFF00000100007F:0016"),
            Some(IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()))
        );
        assert_eq!(decode(b"0100007:0035"), None);
        assert_eq!(decode(b"local_address"), None);
        assert_eq!(decode(b"0100007G:0035"), None);
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn collects_distinct_non_wildcard_addresses() {
        let tcp = "  sl  local_address rem_address   st\n\
                   0: 0100007F:0035 00000000:0000 0A\n\
                   1: 0100007F:0035 0100007F:9C40 01\n";
        let tcp6 = "  sl  local_address                         remote_address\n\
                    0: 0000000000000000FFFF00000100007F:0016 00000000000000000000000000000000:0000 0A\n\
                    1: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A\n";
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n\
                    0: 0100007F:0035 0100007F:9C40\n";
        let found = addresses(&[table("tcp", tcp), table("tcp6", tcp6), table("unix", unix)]);
        let v4 = IpAddr::from([127, 0, 0, 1]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[&v4], vec!["127.0.0.1", "::ffff:127.0.0.1"]);
        assert_eq!(found[&IpAddr::V6(Ipv6Addr::LOCALHOST)], vec!["::1"]);
    }
}
