//! netstat's `-s` view.
//!
//! The address family list must be exactly `inet` (also when empty) or
//! `inet6`; anything else is refused on stdout with status 1.
//!
//! * inet: `/proc/net/snmp` (required; without it netstat says so on stderr
//!   and prints nothing), then `/proc/net/netstat` and `/proc/net/sctp/snmp`
//!   when present.
//! * inet6: `/proc/net/snmp6` (required), then the sections of
//!   `/proc/net/snmp` whose title starts with `Tcp`.
//!
//! Either way the status is 0 (netstat ignores `-c` here: one pass).

use crate::model::Snapshot;
use crate::netstat::args::NetstatOptions;
use crate::parse::snmp;
use crate::render::Output;
use crate::render::stats::{Family, Filters, Printer};

const SNMP: &str = "proc/net/snmp";
const NETSTAT: &str = "proc/net/netstat";
const SNMP6: &str = "proc/net/snmp6";
const SCTP_SNMP: &str = "proc/net/sctp/snmp";

/// glibc's `strerror` text for the errno names the collector records.
fn strerror(name: &str) -> &'static str {
    match name {
        "EACCES" => "Permission denied",
        "EPERM" => "Operation not permitted",
        "EIO" => "Input/output error",
        "EISDIR" => "Is a directory",
        "ENOTDIR" => "Not a directory",
        "EINVAL" => "Invalid argument",
        "ENOMEM" => "Cannot allocate memory",
        "ELOOP" => "Too many levels of symbolic links",
        "ENODEV" => "No such device",
        "ENXIO" => "No such device or address",
        "EBUSY" => "Device or resource busy",
        "EAGAIN" => "Resource temporarily unavailable",
        _ => "No such file or directory",
    }
}

/// netstat's `perror("cannot open /proc/…")` for a file the snapshot lacks,
/// with the reason the collector recorded (ENOENT when none was).
fn cannot_open(snap: &Snapshot, path: &str, stderr: &mut Vec<u8>) {
    let reason = snap
        .manifest
        .missing
        .iter()
        .find(|m| m.path == path)
        .map_or("ENOENT", |m| m.error.as_str());
    stderr.extend_from_slice(b"cannot open /");
    stderr.extend_from_slice(path.as_bytes());
    stderr.extend_from_slice(b": ");
    stderr.extend_from_slice(strerror(reason).as_bytes());
    stderr.push(b'\n');
}

fn pair_file(p: &mut Printer<'_>, file: &snmp::PairFile, path: &str, stderr: &mut Vec<u8>) {
    for s in &file.sections {
        p.section(Family::Inet, &s.title, &s.counters);
    }
    if file.malformed_line.is_some() {
        stderr.extend_from_slice(b"Problem while parsing /");
        stderr.extend_from_slice(path.as_bytes());
        stderr.push(b'\n');
    }
}

fn inet(snap: &Snapshot, filters: Filters, out: &mut Output) {
    let Some(data) = snap.other.get(SNMP) else {
        cannot_open(snap, SNMP, &mut out.stderr);
        return;
    };
    let mut p = Printer::new(&mut out.stdout, filters);
    pair_file(&mut p, &snmp::parse_pairs(data), SNMP, &mut out.stderr);
    if let Some(data) = snap.other.get(NETSTAT) {
        pair_file(&mut p, &snmp::parse_pairs(data), NETSTAT, &mut out.stderr);
    }
    if let Some(data) = snap.other.get(SCTP_SNMP) {
        let sctp = snmp::parse_sctp_snmp(data);
        p.section(Family::Inet, b"Sctp", &sctp.counters);
    }
}

fn inet6(snap: &Snapshot, filters: Filters, out: &mut Output) {
    let Some(data) = snap.other.get(SNMP6) else {
        cannot_open(snap, SNMP6, &mut out.stderr);
        return;
    };
    let mut p = Printer::new(&mut out.stdout, filters);
    for s in &snmp::parse_snmp6(data).sections {
        p.section(Family::Inet6, &s.title, &s.counters);
    }
    let Some(data) = snap.other.get(SNMP) else {
        cannot_open(snap, SNMP, &mut out.stderr);
        return;
    };
    // Only the pairs titled `Tcp…`; a malformed pair ends the file without
    // a message on this path.
    for s in &snmp::parse_pairs(data).sections {
        if s.title.starts_with(b"Tcp") {
            p.section(Family::Inet, &s.title, &s.counters);
        }
    }
}

