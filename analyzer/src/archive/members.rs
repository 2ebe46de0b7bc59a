//! Inflating a gzip stream whose members say their own length (the collector's `NS` extra field,
//! docs/snapshot-format.md) on several threads at once, the blocks coming out in order.
//!
//! A dispatching thread reads one member after another (it only reads headers and copies bytes),
//! workers inflate them and check their CRC, and the caller takes the results in order as
//! [`Blocks`]. Anything this fast path does not expect (a header without the field, a member that
//! is cut short, corrupt or longer than it says, bytes after the last member, a member of other
//! than [`BLOCK`] inflated bytes but the last: the ordinary decoder checks the decompressed-size
//! limit once per block of that size, and the collector's members are blocks) hands the rest of the
//! input, from the start of that member, to the ordinary decoder on the caller's thread, so that the
//! blocks, the errors and where they occur are those of the ordinary path.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{Scope, ScopedJoinHandle};

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::Preparer;
use super::blocks::{BLOCK, Blocks, Fail, Inline};
use super::tar::{Ready, prepare_block};
use crate::par::Pool;

/// Length of a member header with the `NS` field.
const HEADER: usize = 24;
/// Length of a member trailer.
const TRAILER: usize = 8;
/// Largest member (compressed, or inflated) the fast path takes; the collector writes 1 MiB.
const MAX_MEMBER: usize = 16 << 20;

/// The lengths a member header gives: the whole member's compressed length and its inflated
/// length. `None` unless the header is exactly the collector's (FLG = FEXTRA only, one `NS`
/// subfield of 8 bytes) and the lengths are possible.
pub(crate) fn lengths(h: &[u8]) -> Option<(usize, usize)> {
    let h: &[u8; HEADER] = h.get(..HEADER)?.try_into().ok()?;
    let word = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]) as usize;
    let fixed = h[..4] == [0x1f, 0x8b, 8, 4] && h[10..16] == [12, 0, b'N', b'S', 8, 0];
    let (total, len) = (word(16), word(20));
    (fixed && total > HEADER + TRAILER && total <= MAX_MEMBER && len <= MAX_MEMBER)
        .then_some((total, len))
}

/// Inflates one whole member (`raw`, header to trailer) of `len` inflated bytes into `out`;
/// `false` if it is not exactly that (the ordinary decoder then reads it and says what is wrong).
fn inflate(raw: &[u8], len: usize, out: &mut Vec<u8>, d: &mut Decompress) -> bool {
    let Some(body) = raw.get(HEADER..raw.len().saturating_sub(TRAILER)) else {
        return false;
    };
    let Some(trailer) = raw.get(raw.len() - TRAILER..) else {
        return false;
    };
    out.clear();
    out.reserve_exact(len);
    d.reset(false);
    let done = matches!(
        d.decompress_vec(body, out, FlushDecompress::Finish),
        Ok(Status::StreamEnd)
    );
    if !done || d.total_in() as usize != body.len() || out.len() != len {
        return false;
    }
    let mut crc = Crc::new();
    crc.update(out);
    trailer[..4] == crc.sum().to_le_bytes() && trailer[4..] == (len as u32).to_le_bytes()
}

/// A member read by the dispatcher, then inflated by a worker.
struct Done {
    /// The member's bytes, header to trailer.
    raw: Vec<u8>,
    /// The inflated bytes, if the member was sound.
    data: Option<Vec<u8>>,
    /// The symbolic link headers found in them ([`prepare_block`]).
    ready: Vec<Ready>,
}

/// What the dispatcher hands the caller, in the input's order.
enum Item {
    /// A member, inflated (or not) by a worker.
    Member(mpsc::Receiver<Done>),
    /// The fast path ends here: these bytes (and whatever follows them in the input) are for the
    /// ordinary decoder.
    Rest(Vec<u8>),
}

/// A member for a worker.
struct Job {
    raw: Vec<u8>,
    len: usize,
    to: mpsc::Sender<Done>,
}

