//! `netsnap-ifaces.json`: what `netstat -i` and `-ie` ask the kernel by ioctl rather than read from files
//! (interface flags with RUNNING, MTU, hardware address, queue length, device map, and the IPv4 address of each label).
//! The format is described in docs/snapshot-format.md.
//!
//! Only names of existing devices and labels are asked about, so the kernel's `dev_load` has no reason to request a module
//! (it would only if a device vanished between the listing and the question, as it would for netstat).

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::error::errno_name;
use crate::gather::{Entry, Files};
use crate::sys::{IfDetails, IfQuery, InetSocket};

/// Archive path of the entry.
pub const PATH: &str = "netsnap-ifaces.json";

/// Interface names as netstat reads them from `/proc/net/dev`: the text before the `:` of each line after the two header lines,
/// without leading blanks, cut to 15 bytes as netstat's copy is.
pub fn proc_net_dev_names(data: &[u8]) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    for line in data.split(|&b| b == b'\n').skip(2) {
        let start = line
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(line.len());
        let rest = &line[start..];
        let end = rest
            .iter()
            .position(|&b| b == b':' || b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let name = &rest[..end.min(libc::IFNAMSIZ - 1)];
        if !name.is_empty() && !names.iter().any(|n: &Vec<u8>| n == name) {
            names.push(name.to_vec());
        }
    }
    names
}

/// Adds the entry after the other small files: the names of the `proc/net/dev` just read, then the IPv4 labels.
pub fn add_entry(files: &mut Files, warnings: &mut Vec<String>) {
    let dev_names = files
        .others
        .iter()
        .find(|e| e.path == Path::new("proc/net/dev"))
        .map(|e| proc_net_dev_names(&e.data))
        .unwrap_or_default();
    let data = capture(&dev_names, warnings);
    files.others.push(Entry {
        path: PathBuf::from(PATH),
        data,
    });
}

/// Asks the kernel about every name of `/proc/net/dev` (`dev_names`) and every IPv4 label, and returns the entry's JSON text.
pub fn capture(dev_names: &[Vec<u8>], warnings: &mut Vec<String>) -> Vec<u8> {
    let sock = match InetSocket::open() {
        Ok(sock) => sock,
        Err(e) => {
            warnings.push(crate::error::warning(
                "socket(AF_INET) for interface ioctls",
                &e,
            ));
            return crate::manifest::render(&[("socket_error", json!(errno(&e)))]);
        }
    };
    let mut fields = Vec::new();
    let ifconf = sock.ifconf_names();
    let mut names: Vec<Vec<u8>> = dev_names.to_vec();
    match &ifconf {
        Ok(labels) => {
            fields.push((
                "ifconf",
                Value::Array(labels.iter().map(|l| name_json(l)).collect()),
            ));
            for label in labels {
                if !names.contains(label) {
                    names.push(label.clone());
                }
            }
        }
        Err(e) => {
            fields.push(("ifconf", json!([])));
            fields.push(("ifconf_error", json!(errno(e))));
        }
    }
    let interfaces = names
        .iter()
        .map(|name| interface_json(name, &sock.query(name)))
        .collect();
    fields.push(("interfaces", Value::Array(interfaces)));
    crate::manifest::render(&fields)
}

/// A name as JSON: a string when it is UTF-8, else the array of its bytes.
fn name_json(name: &[u8]) -> Value {
    match std::str::from_utf8(name) {
        Ok(s) => json!(s),
        Err(_) => json!(name),
    }
}

fn errno(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::EADDRNOTAVAIL) => "EADDRNOTAVAIL".into(),
        Some(libc::ENOTTY) => "ENOTTY".into(),
        Some(libc::EAFNOSUPPORT) => "EAFNOSUPPORT".into(),
        Some(libc::ENOTSUP) => "ENOTSUP".into(),
        _ => errno_name(e),
    }
}

