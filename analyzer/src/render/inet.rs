//! netstat's Internet socket rows (tcp, udp, udplite, raw; v4 and v6) and
//! the extra columns every socket row shares.
//!
//! Row layout: proto left in 4 (5 for udp), two spaces (one for udp), Recv-Q
//! and Send-Q right in 6, local and foreign `address:port` left in 23, state
//! left in 11; then ` user inode` (each left in 10) with `-e`, ` program`
//! (left in 20) with `-p`, and ` timer` with `-o`.

use crate::model::FdLink;
use crate::model::{Addr, InetKind, InetRow, InetTable, Names};
use crate::netstat::args::NetstatOptions;
use crate::parse::etc::ServiceProto;
use crate::render::addr::{EndpointStyle, put_endpoint_numeric, write_endpoint};
use crate::render::packed::{Cursor, Packer};
use crate::render::programs::{LOOKUPS, PROGNAME_WIDTH, ProgramBuilder, ProgramMap};
use crate::render::{
    Num, Room, pad_from, pad_left, pad_right, put_bytes, put_i64, put_i64_right, put_u64,
    write_i64, write_ticks,
};

/// TCP state names by `st` value (netstat's table; 0 is empty).
pub const TCP_STATES: [&str; 12] = [
    "",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
];

/// What netstat 2.10 prints for the TCP states past its table (12 to 15):
/// it indexes its table of state names without a bound, and the four
/// pointers after it are the first entries of its AX.25 state table. (From
/// 16 on it reads other memory, and prints garbage or crashes; netsnap
/// prints nothing there, with a diagnostic.)
const TCP_STATES_BEYOND: [&str; 4] = ["LISTENING", "CONN SENT", "DISC SENT", "ESTABLISHED"];

/// The state column of a TCP row, as netstat 2.10 prints it.
pub fn tcp_state_text(state: u32) -> &'static str {
    let i = state as usize;
    TCP_STATES
        .get(i)
        .or_else(|| TCP_STATES_BEYOND.get(i.wrapping_sub(TCP_STATES.len())))
        .copied()
        .unwrap_or("")
}

/// What the shared trailing columns need.
pub struct Extras<'a> {
    /// netstat options.
    pub opts: &'a NetstatOptions,
    /// Name databases.
    pub names: &'a Names,
    /// The `-p` map when `-p` is on.
    pub programs: Option<&'a ProgramMap>,
}

impl Extras<'_> {
    /// netstat's `finish_this_one`: User/Inode, program, timer, newline.
    pub fn finish(&self, out: &mut Vec<u8>, uid: i32, inode: u64, timer: &[u8]) {
        self.user_program(out, uid, inode, self.programs.map(|p| p.get(inode)));
        if self.opts.timers > 0 {
            out.push(b' ');
            out.extend_from_slice(timer);
        }
        out.push(b'\n');
    }

    /// The User and Inode columns (`-ee`) and the program column (`-p`).
    #[inline]
    fn user_program(&self, out: &mut Vec<u8>, uid: i32, inode: u64, program: Option<&[u8]>) {
        if self.opts.extend > 1 {
            out.push(b' ');
            let name = if self.opts.numeric_users {
                None
            } else {
                u32::try_from(uid)
                    .ok()
                    .and_then(|u| self.names.passwd.lookup(u))
            };
            match name {
                Some(n) => pad_right(out, n, 10),
                None => pad_right(out, Num::i(i64::from(uid)).bytes(), 10),
            }
            out.push(b' ');
            pad_right(out, Num::u(inode).bytes(), 10);
        }
        if let Some(p) = program {
            out.push(b' ');
            pad_right(out, p, PROGNAME_WIDTH);
        }
    }
}

/// Whether a row passes netstat's `-a` / `-l` / default filter.
#[inline]
pub fn shown(kind: InetKind, row: &InetRow, opts: &NetstatOptions) -> bool {
    if opts.all > 0 {
        return true;
    }
    let server = match kind {
        InetKind::Tcp | InetKind::Tcp6 => row.remote_port == 0,
        _ => row.remote.is_unspecified(),
    };
    if opts.listening > 0 { server } else { !server }
}

/// [`tcp_state_text`] padded to the column's 11 bytes, for states 0 to 15.
const TCP_STATES_PADDED: [[u8; 11]; 16] = {
    let mut t = [[b' '; 11]; 16];
    let mut i = 0;
    while i < 16 {
        let s = if i < 12 {
            TCP_STATES[i].as_bytes()
        } else {
            TCP_STATES_BEYOND[i - 12].as_bytes()
        };
        let mut j = 0;
        while j < s.len() {
            t[i][j] = s[j];
            j += 1;
        }
        i += 1;
    }
    t
};

/// The protocol column and the spaces after it (`%-4s  `, `%-5s ` for
/// udp and udplite: six bytes either way).
fn proto_column(kind: InetKind) -> &'static [u8; 6] {
    match kind {
        InetKind::Tcp => b"tcp   ",
        InetKind::Tcp6 => b"tcp6  ",
        InetKind::Udp => b"udp   ",
        InetKind::Udp6 => b"udp6  ",
        InetKind::UdpLite => b"udpl  ",
        InetKind::UdpLite6 => b"udpl6 ",
        InetKind::Raw => b"raw   ",
        InetKind::Raw6 => b"raw6  ",
    }
}

fn service_proto(kind: InetKind) -> ServiceProto {
    match kind {
        InetKind::Tcp | InetKind::Tcp6 => ServiceProto::Tcp,
        InetKind::Udp | InetKind::Udp6 | InetKind::UdpLite | InetKind::UdpLite6 => {
            ServiceProto::Udp
        }
        InetKind::Raw | InetKind::Raw6 => ServiceProto::Raw,
    }
}

/// Appends the `-o` text of a row (at most 63 bytes, as netstat's buffer).
fn write_timer(out: &mut Vec<u8>, kind: InetKind, row: &InetRow, user_hz: u32) {
    let start = out.len();
    let is_tcp = matches!(kind, InetKind::Tcp | InetKind::Tcp6);
    let retr = if is_tcp { row.retransmits as i64 } else { 0 };
    let divisor = if is_tcp { user_hz.max(1) } else { 100 };
    let name: &[u8] = match (is_tcp, row.timer) {
        (_, 0) => b"off (",
        (true, 1) => b"on (",
        (true, 2) => b"keepalive (",
        (true, 3) => b"timewait (",
        (true, 4) => b"probe (",
        (false, 1) => b"on1 (",
        (false, 2) => b"on2 (",
        (_, t) => {
            out.extend_from_slice(b"unkn-");
            write_i64(out, i64::from(t as i32));
            b" ("
        }
    };
    out.extend_from_slice(name);
    if row.timer == 0 {
        out.extend_from_slice(b"0.00");
    } else {
        write_ticks(out, row.when, divisor);
    }
    out.push(b'/');
    write_i64(out, retr);
    out.push(b'/');
    write_i64(out, i64::from(row.timeout));
    out.push(b')');
    out.truncate(start + 63);
}