/// Reads `buf.len()` bytes or up to the end of the input; the count read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The dispatcher: reads members and queues them until the input ends between two members (it
/// then just returns), a member is not one the fast path takes or reading fails (it queues an
/// [`Item::Rest`]: the ordinary decoder reads from there and meets the same failure again), or the
/// caller stops. Returns the input, for the ordinary decoder.
fn dispatch<R: Read>(
    mut input: R,
    jobs: mpsc::Sender<Job>,
    order: mpsc::Sender<Item>,
    window: (usize, mpsc::Receiver<usize>),
    stop: &AtomicBool,
    raws: &Pool,
) -> R {
    let (mut room, credits) = window;
    loop {
        // Each member queued takes room; the caller gives it back as it takes them.
        room += credits.try_iter().sum::<usize>();
        if room == 0 {
            match credits.recv() {
                Ok(n) => room += n,
                Err(_) => return input,
            }
        }
        if stop.load(Ordering::Relaxed) {
            return input;
        }
        let mut raw = raws.take();
        raw.resize(HEADER, 0);
        let got = match read_full(&mut input, &mut raw) {
            // The end of the input between members: the end of the stream.
            Ok(0) => return input,
            Ok(n) => n,
            // The ordinary decoder meets the error again.
            Err(_) => 0,
        };
        raw.truncate(got);
        let Some((total, len)) = lengths(&raw) else {
            let _ = order.send(Item::Rest(raw));
            return input;
        };
        raw.resize(total, 0);
        let got = HEADER + read_full(&mut input, &mut raw[HEADER..]).unwrap_or(0);
        if got < total {
            raw.truncate(got);
            let _ = order.send(Item::Rest(raw));
            return input;
        }
        // The ordinary decoder checks the decompressed-size limit once per block of
        // [`BLOCK`] bytes; members of that size, and a shorter last one, meet the limit where it
        // does. A shorter member that is not the last goes to it, from there on.
        if len != BLOCK {
            let mut next = [0u8; 1];
            let got = read_full(&mut input, &mut next);
            if got.as_ref().map_or(true, |&n| n > 0) {
                // More input (or a failure, which the ordinary decoder meets again).
                if got.is_ok() {
                    raw.push(next[0]);
                }
                let _ = order.send(Item::Rest(raw));
                return input;
            }
        }
        let (to, from) = mpsc::channel();
        if jobs.send(Job { raw, len, to }).is_err() || order.send(Item::Member(from)).is_err() {
            return input;
        }
        room = room.saturating_sub(1);
    }
}

/// A worker: inflates members until the dispatcher stops.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>, shared: &Shared, preparer: Option<Preparer>) {
    let mut d = Decompress::new(false);
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(Job { raw, len, to }) = job else {
            return;
        };
        let mut out = shared.datas.take();
        let data = inflate(&raw, len, &mut out, &mut d).then_some(out);
        let mut ready = shared.readies.take();
        if let (Some(data), Some(preparer)) = (&data, preparer) {
            prepare_block(data, preparer, &mut ready);
        }
        let _ = to.send(Done { raw, data, ready });
    }
}

/// Where the blocks come from.
enum Source<'s, R> {
    /// Members inflated by the workers.
    Members {
        order: mpsc::Receiver<Item>,
        dispatcher: ScopedJoinHandle<'s, R>,
    },
    /// The ordinary decoder, after the fast path ended.
    Ordinary(Inline<'s>),
    /// Nothing more.
    Done,
}

/// The blocks of a member-parallel stream (see the module's documentation).
struct Parallel<'s, R> {
    source: Source<'s, R>,
    shared: Arc<Shared>,
    cur: Vec<u8>,
    /// What was prepared in `cur`, and how much of it was asked for.
    ready: Vec<Ready>,
    ready_at: usize,
    total: u64,
    max: u64,
    /// Compressed bytes of the members handed on so far: where the next member starts.
    pos: u64,
    /// Room given back to the dispatcher for each member taken (`None` once it is to stop), and
    /// how many members were taken.
    credits: Option<mpsc::Sender<usize>>,
    taken: usize,
    /// Room not given back yet: once the queue has grown, it goes back a worker's share of
    /// members at a time (each time wakes the dispatcher, which reads that many at once).
    owed: usize,
    workers: usize,
}

impl<'s, R: Read + Send + 's> Parallel<'s, R> {
    /// Ends the fast path: stops the dispatcher and gives the ordinary decoder `first` (the bytes
    /// of the member it could not take, or the input's next bytes), the members still queued,
    /// and the rest of the input.
    fn fall_back(&mut self, first: Vec<u8>) {
        let Source::Members { order, dispatcher } =
            std::mem::replace(&mut self.source, Source::Done)
        else {
            return;
        };
        self.shared.stop.store(true, Ordering::Relaxed);
        // (A dispatcher waiting for room stops when the credits end.)
        self.credits = None;
        let mut bytes = first;
        // The dispatcher ends after at most one more item; every queued member goes back to the
        // decoder as it was read.
        while let Ok(item) = order.recv() {
            match item {
                Item::Member(rx) => {
                    if let Ok(done) = rx.recv() {
                        self.shared.readies.give(done.ready);
                        bytes.extend_from_slice(&done.raw);
                    }
                }
                Item::Rest(raw) => bytes.extend_from_slice(&raw),
            }
        }
        let Ok(input) = dispatcher.join() else {
            return;
        };
        let reader =
            super::blocks::Decoder::new(io::Cursor::new(bytes).chain(input), true, self.pos);
        self.source = Source::Ordinary(Inline::new(Box::new(reader), self.total, self.max));
    }
}

/// Members queued ahead of the caller per worker: one at first (more only hold memory, 1 MiB
/// each: at 100k sockets one more per worker cost 2.5 MB of peak RSS and no time), four once
/// [`GROW_AFTER`] members were taken (a big archive, where they save waits: 20 ms at 1M sockets).
const AHEAD: (usize, usize) = (1, 4);
/// Members taken before the dispatcher may queue more of them ahead.
const GROW_AFTER: usize = 64;

