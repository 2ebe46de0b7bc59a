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
    /// Whether frames after the first (`frames/<k>/…`, for `-c`) are needed.
    pub frames: bool,
}

impl LoadPlan {
    /// Everything the archive holds.
    pub fn everything() -> Self {
        LoadPlan {
            processes: true,
            frames: true,
        }
    }
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan::everything()
    }
}

/// Largest file kept unparsed for later views.
const OTHER_MAX: usize = 64 << 20;

/// Most frames an archive may hold.
pub const MAX_FRAMES: usize = 100_000;

struct Loader<'p> {
    plan: &'p LoadPlan,
    snap: Snapshot,
    /// Frames after the first, by index - 1.
    frames: Vec<Snapshot>,
    /// Byte order the address tables were decoded with so far.
    decoded_with: ByteOrder,
    hosts: Vec<u8>,
    networks: Vec<u8>,
    services: Vec<u8>,
    protocols: Vec<u8>,
    passwd: Vec<u8>,
}

/// Splits `frames/<k>/<rest>` into `(k, rest)`; other paths are frame 0.
fn split_frame(path: &str) -> Option<(usize, &str)> {
    match path.strip_prefix("frames/") {
        None => Some((0, path)),
        Some(rest) => {
            let (k, rest) = rest.split_once('/')?;
            let k: usize = k.parse().ok()?;
            (1..MAX_FRAMES).contains(&k).then_some((k, rest))
        }
    }
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
        let Some((frame, path)) = split_frame(path) else {
            return Flow::Skip;
        };
        if frame > 0 && !self.plan.frames {
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        if is_process_path(path) && !self.plan.processes {
            if self.plan.frames {
                return Flow::Skip;
            }
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        Flow::Continue
    }

    fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow {
        let Some((frame, path)) = split_frame(path) else {
            return Flow::Continue;
        };
        if frame > 0 && !self.plan.frames {
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        if is_process_path(path) && !self.plan.processes {
            if self.plan.frames {
                return Flow::Continue;
            }
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        match entry {
            Entry::File(data) => self.file(frame, path, data),
            Entry::Symlink(target) => {
                if let Some((pid, fd)) = parse::fd::split_fd_path(path) {
                    self.target(frame).processes.fds.push(FdLink {
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
                    self.target(frame).processes.denied.insert(pid);
                }
            }
            Entry::Other => {}
        }
        Flow::Continue
    }
}

impl Loader<'_> {
    /// The snapshot of one frame (0 is the main one).
    fn target(&mut self, frame: usize) -> &mut Snapshot {
        if frame == 0 {
            return &mut self.snap;
        }
        while self.frames.len() < frame {
            self.frames.push(Snapshot::default());
        }
        let i = frame - 1;
        &mut self.frames[i]
    }

    fn file(&mut self, frame: usize, path: &str, data: &[u8]) {
        if frame > 0 {
            let order = self.snap.manifest.byte_order;
            let target = self.target(frame);
            target.manifest.byte_order = order;
            return frame_file(target, path, data);
        }
        let order = self.snap.manifest.byte_order;
        if inet_kind(path).is_some() {
            self.decoded_with = order;
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
            "etc/hosts" => self.hosts = data.to_vec(),
            "etc/networks" => self.networks = data.to_vec(),
            "etc/services" => self.services = data.to_vec(),
            "etc/protocols" => self.protocols = data.to_vec(),
            "etc/passwd" => self.passwd = data.to_vec(),
            _ => frame_file(&mut self.snap, path, data),
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
        for f in &mut self.frames {
            f.names = names.clone();
            f.manifest = self.snap.manifest.clone();
            f.processes.fds.sort_unstable();
        }
        self.snap.names = names;
        self.snap.frames = self.frames;
        self.snap
    }
}

/// A file that every frame has: socket tables, processes, other small files.
fn frame_file(snap: &mut Snapshot, path: &str, data: &[u8]) {
    let order = snap.manifest.byte_order;
    if let Some(kind) = inet_kind(path) {
        let min = if matches!(kind, InetKind::Tcp | InetKind::Tcp6) {
            11
        } else {
            10
        };
        snap.inet[kind.index()] = Some(parse::inet::parse(data, order, min));
        return;
    }
    match path {
        "proc/net/unix" => snap.unix = Some(parse::unix::parse(data)),
        "proc/net/sctp/eps" => snap.sctp_eps = Some(parse::sctp::parse_eps(data)),
        "proc/net/sctp/assocs" => snap.sctp_assocs = Some(parse::sctp::parse_assocs(data)),
        _ => {
            if let Some(rest) = path.strip_prefix("proc/")
                && let Some((pid, name)) = rest.split_once('/')
                && let Ok(pid) = pid.parse::<u32>()
            {
                match name {
                    "cmdline" => {
                        snap.processes.cmdlines.insert(pid, data.to_vec());
                        return;
                    }
                    "stat" => {
                        snap.processes.stats.insert(pid, data.to_vec());
                        return;
                    }
                    _ => {}
                }
            }
            if data.len() <= OTHER_MAX {
                snap.other.insert(path.to_string(), data.to_vec());
            } else {
                snap.diagnostics.push(Diagnostic::file(
                    path,
                    format!("not kept: larger than {OTHER_MAX} bytes"),
                ));
            }
        }
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
        frames: Vec::new(),
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