/// What every row of one table shares.
struct Table<'a> {
    kind: InetKind,
    ex: &'a Extras<'a>,
    user_hz: u32,
    style: EndpointStyle,
    /// Numeric addresses and ports: rows are written in place.
    numeric: bool,
    /// Room a row needs in place, besides its user name.
    need: usize,
}

impl Table<'_> {
    /// The user name of `-ee`, when it is a name.
    #[inline]
    fn user_name(&self, uid: i32) -> Option<&[u8]> {
        let o = self.ex.opts;
        if o.extend > 1 && !o.numeric_users {
            u32::try_from(uid)
                .ok()
                .and_then(|u| self.ex.names.passwd.lookup(u))
        } else {
            None
        }
    }

    /// Writes one row of numeric text at the start of space-filled room of
    /// `self.need` bytes plus the user name's length; returns its length.
    #[inline]
    fn put_row(
        &self,
        b: &mut [u8],
        row: &InetRow,
        user: Option<&[u8]>,
        program: Option<&[u8]>,
        scratch: &mut Vec<u8>,
    ) -> usize {
        let kind = self.kind;
        let opts = self.ex.opts;
        let wide = self.style.wide;
        b[..6].copy_from_slice(proto_column(kind));
        let mut p = put_i64_right(b, 6, row.rx_queue as i64, 6) + 1;
        p = put_i64_right(b, p, row.tx_queue as i64, 6) + 1;
        let s = p;
        p = put_endpoint_numeric(b, p, &row.local, row.local_port, wide).max(s + 23) + 1;
        let s = p;
        p = put_endpoint_numeric(b, p, &row.remote, row.remote_port, wide).max(s + 23) + 1;
        match kind {
            InetKind::Tcp | InetKind::Tcp6 => {
                if let Some(st) = TCP_STATES_PADDED.get(row.state as usize) {
                    b[p..p + 11].copy_from_slice(st);
                }
                p += 11;
            }
            InetKind::Raw | InetKind::Raw6 => {
                let s = p;
                p = put_i64(b, p, i64::from(row.state as i32)).max(s + 11);
            }
            _ => {
                let st: &[u8; 11] = match row.state {
                    1 => b"ESTABLISHED",
                    7 => b"           ",
                    _ => b"UNKNOWN    ",
                };
                b[p..p + 11].copy_from_slice(st);
                p += 11;
            }
        }
        if opts.extend > 1 {
            p += 1;
            let s = p;
            p = match user {
                Some(n) => put_bytes(b, p, n),
                None => put_i64(b, p, i64::from(row.uid)),
            }
            .max(s + 10)
                + 1;
            let s = p;
            p = put_u64(b, p, row.inode).max(s + 10);
        }
        if let Some(pm) = program {
            p += 1;
            let s = p;
            p = put_bytes(b, p, pm).max(s + PROGNAME_WIDTH);
        }
        if opts.timers > 0 {
            p += 1;
            scratch.clear();
            write_timer(scratch, kind, row, self.user_hz);
            p = put_bytes(b, p, scratch);
        }
        b[p] = b'\n';
        p + 1
    }

    /// Appends one row.
    #[inline]
    fn row(&self, out: &mut Vec<u8>, row: &InetRow, program: Option<&[u8]>) {
        let kind = self.kind;
        let opts = self.ex.opts;
        let names = self.ex.names;
        out.extend_from_slice(proto_column(kind));
        pad_left(out, Num::i(row.rx_queue as i64).bytes(), 6);
        out.push(b' ');
        pad_left(out, Num::i(row.tx_queue as i64).bytes(), 6);
        out.push(b' ');
        let start = out.len();
        write_endpoint(out, names, &row.local, row.local_port, &self.style);
        pad_from(out, start, 23);
        out.push(b' ');
        let start = out.len();
        write_endpoint(out, names, &row.remote, row.remote_port, &self.style);
        pad_from(out, start, 23);
        out.push(b' ');
        match kind {
            InetKind::Tcp | InetKind::Tcp6 => {
                pad_right(out, tcp_state_text(row.state).as_bytes(), 11);
            }
            InetKind::Raw | InetKind::Raw6 => {
                pad_right(out, Num::i(i64::from(row.state as i32)).bytes(), 11);
            }
            _ => {
                let st: &[u8] = match row.state {
                    1 => b"ESTABLISHED",
                    7 => b"",
                    _ => b"UNKNOWN",
                };
                pad_right(out, st, 11);
            }
        }
        self.ex.user_program(out, row.uid, row.inode, program);
        if opts.timers > 0 {
            out.push(b' ');
            write_timer(out, kind, row, self.user_hz);
        }
        out.push(b'\n');
    }

    /// Appends the shown rows of `rows`.
    fn rows(&self, out: &mut Vec<u8>, rows: &[InetRow]) {
        // The `-p` names of a batch of rows are looked up before the rows
        // are written: independent lookups overlap their cache misses.
        const BATCH: usize = LOOKUPS;
        let opts = self.ex.opts;
        let kind = self.kind;
        let mut scratch = Vec::new();
        let mut room = Room::new(out);
        for chunk in rows.chunks(BATCH) {
            let mut names: [&[u8]; BATCH] = [b"-"; BATCH];
            if let Some(pm) = self.ex.programs {
                let mut inodes = [0u64; BATCH];
                for (i, row) in inodes.iter_mut().zip(chunk) {
                    *i = row.inode;
                }
                pm.get_many(&inodes[..chunk.len()], &mut names);
            }
            for (row, &name) in chunk.iter().zip(&names) {
                if !shown(kind, row, opts) {
                    continue;
                }
                let program = self.ex.programs.map(|_| name);
                if self.numeric {
                    self.put_in(&mut room, row, program, &mut scratch);
                } else {
                    room.append(|out| self.row(out, row, program));
                }
            }
        }
    }

    /// Writes one numeric row in `room`.
    #[inline]
    fn put_in(
        &self,
        room: &mut Room<'_>,
        row: &InetRow,
        program: Option<&[u8]>,
        scratch: &mut Vec<u8>,
    ) {
        let user = self.user_name(row.uid);
        let b = room.get(self.need + user.map_or(0, |u| u.len()));
        let n = self.put_row(b, row, user, program, scratch);
        room.advance(n);
    }

    /// Appends the rows `packer` packed into `packed` (shown rows of a numeric listing: a
    /// [`Prerender`]'s) from `cur` on, each with its program from `map`: about `rows` of them
    /// (a multiple of [`LOOKUPS`]), or up to the end; moves `cur` past them.
    fn packed_rows(
        &self,
        out: &mut Vec<u8>,
        packed: &[u8],
        cur: &mut Cursor,
        rows: usize,
        (packer, map): (Packer, &ProgramMap),
    ) {
        let mut scratch = Vec::new();
        let mut room = Room::new(out);
        let mut batch = [InetRow::default(); LOOKUPS];
        for _ in 0..rows.div_ceil(LOOKUPS) {
            let mut n = 0;
            while let Some(row) = batch.get_mut(n)
                && packer.unpack_into(packed, cur, row)
            {
                n += 1;
            }
            if n == 0 {
                return;
            }
            let mut inodes = [0u64; LOOKUPS];
            for (i, row) in inodes.iter_mut().zip(&batch[..n]) {
                *i = row.inode;
            }
            let mut programs: [&[u8]; LOOKUPS] = [b"-"; LOOKUPS];
            map.get_many(&inodes[..n], &mut programs);
            for (row, &program) in batch[..n].iter().zip(&programs) {
                self.put_in(&mut room, row, Some(program), &mut scratch);
            }
        }
    }

    /// Bytes a row takes, about.
    fn row_size(&self) -> usize {
        let o = self.ex.opts;
        let mut n = 81;
        if o.wide > 0 {
            n += 16;
        }
        if o.extend > 1 {
            n += 22;
        }
        if self.ex.programs.is_some() {
            n += 21;
        }
        if o.timers > 0 {
            n += 25;
        }
        n
    }
}

