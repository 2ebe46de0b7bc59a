//! From archive entries to a [`Snapshot`]: routes each entry to its parser.

use std::io::Read;

use crate::archive::{self, Entry, Flow, Limits, Prepared, Preparer, Visitor};
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
    /// Whether the socket tables are parsed (views that list sockets);
    /// without it they are skipped unread.
    pub sockets: bool,
    /// When set, the only files of [`TABLE_FILES`] the view reads (a mask
    /// of their indexes): the other tables are skipped unread.
    pub tables: Option<u32>,
    /// When set, the view needs nothing but these files of [`TABLE_FILES`]
    /// (a subset of [`LoadPlan::tables`]): reading stops once every one of
    /// them that the manifest lists as captured has been read.
    pub only_tables: Option<u32>,
    /// Keep the socket files raw (ss's views): `tcp*`, `udp*`, `raw*` and
    /// `unix` go to [`Snapshot::other`] unparsed, like every file without
    /// a parser, instead of netstat's parsers (counted against
    /// [`Limits::max_memory`] like any file kept whole), and fd links keep
    /// their target in [`crate::model::Processes::link_targets`].
    pub raw_tables: bool,
    /// Whether the processes' `stat` files are kept ([`crate::model::Processes::stats`], for ss
    /// and the model; netstat reads none): without it they are skipped unread.
    pub stats: bool,
}

/// The files [`LoadPlan::only_tables`] names, by bit index.
pub const TABLE_FILES: [&str; 13] = [
    "proc/net/tcp",
    "proc/net/tcp6",
    "proc/net/udp",
    "proc/net/udp6",
    "proc/net/udplite",
    "proc/net/udplite6",
    "proc/net/raw",
    "proc/net/raw6",
    "proc/net/unix",
    "proc/net/sctp/eps",
    "proc/net/sctp/assocs",
    "proc/net/igmp",
    "proc/net/igmp6",
];

/// The bit of a file of [`TABLE_FILES`].
pub fn table_bit(path: &str) -> Option<u32> {
    TABLE_FILES
        .iter()
        .position(|&p| p == path)
        .map(|i| 1u32 << i)
}

impl LoadPlan {
    /// Everything the archive holds.
    pub fn everything() -> Self {
        LoadPlan {
            processes: true,
            frames: true,
            sockets: true,
            tables: None,
            only_tables: None,
            raw_tables: false,
            stats: true,
        }
    }
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan::everything()
    }
}

/// Largest manifest (`netsnap.json`, `netsnap-end.json`,
/// `netsnap-ifaces.json`) read.
const MANIFEST_MAX: u64 = 8 << 20;

/// Largest file kept unparsed for later views.
const OTHER_MAX: usize = 64 << 20;

/// Bytes of a table whose rows go to the [`RowSink`] together (about 1,700 tcp rows).
const SINK_PIECE: usize = 256 << 10;

/// Most frames an archive may hold.
pub const MAX_FRAMES: usize = 100_000;

/// A consumer of the internet socket rows of frame 0 as they are parsed, in place of the
/// snapshot's tables: a
/// view whose rows need nothing but the row itself renders them while the archive is still being
/// inflated, and no row is kept (see [`load_into`]).
pub trait RowSink {
    /// A table of this kind and `size` bytes begins, under this manifest: whatever the sink got of
    /// an earlier one (a path the archive holds twice) is dropped, as the snapshot keeps the last.
    fn begin(&mut self, kind: InetKind, manifest: &manifest::Manifest, size: u64);
    /// Rows of the table, in file order. The sink takes them: `rows` is cleared after the call
    /// (the sink may swap in another vector, whose room is then used for the next rows).
    fn rows(&mut self, kind: InetKind, rows: &mut Vec<crate::model::InetRow>);
    /// Whether the sink also takes the command lines and fd links of frame 0 (to build the `-p`
    /// map as they are read): the snapshot then keeps no links of frame 0 (its command lines
    /// stay).
    fn takes_processes(&self) -> bool {
        false
    }
    /// A process's `cmdline`, before any of its links.
    fn cmdline(&mut self, pid: u32, data: &[u8]) {
        let _ = (pid, data);
    }
    /// Fd links, in procfs order (ascending pid, then fd): the sink takes them (`links` is
    /// cleared after the call). Were they not in that order, or a command line came after a link
    /// of its process, [`load_into`] says that what the sink got does not stand.
    fn links(&mut self, links: &mut Vec<FdLink>) {
        let _ = links;
    }
}

