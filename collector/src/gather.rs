//! The small files, read whole into memory before the header manifest is written.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::deadline::Deadline;
use crate::error::{Error, check_signal, errno_name, warning};

/// The socket tables, in archive order; `sctp/*` exist only while the kernel has SCTP loaded.
pub const SOCKET_TABLES: &[&str] = &[
    "tcp",
    "tcp6",
    "udp",
    "udp6",
    "udplite",
    "udplite6",
    "raw",
    "raw6",
    "unix",
    "packet",
    "netlink",
    "sctp/eps",
    "sctp/assocs",
];

/// The other `/proc/net` files that netstat and ss views read.
const OTHER_NET: &[&str] = &[
    "route",
    "ipv6_route",
    "dev",
    "dev_mcast",
    "if_inet6",
    "igmp",
    "igmp6",
    "snmp",
    "snmp6",
    "netstat",
    "sockstat",
    "sockstat6",
    "protocols",
    "arp",
    "rt_cache",
    "sctp/snmp",
];

const IFACE_ATTRS: &[&str] = &[
    "address",
    "mtu",
    "flags",
    "tx_queue_len",
    "type",
    "ifindex",
    "operstate",
    "carrier",
];

const ETC_FILES: &[&str] = &["hosts", "services", "protocols", "networks", "hostname"];

/// One archive entry: its path in the archive (the source path without the leading `/`) and its bytes.
pub struct Entry {
    pub path: PathBuf,
    pub data: Vec<u8>,
}

/// A file the source lacked or that could not be read.
pub struct Missing {
    pub path: String,
    pub error: String,
}

/// The errno name recorded in `missing` for a file left unread because `--timeout` ran out.
pub const TIMED_OUT: &str = "ETIMEDOUT";

#[derive(Default)]
pub struct Files {
    /// The socket tables that exist, in archive order.
    pub tables: Vec<Entry>,
    /// Everything else small, in archive order.
    pub others: Vec<Entry>,
    pub missing: Vec<Missing>,
    /// Where the source paths are read from: `/` when empty (a fake tree in tests).
    pub root: PathBuf,
    /// After it, files are no longer read but recorded as missing with [`TIMED_OUT`].
    pub deadline: Deadline,
    /// Files left unread because the deadline had passed.
    pub timed_out: usize,
}

/// Reads a file whole: procfs reports size 0, so its size is only known from what is read.
pub fn read_whole(path: &Path) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    File::open(path)?.read_to_end(&mut data)?;
    Ok(data)
}

impl Files {
    /// Files read from `/`, until `deadline`.
    pub fn new(deadline: Deadline) -> Files {
        Files {
            deadline,
            ..Files::default()
        }
    }

    /// The source of an archive path.
    fn source(&self, path: &Path) -> PathBuf {
        if self.root.as_os_str().is_empty() {
            Path::new("/").join(path)
        } else {
            self.root.join(path)
        }
    }

    /// Reads all socket tables.
    pub fn read_socket_tables(&mut self) -> Result<(), Error> {
        for name in SOCKET_TABLES {
            check_signal()?;
            if let Some(entry) = self.read(Path::new("proc/net").join(name)) {
                self.tables.push(entry);
            }
        }
        Ok(())
    }

    /// Reads the other files: the rest of `/proc/net`, the local port range, interface attributes and `/etc`.
    pub fn read_others(&mut self, warnings: &mut Vec<String>) -> Result<(), Error> {
        self.read_machine_files(warnings)?;
        self.read_etc()
    }

    /// The files that change from frame to frame: the rest of `/proc/net`, the local port range and interface attributes.
    pub fn read_machine_files(&mut self, warnings: &mut Vec<String>) -> Result<(), Error> {
        let mut paths: Vec<PathBuf> = OTHER_NET
            .iter()
            .map(|name| Path::new("proc/net").join(name))
            .collect();
        paths.push(PathBuf::from("proc/sys/net/ipv4/ip_local_port_range"));
        for iface in self.interfaces(warnings) {
            let dir = Path::new("sys/class/net").join(iface);
            paths.extend(IFACE_ATTRS.iter().map(|attr| dir.join(attr)));
        }
        for path in paths {
            check_signal()?;
            if let Some(entry) = self.read(path) {
                self.others.push(entry);
            }
        }
        Ok(())
    }