/// netstat's warning for a row it rejects.
fn bogus_warning(kind: InetKind) -> &'static [u8] {
    match kind {
        InetKind::Tcp | InetKind::Tcp6 => b"warning, got bogus tcp line.\n",
        InetKind::Raw | InetKind::Raw6 => b"warning, got bogus raw line.\n",
        _ => b"warning, got bogus udp line.\n",
    }
}

/// Writes one warning per bogus line of `table` into `err`.
pub fn render_warnings(err: &mut Vec<u8>, kind: InetKind, table: &InetTable) {
    for _ in &table.bogus_lines {
        err.extend_from_slice(bogus_warning(kind));
    }
}

impl<'a> Table<'a> {
    fn new(kind: InetKind, ex: &'a Extras<'a>, user_hz: u32) -> Self {
        let opts = ex.opts;
        // Proto, queues, two endpoints, state, User and Inode, program,
        // timer, newline, and slack for the fixed-size copies.
        let need = 6
            + 2 * 21
            + 2 * 57
            + 12
            + if opts.extend > 1 { 34 } else { 0 }
            + if ex.programs.is_some() {
                1 + PROGNAME_WIDTH
            } else {
                0
            }
            + if opts.timers > 0 { 64 } else { 0 }
            + 1
            + 16;
        Table {
            kind,
            ex,
            user_hz,
            style: EndpointStyle {
                proto: Some(service_proto(kind)),
                numeric_hosts: opts.numeric_hosts,
                numeric_ports: opts.numeric_ports,
                wide: opts.wide > 0,
            },
            numeric: opts.numeric_hosts && opts.numeric_ports,
            need,
        }
    }
}

/// Renders the shown rows of one table into `out`, and its bogus-line
/// warnings into `err`.
pub fn render_table(
    out: &mut Vec<u8>,
    err: &mut Vec<u8>,
    kind: InetKind,
    table: &InetTable,
    ex: &Extras<'_>,
    user_hz: u32,
) {
    let opts = ex.opts;
    render_warnings(err, kind, table);
    let t = Table::new(kind, ex, user_hz);
    let rows = table.rows.as_slice();
    let shown_rows = if rows.len() > crate::render::PARALLEL_ROWS {
        rows.iter().filter(|r| shown(kind, r, opts)).count()
    } else {
        rows.len()
    };
    crate::render::in_parts(out, rows, shown_rows, t.row_size(), &|buf, part| {
        t.rows(buf, part)
    });
}

/// Whether a socket listing's rows print from the row alone but for their `-p` column (numeric
/// hosts, ports and users, one round), so that [`Prerender`] can take them as they are read:
/// the views that need nothing after the socket tables ([`crate::netstat::plan`]'s
/// `only_tables`), and the same with `-p`, whose rows are printed once the processes are read
/// ([`Prerender::fill_programs`]).
pub fn prerenders(opts: &NetstatOptions) -> bool {
    // (`only_tables` is these views without `-p`.)
    let plan = crate::netstat::plan(opts);
    plan.sockets && !plan.frames && !crate::netstat::needs_names(opts)
}

/// One batch of rows the sink got: rendered, or (`-p`) packed until the programs are known.
#[derive(Debug, Default)]
struct Segment {
    /// The batch's place among all the batches the sink got.
    seq: u64,
    text: Vec<u8>,
    /// The shown rows, packed ([`Packer`]), while their program is not known.
    packed: Vec<u8>,
    /// How many rows `packed` holds.
    rows: usize,
    /// The local address of the last row packed ([`Packer::pack`]).
    last: Option<Addr>,
}

/// The rows of a socket listing taken while the archive is read (a [`crate::load::RowSink`]):
/// each internet table's text, as [`render_table`] writes it, for options that [`prerenders`]
/// accepts, in segments (one per batch of rows, in order). The snapshot then keeps no rows of
/// these tables. Without `-p` the rows are rendered as they come. With `-p` they are kept packed
/// (about 20 bytes a row where the text takes 100) and rendered once the processes are known:
/// all at once ([`Prerender::fill_programs`]), or, with a spill target, as they are printed
/// ([`Prerender::print`]), by other threads ahead of the printing one for big tables
/// ([`Prerender::fill_later`]).
#[derive(Debug)]
pub struct Prerender<'o> {
    opts: &'o NetstatOptions,
    names: Names,
    user_hz: u32,
    /// Each table's segments, in order (`None`: the table was not met).
    tables: [Option<Vec<Segment>>; 8],
    /// The number the next batch of rows gets.
    next_seq: u64,
    /// Whether each table is one segment, its room made from the table's size (on one thread:
    /// no copy), or one segment per batch, made in `scratch` and kept at its length (batches
    /// taken by two threads, [`Prerender::on_thread`]).
    whole: bool,
    /// Where a batch is rendered or packed before it is kept.
    scratch: Vec<u8>,
    /// How rows are packed (`-p` only).
    packer: Option<Packer>,
    /// The `-p` map being built from the processes as they are read (`-p` only).
    builder: Option<ProgramBuilder>,
    /// The map the rows' program columns come from, once known.
    programs: Option<ProgramMap>,
    /// The segments being rendered on other threads while the listing is printed
    /// ([`Prerender::fill_later`]).
    filling: std::cell::RefCell<Option<Filling>>,
}

