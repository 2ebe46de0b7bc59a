//! The connections table behind `Snapshot.query`: every socket (Internet
//! and UNIX) as one row, filtered, sorted and paged.
//!
//! The [`Index`] is built once per snapshot: a compact record per row
//! (table, row number, interned state, user and program) and one
//! lower-cased text per row for the substring filters. Sorting works on
//! keys read from the snapshot, and the last few sort orders and the last
//! filter result are cached, so paging through a result costs only the
//! page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use memchr::memmem::Finder;
use netsnap::model::{Addr, InetKind, InetRow, Snapshot, UnixRow};
use netsnap::render::json::{
    self, endpoint_text, inet_state, proto_name, split_program, unix_state, user_text,
};
use netsnap::render::programs::ProgramMap;
use serde::{Deserialize, Serialize};

/// Rows returned when the query gives no `limit`.
pub const DEFAULT_LIMIT: usize = 100;

/// Sort orders kept besides the natural one.
const SORT_CACHE: usize = 4;

/// Longest text of one field kept for searching (longer UNIX paths and
/// names are searched in their first bytes only).
const FIELD_MAX: usize = 4096;

/// The `kind` of a UNIX row (Internet rows use [`InetKind::index`]).
const UNIX: u8 = 8;

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

/// A sort order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sort {
    /// `proto`, `recvq`, `sendq`, `local`, `remote`, `state`, `pid`,
    /// `program`, `user` or `inode`.
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
    /// Substring of `pid/program`.
    pub process: String,
    /// Substring of the user name (or uid).
    pub user: String,
    /// Substring of the whole row: proto, queues, local, remote, state,
    /// user, inode and `pid/program`, separated by single spaces.
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

/// A field of a row's search text: offset from the row's start and length.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    off: u16,
    len: u16,
}

/// One row of the index.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// [`InetKind::index`], or [`UNIX`].
    kind: u8,
    /// Interned state text.
    state: u16,
    /// Row number in its table.
    src: u32,
    /// Interned user text (`u32::MAX`: none).
    user: u32,
    /// Interned program text (`u32::MAX`: none).
    program: u32,
    /// Process id (0: none).
    pid: u32,
    /// Start of the row's search text.
    start: u32,
    local: Span,
    remote: Span,
    user_f: Span,
    process: Span,
}

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
            let (x, y) = (&self.texts[a as usize], &self.texts[b as usize]);
            x.to_ascii_lowercase()
                .cmp(&y.to_ascii_lowercase())
                .then_with(|| x.cmp(y))
        });
        let mut ranks = vec![0u32; ids.len()];
        for (rank, id) in ids.into_iter().enumerate() {
            ranks[id as usize] = rank as u32;
        }
        ranks
    }
}

/// A sort key and its direction (`true`: descending).
type SortKey = (Key, bool);

/// A cached result: the query's sort and filter, and the matched rows.
struct Matched {
    sort: Option<SortKey>,
    filter: Filter,
    rows: Rc<Vec<u32>>,
}

/// The row index of one snapshot, with its caches.
pub struct Index {
    rows: Vec<Row>,
    text: Vec<u8>,
    states: Interner,
    users: Interner,
    programs: Interner,
    /// Rank of each UNIX row by path (built on the first sort that needs it).
    unix_path_rank: Option<Vec<u32>>,
    orders: Vec<(SortKey, Rc<Vec<u32>>)>,
    last: Option<Matched>,
}

fn clamp(s: &[u8]) -> &[u8] {
    s.get(..FIELD_MAX).unwrap_or(s)
}

/// Appends `field` lower-cased to the row text and returns its span.
fn push_field(text: &mut Vec<u8>, start: usize, field: &[u8]) -> Span {
    if text.len() > start {
        text.push(b' ');
    }
    let off = text.len() - start;
    text.extend(clamp(field).iter().map(u8::to_ascii_lowercase));
    Span {
        off: off as u16,
        len: (text.len() - start - off) as u16,
    }
}

fn inet_row(snap: &Snapshot, kind: u8, src: u32) -> Option<(InetKind, &InetRow)> {
    let k = *InetKind::ALL.get(kind as usize)?;
    Some((k, snap.inet_table(k)?.rows.get(src as usize)?))
}

