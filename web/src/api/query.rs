//! The connections table behind `Snapshot.query`: every socket (Internet
//! and UNIX) as one row, filtered, sorted and paged.
//!
//! The [`Index`] is built once per snapshot: 24 bytes per row (table, row
//! number, interned state, user and process) and the row's local and
//! remote text, lower-cased, for the substring filters. Filters on
//! protocol, state, user and process are decided once per distinct value,
//! not per row. Every sort key is a 64-bit number per row, sorted with a
//! stable radix sort; the last few sort orders and the last filter result
//! are cached, so paging through a result costs only the page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use memchr::memmem::Finder;
use netsnap::model::{Addr, InetKind, InetRow, Snapshot, UnixRow, UnixTable};
use netsnap::render::json::{
    self, inet_state, proto_name, split_program, unix_listening, unix_state, user_text,
};
use netsnap::render::programs::ProgramMap;
use serde::{Deserialize, Serialize};

/// Rows returned when the query gives no `limit`.
pub const DEFAULT_LIMIT: usize = 100;

/// Sort orders kept besides the natural one.
const SORT_CACHE: usize = 4;

/// Longest UNIX path kept for searching (longer ones are searched in their
/// first bytes only).
const FIELD_MAX: usize = 4096;

/// The `kind` of a UNIX row (Internet rows use [`InetKind::index`]).
const UNIX: u8 = 8;

/// No user or process.
const NONE: u32 = u32::MAX;

const PROTOS: [&str; 9] = [
    "tcp", "tcp6", "udp", "udp6", "udpl", "udpl6", "raw", "raw6", "unix",
];

/// A query, as the UI sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Query {
    /// Sort order; absent or with an empty key: the natural order
    /// (netstat's table order, UNIX sockets last).
    pub sort: Option<Sort>,
    /// Filters; every non-empty one must match.
    pub filter: Filter,
    /// Matched rows to skip.
    pub offset: usize,
    /// Most rows to return ([`DEFAULT_LIMIT`] when absent).
    pub limit: Option<usize>,
}

/// A sort order. Ties keep the natural order; rows without a value (the
/// queues and user of a UNIX socket, a socket without a process) come
/// last in both directions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sort {
    /// `proto`, `recvq`, `sendq`, `local`, `remote`, `state`, `pid`,
    /// `program`, `user` or `inode`. Addresses sort by value (IPv4 before
    /// IPv6, then port; UNIX paths after both), names alphabetically.
    pub key: String,
    /// Descending.
    pub desc: bool,
}

/// Filters; empty strings match everything. Text filters are
/// case-insensitive (ASCII) substring matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// Protocol names, comma-separated, exact (`tcp`, `tcp6`, `udp`,
    /// `udp6`, `udpl`, `udpl6`, `raw`, `raw6`, `unix`; `udplite` and
    /// `udplite6` are accepted for `udpl` and `udpl6`).
    pub proto: String,
    /// States, comma-separated, exact but case-insensitive (`LISTEN`,
    /// `ESTABLISHED`, `CONNECTED`, …).
    pub state: String,
    /// Substring of the local `address:port` (or UNIX path).
    pub local: String,
    /// Substring of the remote `address:port`.
    pub remote: String,
    /// Substring of `pid/program` (`-` for a socket without a process).
    pub process: String,
    /// Substring of the user name (or uid).
    pub user: String,
    /// Substring of any column: proto, queues, local, remote, state, user,
    /// inode or `pid/program`.
    pub text: String,
}

/// What a query answers.
#[derive(Debug, Clone, Serialize)]
pub struct Answer<'a> {
    /// Rows in the snapshot.
    pub total: usize,
    /// Rows the filter matched.
    pub matched: usize,
    /// The offset asked for.
    pub offset: usize,
    /// The page.
    pub rows: Vec<RowJson<'a>>,
}

/// One row of the table.
#[derive(Debug, Clone, Serialize)]
pub struct RowJson<'a> {
    /// netstat's protocol name.
    pub proto: &'static str,
    /// Receive queue (`null` for UNIX sockets).
    pub recvq: Option<u64>,
    /// Send queue (`null` for UNIX sockets).
    pub sendq: Option<u64>,
    /// Local `address:port`, numeric, never cut; the path of a UNIX socket.
    pub local: Cow<'a, str>,
    /// Remote `address:port`; empty for UNIX sockets.
    pub remote: Cow<'a, str>,
    /// netstat's State text.
    pub state: &'a str,
    /// Owner (login name or uid; `null` for UNIX sockets).
    pub user: Option<&'a str>,
    /// Socket inode.
    pub inode: u64,
    /// Process id as `netstat -p` names it (`null`: none).
    pub pid: Option<u32>,
    /// Program as `netstat -p` names it (`null`: none).
    pub program: Option<&'a str>,
}

/// Sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Proto,
    RecvQ,
    SendQ,
    Local,
    Remote,
    State,
    Pid,
    Program,
    User,
    Inode,
}

impl Key {
    fn parse(s: &str) -> Result<Option<Key>, String> {
        Ok(Some(match s {
            "" => return Ok(None),
            "proto" => Key::Proto,
            "recvq" => Key::RecvQ,
            "sendq" => Key::SendQ,
            "local" => Key::Local,
            "remote" => Key::Remote,
            "state" => Key::State,
            "pid" => Key::Pid,
            "program" => Key::Program,
            "user" => Key::User,
            "inode" => Key::Inode,
            other => {
                return Err(format!(
                    "unknown sort key `{other}' (one of proto, recvq, sendq, local, remote, state, pid, program, user, inode)"
                ));
            }
        }))
    }
}