impl<'s, R: Read + Send + 's> Parallel<'s, R> {
    /// The member `rx` will bring, once inflated; gives the dispatcher room for another.
    fn take_member(&mut self, rx: mpsc::Receiver<Done>) -> Result<Done, mpsc::RecvError> {
        self.taken += 1;
        self.owed += if self.taken == GROW_AFTER {
            1 + (AHEAD.1 - AHEAD.0) * self.workers
        } else {
            1
        };
        if (self.taken <= GROW_AFTER || self.owed >= self.workers)
            && let Some(c) = &self.credits
        {
            let _ = c.send(std::mem::take(&mut self.owed));
        }
        rx.recv()
    }
}

impl<'s, R: Read + Send + 's> Blocks for Parallel<'s, R> {
    fn advance(&mut self) -> Result<bool, Fail> {
        let old = std::mem::take(&mut self.cur);
        if old.capacity() > 0 {
            self.shared.datas.give(old);
        }
        self.shared.readies.give(std::mem::take(&mut self.ready));
        self.ready_at = 0;
        loop {
            let next = match &mut self.source {
                Source::Ordinary(inline) => return inline.advance(),
                Source::Done => return Ok(false),
                Source::Members { order, .. } => order.recv(),
            };
            match next {
                Ok(Item::Member(rx)) => match self.take_member(rx) {
                    Ok(Done {
                        raw,
                        data: Some(data),
                        ready,
                    }) => {
                        self.pos += raw.len() as u64;
                        self.shared.raws.give(raw);
                        self.total += data.len() as u64;
                        if self.total > self.max {
                            self.source = Source::Done;
                            return Err(Fail::Limit);
                        }
                        if data.is_empty() {
                            continue;
                        }
                        self.cur = data;
                        self.ready = ready;
                        return Ok(true);
                    }
                    Ok(Done {
                        raw, data: None, ..
                    }) => self.fall_back(raw),
                    Err(_) => self.fall_back(Vec::new()),
                },
                Ok(Item::Rest(raw)) => self.fall_back(raw),
                // The dispatcher met the end of the input between two members.
                Err(_) => self.source = Source::Done,
            }
        }
    }

    fn current(&self) -> &[u8] {
        match &self.source {
            Source::Ordinary(inline) => inline.current(),
            _ => &self.cur,
        }
    }

    fn ready(&mut self, chunk: usize) -> Option<Ready> {
        if matches!(self.source, Source::Ordinary(_)) {
            return None;
        }
        while self
            .ready
            .get(self.ready_at)
            .is_some_and(|r| r.chunk < chunk)
        {
            self.ready_at += 1;
        }
        self.ready
            .get(self.ready_at)
            .filter(|r| r.chunk == chunk)
            .copied()
    }
}

/// What the threads of [`with_members`] share.
#[derive(Default)]
struct Shared {
    /// Set when the caller is done or falls back: the dispatcher stops.
    stop: AtomicBool,
    /// Buffers for members as read.
    raws: Pool,
    /// Buffers for inflated members.
    datas: Pool,
    /// Buffers for what was prepared in them.
    readies: Pool<Ready>,
}

/// Runs `f` over the blocks of `input`, a gzip stream whose first member has the `NS` field
/// (checked by the caller with [`lengths`]), inflated by `workers` threads of `scope`.
pub(crate) fn with_members<'s, R: Read + Send + 's, T>(
    scope: &'s Scope<'s, '_>,
    input: R,
    max: u64,
    workers: usize,
    preparer: Option<Preparer>,
    f: impl FnOnce(&mut dyn Blocks) -> T,
) -> T {
    let shared = Arc::new(Shared::default());
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
    let jobs = Arc::new(Mutex::new(jobs_rx));
    let workers = workers.max(1);
    let (order_tx, order_rx) = mpsc::channel();
    let (credits_tx, credits_rx) = mpsc::channel();
    for _ in 0..workers {
        let (jobs, shared) = (Arc::clone(&jobs), Arc::clone(&shared));
        scope.spawn(move || work(&jobs, &shared, preparer));
    }
    let sh = Arc::clone(&shared);
    let window = (AHEAD.0 * workers, credits_rx);
    let dispatcher =
        scope.spawn(move || dispatch(input, jobs_tx, order_tx, window, &sh.stop, &sh.raws));
    let mut blocks = Parallel {
        source: Source::Members {
            order: order_rx,
            dispatcher,
        },
        shared: Arc::clone(&shared),
        cur: Vec::new(),
        ready: Vec::new(),
        ready_at: 0,
        total: 0,
        max,
        pos: 0,
        credits: Some(credits_tx),
        taken: 0,
        owed: 0,
        workers,
    };
    let out = f(&mut blocks);
    // Stop the dispatcher; if it waits for room, dropping the credits' sender (with `blocks`)
    // ends that wait. The workers end when it drops the job sender.
    shared.stop.store(true, Ordering::Relaxed);
    drop(blocks);
    out
}