/// Renders the `-s` view into `out` (which already holds any text
/// netstat printed while parsing options) and returns it.
pub fn run(snap: &Snapshot, opts: &NetstatOptions, mut out: Output) -> Output {
    let family = if opts.af_list.is_empty() {
        "inet".to_string()
    } else {
        opts.af_list.join(",")
    };
    // The protocol flags already went through netstat's no-protocol rule:
    // all on when none of -t -u -U -S -w was given.
    let filters = Filters {
        raw: opts.raw,
        tcp: opts.tcp,
        udp: opts.udp,
        sctp: opts.sctp,
    };
    match family.as_str() {
        "inet" => inet(snap, filters, &mut out),
        "inet6" => inet6(snap, filters, &mut out),
        _ => {
            out.stdout.extend_from_slice(
                format!("netstat: No statistics support for specified address family: {family}\n")
                    .as_bytes(),
            );
            out.status = 1;
            return out;
        }
    }
    out.status = 0;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netstat::args::{Parsed, parse};

    fn opts(args: &[&str]) -> NetstatOptions {
        match parse(args) {
            Parsed::Run(o) => o,
            Parsed::Exit { .. } => panic!("{args:?} does not run"),
        }
    }

    fn snap(files: &[(&str, &str)]) -> Snapshot {
        let mut s = Snapshot::default();
        for (p, d) in files {
            s.other.insert(p.to_string(), d.as_bytes().to_vec());
        }
        s
    }

    fn text(v: &[u8]) -> String {
        String::from_utf8_lossy(v).into_owned()
    }

    #[test]
    fn family_list_must_be_one_of_two() {
        let s = snap(&[]);
        for (args, list) in [
            (&["-s", "-A", "unix"][..], "unix"),
            (&["-s", "-4", "-6"][..], "inet,inet6"),
            (&["-s", "-A", "inet,inet"][..], "inet,inet"),
        ] {
            let o = run(&s, &opts(args), Output::default());
            assert_eq!(o.status, 1);
            assert_eq!(
                text(&o.stdout),
                format!("netstat: No statistics support for specified address family: {list}\n")
            );
            assert!(o.stderr.is_empty());
        }
    }

    #[test]
    fn missing_files() {
        let o = run(&snap(&[]), &opts(&["-s"]), Output::default());
        assert_eq!(
            (text(&o.stdout), text(&o.stderr), o.status),
            (
                String::new(),
                "cannot open /proc/net/snmp: No such file or directory\n".to_string(),
                0
            )
        );
        let o = run(
            &snap(&[("proc/net/snmp6", "Udp6InDatagrams 1\n")]),
            &opts(&["-s6"]),
            Output::default(),
        );
        assert_eq!(text(&o.stdout), "Udp6:\n    1 packets received\n");
        assert_eq!(
            text(&o.stderr),
            "cannot open /proc/net/snmp: No such file or directory\n"
        );
        let mut s = snap(&[]);
        s.manifest.missing.push(crate::parse::manifest::Missing {
            path: "proc/net/snmp6".into(),
            error: "EACCES".into(),
        });
        let o = run(&s, &opts(&["-sA", "inet6"]), Output::default());
        assert_eq!(
            text(&o.stderr),
            "cannot open /proc/net/snmp6: Permission denied\n"
        );
    }

    #[test]
    fn inet6_takes_only_tcp_from_snmp() {
        let s = snap(&[
            ("proc/net/snmp6", "Ip6InReceives 0\n"),
            (
                "proc/net/snmp",
                "Ip: InReceives\nIp: 1\nTcp: ActiveOpens\nTcp: 2\nTcpX: A\nTcpX: 3\nUdp: NoPorts\nUdp: 4\nbad\n",
            ),
        ]);
        let o = run(&s, &opts(&["-s", "-6"]), Output::default());
        assert_eq!(
            text(&o.stdout),
            "Ip6:\n    0 total packets received\nTcp:\n    2 active connection openings\nTcpX:\n    A: 3\n"
        );
        assert!(o.stderr.is_empty());
    }

    #[test]
    fn malformed_snmp_is_reported_and_netstat_file_still_read() {
        let s = snap(&[
            ("proc/net/snmp", "Udp: NoPorts\nUdp: 4\nbad\nline\n"),
            ("proc/net/netstat", "IpExt: InOctets\nIpExt: 5\n"),
            ("proc/net/sctp/snmp", "SctpCurrEstab 1\n"),
        ]);
        let o = run(&s, &opts(&["-su"]), Output::default());
        assert_eq!(
            text(&o.stdout),
            "Udp:\n    4 packets to unknown port received\nIpExt:\n    InOctets: 5\n"
        );
        assert_eq!(text(&o.stderr), "Problem while parsing /proc/net/snmp\n");
    }
}