/// A sort key and its direction (`true`: descending).
type SortKey = (Key, bool);

/// FxHash (rustc's): fast for the integer and short keys used here.
#[derive(Debug, Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, v: u8) {
        self.add(u64::from(v));
    }

    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }

    fn write_u128(&mut self, v: u128) {
        self.add(v as u64);
        self.add((v >> 64) as u64);
    }

    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }

    fn write_i32(&mut self, v: i32) {
        self.add(u64::from(v as u32));
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Interned strings with a dense id each.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    texts: Vec<String>,
}

impl Interner {
    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.to_string());
        self.ids.insert(text.to_string(), id);
        id
    }

    fn get(&self, id: u32) -> Option<&str> {
        self.texts.get(id as usize).map(String::as_str)
    }

    /// Rank of each id in the order of the texts (case-insensitive, then exact).
    fn ranks(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.texts.len() as u32).collect();
        ids.sort_by(|&a, &b| {
            let (x, y) = (
                self.texts.get(a as usize).map_or("", String::as_str),
                self.texts.get(b as usize).map_or("", String::as_str),
            );
            x.to_ascii_lowercase()
                .cmp(&y.to_ascii_lowercase())
                .then_with(|| x.cmp(y))
        });
        let mut ranks = vec![0u32; ids.len()];
        for (rank, id) in ids.into_iter().enumerate() {
            if let Some(r) = ranks.get_mut(id as usize) {
                *r = rank as u32;
            }
        }
        ranks
    }

    /// Whether each text contains `needle` (lower-case), by id.
    fn matching(&self, needle: &Finder<'_>) -> Vec<bool> {
        self.texts
            .iter()
            .map(|t| needle.find(t.to_ascii_lowercase().as_bytes()).is_some())
            .collect()
    }
}

/// One row of the index.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// [`InetKind::index`], or [`UNIX`].
    kind: u8,
    /// Interned state text.
    state: u16,
    /// Interned user text ([`NONE`] for UNIX rows).
    user: u32,
    /// Index into [`Index::procs`] ([`NONE`]: no process).
    process: u32,
    /// Row number in its table.
    src: u32,
    /// Start of the row's text (local, then remote).
    start: u32,
    local_len: u16,
    remote_len: u16,
}

/// A cached result: the query's sort and filter, and the matched rows.
struct Matched {
    sort: Option<SortKey>,
    filter: Filter,
    rows: Rc<Vec<u32>>,
}

/// The row index of one snapshot, with its caches.
pub struct Index {
    rows: Vec<Row>,
    /// Lower-cased local and remote texts of all rows.
    text: Vec<u8>,
    states: Interner,
    users: Interner,
    programs: Interner,
    /// Processes: pid and interned program.
    procs: Vec<(u32, u32)>,
    orders: Vec<(SortKey, Rc<Vec<u32>>)>,
    last: Option<Matched>,
}

/// The decimal text of `v`, written into `buf`.
fn fmt_u64(buf: &mut [u8; 20], mut v: u64) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    &buf[i..]
}

/// Appends an endpoint's text; returns its length.
fn push_endpoint(text: &mut Vec<u8>, a: &Addr, port: u32) -> u16 {
    let start = text.len();
    json::push_endpoint(text, a, port);
    (text.len() - start) as u16
}

fn inet_row(snap: &Snapshot, kind: u8, src: u32) -> Option<(InetKind, &InetRow)> {
    let k = *InetKind::ALL.get(kind as usize)?;
    Some((k, snap.inet_table(k)?.rows.get(src as usize)?))
}

fn unix_row(snap: &Snapshot, src: u32) -> Option<(&UnixTable, &UnixRow)> {
    let t = snap.unix.as_ref()?;
    Some((t, t.rows.get(src as usize)?))
}

/// Which process `netstat -p` names for each socket inode: netsnap's
/// [`ProgramMap`] (processes by ascending pid, then fd; the first one
/// wins; a process without a `cmdline` is passed over; `pid/argv0` cut to
/// 19 bytes), with one small record per process in `ix.procs`.
struct ProcessOf {
    map: ProgramMap,
    /// The map's process ids, in the order of `ix.procs` (ascending).
    ids: Vec<u32>,
}

impl ProcessOf {
    /// The index into `ix.procs` of the process named for an inode.
    fn get(&self, inode: u64) -> Option<u32> {
        let id = self.map.process(inode)?;
        self.ids.binary_search(&id).ok().map(|i| i as u32)
    }
}

/// Builds the inode-to-process map; fills `ix.procs` and `ix.programs`.
fn process_map(snap: &Snapshot, ix: &mut Index) -> ProcessOf {
    let map = ProgramMap::build(&snap.processes, snap.manifest.euid);
    let mut ids = Vec::with_capacity(map.process_count());
    for id in map.processes() {
        let (Some(pid), Some(text)) = (map.pid_of(id), map.name_of(id)) else {
            continue;
        };
        let name = split_program(text).map_or(&[][..], |(_, n)| n);
        let program = ix.programs.id(&json::text(name));
        ix.procs.push((pid, program));
        ids.push(id);
    }
    ProcessOf { map, ids }
}

/// What [`Index::build`] keeps while it walks the rows.
struct Builder<'a> {
    snap: &'a Snapshot,
    /// Socket inode to process, as `netstat -p` assigns them.
    proc_of: ProcessOf,
    ix: Index,
    /// Interned state by table kind and state number (below 16).
    state_ids: [[u16; 16]; 9],
    user_ids: FxMap<i32, u32>,
    last_user: Option<(i32, u32)>,
}

