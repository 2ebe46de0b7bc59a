//! The process part of a snapshot: socket fd links, and `cmdline` and `stat` of the processes that hold them.

use std::collections::BTreeSet;
use std::ffi::{CString, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use crate::archive::Archive;
use crate::deadline::Deadline;
use crate::error::{Error, check_signal, errno_name, is_vanished, warning};
use crate::gather::read_whole;
use crate::sys::FdDir;

/// What the process scan met, for the closing manifest.
#[derive(Default)]
pub struct Scan {
    /// Processes with at least one socket link archived.
    pub processes: u64,
    pub vanished_processes: u64,
    pub vanished_fds: u64,
    /// Pids whose fd directory could not be read (`EACCES`).
    pub fd_denied: Vec<u32>,
    /// Pids not scanned because the deadline had passed, and the first of them.
    pub unscanned: u64,
    pub unscanned_from: Option<u32>,
}

impl Scan {
    /// Adds the counts of a later frame's scan (a pid denied in several frames is listed once).
    pub fn add(&mut self, other: Scan) {
        self.processes += other.processes;
        self.vanished_processes += other.vanished_processes;
        self.vanished_fds += other.vanished_fds;
        self.unscanned += other.unscanned;
        self.unscanned_from = self.unscanned_from.or(other.unscanned_from);
        for pid in other.fd_denied {
            if !self.fd_denied.contains(&pid) {
                self.fd_denied.push(pid);
            }
        }
    }
}

/// The pids that `/proc/net/netlink` names as port ids (column `Pid`): `ss` shows those processes by the name in their `stat`.
/// Port ids that are no pid (0 for the kernel, random ones for a process's second socket) simply match no process.
pub fn netlink_pids(table: &[u8]) -> BTreeSet<u32> {
    table
        .split(|&b| b == b'\n')
        .skip(1)
        .filter_map(|line| {
            let field = line
                .split(u8::is_ascii_whitespace)
                .filter(|f| !f.is_empty())
                .nth(2)?;
            std::str::from_utf8(field).ok()?.parse().ok()
        })
        .filter(|&pid| pid != 0)
        .collect()
}

/// Whether an fd link target names a socket (`socket:[N]`, or `[0000]:N` from old kernels).
fn is_socket(t: &[u8]) -> bool {
    t.starts_with(b"socket:[") || t.starts_with(b"[0000]:")
}

/// What one process contributes; its links are in the scan's [`Links`].
struct Process {
    pid: u32,
    /// The fd directory could not be read (`EACCES`).
    denied: bool,
}

/// The socket fd links of the process being scanned, ascending fd, and scratch space reused from process to process.
#[derive(Default)]
struct Links {
    /// fd and the range of its target in `targets`.
    links: Vec<(u32, std::ops::Range<usize>)>,
    targets: Vec<u8>,
    fds: Vec<u32>,
    dents: Vec<u8>,
}

impl Links {
    fn clear(&mut self) {
        self.links.clear();
        self.targets.clear();
        self.fds.clear();
    }

    fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

enum Outcome {
    Found(Process),
    Skipped,
    Vanished,
}

pub struct Scanner<'a> {
    /// Our own `/proc/self/ns/net` link; None if it could not be read (then every process counts as ours).
    pub own_netns: Option<OsString>,
    pub netlink_pids: &'a BTreeSet<u32>,
    pub full_cmdline: bool,
    pub warnings: &'a mut Vec<String>,
    /// Processes after it are left out (counted in `Scan::unscanned`); a process is archived whole or not at all.
    pub deadline: Deadline,
}

impl Scanner<'_> {
    /// Scans `/proc` in ascending pid order and archives each process as soon as it is scanned.
    pub fn run(&mut self, archive: &mut Archive) -> Result<Scan, Error> {
        let mut scan = Scan::default();
        let mut pids: Vec<u32> = match fs::read_dir("/proc") {
            Ok(dir) => dir
                .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect(),
            Err(e) => {
                self.warnings.push(warning("reading /proc", &e));
                return Ok(scan);
            }
        };
        pids.sort_unstable();
        // The collector itself holds no socket worth archiving, only the descriptors of its own scan.
        let own = std::process::id();
        let mut links = Links::default();
        let pids: Vec<u32> = pids.into_iter().filter(|&pid| pid != own).collect();
        for (i, &pid) in pids.iter().enumerate() {
            check_signal()?;
            if self.deadline.passed() {
                scan.unscanned = (pids.len() - i) as u64;
                scan.unscanned_from = Some(pid);
                break;
            }
            links.clear();
            match self.scan(pid, &mut scan, &mut links) {
                Outcome::Found(process) => self.archive(process, &links, archive, &mut scan)?,
                Outcome::Skipped => {}
                Outcome::Vanished => scan.vanished_processes += 1,
            }
        }
        Ok(scan)
    }

    /// Lists the socket links of one process of our network namespace into `links`.
    fn scan(&mut self, pid: u32, scan: &mut Scan, links: &mut Links) -> Outcome {
        let base = PathBuf::from(format!("/proc/{pid}"));
        let named = self.netlink_pids.contains(&pid);
        let mut process = Process { pid, denied: false };
        // A process whose namespace cannot be told (EACCES, or a zombie without one) is tried anyway.
        let ours = match (&self.own_netns, fs::read_link(base.join("ns/net"))) {
            (Some(own), Ok(link)) => link.as_os_str() == own,
            _ => true,
        };
        if !ours {
            return if named {
                Outcome::Found(process)
            } else {
                Outcome::Skipped
            };
        }
        let fd_dir = format!("/proc/{pid}/fd");
        let c_path = CString::new(fd_dir.as_bytes()).unwrap_or_default();
        let dir = match FdDir::open(&c_path) {
            Ok(dir) => dir,
            Err(e) if e.raw_os_error() == Some(libc::EACCES) => {
                process.denied = true;
                return Outcome::Found(process);
            }
            Err(e) if is_vanished(&e) => return Outcome::Vanished,
            Err(e) => {
                self.warnings
                    .push(warning(format_args!("reading {fd_dir}"), &e));
                return Outcome::Found(process);
            }
        };
        match dir.fds(&mut links.dents, &mut links.fds) {
            Ok(()) => {}
            Err(e) if is_vanished(&e) => return Outcome::Vanished,
            // What was listed before the error is kept.
            Err(e) => self
                .warnings
                .push(warning(format_args!("reading {fd_dir}"), &e)),
        }
        links.fds.sort_unstable();
        // Unreadable links are summed up per error, one warning each, rather than one warning per fd.
        let mut unreadable: Vec<(String, usize)> = Vec::new();
        for &fd in &links.fds {
            let start = links.targets.len();
            match dir.read_link(fd, &mut links.targets) {
                Ok(()) if is_socket(&links.targets[start..]) => {
                    links.links.push((fd, start..links.targets.len()));
                }
                Ok(()) => links.targets.truncate(start),
                Err(e) if is_vanished(&e) => scan.vanished_fds += 1,
                Err(e) => {
                    let name = errno_name(&e);
                    match unreadable.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, count)) => *count += 1,
                        None => unreadable.push((name, 1)),
                    }
                }
            }
        }
        for (name, count) in unreadable {
            self.warnings
                .push(format!("readlink {fd_dir}/*: {name} for {count} fd(s)"));
        }
        Outcome::Found(process)
    }

    /// Writes `cmdline` and `stat` (for processes holding sockets or named by a netlink socket), then the links.
    fn archive(
        &mut self,
        process: Process,
        links: &Links,
        archive: &mut Archive,
        scan: &mut Scan,
    ) -> Result<(), Error> {
        let pid = process.pid;
        let dir = PathBuf::from(format!("proc/{pid}"));
        let mut files = Vec::new();
        if !links.is_empty() || self.netlink_pids.contains(&pid) {
            for name in ["cmdline", "stat"] {
                let source = Path::new("/").join(&dir).join(name);
                match read_whole(&source) {
                    Ok(mut data) => {
                        if name == "cmdline" && !self.full_cmdline {
                            cut_after_argv0(&mut data);
                        }
                        files.push((dir.join(name), data));
                    }
                    Err(e) if is_vanished(&e) => {
                        scan.vanished_processes += 1;
                        return Ok(());
                    }
                    Err(e) => self
                        .warnings
                        .push(warning(format_args!("reading {}", source.display()), &e)),
                }
            }
        }
        for (path, data) in &files {
            archive.file(path, data)?;
        }
        for (fd, target) in &links.links {
            archive.fd_link(pid, *fd, &links.targets[target.clone()])?;
        }
        if process.denied {
            archive.denied_dir(&dir.join("fd"))?;
            scan.fd_denied.push(pid);
        }
        if !links.is_empty() {
            scan.processes += 1;
        }
        Ok(())
    }
}