/// Segments rendered on other threads while the listing is printed: they come back as they are
/// done, and [`Prerender::print`] takes them in order.
#[derive(Debug)]
struct Filling {
    /// Rendered segments: their place among all the segments, and the segment.
    done: std::sync::mpsc::Receiver<(usize, Segment)>,
    /// The segments no thread has taken yet: the printing thread renders the next one itself
    /// rather than wait for its own (no thread sleeps and is woken for each segment).
    jobs: Jobs,
    /// Segments done before their turn.
    early: std::collections::BTreeMap<usize, Segment>,
    /// Each table's places: from, to.
    places: [(usize, usize); 8],
    /// Texts printed, for the rendering threads to use again.
    texts: std::sync::Arc<crate::par::Pool>,
}

/// What rendering a packed segment needs besides the map.
#[derive(Debug, Clone, Copy)]
struct Unpacking<'o> {
    opts: &'o NetstatOptions,
    user_hz: u32,
    packer: Packer,
}

impl Unpacking<'_> {
    /// Appends the rows of `packed` (of a `kind` table), each with its program from `map`.
    fn render(&self, out: &mut Vec<u8>, kind: InetKind, packed: &[u8], map: &ProgramMap) {
        self.render_part(out, kind, (packed, &mut Cursor::default()), usize::MAX, map);
    }

    /// [`Unpacking::render`] for about `rows` rows from `cur` on (moved past them).
    fn render_part(
        &self,
        out: &mut Vec<u8>,
        kind: InetKind,
        (packed, cur): (&[u8], &mut Cursor),
        rows: usize,
        map: &ProgramMap,
    ) {
        let names = Names::default();
        let ex = numeric_extras(self.opts, &names, Some(map));
        Table::new(kind, &ex, self.user_hz).packed_rows(out, packed, cur, rows, (self.packer, map));
    }

    /// Room for the text of `rows` rows of a `kind` table.
    fn room(&self, kind: InetKind, rows: usize) -> usize {
        let names = Names::default();
        let map = ProgramMap::default();
        let ex = numeric_extras(self.opts, &names, Some(&map));
        rows.saturating_mul(Table::new(kind, &ex, self.user_hz).row_size())
    }
}

/// The segments [`Prerender::fill_later`] took out, for [`Refill::start`].
pub struct Refill<'o> {
    jobs: Jobs,
    done: std::sync::mpsc::SyncSender<(usize, Segment)>,
    texts: std::sync::Arc<crate::par::Pool>,
    how: Unpacking<'o>,
}

/// Packed segments to be rendered, each with its place among all the segments, in order.
type Jobs = std::sync::Arc<std::sync::Mutex<std::vec::IntoIter<(usize, InetKind, Segment)>>>;

/// The next of `jobs`, if any.
fn next_job(jobs: &Jobs) -> Option<(usize, InetKind, Segment)> {
    jobs.lock().ok().and_then(|mut j| j.next())
}

impl Unpacking<'_> {
    /// A packed segment of table `kind`, rendered with its programs from `map` into a text from
    /// `texts`.
    fn segment(
        &self,
        kind: InetKind,
        seg: &Segment,
        map: &ProgramMap,
        texts: &crate::par::Pool,
    ) -> Segment {
        let mut text = texts.take();
        text.reserve(self.room(kind, seg.rows));
        self.render(&mut text, kind, &seg.packed, map);
        Segment {
            text,
            ..Segment::default()
        }
    }
}

impl<'o> Refill<'o> {
    /// Renders the segments, with their programs from `map`, on threads of `scope`: one fewer
    /// than [`crate::par::threads`] (at least one), the printing thread being the last
    /// ([`Prerender::print`]).
    pub fn start<'s, 'e: 's>(self, scope: &'s std::thread::Scope<'s, 'e>, map: &'e ProgramMap)
    where
        'o: 'e,
    {
        let refill = std::sync::Arc::new(self);
        for _ in 0..crate::par::threads().saturating_sub(1).max(1) {
            let refill = std::sync::Arc::clone(&refill);
            scope.spawn(move || {
                while let Some((place, kind, seg)) = next_job(&refill.jobs) {
                    let seg = refill.how.segment(kind, &seg, map, &refill.texts);
                    if refill.done.send((place, seg)).is_err() {
                        break;
                    }
                }
            });
        }
    }
}

impl<'o> Prerender<'o> {
    /// An empty one for these options (which [`prerenders`] accepts).
    pub fn new(opts: &'o NetstatOptions) -> Self {
        Prerender {
            opts,
            names: Names::default(),
            user_hz: 100,
            tables: Default::default(),
            next_seq: 0,
            whole: true,
            scratch: Vec::new(),
            packer: (opts.programs > 0).then(|| Packer::new(opts)),
            builder: None,
            programs: None,
            filling: std::cell::RefCell::new(None),
        }
    }