/// A socket table being parsed as it is inflated.
enum TableParser {
    Inet(InetKind, parse::inet::TableParser),
    Unix(parse::unix::TableParser),
}

/// A streamed file: its parser and the partial line carried over between
/// pieces.
struct Open {
    frame: usize,
    parser: TableParser,
    carry: Vec<u8>,
    /// Whether its rows go to the [`RowSink`] as they are parsed.
    sunk: bool,
}

impl Open {
    fn feed_lines(&mut self, lines: &[u8]) {
        match &mut self.parser {
            TableParser::Inet(_, p) => p.feed(lines),
            TableParser::Unix(p) => p.feed(lines),
        }
    }

    /// Bytes the parser holds so far.
    fn held_bytes(&self) -> u64 {
        match &self.parser {
            TableParser::Inet(_, p) => p.held_bytes(),
            TableParser::Unix(p) => p.held_bytes(),
        }
    }

    /// Feeds the whole lines of `data`, keeping a partial last line.
    fn piece(&mut self, mut data: &[u8]) {
        if !self.carry.is_empty() {
            match data.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let (head, rest) = data.split_at(i + 1);
                    self.carry.extend_from_slice(head);
                    let carry = std::mem::take(&mut self.carry);
                    self.feed_lines(&carry);
                    self.carry = carry;
                    self.carry.clear();
                    data = rest;
                }
                None => {
                    self.carry.extend_from_slice(data);
                    return;
                }
            }
        }
        match data.iter().rposition(|&b| b == b'\n') {
            Some(j) => {
                let (lines, rest) = data.split_at(j + 1);
                self.feed_lines(lines);
                self.carry.extend_from_slice(rest);
            }
            None => self.carry.extend_from_slice(data),
        }
    }
}

struct Loader<'p> {
    plan: &'p LoadPlan,
    /// Where rows go instead of the snapshot, for the tables it takes.
    sink: Option<&'p mut dyn RowSink>,
    /// Manifests (`netsnap.json`, frame 0) read so far.
    manifests: u32,
    /// Whether a table's rows went to the sink (only ever while exactly one manifest has been
    /// read: a second one later makes them stale, see [`Loader::done`]).
    sunk_any: bool,
    limits: &'p Limits,
    /// Bytes kept in memory by everything but the open table.
    kept: u64,
    /// The limit that stopped reading, if one did.
    exceeded: Option<Error>,
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
    /// The file being streamed.
    open: Option<Open>,
    /// Files of [`TABLE_FILES`] read so far (frame 0).
    seen_tables: u32,
    /// Paths of the files met so far, but for processes' (duplicates).
    paths: std::collections::HashSet<String>,
    /// Whether frame 0's command lines and fd links go to the sink.
    processes_to_sink: bool,
    /// Fd links on their way to the sink.
    links: Vec<FdLink>,
    /// The (pid, fd) of the last link that went to the sink.
    last_link: Option<(u32, u32)>,
    /// Whether the sink's links came out of procfs order (or a command line after its links).
    links_disordered: bool,
}

/// Fd links handed to the sink together.
const LINK_BATCH: usize = 4096;