impl Builder<'_> {
    fn state_id(&mut self, kind: u8, state: u32, text: &str) -> u16 {
        let slot = self
            .state_ids
            .get_mut(kind as usize)
            .and_then(|k| k.get_mut(state as usize));
        match slot {
            Some(id) if *id != u16::MAX => *id,
            Some(id) => {
                *id = self.ix.states.id(text) as u16;
                *id
            }
            None => self.ix.states.id(text) as u16,
        }
    }

    fn user_id(&mut self, uid: i32) -> u32 {
        if let Some((u, id)) = self.last_user
            && u == uid
        {
            return id;
        }
        let (users, names) = (&mut self.ix.users, &self.snap.names);
        let id = *self
            .user_ids
            .entry(uid)
            .or_insert_with(|| users.id(&json::text(&user_text(names, uid))));
        self.last_user = Some((uid, id));
        id
    }

    /// The process `netstat -p` names for an inode.
    fn process(&self, inode: u64) -> u32 {
        self.proc_of.get(inode).unwrap_or(NONE)
    }

    fn inet(&mut self, kind: InetKind, src: usize, r: &InetRow) {
        let start = self.ix.text.len();
        let local_len = push_endpoint(&mut self.ix.text, &r.local, r.local_port);
        let remote_len = push_endpoint(&mut self.ix.text, &r.remote, r.remote_port);
        let state = self.state_id(kind.index() as u8, r.state, &inet_state(kind, r.state));
        let user = self.user_id(r.uid);
        let process = self.process(r.inode);
        self.ix.rows.push(Row {
            kind: kind.index() as u8,
            state,
            user,
            process,
            src: src as u32,
            start: start as u32,
            local_len,
            remote_len,
        });
    }

    fn unix(&mut self, table: &UnixTable, src: usize, r: &UnixRow) {
        let start = self.ix.text.len();
        let path = table.path(r);
        let path = path.get(..FIELD_MAX).unwrap_or(path);
        self.ix.text.extend(path.iter().map(u8::to_ascii_lowercase));
        // The text depends on the flags too (LISTENING), and is UNKNOWN from 5 up.
        let key = if unix_listening(r) {
            15
        } else {
            r.state.min(14)
        };
        let state = self.state_id(UNIX, key, unix_state(r));
        let process = if table.has_inode {
            self.process(r.inode)
        } else {
            NONE
        };
        self.ix.rows.push(Row {
            kind: UNIX,
            state,
            user: NONE,
            process,
            src: src as u32,
            start: start as u32,
            local_len: path.len() as u16,
            remote_len: 0,
        });
    }
}

/// Sorts `(key, row)` pairs by key, ties in row order (a stable LSD radix
/// sort on 16-bit digits that skips digits all keys share), and returns
/// the rows.
fn radix_sort(mut a: Vec<(u64, u32)>) -> Vec<u32> {
    let n = a.len();
    if n < 4096 {
        a.sort_unstable();
        return a.into_iter().map(|(_, i)| i).collect();
    }
    let mut b = vec![(0u64, 0u32); n];
    let mut counts = vec![0usize; 1 << 16];
    for shift in [0u32, 16, 32, 48] {
        counts.iter_mut().for_each(|c| *c = 0);
        for &(k, _) in &a {
            if let Some(c) = counts.get_mut(((k >> shift) & 0xffff) as usize) {
                *c += 1;
            }
        }
        if counts.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        for &(k, i) in &a {
            if let Some(c) = counts.get_mut(((k >> shift) & 0xffff) as usize) {
                if let Some(slot) = b.get_mut(*c) {
                    *slot = (k, i);
                }
                *c += 1;
            }
        }
        std::mem::swap(&mut a, &mut b);
    }
    a.into_iter().map(|(_, i)| i).collect()
}

/// The largest sort value; [`NULL`] sorts after every value.
const MAX_VALUE: u64 = (1 << 63) - 1;
const NULL: u64 = u64::MAX;

/// Dense ranks of values by their order: `rank[value_id]` for `values`.
fn ranks_of<T: Ord>(values: &[T]) -> Vec<u32> {
    let mut ids: Vec<u32> = (0..values.len() as u32).collect();
    ids.sort_unstable_by(|&a, &b| values.get(a as usize).cmp(&values.get(b as usize)));
    let mut ranks = vec![0u32; values.len()];
    for (rank, id) in ids.into_iter().enumerate() {
        if let Some(r) = ranks.get_mut(id as usize) {
            *r = rank as u32;
        }
    }
    ranks
}