    /// Takes out what holds most of its memory (the rows, the `-p` map), for
    /// [`crate::par::drop_later`].
    pub fn take_memory(&mut self) -> impl Send + 'static {
        (
            std::mem::take(&mut self.tables),
            self.programs.take(),
            self.builder.take(),
            self.filling.get_mut().take(),
        )
    }

    /// One that keeps a segment per batch, for [`Prerender::on_thread`].
    fn in_segments(opts: &'o NetstatOptions) -> Self {
        Prerender {
            whole: false,
            ..Prerender::new(opts)
        }
    }

    /// The options it renders for.
    pub fn options(&self) -> &'o NetstatOptions {
        self.opts
    }

    /// The length of all its texts.
    pub fn total_len(&self) -> usize {
        self.segments().map(|s| s.text.len()).sum()
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.tables.iter().flatten().flatten()
    }

    /// How packed segments are rendered (`-p` only).
    fn unpacking(&self) -> Option<Unpacking<'o>> {
        Some(Unpacking {
            opts: self.opts,
            user_hz: self.user_hz,
            packer: self.packer?,
        })
    }

    /// The rendered rows of a table the loader gave to it, in pieces to be printed one after
    /// the other; with `-p`, only once [`Prerender::fill_programs`] has rendered them.
    pub fn text(&self, kind: InetKind) -> Option<Vec<&[u8]>> {
        let segments = self.tables.get(kind.index())?.as_ref()?;
        if self.awaits_programs() || segments.iter().any(|s| s.rows > 0) {
            return None;
        }
        Some(segments.iter().map(|s| s.text.as_slice()).collect())
    }

    /// Prints a table's rendered rows (with a spill target set, written through it; see
    /// [`crate::render::append_or_spill`]); `false` if it has none. With
    /// [`Prerender::fill_later`], waits for each segment to be rendered; packed segments left by
    /// [`Prerender::fill_programs`] are rendered here, one at a time.
    pub fn print(&self, kind: InetKind, out: &mut Vec<u8>) -> bool {
        if let Some(f) = self.filling.borrow_mut().as_mut()
            && let Some(&(from, to)) = f.places.get(kind.index())
            && from < to
        {
            let (how, map) = (self.unpacking(), self.programs.as_ref());
            for place in from..to {
                let seg = loop {
                    if let Some(seg) = f.early.remove(&place) {
                        break seg;
                    }
                    let (p, seg) = match f.done.try_recv() {
                        Ok(done) => done,
                        // Rather than wait, the next segment no thread has taken.
                        Err(_) => match (next_job(&f.jobs), how, map) {
                            (Some((p, kind, seg)), Some(how), Some(map)) => {
                                (p, how.segment(kind, &seg, map, &f.texts))
                            }
                            _ => match f.done.recv() {
                                Ok(done) => done,
                                // A rendering thread failed (its panic is the scope's).
                                Err(_) => return true,
                            },
                        },
                    };
                    if p == place {
                        break seg;
                    }
                    f.early.insert(p, seg);
                };
                crate::render::spill_now(out, &seg.text);
                f.texts.give(seg.text);
            }
            return true;
        }
        if let (Some(how), Some(map), Some(Some(segments))) = (
            self.unpacking(),
            self.programs.as_ref(),
            self.tables.get(kind.index()),
        ) && segments.iter().any(|s| s.rows > 0)
        {
            // A few thousand rows at a time (a table is one segment on one thread).
            let mut text = Vec::new();
            for seg in segments {
                let mut cur = Cursor::default();
                while cur.at < seg.packed.len() {
                    let from = cur.at;
                    text.clear();
                    how.render_part(&mut text, kind, (&seg.packed, &mut cur), 8192, map);
                    crate::render::spill_now(out, &text);
                    if cur.at == from {
                        break;
                    }
                }
            }
            return true;
        }
        match self.text(kind) {
            Some(text) => {
                crate::render::append_or_spill(out, &text);
                true
            }
            None => false,
        }
    }

    /// Whether [`Prerender::fill_later`] pays for these tables: many rows, and threads to render
    /// them on.
    pub fn fills_later(&self) -> bool {
        let rows: usize = self.segments().map(|s| s.rows).sum();
        crate::par::threads() > 1 && crate::render::part_threads(rows) > 1
    }

    /// Keeps `map` and takes the segments out to be rendered ([`Refill::start`]) while the
    /// listing is printed ([`Prerender::print`]).
    pub fn fill_later(&mut self, map: ProgramMap) -> Refill<'o> {
        let threads = crate::par::threads().max(1);
        // Rendered segments wait for their turn in this queue (and, when done early, in
        // `Filling::early`); the rendering threads stop while it is full.
        let (tx, rx) = std::sync::mpsc::sync_channel(2 * threads);
        let mut jobs = Vec::new();
        let mut places = [(0usize, 0usize); 8];
        for ((table, place), kind) in self
            .tables
            .iter_mut()
            .zip(places.iter_mut())
            .zip(InetKind::ALL)
        {
            let from = jobs.len();
            for seg in table.iter_mut().flat_map(std::mem::take) {
                jobs.push((jobs.len(), kind, seg));
            }
            *place = (from, jobs.len());
        }
        let texts = std::sync::Arc::new(crate::par::Pool::default());
        let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs.into_iter()));
        *self.filling.get_mut() = Some(Filling {
            done: rx,
            jobs: std::sync::Arc::clone(&jobs),
            early: Default::default(),
            places,
            texts: std::sync::Arc::clone(&texts),
        });
        let how = self.unpacking().unwrap_or(Unpacking {
            opts: self.opts,
            user_hz: self.user_hz,
            packer: Packer::new(self.opts),
        });
        self.programs = Some(map);
        Refill {
            jobs,
            done: tx,
            texts,
            how,
        }
    }

    /// The `-p` map built from the processes as they were read ([`crate::load::RowSink::links`]),
    /// with netstat's message for the processes in `denied`; `None` when it took no processes.
    pub fn built_programs(
        &mut self,
        denied: &std::collections::BTreeSet<u32>,
        euid: u32,
    ) -> Option<ProgramMap> {
        self.packer?;
        let builder = self.builder.take().unwrap_or_default();
        Some(builder.finish(denied, euid))
    }

    /// The builder of the `-p` map, made when the first process comes, for about half as many
    /// sockets again as rows were taken (which sets how it sorts the links; the map is made at the
    /// end, the size the links need).
    fn builder(&mut self) -> &mut ProgramBuilder {
        let rows: usize = self.segments().map(|s| s.rows).sum();
        self.builder
            .get_or_insert_with(|| ProgramBuilder::with_capacity(rows + rows / 2))
    }

    /// Whether the rows are still waiting for their programs.
    pub fn awaits_programs(&self) -> bool {
        self.packer.is_some() && self.programs.is_none()
    }

    /// The map the program columns were filled from.
    pub fn programs(&self) -> Option<&ProgramMap> {
        self.programs.as_ref()
    }

    /// Keeps `map`, the programs of the rows (`-p`), and renders the rows with them: at once, on
    /// up to [`crate::par::threads`] threads for big tables, or, with a spill target set, as
    /// they are printed ([`Prerender::print`]).
    pub fn fill_programs(&mut self, map: ProgramMap) {
        if self.awaits_programs()
            && !crate::render::spilling()
            && let Some(how) = self.unpacking()
        {
            let mut segments: Vec<(InetKind, &mut Segment)> = Vec::new();
            for (table, kind) in self.tables.iter_mut().zip(InetKind::ALL) {
                segments.extend(table.iter_mut().flatten().map(|s| (kind, s)));
            }
            render_segments(&mut segments, how, &map);
        }
        self.programs = Some(map);
    }
}

/// Renders the packed `segments` with their programs from `map`, in runs of about as many rows
/// on scoped threads for big tables.
fn render_segments(
    segments: &mut [(InetKind, &mut Segment)],
    how: Unpacking<'_>,
    map: &ProgramMap,
) {
    let rows: usize = segments.iter().map(|(_, s)| s.rows).sum();
    let threads = crate::render::part_threads(rows);
    let per = rows.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let mut rest = segments;
        let mut handles = Vec::new();
        while !rest.is_empty() {
            // Segments up to about `per` rows.
            let mut n = 0;
            let mut k = 0;
            while let Some((_, seg)) = rest.get(k)
                && (k == 0 || n < per)
            {
                n += seg.rows;
                k += 1;
            }
            let (run, tail) = std::mem::take(&mut rest).split_at_mut(k);
            rest = tail;
            let render = move || {
                for (kind, seg) in run {
                    let mut text = Vec::with_capacity(how.room(*kind, seg.rows));
                    how.render(&mut text, *kind, &seg.packed, map);
                    seg.text = text;
                    seg.packed = Vec::new();
                    seg.rows = 0;
                }
            };
            if rest.is_empty() {
                render();
            } else {
                handles.push(s.spawn(render));
            }
        }
        for h in handles {
            if let Err(e) = h.join() {
                std::panic::resume_unwind(e);
            }
        }
    });
}