/// The memory an fd link counts for: the link, and its share of the `-p` map built from it.
const LINK_COST: u64 = 48;

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
    fn wants(&mut self, path: &str, size: u64) -> Flow {
        if self.has_all_tables() {
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        let split = split_frame(path);
        let inner = split.map_or(path, |(_, p)| p);
        let fd_link = parse::fd::split_fd_path(inner).is_some();
        if !self.note(path, inner, Kind::File, fd_link) {
            return Flow::Skip;
        }
        let Some((frame, path)) = split else {
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
        if !self.plan.stats && process_file(path).is_some_and(|(_, name)| name == "stat") {
            return Flow::Skip;
        }
        let bit = table_bit(path);
        if let Some(bit) = bit {
            let unwanted = self.plan.tables.is_some_and(|m| m & bit == 0);
            let unneeded = if path.starts_with("proc/net/igmp") {
                unwanted
            } else {
                !self.plan.sockets || unwanted
            };
            if unneeded {
                return Flow::Skip;
            }
            if frame == 0 {
                self.seen_tables |= bit;
            }
        }
        let order = self.snap.manifest.byte_order;
        let raw = self.plan.raw_tables && is_raw_table(path);
        let parser = if raw {
            None
        } else if let Some(kind) = inet_kind(path) {
            if frame == 0 {
                self.decoded_with = order;
            }
            let min = if matches!(kind, InetKind::Tcp | InetKind::Tcp6) {
                11
            } else {
                10
            };
            Some(TableParser::Inet(
                kind,
                parse::inet::TableParser::new(order, min),
            ))
        } else if path == "proc/net/unix" {
            Some(TableParser::Unix(parse::unix::TableParser::default()))
        } else {
            None
        };
        let Some(parser) = parser else {
            // Read whole: it must fit in what is left of the budget, and
            // a manifest must be of a manifest's size.
            if self.kept.saturating_add(size) > self.limits.max_memory {
                return self.memory_exceeded();
            }
            if path.ends_with(".json") && size > MANIFEST_MAX {
                self.snap.diagnostics.push(Diagnostic::file(
                    path,
                    format!("ignored: larger than {MANIFEST_MAX} bytes, more than any manifest"),
                ));
                return Flow::Skip;
            }
            return Flow::Continue;
        };
        // Rows go to the sink only after the manifest (which gives their byte order and clock
        // rate); the collector writes it first.
        let sunk = match (&parser, &mut self.sink) {
            (TableParser::Inet(kind, _), Some(sink)) if frame == 0 && self.manifests == 1 => {
                sink.begin(*kind, &self.snap.manifest, size);
                self.sunk_any = true;
                true
            }
            _ => false,
        };
        self.open = Some(Open {
            frame,
            parser,
            carry: Vec::new(),
            sunk,
        });
        Flow::Stream
    }

    fn piece(&mut self, path: &str, data: &[u8]) -> Flow {
        let Some(open) = &mut self.open else {
            return Flow::Continue;
        };
        if open.sunk {
            // In small batches, so that few rows are on their way to the sink at once.
            for part in data.chunks(SINK_PIECE) {
                open.piece(part);
                sink_rows(open, &mut self.sink, path, &mut self.snap.diagnostics);
            }
        } else {
            open.piece(data);
        }
        if open.carry.len() as u64 > self.limits.max_line {
            return self.line_exceeded();
        }
        if self.kept + open.held_bytes() > self.limits.max_memory {
            return self.memory_exceeded();
        }
        Flow::Continue
    }

    fn end(&mut self, path: &str) -> Flow {
        let Some(mut open) = self.open.take() else {
            return Flow::Continue;
        };
        let carry = std::mem::take(&mut open.carry);
        if !carry.is_empty() {
            open.feed_lines(&carry);
        }
        if open.sunk {
            sink_rows(&mut open, &mut self.sink, path, &mut self.snap.diagnostics);
        }
        self.kept += open.held_bytes();
        // Diagnostics go to the main snapshot, whose list is reported, under
        // the entry's own path (with its frame).
        let diagnostics = &mut self.snap.diagnostics;
        match open.parser {
            TableParser::Inet(kind, p) => {
                let table = p.finish();
                state_diagnostics(kind, &table.rows, path, diagnostics);
                self.target(open.frame).inet[kind.index()] = Some(table);
            }
            TableParser::Unix(p) => self.target(open.frame).unix = Some(p.finish()),
        }
        Flow::Continue
    }

    fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow {
        let split = split_frame(path);
        let inner = split.map_or(path, |(_, p)| p);
        // An fd link's pid and fd, read once (there are about as many links
        // as sockets).
        let fd = match entry {
            Entry::Symlink(_) => parse::fd::split_fd_path(inner),
            _ => None,
        };
        // (A file was already asked about in `wants`.)
        if !matches!(entry, Entry::File(_)) {
            if self.has_all_tables() {
                self.snap.stopped_early = true;
                return Flow::Stop;
            }
            let kind = match entry {
                Entry::Symlink(_) => Kind::Symlink,
                Entry::Dir(_) => Kind::Dir,
                _ => Kind::Other,
            };
            if !self.note(path, inner, kind, fd.is_some()) {
                return Flow::Continue;
            }
        }
        let Some((frame, path)) = split else {
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
        let cost = match &entry {
            Entry::File(data) => {
                if line_oriented(path) && longest_line(data) > self.limits.max_line {
                    return self.line_exceeded();
                }
                data.len() as u64
            }
            Entry::Symlink(_) => LINK_COST,
            _ => 0,
        };
        self.kept += cost;
        if self.kept > self.limits.max_memory {
            return self.memory_exceeded();
        }
        match entry {
            Entry::File(data) => self.file(frame, path, data),
            Entry::Symlink(target) => {
                if let Some((pid, fd)) = fd {
                    let inode = parse::fd::netstat_socket_inode(target);
                    self.fd_link(frame, pid, fd, target, inode);
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

    fn preparer() -> Option<Preparer> {
        Some(prepare_link)
    }

    fn prepared_symlink(&mut self, name: &[u8], target: &[u8], p: Prepared) -> Flow {
        // What `visit` does with a symbolic link at `proc/<pid>/fd/<fd>` of frame 0, the only
        // paths `prepare_link` takes. None of its checks of such a path fails or reports, so the
        // name (inflated on another thread) is not read.
        let _ = name;
        if self.has_all_tables() {
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        if !self.plan.processes {
            if self.plan.frames {
                return Flow::Continue;
            }
            self.snap.stopped_early = true;
            return Flow::Stop;
        }
        self.kept += LINK_COST;
        if self.kept > self.limits.max_memory {
            return self.memory_exceeded();
        }
        self.fd_link(0, p.a, p.b, target, p.c);
        Flow::Continue
    }
}

/// The pid, fd and socket inode of an fd link of frame 0, for [`Loader::prepared_symlink`]; run
/// by the threads that inflate the archive.
fn prepare_link(name: &str, target: &[u8]) -> Option<Prepared> {
    if split_frame(name) != Some((0, name)) {
        return None;
    }
    let (pid, fd) = parse::fd::split_fd_path(name)?;
    Some(Prepared {
        a: pid,
        b: fd,
        c: parse::fd::netstat_socket_inode(target),
    })
}

impl Loader<'_> {
    /// Keeps an fd link (its memory already counted): for the sink, or in its frame.
    fn fd_link(&mut self, frame: usize, pid: u32, fd: u32, target: &[u8], inode: Option<u64>) {
        if self.plan.raw_tables {
            // ss reads at most 63 bytes of a link.
            let keep = target.get(..64).unwrap_or(target);
            self.kept += keep.len() as u64;
            self.target(frame)
                .processes
                .link_targets
                .insert((pid, fd), keep.to_vec());
        }
        let link = FdLink { pid, fd, inode };
        if frame == 0 && self.processes_to_sink {
            self.link_to_sink(link);
        } else {
            self.target(frame).processes.fds.push(link);
        }
    }
}

/// The kind of an archive entry, for [`Loader::note`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Symlink,
    Dir,
    Other,
}

/// Whether `path` (without a frame prefix) names a file the collector
/// writes as a regular file.
fn is_data_file(path: &str) -> bool {
    matches!(
        path,
        "netsnap.json" | "netsnap-end.json" | "netsnap-ifaces.json"
    ) || table_bit(path).is_some()
        || path.starts_with("etc/")
        || (is_process_path(path) && (path.ends_with("/cmdline") || path.ends_with("/stat")))
}

/// Whether a file is one of the socket tables that
/// [`LoadPlan::raw_tables`] keeps raw (a socket table is only ever kept raw
/// under that plan, so [`frame_file`] lets it past [`OTHER_MAX`]: the memory
/// limit bounds it).
fn is_raw_table(path: &str) -> bool {
    inet_kind(path).is_some() || path == "proc/net/unix"
}

/// Whether a file is read line by line (the `--max-line` limit applies):
/// everything but command lines.
fn line_oriented(path: &str) -> bool {
    !path.ends_with("/cmdline")
}

/// The length of the longest line of `data`.
fn longest_line(data: &[u8]) -> u64 {
    data.split(|&b| b == b'\n')
        .map(|l| l.len() as u64)
        .max()
        .unwrap_or(0)
}

impl Loader<'_> {
    /// Notes an entry before it is read: whether the archive looks like a
    /// snapshot, paths met twice, and entries of a kind the collector never
    /// writes at that path (diagnostics). `full` is the entry's path, `path`
    /// the same without its frame prefix, `fd_link` whether that names an
    /// fd link. Returns whether the entry is to be read.
    fn note(&mut self, full: &str, path: &str, kind: Kind, fd_link: bool) -> bool {
        if path == "netsnap.json" || path.starts_with("proc/net/") {
            self.snap.recognised = true;
        }
        let wrong = match kind {
            Kind::File => fd_link,
            Kind::Symlink => !fd_link,
            Kind::Dir => is_data_file(path),
            Kind::Other => true,
        };
        if wrong {
            let what = match kind {
                Kind::File => "a regular file where the collector writes a symbolic link",
                Kind::Symlink => "a symbolic link where the collector writes none",
                Kind::Dir => "a directory where the collector writes a file",
                Kind::Other => "a hard link, device or fifo, which the collector never writes",
            };
            self.snap
                .diagnostics
                .push(Diagnostic::file(full, format!("{what}: ignored")));
            return kind == Kind::File && !fd_link;
        }
        // Paths met twice: only those that are not process entries are
        // remembered (the few hundred files of /proc/net, /sys and /etc);
        // a process's files and links are checked when they are stored.
        if kind == Kind::File && !is_process_path(path) {
            // The set's own memory counts against the budget.
            self.kept += full.len() as u64 + 48;
            if !self.paths.insert(full.to_string()) {
                self.snap.diagnostics.push(Diagnostic::file(
                    full,
                    "the archive holds this path more than once: the last one is used",
                ));
            }
        }
        true
    }

    /// Records that the memory limit was passed and stops reading.
    fn memory_exceeded(&mut self) -> Flow {
        self.exceeded = Some(Error::Limit {
            name: "memory for the snapshot",
            value: self.limits.max_memory,
            hint: "raise it with --max-memory",
        });
        Flow::Stop
    }

    /// Records that the line-length limit was passed and stops reading.
    fn line_exceeded(&mut self) -> Flow {
        self.exceeded = Some(Error::Limit {
            name: "line length",
            value: self.limits.max_line,
            hint: "raise it with --max-line",
        });
        Flow::Stop
    }

    /// Whether the plan names its only tables and every one of them that
    /// the manifest lists as captured has been read (when the open file is
    /// done).
    fn has_all_tables(&self) -> bool {
        let Some(only) = self.plan.only_tables else {
            return false;
        };
        if self.open.is_some() || self.snap.manifest.tables.is_empty() {
            return false;
        }
        let m = &self.snap.manifest;
        let mask = |paths: &mut dyn Iterator<Item = &String>| {
            paths.filter_map(|t| table_bit(t)).fold(0, |m, b| m | b)
        };
        let listed = mask(&mut m.tables.iter());
        let missing = mask(&mut m.missing.iter().map(|x| &x.path));
        // A needed file the manifest says nothing of may still come.
        if only & !(listed | missing) != 0 {
            return false;
        }
        only & listed & !self.seen_tables == 0
    }

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
        match path {
            "netsnap.json" => {
                self.manifests += 1;
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
            _ => {
                if self.processes_to_sink
                    && let Some(pid) = cmdline_pid(path)
                    && let Some(sink) = self.sink.as_deref_mut()
                {
                    if self.last_link.is_some_and(|(p, _)| p >= pid) {
                        self.links_disordered = true;
                    }
                    sink.cmdline(pid, data);
                }
                frame_file(&mut self.snap, path, data)
            }
        }
    }

    /// Hands `link` to the sink (in batches), checking their order.
    fn link_to_sink(&mut self, link: FdLink) {
        let at = (link.pid, link.fd);
        if self.last_link.is_some_and(|last| last >= at) {
            self.links_disordered = true;
        }
        self.last_link = Some(at);
        self.links.push(link);
        if self.links.len() >= LINK_BATCH {
            self.flush_links();
        }
    }

    fn flush_links(&mut self) {
        if let Some(sink) = self.sink.as_deref_mut()
            && !self.links.is_empty()
        {
            sink.links(&mut self.links);
            self.links.clear();
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
        sort_fds(&mut self.snap);
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
        for (i, f) in self.frames.iter_mut().enumerate() {
            f.names = names.clone();
            f.manifest = self.snap.manifest.clone();
            sort_fds(f);
            // A frame's findings are reported with the main snapshot's,
            // under the entries' own paths.
            for mut d in f.diagnostics.drain(..) {
                if d.file != "archive" {
                    d.file = format!("frames/{}/{}", i + 1, d.file);
                }
                self.snap.diagnostics.push(d);
            }
        }
        self.snap.names = names;
        self.snap.frames = self.frames;
        self.snap
    }
}

/// Puts a snapshot's fd links in procfs order (pid, then fd), keeping one of
/// each (pid, fd) met more than once, with a diagnostic.
fn sort_fds(snap: &mut Snapshot) {
    let fds = &mut snap.processes.fds;
    // The collector writes them in that order.
    if fds.is_sorted_by(|a, b| (a.pid, a.fd) < (b.pid, b.fd)) {
        return;
    }
    fds.sort_unstable();
    let before = fds.len();
    fds.dedup_by_key(|l| (l.pid, l.fd));
    if fds.len() < before {
        let extra = before - fds.len();
        snap.diagnostics.push(Diagnostic::file(
            "archive",
            format!("{extra} fd links appear more than once: one of each is used"),
        ));
    }
}

/// A file that every frame has: socket tables, processes, other small files.
fn frame_file(snap: &mut Snapshot, path: &str, data: &[u8]) {
    match path {
        "proc/net/sctp/eps" => snap.sctp_eps = Some(parse::sctp::parse_eps(data)),
        "proc/net/sctp/assocs" => snap.sctp_assocs = Some(parse::sctp::parse_assocs(data)),
        _ => {
            if let Some((pid, name)) = process_file(path) {
                match name {
                    "cmdline" | "stat" => {
                        let map = if name == "stat" {
                            &mut snap.processes.stats
                        } else {
                            &mut snap.processes.cmdlines
                        };
                        if map.insert(pid, data.to_vec()).is_some() {
                            snap.diagnostics.push(Diagnostic::file(
                                path,
                                "the archive holds this path more than once: the last one is used",
                            ));
                        }
                        return;
                    }
                    _ => {}
                }
            }
            if data.len() <= OTHER_MAX || is_raw_table(path) {
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

/// Splits `proc/<pid>/<name>` into the pid and the name.
fn process_file(path: &str) -> Option<(u32, &str)> {
    let (pid, name) = path.strip_prefix("proc/")?.split_once('/')?;
    Some((pid.parse().ok()?, name))
}

/// The pid of `proc/<pid>/cmdline`.
fn cmdline_pid(path: &str) -> Option<u32> {
    process_file(path).and_then(|(pid, name)| (name == "cmdline").then_some(pid))
}

/// Hands the rows the open table's parser holds to the sink (with the diagnostics they call for).
fn sink_rows(
    open: &mut Open,
    sink: &mut Option<&mut dyn RowSink>,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let (TableParser::Inet(kind, p), Some(sink)) = (&mut open.parser, sink) {
        p.drain(|rows| {
            state_diagnostics(*kind, rows, path, diagnostics);
            sink.rows(*kind, rows);
        });
    }
}

/// The diagnostics of TCP rows whose state netstat cannot name.
fn state_diagnostics(
    kind: InetKind,
    rows: &[crate::model::InetRow],
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !matches!(kind, InetKind::Tcp | InetKind::Tcp6) {
        return;
    }
    for row in rows.iter().filter(|r| r.state >= 16) {
        diagnostics.push(Diagnostic::at(
            path,
            row.line,
            format!(
                "TCP state {:#04x} is past netstat's table of states (netstat 2.10 prints \
                 whatever lies in memory after it, or crashes); shown empty",
                row.state
            ),
        ));
    }
}

/// Reverses the bytes of each 32-bit word of an address.
fn swap_words(a: &mut Addr) {
    for w in a.bytes.chunks_mut(4) {
        w.reverse();
    }
}

fn loader<'p>(
    plan: &'p LoadPlan,
    limits: &'p Limits,
    sink: Option<&'p mut dyn RowSink>,
) -> Loader<'p> {
    let sink_takes_processes = sink.as_deref().is_some_and(|s| s.takes_processes());
    Loader {
        plan,
        sink,
        manifests: 0,
        sunk_any: false,
        limits,
        kept: 0,
        exceeded: None,
        snap: Snapshot::default(),
        frames: Vec::new(),
        decoded_with: ByteOrder::Little,
        hosts: Vec::new(),
        networks: Vec::new(),
        services: Vec::new(),
        protocols: Vec::new(),
        passwd: Vec::new(),
        open: None,
        seen_tables: 0,
        paths: Default::default(),
        processes_to_sink: sink_takes_processes,
        links: Vec::new(),
        last_link: None,
        links_disordered: false,
    }
}

/// Reads a snapshot from `input` (gzip-compressed or plain tar), on the
/// caller's thread.
pub fn load<R: Read>(input: R, plan: &LoadPlan, limits: &Limits) -> Result<Snapshot, Error> {
    read_with(plan, limits, None, |l, d| {
        archive::read_entries(input, limits, d, l)
    })
    .map(|(snap, _)| snap)
}

/// [`load`], with the input inflated on a second thread beside the parsing
/// when [`crate::par::threads`] allows.
pub fn load_par<R: Read + Send>(
    input: R,
    plan: &LoadPlan,
    limits: &Limits,
) -> Result<Snapshot, Error> {
    read_with(plan, limits, None, |l, d| {
        archive::read_entries_par(input, limits, d, l)
    })
    .map(|(snap, _)| snap)
}

/// [`load`], handing the rows of the tables `sink` takes to it as they are parsed instead of
/// keeping them: those tables come back without rows (their bogus lines are kept). Also says
/// whether what the sink got stands: not when a manifest came after rows went to it (the
/// collector writes one, first; a second may change their byte order), and the input must then
/// be read again without a sink.
pub fn load_into<R: Read>(
    input: R,
    plan: &LoadPlan,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<(Snapshot, bool), Error> {
    read_with(plan, limits, Some(sink), |l, d| {
        archive::read_entries(input, limits, d, l)
    })
}

/// [`load_into`], inflating as [`load_par`] does.
pub fn load_into_par<R: Read + Send>(
    input: R,
    plan: &LoadPlan,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<(Snapshot, bool), Error> {
    read_with(plan, limits, Some(sink), |l, d| {
        archive::read_entries_par(input, limits, d, l)
    })
}

/// Runs `read` (one of the archive's readers) with a [`Loader`] for `plan`.
fn read_with<'p>(
    plan: &'p LoadPlan,
    limits: &'p Limits,
    sink: Option<&'p mut dyn RowSink>,
    read: impl FnOnce(&mut Loader<'p>, &mut Vec<Diagnostic>) -> Result<(), Error>,
) -> Result<(Snapshot, bool), Error> {
    let mut loader = loader(plan, limits, sink);
    let mut diags = Vec::new();
    read(&mut loader, &mut diags)?;
    loader.done(diags)
}

impl Loader<'_> {
    /// The end of reading: the limit that stopped it, or the snapshot and whether the sink's
    /// rows stand.
    fn done(mut self, diags: Vec<Diagnostic>) -> Result<(Snapshot, bool), Error> {
        if let Some(e) = self.exceeded.take() {
            return Err(e);
        }
        self.flush_links();
        // Rows went to the sink under the first manifest: a later one (the collector writes one,
        // first; a second may change their byte order) makes them stale; so do links out of
        // order.
        let stale = self.links_disordered || (self.sunk_any && self.manifests > 1);
        let fresh = !stale;
        self.snap.diagnostics.extend(diags);
        Ok((self.finish(), fresh))
    }
}