type Map = serde_json::Map<String, Value>;

/// Puts a successful answer under `key` in `obj`, or the errno name of a failed one under `request` in `errors`.
fn record(obj: &mut Map, errors: &mut Map, key: &str, request: &str, r: Result<Value, &io::Error>) {
    match r {
        Ok(v) => {
            obj.insert(key.into(), v);
        }
        Err(e) => {
            errors.insert(request.into(), json!(errno(e)));
        }
    }
}

/// One interface's object: each answer under its own key, each failure's errno name under `errors`, keyed by the request.
fn interface_json(name: &[u8], q: &IfQuery) -> Value {
    let mut obj = Map::new();
    let mut errors = Map::new();
    obj.insert("name".into(), name_json(name));
    let flags = q.flags.as_ref().map(|f| json!(f));
    record(&mut obj, &mut errors, "flags", "SIOCGIFFLAGS", flags);
    if let Some(d) = &q.details {
        details_json(d, &mut obj, &mut errors);
    }
    if !errors.is_empty() {
        obj.insert("errors".into(), Value::Object(errors));
    }
    Value::Object(obj)
}

fn details_json(d: &IfDetails, obj: &mut Map, errors: &mut Map) {
    let hwaddr = d.hwaddr.as_ref().map(|(family, data)| {
        let hex: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
        json!({"family": family, "data": hex.join(":")})
    });
    record(obj, errors, "hwaddr", "SIOCGIFHWADDR", hwaddr);
    record(
        obj,
        errors,
        "mtu",
        "SIOCGIFMTU",
        d.mtu.as_ref().map(|m| json!(m)),
    );
    for (key, request, r) in [
        ("outfill", "SIOCGOUTFILL", &d.outfill),
        ("keepalive", "SIOCGKEEPALIVE", &d.keepalive),
    ] {
        if let Some(r) = r {
            record(obj, errors, key, request, r.as_ref().map(|v| json!(v)));
        }
    }
    let map = d.map.as_ref().map(|m| {
        json!({
            "mem_start": m.mem_start,
            "mem_end": m.mem_end,
            "base_addr": m.base_addr,
            "irq": m.irq,
            "dma": m.dma,
            "port": m.port,
        })
    });
    record(obj, errors, "map", "SIOCGIFMAP", map);
    let txqlen = d.txqlen.as_ref().map(|q| json!(q));
    record(obj, errors, "txqlen", "SIOCGIFTXQLEN", txqlen);
    let mut inet = Map::new();
    fn text(r: &io::Result<std::net::Ipv4Addr>) -> Result<Value, &io::Error> {
        r.as_ref().map(|a| json!(a.to_string()))
    }
    record(&mut inet, errors, "addr", "SIOCGIFADDR", text(&d.inet.addr));
    for (key, request, r) in [
        ("dstaddr", "SIOCGIFDSTADDR", &d.inet.dstaddr),
        ("broadaddr", "SIOCGIFBRDADDR", &d.inet.broadaddr),
        ("netmask", "SIOCGIFNETMASK", &d.inet.netmask),
    ] {
        if let Some(r) = r {
            record(&mut inet, errors, key, request, text(r));
        }
    }
    if !inet.is_empty() {
        obj.insert("inet".into(), Value::Object(inet));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_proc_net_dev() {
        let data = b"Inter-|   Receive\n face |bytes packets\n    lo: 1 2 3\n  eth0:    5 6\nveth-longname15: 0 0\n\n";
        assert_eq!(
            proc_net_dev_names(data),
            vec![
                b"lo".to_vec(),
                b"eth0".to_vec(),
                b"veth-longname15".to_vec()
            ]
        );
    }

    #[test]
    fn non_utf8_names_are_byte_arrays() {
        assert_eq!(name_json(b"eth0"), json!("eth0"));
        assert_eq!(name_json(&[0x65, 0xff]), json!([0x65, 0xff]));
    }
}