impl crate::load::RowSink for Prerender<'_> {
    fn begin(&mut self, kind: InetKind, manifest: &crate::parse::manifest::Manifest, size: u64) {
        self.start(kind, manifest.user_hz, size);
    }

    fn rows(&mut self, kind: InetKind, rows: &mut Vec<InetRow>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.render(kind, seq, rows);
    }

    fn takes_processes(&self) -> bool {
        self.packer.is_some()
    }

    fn cmdline(&mut self, pid: u32, data: &[u8]) {
        self.builder().cmdline(pid, data);
    }

    fn links(&mut self, links: &mut Vec<FdLink>) {
        self.builder().links(links);
    }
}

impl Prerender<'_> {
    /// Takes a batch of rows: into the table's one segment (`whole`), or as a segment of its
    /// own; rendered, or packed (`-p`).
    fn render(&mut self, kind: InetKind, seq: u64, rows: &[InetRow]) {
        let ex = numeric_extras(self.opts, &self.names, None);
        let t = Table::new(kind, &ex, self.user_hz);
        let opts = self.opts;
        let packer = self.packer;
        let Some(Some(segments)) = self.tables.get_mut(kind.index()) else {
            return;
        };
        let pack = |out: &mut Vec<u8>, last: &mut Option<Addr>, p: Packer| {
            let mut n = 0;
            for row in rows.iter().filter(|r| shown(kind, r, opts)) {
                p.pack(out, row, last);
                n += 1;
            }
            n
        };
        if self.whole {
            // One segment, with room made from the table's size (`start`).
            if let Some(seg) = segments.last_mut() {
                match packer {
                    Some(p) => seg.rows += pack(&mut seg.packed, &mut seg.last, p),
                    None => t.rows(&mut seg.text, rows),
                }
            }
            return;
        }
        // Made in the scratch buffer, then kept at its length.
        self.scratch.clear();
        let mut seg = Segment {
            seq,
            ..Segment::default()
        };
        match packer {
            Some(p) => {
                seg.rows = pack(&mut self.scratch, &mut None, p);
                seg.packed = self.scratch.as_slice().to_vec();
            }
            None => {
                // (Rendered where the room is made, 64 KiB at a time, space-filled.)
                t.rows(&mut self.scratch, rows);
                seg.text = self.scratch.as_slice().to_vec();
            }
        }
        segments.push(seg);
    }

    /// A table begins: whatever it had of an earlier one (a path the archive holds twice) is
    /// dropped.
    fn start(&mut self, kind: InetKind, user_hz: u32, size: u64) {
        self.user_hz = user_hz;
        let Some(t) = self.tables.get_mut(kind.index()) else {
            return;
        };
        if !self.whole {
            *t = Some(Vec::new());
            return;
        }
        // Room for the text at once (growing it by doubling copies it in WebAssembly): a kernel
        // row takes at least 120 bytes (udp's; tcp's 150), a printed row about `row_size`, a
        // packed one about `PACKED_ROW`.
        let ex = numeric_extras(self.opts, &self.names, None);
        let rows = usize::try_from(size / 120).unwrap_or(usize::MAX);
        let mut seg = Segment::default();
        if self.packer.is_some() {
            seg.packed
                .reserve(rows.saturating_mul(PACKED_ROW).min(MAX_RESERVED));
        } else {
            let room = rows
                .saturating_mul(Table::new(kind, &ex, user_hz).row_size())
                .min(MAX_RESERVED)
                + (1 << 16);
            seg.text.reserve(room);
        }
        *t = Some(vec![seg]);
    }

    /// Takes in the segments `other` rendered of the same batches (see [`Prerender::on_thread`]),
    /// each table's in batch order.
    fn merge(&mut self, other: Prerender<'_>) {
        for (mine, theirs) in self.tables.iter_mut().zip(other.tables) {
            match (mine.as_mut(), theirs) {
                (Some(m), Some(t)) => {
                    m.extend(t);
                    m.sort_by_key(|s| s.seq);
                }
                (None, Some(t)) => *mine = Some(t),
                (_, None) => {}
            }
        }
    }

    /// Runs `load` with a sink that hands the rows to a [`Prerender`] on a thread of its own,
    /// which renders them while the loader parses the next ones; returns `load`'s result and the
    /// rendered tables. When the renderer has a full queue, the loader renders the batch itself
    /// rather than wait.
    pub fn on_thread<'o, T>(
        opts: &'o NetstatOptions,
        load: impl FnOnce(&mut dyn crate::load::RowSink) -> T,
    ) -> (T, Prerender<'o>) {
        std::thread::scope(|s| {
            // Row batches in flight (about 7,000 rows, one inflated block, each); the vectors go
            // back to the loader to be filled again.
            let (to, from) = std::sync::mpsc::sync_channel::<Batch>(4);
            let (back, empties) = std::sync::mpsc::channel::<Vec<InetRow>>();
            // Link batches go back too (their pages are then not new to the process).
            let (links_back, link_empties) = std::sync::mpsc::channel::<Vec<FdLink>>();
            let renderer = s.spawn(move || {
                let mut pre = Prerender::in_segments(opts);
                for batch in from {
                    match batch {
                        Batch::Begin(kind, hz) => pre.start(kind, hz, 0),
                        Batch::Processes(cmdlines, mut links) => {
                            let b = pre.builder();
                            for (pid, cmdline) in cmdlines {
                                b.cmdline(pid, &cmdline);
                            }
                            b.links(&links);
                            links.clear();
                            let _ = links_back.send(links);
                        }
                        Batch::Rows(kind, seq, mut rows) => {
                            pre.render(kind, seq, &rows);
                            rows.clear();
                            let _ = back.send(rows);
                        }
                    }
                }
                pre
            });
            let mut sink = Courier {
                to: Some(to),
                empties,
                link_empties,
                own: Prerender::in_segments(opts),
                cmdlines: Vec::new(),
            };
            let out = load(&mut sink);
            sink.send_processes(Vec::new());
            let Courier { to, own, .. } = sink;
            drop(to);
            let mut pre = match renderer.join() {
                Ok(pre) => pre,
                Err(e) => std::panic::resume_unwind(e),
            };
            pre.merge(own);
            (out, pre)
        })
    }
}

/// What every row of a [`Prerender`] shares: no names (numeric), and the map for `-p`.
fn numeric_extras<'a>(
    opts: &'a NetstatOptions,
    names: &'a Names,
    programs: Option<&'a ProgramMap>,
) -> Extras<'a> {
    Extras {
        opts,
        names,
        programs,
    }
}