impl Index {
    /// Builds the index of a snapshot (loaded with processes, for `-p`).
    pub fn build(snap: &Snapshot) -> Index {
        let n_inet: usize = InetKind::ALL
            .iter()
            .filter_map(|k| snap.inet_table(*k))
            .map(|t| t.rows.len())
            .sum();
        let n_unix = snap.unix.as_ref().map_or(0, |t| t.rows.len());
        let mut ix = Index {
            rows: Vec::with_capacity(n_inet + n_unix),
            text: Vec::with_capacity(n_inet * 40 + n_unix * 16),
            states: Interner::default(),
            users: Interner::default(),
            programs: Interner::default(),
            procs: Vec::new(),
            orders: Vec::new(),
            last: None,
        };
        let mut b = Builder {
            snap,
            proc_of: process_map(snap, &mut ix),
            ix,
            state_ids: [[u16::MAX; 16]; 9],
            user_ids: FxMap::default(),
            last_user: None,
        };
        for kind in InetKind::ALL {
            if let Some(table) = snap.inet_table(kind) {
                for (src, r) in table.rows.iter().enumerate() {
                    b.inet(kind, src, r);
                }
            }
        }
        if let Some(table) = &snap.unix {
            for (src, r) in table.rows.iter().enumerate() {
                b.unix(table, src, r);
            }
        }
        let mut ix = b.ix;
        ix.text.shrink_to_fit();
        ix
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the snapshot has no sockets.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn local(&self, r: &Row) -> &[u8] {
        let start = r.start as usize;
        self.text
            .get(start..start + r.local_len as usize)
            .unwrap_or(&[])
    }

    fn remote(&self, r: &Row) -> &[u8] {
        let start = r.start as usize + r.local_len as usize;
        self.text
            .get(start..start + r.remote_len as usize)
            .unwrap_or(&[])
    }

    /// Rank of each row's address (or path) among the distinct ones:
    /// `(class, rank)` with class 0 for IPv4 (the address itself is the
    /// rank), 1 for IPv6, 2 for a UNIX path, `None` for no address.
    fn address_ranks(&self, snap: &Snapshot, local: bool) -> Vec<Option<(u8, u32)>> {
        let mut v6_ids: FxMap<u128, u32> = FxMap::default();
        let mut v6: Vec<u128> = Vec::new();
        let mut path_ids: FxMap<&[u8], u32> = FxMap::default();
        let mut paths: Vec<&[u8]> = Vec::new();
        let mut out: Vec<Option<(u8, u32)>> = self
            .rows
            .iter()
            .map(|r| {
                if r.kind == UNIX {
                    if !local {
                        return None;
                    }
                    let (t, u) = unix_row(snap, r.src)?;
                    let p = t.path(u);
                    let id = *path_ids.entry(p).or_insert_with(|| {
                        paths.push(p);
                        (paths.len() - 1) as u32
                    });
                    return Some((2, id));
                }
                let (_, row) = inet_row(snap, r.kind, r.src)?;
                let a = if local { &row.local } else { &row.remote };
                if !a.v6 {
                    Some((0, u32::from_be_bytes(a.v4_bytes())))
                } else if a.is_v4_mapped() {
                    let b = a.bytes;
                    Some((0, u32::from_be_bytes([b[12], b[13], b[14], b[15]])))
                } else {
                    let key = u128::from_be_bytes(a.bytes);
                    let id = *v6_ids.entry(key).or_insert_with(|| {
                        v6.push(key);
                        (v6.len() - 1) as u32
                    });
                    Some((1, id))
                }
            })
            .collect();
        let v6_rank = ranks_of(&v6);
        let path_rank = ranks_of(&paths);
        for slot in out.iter_mut().flatten() {
            let table = match slot.0 {
                1 => &v6_rank,
                2 => &path_rank,
                _ => continue,
            };
            slot.1 = table.get(slot.1 as usize).copied().unwrap_or(0);
        }
        out
    }

    /// The rows in one sort order (cached).
    fn order(&mut self, snap: &Snapshot, key: Key, desc: bool) -> Rc<Vec<u32>> {
        if let Some(pos) = self.orders.iter().position(|(k, _)| *k == (key, desc)) {
            let hit = self.orders.remove(pos);
            let order = hit.1.clone();
            self.orders.push(hit);
            return order;
        }
        let value = |v: Option<u64>| match v {
            None => NULL,
            Some(v) if desc => MAX_VALUE - v.min(MAX_VALUE),
            Some(v) => v.min(MAX_VALUE),
        };
        let rows = &self.rows;
        let inet = |r: &Row| inet_row(snap, r.kind, r.src).map(|(_, row)| row);
        let keyed: Vec<(u64, u32)> = match key {
            Key::Local | Key::Remote => {
                let ranks = self.address_ranks(snap, key == Key::Local);
                rows.iter()
                    .zip(ranks)
                    .map(|(r, rank)| {
                        rank.map(|(class, rank)| {
                            let port = inet(r).map_or(0, |row| {
                                if key == Key::Local {
                                    row.local_port & 0xffff
                                } else {
                                    row.remote_port & 0xffff
                                }
                            });
                            u64::from(class) << 48 | u64::from(rank) << 16 | u64::from(port)
                        })
                    })
                    .map(value)
                    .enumerate()
                    .map(|(i, k)| (k, i as u32))
                    .collect()
            }
            _ => {
                let state_ranks = self.states.ranks();
                let user_ranks = self.users.ranks();
                let program_ranks = self.programs.ranks();
                let procs = &self.procs;
                let proc_of = |r: &Row| procs.get(r.process as usize).copied();
                rows.iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let v = match key {
                            Key::Proto => Some(u64::from(r.kind)),
                            Key::RecvQ => inet(r).map(|row| row.rx_queue),
                            Key::SendQ => inet(r).map(|row| row.tx_queue),
                            Key::Inode => match inet(r) {
                                Some(row) => Some(row.inode),
                                None => unix_row(snap, r.src).map(|(_, u)| u.inode),
                            },
                            Key::State => state_ranks.get(r.state as usize).map(|&s| u64::from(s)),
                            Key::User => user_ranks.get(r.user as usize).map(|&u| u64::from(u)),
                            Key::Pid => proc_of(r).map(|(pid, _)| u64::from(pid)),
                            Key::Program => proc_of(r).map(|(pid, prog)| {
                                let rank = program_ranks.get(prog as usize).copied().unwrap_or(0);
                                u64::from(rank) << 32 | u64::from(pid)
                            }),
                            Key::Local | Key::Remote => None,
                        };
                        (value(v), i as u32)
                    })
                    .collect()
            }
        };
        let order = Rc::new(radix_sort(keyed));
        if self.orders.len() >= SORT_CACHE {
            self.orders.remove(0);
        }
        self.orders.push(((key, desc), order.clone()));
        order
    }

    /// Answers a query given as JSON text with JSON text.
    pub fn query_json(&mut self, snap: &Snapshot, query: &str) -> Result<String, String> {
        let q: Query = serde_json::from_str(query).map_err(|e| format!("bad query: {e}"))?;
        let answer = self.query(snap, &q)?;
        serde_json::to_string(&answer).map_err(|e| format!("bad query: {e}"))
    }

    /// Answers a query.
    pub fn query<'s>(&'s mut self, snap: &'s Snapshot, q: &Query) -> Result<Answer<'s>, String> {
        let sort = match &q.sort {
            Some(s) => Key::parse(&s.key)?.map(|k| (k, s.desc)),
            None => None,
        };
        let cached = self
            .last
            .as_ref()
            .filter(|m| m.sort == sort && m.filter == q.filter)
            .map(|m| m.rows.clone());
        let matched = match cached {
            Some(m) => m,
            None => {
                let pred = Predicate::new(self, &q.filter)?;
                let order = sort.map(|(k, d)| self.order(snap, k, d));
                let rows: Vec<u32> = match (&order, pred.is_empty()) {
                    (Some(o), true) => o.to_vec(),
                    (Some(o), false) => {
                        // Decide in row order (memory order), then walk the sort order.
                        let hit: Vec<bool> = (0..self.rows.len())
                            .map(|i| pred.matches(self, snap, i))
                            .collect();
                        o.iter()
                            .copied()
                            .filter(|&i| hit.get(i as usize).copied().unwrap_or(false))
                            .collect()
                    }
                    (None, _) => (0..self.rows.len() as u32)
                        .filter(|&i| pred.matches(self, snap, i as usize))
                        .collect(),
                };
                let rows = Rc::new(rows);
                self.last = Some(Matched {
                    sort,
                    filter: q.filter.clone(),
                    rows: rows.clone(),
                });
                rows
            }
        };
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        let page: Vec<RowJson<'s>> = matched
            .iter()
            .skip(q.offset)
            .take(limit)
            .filter_map(|&i| self.row_json(snap, i as usize))
            .collect();
        Ok(Answer {
            total: self.rows.len(),
            matched: matched.len(),
            offset: q.offset,
            rows: page,
        })
    }

    fn row_json<'s>(&'s self, snap: &'s Snapshot, i: usize) -> Option<RowJson<'s>> {
        let r = self.rows.get(i)?;
        let state = self.states.get(u32::from(r.state)).unwrap_or("");
        let (pid, program) = match self.procs.get(r.process as usize) {
            Some(&(pid, prog)) => (Some(pid), self.programs.get(prog)),
            None => (None, None),
        };
        if r.kind == UNIX {
            let (t, u) = unix_row(snap, r.src)?;
            return Some(RowJson {
                proto: if u.protocol == 0 { "unix" } else { "??" },
                recvq: None,
                sendq: None,
                local: json::text(t.path(u)),
                remote: Cow::Borrowed(""),
                state,
                user: None,
                inode: u.inode,
                pid,
                program,
            });
        }
        let (kind, row) = inet_row(snap, r.kind, r.src)?;
        // The index keeps the text lower-cased; numeric addresses are already.
        Some(RowJson {
            proto: proto_name(kind),
            recvq: Some(row.rx_queue),
            sendq: Some(row.tx_queue),
            local: json::text(self.local(r)),
            remote: json::text(self.remote(r)),
            state,
            user: self.users.get(r.user),
            inode: row.inode,
            pid,
            program,
        })
    }
}