/// Keeps argv[0] and its NUL; a command line without NUL is kept whole.
fn cut_after_argv0(cmdline: &mut Vec<u8>) {
    if let Some(nul) = cmdline.iter().position(|&b| b == 0) {
        cmdline.truncate(nul + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv0_only() {
        let mut c = b"/usr/sbin/sshd\0-D\0--secret=x\0".to_vec();
        cut_after_argv0(&mut c);
        assert_eq!(c, b"/usr/sbin/sshd\0");
        let mut c = b"sshd: alice@pts/0".to_vec();
        cut_after_argv0(&mut c);
        assert_eq!(c, b"sshd: alice@pts/0");
        let mut c = Vec::new();
        cut_after_argv0(&mut c);
        assert!(c.is_empty());
    }

    #[test]
    fn netlink_port_ids() {
        let table = b"sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n\
                      0000000000000000 0   1          00000000 0        0        0     2        0        17\n\
                      0000000000000000 0   0          00000000 0        0        0     2        0        1\n\
                      0000000000000000 0   4294963201 00000000 0        0        0     2        0        18\n";
        assert_eq!(netlink_pids(table), BTreeSet::from([1, 4_294_963_201]));
    }

    #[test]
    fn socket_targets() {
        assert!(is_socket(b"socket:[12345]"));
        assert!(is_socket(b"[0000]:12345"));
        assert!(!is_socket(b"pipe:[12345]"));
        assert!(!is_socket(b"/dev/null"));
    }
}
