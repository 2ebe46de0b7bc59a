//! From archive entries to a [`Snapshot`]: routes each entry to its parser.

use std::io::Read;

use crate::archive::{self, Entry, Flow, Limits, Visitor};
use crate::diag::{Diagnostic, Error};
use crate::model::{Addr, ByteOrder, FdLink, InetKind, Names, Snapshot};
use crate::parse::{self, etc, manifest};

/// What a view needs from the archive; the reader stops once it has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadPlan {
    /// Whether processes (fd links, command lines) are needed.
    pub processes: bool,
}

impl LoadPlan {
    /// Everything the archive holds.
    pub fn everything() -> Self {
        LoadPlan { processes: true }
    }
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan::everything()
    }
}

/// Largest file kept unparsed for later views.
const OTHER_MAX: usize = 64 << 20;

struct Loader<'p> {
    plan: &'p LoadPlan,
    snap: Snapshot,
    /// Byte order the address tables were decoded with so far.
    decoded_with: ByteOrder,
    hosts: Vec<u8>,
    networks: Vec<u8>,
    services: Vec<u8>,
    protocols: Vec<u8>,
    passwd: Vec<u8>,
}

fn is_process_path(path: &str) -> bool {
    path.strip_prefix("proc/")
        .and_then(|r| r.bytes().next())
        .is_some_and(|b| b.is_ascii_digit())
}

fn inet_kind(path: &str) -> Option<InetKind> {
    InetKind::ALL.into_iter().find(|k| k.path() == path)
}

impl Visitor for Loader<'_> {
    fn wants(&mut self, path: &str) -> Flow {
        if is_process_path(path) && !self.plan.processes {
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        Flow::Continue
    }

    fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow {
        if is_process_path(path) && !self.plan.processes {
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        match entry {
            Entry::File(data) => self.file(path, data),
            Entry::Symlink(target) => {
                if let Some((pid, fd)) = parse::fd::split_fd_path(path) {
                    self.snap.processes.fds.push(FdLink {
                        pid,
                        fd,
                        inode: parse::fd::netstat_socket_inode(target),
                    });
                }
            }
            Entry::Dir(mode) => {
                if let Some(pid) = path
                    .strip_prefix("proc/")
                    .and_then(|r| r.strip_suffix("/fd"))
                    .and_then(|p| p.parse::<u32>().ok())
                    && mode & 0o500 != 0o500
                {
                    self.snap.processes.denied.insert(pid);
                }
            }
            Entry::Other => {}
        }
        Flow::Continue
    }
}

impl Loader<'_> {
    fn file(&mut self, path: &str, data: &[u8]) {
        let order = self.snap.manifest.byte_order;
        if let Some(kind) = inet_kind(path) {
            let min = if matches!(kind, InetKind::Tcp | InetKind::Tcp6) {
                11
            } else {
                10
            };
            self.decoded_with = order;
            self.snap.inet[kind.index()] = Some(parse::inet::parse(data, order, min));
            return;
        }
        match path {
            "netsnap.json" => {
                let (m, d) = manifest::parse_manifest(path, data);
                self.snap.manifest = m;
                self.snap.diagnostics.extend(d);
            }
            "netsnap-end.json" => {
                let (c, d) = manifest::parse_closing(path, data);
                if let Some(c) = &c {
                    self.snap
                        .processes
                        .denied
                        .extend(c.fd_denied.iter().copied());
                }
                self.snap.closing = c;
                self.snap.diagnostics.extend(d);
            }
            "proc/net/unix" => self.snap.unix = Some(parse::unix::parse(data)),
            "proc/net/sctp/eps" => self.snap.sctp_eps = Some(parse::sctp::parse_eps(data)),
            "proc/net/sctp/assocs" => self.snap.sctp_assocs = Some(parse::sctp::parse_assocs(data)),
            "etc/hosts" => self.hosts = data.to_vec(),
            "etc/networks" => self.networks = data.to_vec(),
            "etc/services" => self.services = data.to_vec(),
            "etc/protocols" => self.protocols = data.to_vec(),
            "etc/passwd" => self.passwd = data.to_vec(),
            _ => {
                if let Some(rest) = path.strip_prefix("proc/")
                    && let Some((pid, name)) = rest.split_once('/')
                    && let Ok(pid) = pid.parse::<u32>()
                {
                    match name {
                        "cmdline" => {
                            self.snap.processes.cmdlines.insert(pid, data.to_vec());
                            return;
                        }
                        "stat" => {
                            self.snap.processes.stats.insert(pid, data.to_vec());
                            return;
                        }
                        _ => {}
                    }
                }
                if data.len() <= OTHER_MAX {
                    self.snap.other.insert(path.to_string(), data.to_vec());
                } else {
                    self.snap.diagnostics.push(Diagnostic::file(
                        path,
                        format!("not kept: larger than {OTHER_MAX} bytes"),
                    ));
                }
            }
        }
    }

    fn finish(mut self) -> Snapshot {
        // A manifest that came after the tables: re-decode their addresses.
        if self.decoded_with != self.snap.manifest.byte_order {
            for table in self.snap.inet.iter_mut().flatten() {
                for row in &mut table.rows {
                    swap_words(&mut row.local);
                    swap_words(&mut row.remote);
                }
            }
        }
        let procs = &mut self.snap.processes;
        procs.fds.sort_unstable();
        let mut names = Names {
            hosts: etc::Hosts::parse(&self.hosts),
            networks: etc::Networks::parse(&self.networks),
            services: etc::Services::parse(&self.services, &self.protocols),
            passwd: etc::Passwd::parse(&self.passwd),
            reverse_dns: Default::default(),
        };
        for (addr, name) in &self.snap.manifest.reverse_dns {
            let a = addr.as_bytes();
            let key = if let Some(v4) = etc::parse_ipv4(a) {
                Addr::v4(v4)
            } else if let Some(v6) = etc::parse_ipv6(a) {
                Addr::v6(v6)
            } else {
                continue;
            };
            names.reverse_dns.insert(key, name.as_bytes().to_vec());
        }
        self.snap.names = names;
        self.snap
    }
}

/// Reverses the bytes of each 32-bit word of an address.
fn swap_words(a: &mut Addr) {
    for w in a.bytes.chunks_mut(4) {
        w.reverse();
    }
}

/// Reads a snapshot from `input` (gzip-compressed or plain tar).
pub fn load<R: Read>(input: R, plan: &LoadPlan, limits: &Limits) -> Result<Snapshot, Error> {
    let mut loader = Loader {
        plan,
        snap: Snapshot::default(),
        decoded_with: ByteOrder::Little,
        hosts: Vec::new(),
        networks: Vec::new(),
        services: Vec::new(),
        protocols: Vec::new(),
        passwd: Vec::new(),
    };
    let mut diags = Vec::new();
    archive::read_entries(input, limits, &mut diags, &mut loader)?;
    loader.snap.diagnostics.extend(diags);
    Ok(loader.finish())
}