/// The `text` filter: a substring of any column.
struct TextFilter {
    finder: Finder<'static>,
    /// Whether the needle is all digits (then the numbers are searched too).
    digits: bool,
    kinds: [bool; 9],
    states: Vec<bool>,
    users: Vec<bool>,
    procs: Vec<bool>,
    no_proc: bool,
}

/// A compiled filter.
struct Predicate {
    kinds: Option<[bool; 9]>,
    states: Option<Vec<bool>>,
    local: Option<Finder<'static>>,
    remote: Option<Finder<'static>>,
    /// By process, and for sockets without one.
    procs: Option<(Vec<bool>, bool)>,
    users: Option<Vec<bool>>,
    text: Option<TextFilter>,
}

fn finder(s: &str) -> Option<Finder<'static>> {
    if s.is_empty() {
        None
    } else {
        Some(Finder::new(s.to_ascii_lowercase().as_bytes()).into_owned())
    }
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|w| !w.is_empty())
}

/// Whether each process's `pid/program` contains the needle.
fn procs_matching(ix: &Index, f: &Finder<'_>) -> Vec<bool> {
    ix.procs
        .iter()
        .map(|&(pid, prog)| {
            let text = format!("{pid}/{}", ix.programs.get(prog).unwrap_or(""));
            f.find(text.to_ascii_lowercase().as_bytes()).is_some()
        })
        .collect()
}