    /// The name files of `/etc`, read once per snapshot.
    fn read_etc(&mut self) -> Result<(), Error> {
        for path in ETC_FILES.iter().map(|name| Path::new("etc").join(name)) {
            check_signal()?;
            if let Some(entry) = self.read(path) {
                self.others.push(entry);
            }
        }
        for (name, reduce) in [
            ("etc/passwd", reduce_passwd as fn(&[u8]) -> Vec<u8>),
            ("etc/group", reduce_group),
        ] {
            check_signal()?;
            if let Some(entry) = self.read(PathBuf::from(name)) {
                self.others.push(Entry {
                    path: entry.path,
                    data: reduce(&entry.data),
                });
            }
        }
        Ok(())
    }

    /// Interface names under `/sys/class/net`, sorted; plain files there (`bonding_masters`) are no interfaces.
    fn interfaces(&mut self, warnings: &mut Vec<String>) -> Vec<std::ffi::OsString> {
        if self.deadline.passed() {
            self.timed_out += 1;
            self.missing.push(Missing {
                path: "sys/class/net".into(),
                error: TIMED_OUT.into(),
            });
            return Vec::new();
        }
        let dir = match fs::read_dir(self.source(Path::new("sys/class/net"))) {
            Ok(dir) => dir,
            Err(e) => {
                self.missing.push(Missing {
                    path: "sys/class/net".into(),
                    error: errno_name(&e),
                });
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for entry in dir {
            match entry {
                Ok(entry) if entry.path().is_dir() => names.push(entry.file_name()),
                Ok(_) => {}
                Err(e) => warnings.push(warning("reading /sys/class/net", &e)),
            }
        }
        names.sort();
        names
    }

    /// Reads `/<path>`; a failure is recorded as missing, and so is a file left unread after the deadline.
    fn read(&mut self, path: PathBuf) -> Option<Entry> {
        if self.deadline.passed() {
            self.timed_out += 1;
            self.missing.push(Missing {
                path: path.to_string_lossy().into_owned(),
                error: TIMED_OUT.into(),
            });
            return None;
        }
        match read_whole(&self.source(&path)) {
            Ok(data) => Some(Entry { path, data }),
            Err(e) => {
                self.missing.push(Missing {
                    path: path.to_string_lossy().into_owned(),
                    error: errno_name(&e),
                });
                None
            }
        }
    }
}

/// Number of rows in a table: its lines after the header line.
pub fn rows(data: &[u8]) -> usize {
    let lines = data.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    lines.count().saturating_sub(1)
}

/// `/etc/passwd` reduced to `name:x:uid:gid:::` lines; comments, NIS lines and malformed lines are dropped.
fn reduce_passwd(data: &[u8]) -> Vec<u8> {
    reduce(data, 4, b":::\n")
}

/// `/etc/group` reduced to `name:x:gid:` lines.
fn reduce_group(data: &[u8]) -> Vec<u8> {
    reduce(data, 3, b":\n")
}

/// Keeps the name and the `ids` numeric fields that follow the password field (itself replaced with `x`), then `tail`.
fn reduce(data: &[u8], fields: usize, tail: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        let f: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        let Some(name) = f.first() else { continue };
        let numeric = |v: &&[u8]| !v.is_empty() && v.iter().all(u8::is_ascii_digit);
        if f.len() < fields
            || name.is_empty()
            || matches!(name[0], b'#' | b'+' | b'-')
            || !f[2..fields].iter().all(numeric)
        {
            continue;
        }
        out.extend_from_slice(name);
        out.extend_from_slice(b":x");
        for id in &f[2..fields] {
            out.push(b':');
            out.extend_from_slice(id);
        }
        out.extend_from_slice(tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_keeps_names_and_ids_only() {
        let input = b"root:x:0:0:root:/root:/bin/bash\n# comment\n+nis::::::\nbad:x:1\n\
                      alice:$6$secret:1000:1000:Alice,,,:/home/alice:/bin/zsh\nnoid:x::1:::\n";
        assert_eq!(
            reduce_passwd(input),
            b"root:x:0:0:::\nalice:x:1000:1000:::\n".to_vec()
        );
    }

    #[test]
    fn group_keeps_names_and_gids_only() {
        let input = b"root:x:0:\nsudo:x:27:alice,bob\nadm:!:4:syslog";
        assert_eq!(
            reduce_group(input),
            b"root:x:0:\nsudo:x:27:\nadm:x:4:\n".to_vec()
        );
    }

    /// A fake root where some files are absent, one is a directory (EISDIR even for root) and one has mode 0 (EACCES unless root):
    /// the read goes on, the failures are recorded as missing, and the snapshot written from what was read is readable.
    #[test]
    fn unreadable_files_are_recorded_and_the_snapshot_still_renders() {
        use std::os::unix::fs::PermissionsExt;
        let root = std::env::temp_dir().join(format!("netsnap-fake-root-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let net = root.join("proc/net");
        fs::create_dir_all(net.join("udp")).unwrap_or_else(|e| panic!("{e}"));
        fs::create_dir_all(root.join("etc")).unwrap_or_else(|e| panic!("{e}"));
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
                   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n";
        fs::write(net.join("tcp"), tcp).unwrap_or_else(|e| panic!("{e}"));
        fs::write(net.join("snmp"), "secret").unwrap_or_else(|e| panic!("{e}"));
        fs::set_permissions(net.join("snmp"), fs::Permissions::from_mode(0o000))
            .unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join("etc/hosts"), "127.0.0.1 localhost\n")
            .unwrap_or_else(|e| panic!("{e}"));

        let mut files = Files {
            root: root.clone(),
            ..Files::default()
        };
        let mut warnings = Vec::new();
        files
            .read_socket_tables()
            .unwrap_or_else(|e| panic!("{e:?}"));
        files
            .read_others(&mut warnings)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let error = |path: &str| {
            files
                .missing
                .iter()
                .find(|m| m.path == path)
                .map(|m| m.error.clone())
        };
        assert_eq!(error("proc/net/udp").as_deref(), Some("EISDIR"));
        assert_eq!(error("proc/net/tcp6").as_deref(), Some("ENOENT"));
        assert_eq!(error("sys/class/net").as_deref(), Some("ENOENT"));
        assert_eq!(error("proc/net/tcp"), None);
        let readable = fs::read(net.join("snmp")).is_ok();
        assert_eq!(error("proc/net/snmp").is_none(), readable);
        if !readable {
            assert_eq!(error("proc/net/snmp").as_deref(), Some("EACCES"));
        }
        let tables: Vec<&Path> = files.tables.iter().map(|e| e.path.as_path()).collect();
        assert_eq!(tables, [Path::new("proc/net/tcp")]);

        let header = crate::manifest::Header {
            capture_start: crate::manifest::Instant::now(),
            boot_id: String::new(),
            hostname: "fake".into(),
            kernel_release: String::new(),
            machine: String::new(),
            user_hz: 100,
            euid: 0,
            full_cmdline: false,
            netns: String::new(),
            interfaces: &[],
            reverse_dns: None,
            missing: &files.missing,
            tables: vec!["proc/net/tcp".into()],
            frames: 1,
            interval_ms: 1000,
        }
        .to_json();
        let mut snapshot = Vec::new();
        crate::archive::write(&mut snapshot, true, 0, |ar| {
            ar.file(Path::new("netsnap.json"), &header)?;
            for entry in files.tables.iter().chain(&files.others) {
                ar.file(&entry.path, &entry.data)?;
            }
            let end = crate::manifest::closing(
                crate::manifest::Instant::now(),
                &crate::procs::Scan::default(),
                &warnings,
                None,
            );
            ar.file(Path::new("netsnap-end.json"), &end)
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        let _ = fs::remove_dir_all(&root);

        let limits = netsnap::Limits::default();
        let out = netsnap::netstat_from_reader(&snapshot[..], &["-tan"], &limits)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status, 0, "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("127.0.0.1:22"), "{text}");
        // netstat's own words for the table the source could not give.
        let out = netsnap::netstat_from_reader(&snapshot[..], &["-uan"], &limits)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.stdout.len() + out.stderr.len() > 0);
        let snap = netsnap::load(&snapshot[..], &netsnap::LoadPlan::default(), &limits)
            .unwrap_or_else(|e| panic!("{e}"));
        let recorded: Vec<(&str, &str)> = snap
            .manifest
            .missing
            .iter()
            .map(|m| (m.path.as_str(), m.error.as_str()))
            .collect();
        assert!(
            recorded.contains(&("proc/net/udp", "EISDIR")),
            "{recorded:?}"
        );
    }

    #[test]
    fn row_count() {
        assert_eq!(rows(b"  sl  local\n   0: 01\n   1: 02\n"), 2);
        assert_eq!(rows(b"header only\n"), 0);
        assert_eq!(rows(b""), 0);
    }
}