/// The most room [`Prerender`] makes for a table's text before it sees the rows (a bigger text
/// grows).
const MAX_RESERVED: usize = 128 << 20;

/// Bytes a packed row takes, at most about (26 for a v4 row of `-tanp`, 50 for a v6 one; less
/// from the last row's local address).
const PACKED_ROW: usize = 40;

/// What [`Prerender::on_thread`]'s loader sends its renderer.
enum Batch {
    Begin(InetKind, u32),
    Rows(InetKind, u64, Vec<InetRow>),
    /// Command lines of processes, then fd links, for the `-p` map.
    Processes(Vec<(u32, Vec<u8>)>, Vec<FdLink>),
}

/// The sink of [`Prerender::on_thread`]: passes rows on to the rendering thread, or renders them
/// itself (`own`) when that thread has enough to do.
struct Courier<'o> {
    to: Option<std::sync::mpsc::SyncSender<Batch>>,
    empties: std::sync::mpsc::Receiver<Vec<InetRow>>,
    link_empties: std::sync::mpsc::Receiver<Vec<FdLink>>,
    own: Prerender<'o>,
    /// Command lines of processes read since the last links were sent.
    cmdlines: Vec<(u32, Vec<u8>)>,
}

impl Courier<'_> {
    /// Sends the command lines read so far and `links` to the renderer, which builds the `-p`
    /// map.
    fn send_processes(&mut self, links: Vec<FdLink>) {
        if self.cmdlines.is_empty() && links.is_empty() {
            return;
        }
        let cmdlines = std::mem::take(&mut self.cmdlines);
        if let Some(to) = &self.to
            && to.send(Batch::Processes(cmdlines, links)).is_err()
        {
            self.to = None;
        }
    }
}