impl Predicate {
    fn new(ix: &Index, f: &Filter) -> Result<Predicate, String> {
        let kinds = if list(&f.proto).next().is_none() {
            None
        } else {
            let mut k = [false; 9];
            for name in list(&f.proto) {
                let name = name.to_ascii_lowercase();
                let name = match name.as_str() {
                    "udplite" => "udpl",
                    "udplite6" => "udpl6",
                    n => n,
                };
                match PROTOS.iter().position(|p| *p == name) {
                    Some(i) => k[i] = true,
                    None => {
                        return Err(format!(
                            "unknown proto `{name}' (one of {})",
                            PROTOS.join(", ")
                        ));
                    }
                }
            }
            Some(k)
        };
        let states = if list(&f.state).next().is_none() {
            None
        } else {
            let wanted: Vec<String> = list(&f.state).map(str::to_ascii_lowercase).collect();
            Some(
                ix.states
                    .texts
                    .iter()
                    .map(|s| wanted.contains(&s.to_ascii_lowercase()))
                    .collect(),
            )
        };
        let procs = finder(&f.process).map(|p| (procs_matching(ix, &p), p.find(b"-").is_some()));
        let users = finder(&f.user).map(|u| ix.users.matching(&u));
        let text = finder(&f.text).map(|t| {
            let mut kinds = [false; 9];
            for (k, name) in kinds.iter_mut().zip(PROTOS) {
                *k = t.find(name.as_bytes()).is_some();
            }
            TextFilter {
                digits: f.text.bytes().all(|b| b.is_ascii_digit()),
                kinds,
                states: ix.states.matching(&t),
                users: ix.users.matching(&t),
                procs: procs_matching(ix, &t),
                no_proc: t.find(b"-").is_some(),
                finder: t,
            }
        });
        Ok(Predicate {
            kinds,
            states,
            local: finder(&f.local),
            remote: finder(&f.remote),
            procs,
            users,
            text,
        })
    }

    fn is_empty(&self) -> bool {
        self.kinds.is_none()
            && self.states.is_none()
            && self.local.is_none()
            && self.remote.is_none()
            && self.procs.is_none()
            && self.users.is_none()
            && self.text.is_none()
    }

    fn matches(&self, ix: &Index, snap: &Snapshot, i: usize) -> bool {
        let Some(r) = ix.rows.get(i) else {
            return false;
        };
        let by = |table: &[bool], id: u32| table.get(id as usize).copied().unwrap_or(false);
        if let Some(k) = &self.kinds
            && !by(k, u32::from(r.kind))
        {
            return false;
        }
        if let Some(s) = &self.states
            && !by(s, u32::from(r.state))
        {
            return false;
        }
        if let Some((procs, none)) = &self.procs {
            let ok = if r.process == NONE {
                *none
            } else {
                by(procs, r.process)
            };
            if !ok {
                return false;
            }
        }
        if let Some(users) = &self.users
            && !by(users, r.user)
        {
            return false;
        }
        if let Some(f) = &self.local
            && f.find(ix.local(r)).is_none()
        {
            return false;
        }
        if let Some(f) = &self.remote
            && f.find(ix.remote(r)).is_none()
        {
            return false;
        }
        match &self.text {
            None => true,
            Some(t) => {
                by(&t.kinds, u32::from(r.kind))
                    || by(&t.states, u32::from(r.state))
                    || by(&t.users, r.user)
                    || (if r.process == NONE {
                        t.no_proc
                    } else {
                        by(&t.procs, r.process)
                    })
                    || t.finder.find(ix.local(r)).is_some()
                    || t.finder.find(ix.remote(r)).is_some()
                    || (t.digits && numbers_match(&t.finder, snap, r))
            }
        }
    }
}