fn unix_row(snap: &Snapshot, src: u32) -> Option<&UnixRow> {
    snap.unix.as_ref()?.rows.get(src as usize)
}

/// Address sort key: IPv4 (and IPv4-mapped IPv6) before IPv6, by value.
fn addr_key(a: &Addr) -> (u8, u128) {
    if a.is_v4_mapped() {
        (
            0,
            u128::from(u32::from_be_bytes([
                a.bytes[12],
                a.bytes[13],
                a.bytes[14],
                a.bytes[15],
            ])),
        )
    } else if a.v6 {
        (1, u128::from_be_bytes(a.bytes))
    } else {
        (0, u128::from(u32::from_be_bytes(a.v4_bytes())))
    }
}

/// Stable sort of `0..n` by `key` (ties keep the natural order).
fn sort_by<K: Ord + Copy>(n: usize, desc: bool, key: impl Fn(usize) -> K) -> Vec<u32> {
    let mut v: Vec<(K, u32)> = (0..n).map(|i| (key(i), i as u32)).collect();
    if desc {
        v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    } else {
        v.sort_unstable();
    }
    v.into_iter().map(|(_, i)| i).collect()
}

impl Index {
    /// Builds the index of a snapshot (loaded with processes, for `-p`).
    pub fn build(snap: &Snapshot) -> Index {
        let programs_map = ProgramMap::build(&snap.processes, snap.manifest.euid);
        let n_inet: usize = InetKind::ALL
            .iter()
            .filter_map(|k| snap.inet_table(*k))
            .map(|t| t.rows.len())
            .sum();
        let n_unix = snap.unix.as_ref().map_or(0, |t| t.rows.len());
        let mut ix = Index {
            rows: Vec::with_capacity(n_inet + n_unix),
            text: Vec::with_capacity((n_inet + n_unix) * 80),
            states: Interner::default(),
            users: Interner::default(),
            programs: Interner::default(),
            unix_path_rank: None,
            orders: Vec::new(),
            last: None,
        };
        let mut user_ids: HashMap<i32, u32> = HashMap::new();
        let mut num = itoa_buf();
        for kind in InetKind::ALL {
            let Some(table) = snap.inet_table(kind) else {
                continue;
            };
            for (src, r) in table.rows.iter().enumerate() {
                let start = ix.text.len();
                let t = &mut ix.text;
                push_field(t, start, proto_name(kind).as_bytes());
                push_field(t, start, fmt_u64(&mut num, r.rx_queue));
                push_field(t, start, fmt_u64(&mut num, r.tx_queue));
                let local = push_field(t, start, &endpoint_text(&r.local, r.local_port));
                let remote = push_field(t, start, &endpoint_text(&r.remote, r.remote_port));
                let state_text = inet_state(kind, r.state);
                push_field(t, start, state_text.as_bytes());
                let user = *user_ids
                    .entry(r.uid)
                    .or_insert_with(|| ix.users.id(&json::text(&user_text(&snap.names, r.uid))));
                let user_f = push_field(t, start, ix.users.get(user).unwrap_or("").as_bytes());
                push_field(t, start, fmt_u64(&mut num, r.inode));
                let prog = programs_map.get(r.inode);
                let process = push_field(t, start, prog);
                let (pid, program) = match split_program(prog) {
                    Some((pid, name)) => (pid, ix.programs.id(&json::text(name))),
                    None => (0, u32::MAX),
                };
                let state = ix.states.id(&state_text) as u16;
                ix.rows.push(Row {
                    kind: kind.index() as u8,
                    state,
                    src: src as u32,
                    user,
                    program,
                    pid,
                    start: start as u32,
                    local,
                    remote,
                    user_f,
                    process,
                });
            }
        }
        if let Some(table) = &snap.unix {
            for (src, r) in table.rows.iter().enumerate() {
                let start = ix.text.len();
                let t = &mut ix.text;
                push_field(t, start, b"unix");
                let local = push_field(t, start, table.path(r));
                let remote = Span {
                    off: (t.len() - start) as u16,
                    len: 0,
                };
                let state_text = unix_state(r);
                push_field(t, start, state_text.as_bytes());
                push_field(t, start, fmt_u64(&mut num, r.inode));
                let prog: &[u8] = if table.has_inode {
                    programs_map.get(r.inode)
                } else {
                    b"-"
                };
                let process = push_field(t, start, prog);
                let (pid, program) = match split_program(prog) {
                    Some((pid, name)) => (pid, ix.programs.id(&json::text(name))),
                    None => (0, u32::MAX),
                };
                let state = ix.states.id(state_text) as u16;
                ix.rows.push(Row {
                    kind: UNIX,
                    state,
                    src: src as u32,
                    user: u32::MAX,
                    program,
                    pid,
                    start: start as u32,
                    local,
                    remote,
                    user_f: Span::default(),
                    process,
                });
            }
        }
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

    fn row_text(&self, i: usize) -> &[u8] {
        let start = self.rows.get(i).map_or(0, |r| r.start as usize);
        let end = self
            .rows
            .get(i + 1)
            .map_or(self.text.len(), |r| r.start as usize);
        self.text.get(start..end).unwrap_or(&[])
    }

    fn field(&self, i: usize, span: Span) -> &[u8] {
        let t = self.row_text(i);
        let off = span.off as usize;
        t.get(off..off + span.len as usize).unwrap_or(&[])
    }

    fn unix_path_ranks(&mut self, snap: &Snapshot) {
        self.unix_path_rank.get_or_insert_with(|| {
            let Some(t) = &snap.unix else {
                return Vec::new();
            };
            let mut ids: Vec<u32> = (0..t.rows.len() as u32).collect();
            ids.sort_by(|&a, &b| {
                let pa = t.rows.get(a as usize).map_or(&[][..], |r| t.path(r));
                let pb = t.rows.get(b as usize).map_or(&[][..], |r| t.path(r));
                pa.cmp(pb)
            });
            let mut ranks = vec![0u32; ids.len()];
            let mut rank = 0u32;
            let mut prev: Option<&[u8]> = None;
            for id in ids {
                let p = t.rows.get(id as usize).map_or(&[][..], |r| t.path(r));
                if prev.is_some_and(|q| q != p) {
                    rank += 1;
                }
                prev = Some(p);
                if let Some(slot) = ranks.get_mut(id as usize) {
                    *slot = rank;
                }
            }
            ranks
        });
    }

    /// The rows in one sort order (cached).
    fn order(&mut self, snap: &Snapshot, key: Key, desc: bool) -> Rc<Vec<u32>> {
        if let Some(pos) = self.orders.iter().position(|(k, _)| *k == (key, desc)) {
            let hit = self.orders.remove(pos);
            let order = hit.1.clone();
            self.orders.push(hit);
            return order;
        }
        let path_ranks = if key == Key::Local {
            self.unix_path_ranks(snap);
            self.unix_path_rank.as_deref().unwrap_or(&[])
        } else {
            &[]
        };
        let n = self.rows.len();
        let rows = &self.rows;
        let inet = |i: usize| rows.get(i).and_then(|r| inet_row(snap, r.kind, r.src));
        let order = match key {
            Key::Proto => sort_by(n, desc, |i| rows.get(i).map_or(0, |r| r.kind)),
            Key::RecvQ => sort_by(n, desc, |i| match inet(i) {
                Some((_, r)) => (0u8, r.rx_queue),
                None => (1, 0),
            }),
            Key::SendQ => sort_by(n, desc, |i| match inet(i) {
                Some((_, r)) => (0u8, r.tx_queue),
                None => (1, 0),
            }),
            Key::Inode => sort_by(n, desc, |i| match inet(i) {
                Some((_, r)) => r.inode,
                None => rows
                    .get(i)
                    .and_then(|r| unix_row(snap, r.src))
                    .map_or(0, |u| u.inode),
            }),
            Key::Local | Key::Remote => sort_by(n, desc, |i| match inet(i) {
                Some((_, r)) => {
                    let (a, p) = if key == Key::Local {
                        (&r.local, r.local_port)
                    } else {
                        (&r.remote, r.remote_port)
                    };
                    let (class, v) = addr_key(a);
                    (class, v, p & 0xffff)
                }
                None => {
                    let src = rows.get(i).map_or(0, |r| r.src);
                    (2, 0, path_ranks.get(src as usize).copied().unwrap_or(0))
                }
            }),
            Key::State => {
                let ranks = self.states.ranks();
                sort_by(n, desc, |i| {
                    rows.get(i)
                        .and_then(|r| ranks.get(r.state as usize))
                        .copied()
                        .unwrap_or(0)
                })
            }
            Key::User => {
                let ranks = self.users.ranks();
                sort_by(n, desc, |i| match rows.get(i) {
                    Some(r) if r.user != u32::MAX => {
                        (0u8, ranks.get(r.user as usize).copied().unwrap_or(0))
                    }
                    _ => (1, 0),
                })
            }
            Key::Program => {
                let ranks = self.programs.ranks();
                sort_by(n, desc, |i| match rows.get(i) {
                    Some(r) if r.program != u32::MAX => (
                        0u8,
                        ranks.get(r.program as usize).copied().unwrap_or(0),
                        r.pid,
                    ),
                    _ => (1, 0, 0),
                })
            }
            Key::Pid => sort_by(n, desc, |i| match rows.get(i) {
                Some(r) if r.pid != 0 => (0u8, r.pid),
                _ => (1, 0),
            }),
        };
        let order = Rc::new(order);
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
                    (Some(o), false) => o
                        .iter()
                        .copied()
                        .filter(|&i| pred.matches(self, i as usize))
                        .collect(),
                    (None, _) => (0..self.rows.len() as u32)
                        .filter(|&i| pred.matches(self, i as usize))
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
        let pid = (r.pid != 0).then_some(r.pid);
        let program = self.programs.get(r.program);
        if r.kind == UNIX {
            let t = snap.unix.as_ref()?;
            let u = t.rows.get(r.src as usize)?;
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
        Some(RowJson {
            proto: proto_name(kind),
            recvq: Some(row.rx_queue),
            sendq: Some(row.tx_queue),
            local: Cow::Owned(json::text(&endpoint_text(&row.local, row.local_port)).into_owned()),
            remote: Cow::Owned(
                json::text(&endpoint_text(&row.remote, row.remote_port)).into_owned(),
            ),
            state,
            user: self.users.get(r.user),
            inode: row.inode,
            pid,
            program,
        })
    }
}

/// A compiled filter.
struct Predicate {
    kinds: Option<[bool; 9]>,
    states: Option<Vec<bool>>,
    local: Option<Finder<'static>>,
    remote: Option<Finder<'static>>,
    process: Option<Finder<'static>>,
    user: Option<Finder<'static>>,
    text: Option<Finder<'static>>,
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
        Ok(Predicate {
            kinds,
            states,
            local: finder(&f.local),
            remote: finder(&f.remote),
            process: finder(&f.process),
            user: finder(&f.user),
            text: finder(&f.text),
        })
    }

    fn is_empty(&self) -> bool {
        self.kinds.is_none()
            && self.states.is_none()
            && self.local.is_none()
            && self.remote.is_none()
            && self.process.is_none()
            && self.user.is_none()
            && self.text.is_none()
    }

    fn matches(&self, ix: &Index, i: usize) -> bool {
        let Some(r) = ix.rows.get(i) else {
            return false;
        };
        if let Some(k) = &self.kinds
            && !k.get(r.kind as usize).copied().unwrap_or(false)
        {
            return false;
        }
        if let Some(s) = &self.states
            && !s.get(r.state as usize).copied().unwrap_or(false)
        {
            return false;
        }
        let hit = |f: &Option<Finder<'static>>, span: Span| match f {
            None => true,
            Some(f) => f.find(ix.field(i, span)).is_some(),
        };
        hit(&self.local, r.local)
            && hit(&self.remote, r.remote)
            && hit(&self.process, r.process)
            && hit(&self.user, r.user_f)
            && match &self.text {
                None => true,
                Some(f) => f.find(ix.row_text(i)).is_some(),
            }
    }
}

/// A buffer for decimal numbers.
fn itoa_buf() -> [u8; 20] {
    [0; 20]
}

/// The decimal text of `v`, written into `buf`.
fn fmt_u64(buf: &mut [u8; 20], mut v: u64) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &buf[i..]
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