impl crate::load::RowSink for Courier<'_> {
    fn begin(&mut self, kind: InetKind, manifest: &crate::parse::manifest::Manifest, _size: u64) {
        self.own.start(kind, manifest.user_hz, 0);
        // The renderer only stops when this side hangs up.
        if let Some(to) = &self.to
            && to.send(Batch::Begin(kind, manifest.user_hz)).is_err()
        {
            self.to = None;
        }
    }

    fn rows(&mut self, kind: InetKind, rows: &mut Vec<InetRow>) {
        if rows.is_empty() {
            return;
        }
        let seq = self.own.next_seq;
        self.own.next_seq += 1;
        let Some(to) = &self.to else {
            self.own.render(kind, seq, rows);
            return;
        };
        let mut next = self.empties.try_recv().unwrap_or_default();
        std::mem::swap(rows, &mut next);
        match to.try_send(Batch::Rows(kind, seq, next)) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(Batch::Rows(_, _, mine))) => {
                // Its queue is full: these rows are rendered here, and their vector is used for
                // the next ones.
                self.own.render(kind, seq, &mine);
                *rows = mine;
                rows.clear();
            }
            Err(_) => self.to = None,
        }
    }

    fn takes_processes(&self) -> bool {
        self.own.packer.is_some()
    }

    fn cmdline(&mut self, pid: u32, data: &[u8]) {
        self.cmdlines.push((pid, data.to_vec()));
    }

    fn links(&mut self, links: &mut Vec<FdLink>) {
        // (The renderer is idle by now: the fd links come after the socket tables.)
        let empty = match self.link_empties.try_recv() {
            Ok(v) => v,
            Err(_) => Vec::with_capacity(links.capacity()),
        };
        let batch = std::mem::replace(links, empty);
        self.send_processes(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Addr, Processes};
    use crate::netstat::args::{Parsed, parse};
    use crate::parse::etc::{Hosts, Networks, Passwd, Services};
    use crate::render::addr::{addr_port, addr_text, port_text};
    use crate::render::{dec, fixed2, udec};

    /// The `-o` text as it was written before (with `format!`).
    fn timer_text(kind: InetKind, row: &InetRow, user_hz: u32) -> Vec<u8> {
        let is_tcp = matches!(kind, InetKind::Tcp | InetKind::Tcp6);
        let retr = if is_tcp { row.retransmits as i64 } else { 0 };
        let divisor = if is_tcp {
            f64::from(user_hz.max(1))
        } else {
            100.0
        };
        let secs = fixed2(row.when as f64 / divisor);
        let secs = String::from_utf8_lossy(&secs).into_owned();
        let tail = format!("{secs}/{retr}/{})", row.timeout);
        let text = match (is_tcp, row.timer) {
            (_, 0) => format!("off (0.00/{retr}/{})", row.timeout),
            (true, 1) => format!("on ({tail}"),
            (true, 2) => format!("keepalive ({tail}"),
            (true, 3) => format!("timewait ({tail}"),
            (true, 4) => format!("probe ({tail}"),
            (false, t @ (1 | 2)) => format!("on{t} ({tail}"),
            (_, t) => format!("unkn-{} ({tail}", t as i32),
        };
        let mut v = text.into_bytes();
        v.truncate(63);
        v
    }

    /// The renderer as it was before it wrote in place.
    fn reference(out: &mut Vec<u8>, kind: InetKind, table: &InetTable, ex: &Extras<'_>, hz: u32) {
        let opts = ex.opts;
        let wide = opts.wide > 0;
        let sproto = service_proto(kind);
        for row in table.rows.iter().filter(|r| shown(kind, r, opts)) {
            let local = addr_port(
                &addr_text(ex.names, &row.local, opts.numeric_hosts),
                &port_text(ex.names, row.local_port, Some(sproto), opts.numeric_ports),
                wide,
            );
            let remote = addr_port(
                &addr_text(ex.names, &row.remote, opts.numeric_hosts),
                &port_text(ex.names, row.remote_port, Some(sproto), opts.numeric_ports),
                wide,
            );
            let name: &[u8] = match kind {
                InetKind::Tcp => b"tcp",
                InetKind::Tcp6 => b"tcp6",
                InetKind::Udp => b"udp",
                InetKind::Udp6 => b"udp6",
                InetKind::UdpLite => b"udpl",
                InetKind::UdpLite6 => b"udpl6",
                InetKind::Raw => b"raw",
                InetKind::Raw6 => b"raw6",
            };
            if matches!(
                kind,
                InetKind::Udp | InetKind::Udp6 | InetKind::UdpLite | InetKind::UdpLite6
            ) {
                pad_right(out, name, 5);
                out.push(b' ');
            } else {
                pad_right(out, name, 4);
                out.extend_from_slice(b"  ");
            }
            pad_left(out, &dec(row.rx_queue as i64), 6);
            out.push(b' ');
            pad_left(out, &dec(row.tx_queue as i64), 6);
            out.push(b' ');
            pad_right(out, &local, 23);
            out.push(b' ');
            pad_right(out, &remote, 23);
            out.push(b' ');
            match kind {
                InetKind::Tcp | InetKind::Tcp6 => {
                    pad_right(out, tcp_state_text(row.state).as_bytes(), 11);
                }
                InetKind::Raw | InetKind::Raw6 => {
                    pad_right(out, &dec(i64::from(row.state as i32)), 11);
                }
                _ => {
                    let st: &[u8] = match row.state {
                        1 => b"ESTABLISHED",
                        7 => b"",
                        _ => b"UNKNOWN",
                    };
                    pad_right(out, st, 11);
                }
            }
            if opts.extend > 1 {
                out.push(b' ');
                let name = if opts.numeric_users {
                    None
                } else {
                    u32::try_from(row.uid)
                        .ok()
                        .and_then(|u| ex.names.passwd.lookup(u))
                };
                match name {
                    Some(n) => pad_right(out, n, 10),
                    None => pad_right(out, &dec(i64::from(row.uid)), 10),
                }
                out.push(b' ');
                pad_right(out, &udec(row.inode), 10);
            }
            if let Some(p) = ex.programs {
                out.push(b' ');
                pad_right(out, p.get(row.inode), PROGNAME_WIDTH);
            }
            if opts.timers > 0 {
                out.push(b' ');
                out.extend_from_slice(&timer_text(kind, row, hz));
            }
            out.push(b'\n');
        }
    }

    use crate::testing::Rng;

    fn addr(rng: &mut Rng, v6: bool) -> Addr {
        let pick: [[u8; 4]; 6] = [
            [0, 0, 0, 0],
            [127, 0, 0, 1],
            [10, 0, 0, 1],
            [0, 0, 1, 0],
            [192, 0, 2, 200],
            [8, 8, 8, 8],
        ];
        let v4 = if rng.below(2) == 0 {
            pick[rng.below(6) as usize]
        } else {
            (rng.next() as u32).to_be_bytes()
        };
        if !v6 {
            return Addr::v4(v4);
        }
        let mut b = [0u8; 16];
        match rng.below(5) {
            0 => {}
            1 => {
                b[10] = 0xff;
                b[11] = 0xff;
                b[12..].copy_from_slice(&v4);
            }
            2 => b[12..].copy_from_slice(&v4),
            3 => b[15] = 1,
            _ => {
                for x in b.iter_mut() {
                    *x = if rng.below(3) == 0 {
                        0
                    } else {
                        rng.next() as u8
                    };
                }
            }
        }
        Addr::v6(b)
    }

    #[test]
    fn same_rows_as_before() {
        let mut rng = Rng(0x1357_9bdf_2468_ace0);
        let long = "h".repeat(140);
        let hosts = format!(
            "127.0.0.1 localhost\n10.0.0.1 a-rather-long-host-name.example.org\n::1 ip6-localhost\n::ffff:192.0.2.200 mapped.example\n8.8.8.8 {long}\n"
        );
        let names = Names {
            hosts: Hosts::parse(hosts.as_bytes()),
            networks: Networks::parse(b"link-local 169.254.0.0\nzeronet 0.0.1.0\n"),
            services: Services::parse(
                b"ssh 22/tcp\nhttp 80/tcp\ndomain 53/udp\nclc-build-daemon 8990/tcp\na-service-name-that-is-very-long-indeed 8080/tcp\n",
                b"ip 0 IP\ntcp 6 TCP\nudp 17 UDP\n",
            ),
            passwd: Passwd::parse(
                b"root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/:/bin/sh\na-user-with-a-long-name:x:1000:1000::/:/bin/sh\n",
            ),
            ..Names::default()
        };
        let mut procs = Processes::default();
        for pid in 1..300u32 {
            for fd in 0..20 {
                procs.fds.push(FdLink {
                    pid,
                    fd,
                    inode: Some(rng.below(3000)),
                });
            }
            if pid % 7 != 0 {
                procs
                    .cmdlines
                    .insert(pid, b"/usr/bin/some-program-name\0".to_vec());
            }
        }
        let programs = ProgramMap::build(&procs, 0);
        for kind in InetKind::ALL {
            let v6 = matches!(
                kind,
                InetKind::Tcp6 | InetKind::Udp6 | InetKind::UdpLite6 | InetKind::Raw6
            );
            let mut table = InetTable::default();
            for i in 0..(if kind == InetKind::Tcp { 60_000 } else { 3000 }) {
                let big = rng.below(20) == 0;
                table.rows.push(InetRow {
                    local: addr(&mut rng, v6),
                    remote: addr(&mut rng, v6),
                    local_port: [0, 22, 80, 53, 8990, 8080, 65535, 0x1_0016][rng.below(8) as usize],
                    remote_port: if rng.below(3) == 0 {
                        0
                    } else {
                        rng.below(70_000) as u32
                    },
                    state: (rng.below(14) as u32).wrapping_add(if big { u32::MAX - 20 } else { 0 }),
                    tx_queue: if big { rng.next() } else { rng.below(1000) },
                    rx_queue: if big { rng.next() } else { rng.below(1000) },
                    timer: (rng.below(7) as u32).wrapping_add(if big { u32::MAX - 4 } else { 0 }),
                    when: if big { rng.next() } else { rng.below(100_000) },
                    retransmits: rng.below(4),
                    uid: [0, 33, 1000, 4242, -1][rng.below(5) as usize],
                    timeout: if big {
                        rng.next() as i32
                    } else {
                        rng.below(3) as i32
                    },
                    inode: rng.below(3500),
                    items: 14,
                    line: i + 2,
                });
            }
            for args in [
                "-an",
                "-a",
                "-n",
                "-ln",
                "-lW",
                "-aeen",
                "-aee",
                "-anp",
                "-anop",
                "-ano",
                "-aWnee",
                "-aWpo",
                "-ao",
                "--numeric-hosts",
                "--numeric-ports",
                "-aneeWop",
                "-aeeo",
            ] {
                let Parsed::Run(opts) = parse(&[args]) else {
                    panic!("{args}")
                };
                let ex = Extras {
                    opts: &opts,
                    names: &names,
                    programs: (opts.programs > 0).then_some(&programs),
                };
                for hz in [100, 250] {
                    let mut want = Vec::new();
                    reference(&mut want, kind, &table, &ex, hz);
                    for threads in [1, 2, 3] {
                        crate::par::set_threads(threads);
                        let mut got = b"head\n".to_vec();
                        let mut err = Vec::new();
                        render_table(&mut got, &mut err, kind, &table, &ex, hz);
                        assert!(
                            got.get(5..) == Some(want.as_slice()),
                            "{kind:?} {args} {threads} {hz}"
                        );
                    }
                }
            }
        }
        crate::par::set_threads(0);
    }
}