/// Whether the queues or the inode of a row contain the needle.
fn numbers_match(f: &Finder<'_>, snap: &Snapshot, r: &Row) -> bool {
    let mut buf = [0u8; 20];
    match inet_row(snap, r.kind, r.src) {
        Some((_, row)) => [row.rx_queue, row.tx_queue, row.inode]
            .into_iter()
            .any(|v| f.find(fmt_u64(&mut buf, v)).is_some()),
        None => {
            unix_row(snap, r.src).is_some_and(|(_, u)| f.find(fmt_u64(&mut buf, u.inode)).is_some())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Snapshot {
        load("server")
    }

    fn load(name: &str) -> Snapshot {
        let path = format!(
            "{}/../fixtures/{name}/snapshot.tar.gz",
            env!("CARGO_MANIFEST_DIR")
        );
        let data = std::fs::read(path).expect("fixture");
        netsnap::load(
            &data[..],
            &netsnap::LoadPlan::everything(),
            &Default::default(),
        )
        .expect("loads")
    }

    fn ask(ix: &mut Index, snap: &Snapshot, q: &str) -> serde_json::Value {
        serde_json::from_str(&ix.query_json(snap, q).expect("answers")).expect("JSON")
    }

    #[test]
    fn natural_order_and_paging() {
        let snap = server();
        let mut ix = Index::build(&snap);
        let all = ask(&mut ix, &snap, r#"{"limit": 100000}"#);
        let total = all["total"].as_u64().expect("total") as usize;
        assert_eq!(total, ix.len());
        assert_eq!(all["matched"], all["total"]);
        let rows = all["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), total);
        assert_eq!(rows[0]["proto"], "tcp");
        assert_eq!(rows[0]["local"], "0.0.0.0:8990");
        assert_eq!(rows[0]["remote"], "0.0.0.0:*");
        assert_eq!(rows[0]["state"], "LISTEN");
        assert_eq!(rows[0]["pid"], 4926);
        assert_eq!(rows[0]["program"], "python3");
        assert_eq!(rows[0]["user"], "root");
        let page = ask(&mut ix, &snap, r#"{"offset": 2, "limit": 3}"#);
        assert_eq!(page["rows"].as_array().map(Vec::len), Some(3));
        assert_eq!(page["rows"][0], rows[2]);
        assert!(
            rows.iter()
                .any(|r| r["local"] == "2001:db8:1234:5678:9abc:def0:1234:5678:443")
        );
    }

    #[test]
    fn filters() {
        let snap = server();
        let mut ix = Index::build(&snap);
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"proto": "tcp", "state": "listen"}, "limit": 1000}"#,
        );
        let rows = a["rows"].as_array().expect("rows");
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r["proto"] == "tcp" && r["state"] == "LISTEN")
        );
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"local": ":22"}, "limit": 1000}"#,
        );
        let rows = a["rows"].as_array().expect("rows");
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r["local"].as_str().is_some_and(|l| l.contains(":22")))
        );
        let a = ask(&mut ix, &snap, r#"{"filter": {"text": "PYTHON3"}}"#);
        assert!(a["matched"].as_u64().unwrap_or(0) > 0);
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"process": "nothing-like-this"}}"#,
        );
        assert_eq!(a["matched"], 0);
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"proto": "tcp6,udp6"}, "limit": 1000}"#,
        );
        assert!(
            a["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .all(|r| r["proto"] == "tcp6" || r["proto"] == "udp6")
        );
        assert!(
            ix.query_json(&snap, r#"{"filter": {"proto": "nope"}}"#)
                .is_err()
        );
        assert!(
            ix.query_json(&snap, r#"{"sort": {"key": "nope"}}"#)
                .is_err()
        );
        assert!(ix.query_json(&snap, r#"{"filtre": {}}"#).is_err());
        assert!(ix.query_json(&snap, "not json").is_err());
    }

    #[test]
    fn endpoints_as_the_model_writes_them() {
        let mut addrs = vec![
            Addr::v4([0, 0, 0, 0]),
            Addr::v4([127, 0, 0, 1]),
            Addr::v4([255, 255, 255, 255]),
            Addr::v6([0; 16]),
        ];
        for s in [
            "::1",
            "::ffff:10.1.2.3",
            "::ffff:0.0.0.0",
            "::1.2.3.4",
            "2001:db8::1",
            "fe80::1:2:3:4",
            "2001:db8:1234:5678:9abc:def0:1234:5678",
        ] {
            let a: std::net::Ipv6Addr = s.parse().expect("address");
            addrs.push(Addr::v6(a.octets()));
        }
        for a in &addrs {
            for port in [0u32, 1, 22, 65535, 0x1_0016] {
                let mut t = Vec::new();
                let len = push_endpoint(&mut t, a, port);
                assert_eq!(t, json::endpoint_text(a, port), "{a:?} {port}");
                assert_eq!(len as usize, t.len());
            }
        }
    }

    #[test]
    fn unix_rows() {
        let snap = load("unix");
        let mut ix = Index::build(&snap);
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"proto": "unix"}, "limit": 100000}"#,
        );
        let rows = a["rows"].as_array().expect("rows");
        assert!(!rows.is_empty());
        let n = snap.unix.as_ref().map_or(0, |t| t.rows.len());
        assert_eq!(rows.len(), n);
        assert!(
            rows.iter()
                .all(|r| r["recvq"].is_null() && r["remote"] == "")
        );
        assert!(rows.iter().any(|r| r["state"] == "LISTENING"));
        let a = ask(
            &mut ix,
            &snap,
            r#"{"sort": {"key": "local"}, "filter": {"proto": "unix"}, "limit": 100000}"#,
        );
        let paths: Vec<&str> = a["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["local"].as_str())
            .collect();
        assert!(paths.windows(2).all(|w| w[0].as_bytes() <= w[1].as_bytes()));
    }

    #[test]
    fn rows_agree_with_the_model_on_every_fixture() {
        let dir = format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for e in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let Ok(data) = std::fs::read(e.path().join("snapshot.tar.gz")) else {
                continue;
            };
            let Ok(snap) = netsnap::load(
                &data[..],
                &netsnap::LoadPlan::everything(),
                &Default::default(),
            ) else {
                continue;
            };
            let model = json::model_json(&snap);
            let sockets = model["sockets"].as_array().cloned().unwrap_or_default();
            let mut ix = Index::build(&snap);
            let a = ask(&mut ix, &snap, r#"{"limit": 10000000}"#);
            let rows = a["rows"].as_array().cloned().unwrap_or_default();
            assert_eq!(rows.len(), sockets.len(), "{}", e.path().display());
            for (r, s) in rows.iter().zip(&sockets) {
                for k in [
                    "proto", "local", "remote", "state", "inode", "pid", "program", "recvq",
                    "sendq", "user",
                ] {
                    let want = if s[k].is_null() && k == "user" {
                        &serde_json::Value::Null
                    } else {
                        &s[k]
                    };
                    assert_eq!(&r[k], want, "{} {k}: {r} vs {s}", e.path().display());
                }
            }
            checked += rows.len();
        }
        assert!(checked > 1000, "{checked}");
    }

    #[test]
    fn process_map_is_program_map() {
        let dir = format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let Ok(data) = std::fs::read(e.path().join("snapshot.tar.gz")) else {
                continue;
            };
            let Ok(mut snap) = netsnap::load(
                &data[..],
                &netsnap::LoadPlan::everything(),
                &Default::default(),
            ) else {
                continue;
            };
            // A long argv[0], cut at 19 bytes inside a UTF-8 sequence.
            snap.processes
                .cmdlines
                .insert(4_000_000, "/x/abcdefghijklé\0".as_bytes().to_vec());
            snap.processes.fds.push(netsnap::model::FdLink {
                pid: 4_000_000,
                fd: 3,
                inode: Some(u64::MAX),
            });
            let pm = ProgramMap::build(&snap.processes, 0);
            let mut ix = Index::build(&Snapshot::default());
            let map = process_map(&snap, &mut ix);
            for link in &snap.processes.fds {
                let Some(inode) = link.inode else { continue };
                let want = json::text(pm.get(inode)).into_owned();
                let got = match map.get(inode).and_then(|i| ix.procs.get(i as usize)) {
                    Some(&(pid, prog)) => format!("{pid}/{}", ix.programs.get(prog).unwrap_or("")),
                    None => "-".to_string(),
                };
                assert_eq!(got, want, "{} inode {inode}", e.path().display());
            }
        }
    }

    #[test]
    fn text_filter_and_nulls_last() {
        let snap = load("procs");
        let mut ix = Index::build(&snap);
        let all = ask(&mut ix, &snap, r#"{"limit": 100000}"#);
        let rows = all["rows"].as_array().expect("rows").clone();
        let inet = rows.iter().filter(|r| r["proto"] != "unix").count();
        assert!(inet > 0 && inet < rows.len());
        for key in ["recvq", "user"] {
            for desc in [false, true] {
                let q =
                    format!(r#"{{"sort": {{"key": "{key}", "desc": {desc}}}, "limit": 100000}}"#);
                let a = ask(&mut ix, &snap, &q);
                let got = a["rows"].as_array().expect("rows");
                assert!(
                    got[..inet].iter().all(|r| !r[key].is_null()),
                    "{key} {desc}"
                );
                assert!(got[inet..].iter().all(|r| r[key].is_null()), "{key} {desc}");
            }
        }
        // Any column: a state, a number, a path.
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"text": "listen"}, "limit": 100000}"#,
        );
        let got = a["rows"].as_array().expect("rows");
        assert!(!got.is_empty());
        assert!(
            got.iter()
                .all(|r| r["state"].as_str().is_some_and(|s| s.starts_with("LISTEN")))
        );
        let inode = rows[rows.len() - 1]["inode"].clone();
        let a = ask(
            &mut ix,
            &snap,
            &format!(r#"{{"filter": {{"text": "{inode}"}}, "limit": 100000}}"#),
        );
        assert!(
            a["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .any(|r| r["inode"] == inode)
        );
        let a = ask(
            &mut ix,
            &snap,
            r#"{"filter": {"process": "-"}, "limit": 100000}"#,
        );
        assert!(
            a["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .all(|r| r["pid"].is_null()
                    || r["program"].as_str().is_some_and(|p| p.contains('-')))
        );
    }

    #[test]
    fn sorts() {
        let snap = server();
        let mut ix = Index::build(&snap);
        for key in [
            "proto", "recvq", "sendq", "local", "remote", "state", "pid", "program", "user",
            "inode",
        ] {
            for desc in [false, true] {
                let q =
                    format!(r#"{{"sort": {{"key": "{key}", "desc": {desc}}}, "limit": 100000}}"#);
                let a = ask(&mut ix, &snap, &q);
                assert_eq!(a["matched"], a["total"], "{key}");
            }
        }
        let a = ask(
            &mut ix,
            &snap,
            r#"{"sort": {"key": "recvq", "desc": true}, "limit": 1}"#,
        );
        let top = a["rows"][0]["recvq"].as_u64().expect("recvq");
        let all = ask(&mut ix, &snap, r#"{"limit": 100000}"#);
        let max = all["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["recvq"].as_u64())
            .max();
        assert_eq!(Some(top), max);
        let a = ask(
            &mut ix,
            &snap,
            r#"{"sort": {"key": "local"}, "filter": {"proto": "tcp"}, "limit": 1000}"#,
        );
        let locals: Vec<&str> = a["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["local"].as_str())
            .collect();
        assert_eq!(locals.first(), Some(&"0.0.0.0:22"));
        assert!(
            locals.iter().position(|l| *l == "10.77.0.1:22")
                < locals.iter().position(|l| *l == "127.0.0.1:631")
        );
    }
}

#[cfg(test)]
mod bench {
    use super::*;
    use std::time::{Duration, Instant};

    /// `NETSNAP_BENCH=/tmp/big.tar.gz cargo test --release -p netsnap-web bench -- --ignored --nocapture`
    /// (web/tests/make-big-snapshot.py writes such snapshots).
    #[test]
    #[ignore = "timing only; needs NETSNAP_BENCH=snapshot.tar.gz"]
    fn timings() {
        let Ok(path) = std::env::var("NETSNAP_BENCH") else {
            return;
        };
        let data = std::fs::read(path).expect("snapshot");
        let t = Instant::now();
        let snap = netsnap::load(
            &data[..],
            &netsnap::LoadPlan::everything(),
            &Default::default(),
        )
        .expect("loads");
        eprintln!("load {:?}", t.elapsed());
        let t = Instant::now();
        let pm = netsnap::render::programs::ProgramMap::build(&snap.processes, 0);
        eprintln!(
            "program map {:?} ({})",
            t.elapsed(),
            pm.get(1_000_001).len()
        );
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let ix = Index::build(&snap);
            best = best.min(t.elapsed());
            drop(ix);
        }
        eprintln!("index, best of 3: {best:?}");
        let mut ix = Index::build(&snap);
        eprintln!("{} rows, {} text bytes", ix.len(), ix.text.len());
        for q in [
            r#"{"sort":{"key":"local"}}"#,
            r#"{"sort":{"key":"remote","desc":true}}"#,
            r#"{"sort":{"key":"program"}}"#,
            r#"{"sort":{"key":"recvq","desc":true}}"#,
            r#"{"filter":{"text":"443"}}"#,
            r#"{"filter":{"text":"nginx"}}"#,
            r#"{"sort":{"key":"local"},"filter":{"local":":22"}}"#,
        ] {
            let t = Instant::now();
            let a = ix.query_json(&snap, q).expect("answers");
            eprintln!("{q}: {:?} ({} bytes)", t.elapsed(), a.len());
        }
    }
}
