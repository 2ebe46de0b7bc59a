//! The inflated tar stream as a sequence of large blocks: read and inflated
//! on a thread of its own when there is more than one (the caller walks the
//! previous block meanwhile), inline otherwise (WebAssembly).

use std::io::{self, Read};
use std::sync::mpsc;

use super::Preparer;
use super::tar::Ready;

/// Size of one block of the tar stream.
pub const BLOCK: usize = 1 << 20;

/// Why the stream ended early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// The decompressed-size limit was passed.
    Limit,
    /// Reading or inflating failed (a truncated or corrupt gzip stream).
    Read(String),
}

/// A source of blocks.
pub(crate) trait Blocks {
    /// Moves to the next block: `Ok(true)` if there is one, `Ok(false)` at
    /// the end of the stream, or why the stream broke off (once).
    fn advance(&mut self) -> Result<bool, Fail>;
    /// The current block (empty before the first `advance`).
    fn current(&self) -> &[u8];
    /// What the inflating threads prepared for the header at byte `512 * chunk` of the current
    /// block, if anything ([`super::tar::prepare_block`]); asked in increasing `chunk` order.
    fn ready(&mut self, chunk: usize) -> Option<Ready> {
        let _ = chunk;
        None
    }
}

/// Reads up to one block from `reader` into `buf` (grown to a block once,
/// then reused without clearing), counting against `total`/`max`. Returns
/// the number of bytes read and the failure that ended the block, if any;
/// bytes read before a failure are kept.
fn fill(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    total: &mut u64,
    max: u64,
) -> (usize, Option<Fail>) {
    if buf.len() < BLOCK {
        buf.resize(BLOCK, 0);
    }
    let mut filled = 0;
    let mut fail = None;
    while filled < BLOCK {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                fail = Some(Fail::Read(e.to_string()));
                break;
            }
        }
    }
    *total += filled as u64;
    if *total > max {
        return (0, Some(Fail::Limit));
    }
    (filled, fail)
}

/// The gzip decoder's reads of the compressed input.
const GRID: u64 = 1 << 16;
/// Where the first of them ends (the bytes that recognised the input).
const GRID_START: u64 = 512;

/// The compressed input, handed to the gzip decoder in the same pieces whatever the reader
/// underneath returns: each read ends at the next point of a fixed grid (512, then every 64 KiB)
/// or at the end of the input. The decoder's output before a corrupt spot depends on where its
/// input pieces end (it drops what it inflated in the call that meets the error), so this keeps
/// what a damaged member yields the same for a file, a pipe, a slice, and for the member path's
/// hand-over in the middle of the input (`start`: the offset of the first byte given).
pub(crate) struct Regrid<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Regrid<R> {
    pub(crate) fn new(inner: R, start: u64) -> Self {
        Regrid { inner, pos: start }
    }
}

impl<R: Read> Read for Regrid<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let next = if self.pos < GRID_START {
            GRID_START
        } else {
            GRID_START + ((self.pos - GRID_START) / GRID + 1) * GRID
        };
        let want = usize::try_from(next - self.pos).map_or(buf.len(), |n| n.min(buf.len()));
        let mut got = 0;
        while got < want {
            match self.inner.read(&mut buf[got..want]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // What was read is handed on; the reader fails again on the next read.
                Err(e) if got == 0 => return Err(e),
                Err(_) => break,
            }
        }
        self.pos += got as u64;
        Ok(got)
    }
}

/// The tar stream of an input: inflated when the input is gzip. It is
/// `Send` when the input is, so one type serves both ways of reading.
pub(crate) enum Decoder<R: Read> {
    Gzip(Box<flate2::read::MultiGzDecoder<io::BufReader<Regrid<R>>>>),
    Plain(R),
}

impl<R: Read> Decoder<R> {
    /// The stream of `source`, whose first byte is the input's byte `start`.
    pub(crate) fn new(source: R, gz: bool, start: u64) -> Self {
        if gz {
            Decoder::Gzip(Box::new(flate2::read::MultiGzDecoder::new(
                io::BufReader::with_capacity(GRID as usize, Regrid::new(source, start)),
            )))
        } else {
            Decoder::Plain(source)
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Plain(r) => r.read(buf),
        }
    }
}

/// Blocks read on the caller's thread.
pub(crate) struct Inline<'r> {
    reader: Box<dyn Read + 'r>,
    buf: Vec<u8>,
    len: usize,
    total: u64,
    max: u64,
    pending: Option<Fail>,
    done: bool,
}

impl<'r> Inline<'r> {
    /// Blocks of `reader`, of which `total` bytes were already read elsewhere.
    pub(crate) fn new(reader: Box<dyn Read + 'r>, total: u64, max: u64) -> Self {
        Inline {
            reader,
            buf: Vec::new(),
            len: 0,
            total,
            max,
            pending: None,
            done: false,
        }
    }
}

impl Blocks for Inline<'_> {
    fn advance(&mut self) -> Result<bool, Fail> {
        self.len = 0;
        if let Some(f) = self.pending.take() {
            self.done = true;
            return Err(f);
        }
        if self.done {
            return Ok(false);
        }
        let (n, fail) = fill(&mut *self.reader, &mut self.buf, &mut self.total, self.max);
        self.len = n;
        if n < BLOCK && fail.is_none() {
            self.done = true;
        }
        match fail {
            Some(f) if n == 0 => {
                self.done = true;
                Err(f)
            }
            Some(f) => {
                self.pending = Some(f);
                Ok(true)
            }
            None => Ok(n > 0),
        }
    }

    fn current(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

/// What the inflating thread sends.
enum Msg {
    Block(Vec<u8>, usize),
    Fail(Fail),
}

/// Blocks inflated on another thread.
struct Threaded {
    rx: mpsc::Receiver<Msg>,
    back: mpsc::Sender<Vec<u8>>,
    cur: Vec<u8>,
    len: usize,
    done: bool,
}

impl Blocks for Threaded {
    fn advance(&mut self) -> Result<bool, Fail> {
        let old = std::mem::take(&mut self.cur);
        self.len = 0;
        if old.capacity() > 0 {
            let _ = self.back.send(old);
        }
        if self.done {
            return Ok(false);
        }
        match self.rx.recv() {
            Ok(Msg::Block(b, n)) => {
                self.cur = b;
                self.len = n;
                Ok(true)
            }
            Ok(Msg::Fail(f)) => {
                self.done = true;
                Err(f)
            }
            Err(_) => {
                self.done = true;
                Ok(false)
            }
        }
    }

    fn current(&self) -> &[u8] {
        self.cur.get(..self.len).unwrap_or(&[])
    }
}

fn produce(
    mut reader: impl Read,
    max: u64,
    tx: mpsc::SyncSender<Msg>,
    back: mpsc::Receiver<Vec<u8>>,
) {
    let mut total = 0u64;
    loop {
        let mut buf = back.try_recv().unwrap_or_default();
        let (n, fail) = fill(&mut reader, &mut buf, &mut total, max);
        let last = n < BLOCK;
        if n > 0 && tx.send(Msg::Block(buf, n)).is_err() {
            return;
        }
        if let Some(f) = fail {
            let _ = tx.send(Msg::Fail(f));
            return;
        }
        if last {
            return;
        }
    }
}

fn inline<T>(reader: Box<dyn Read + '_>, max: u64, f: impl FnOnce(&mut dyn Blocks) -> T) -> T {
    f(&mut Inline::new(reader, 0, max))
}

/// Runs `f` over the blocks of the (inflated, when `gz`) `source`, read on
/// the caller's thread.
pub(crate) fn with_blocks<R: Read, T>(
    source: R,
    gz: bool,
    max: u64,
    f: impl FnOnce(&mut dyn Blocks) -> T,
) -> T {
    inline(Box::new(Decoder::new(source, gz, 0)), max, f)
}

/// Runs `f` over the blocks of the (inflated, when `gz`) `source`, read and
/// inflated on a thread of their own when `threads` is more than 1.
pub(crate) fn with_blocks_par<R: Read + Send, T>(
    source: R,
    gz: bool,
    max: u64,
    threads: usize,
    preparer: Option<Preparer>,
    f: impl FnOnce(&mut dyn Blocks) -> T,
) -> T {
    if threads <= 1 {
        return inline(Box::new(Decoder::new(source, gz, 0)), max, f);
    }
    // The collector's gzip members say their length: they are inflated on `threads` threads.
    let mut source = source;
    let mut head = Vec::with_capacity(32);
    let _ = (&mut source).take(32).read_to_end(&mut head);
    let members = gz && super::members::lengths(&head).is_some();
    let source = io::Cursor::new(head).chain(source);
    if members {
        return std::thread::scope(|s| {
            super::members::with_members(s, source, max, threads, preparer, f)
        });
    }
    let reader = Decoder::new(source, gz, 0);
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel(2);
        let (back_tx, back_rx) = mpsc::channel();
        s.spawn(move || produce(reader, max, tx, back_rx));
        let mut b = Threaded {
            rx,
            back: back_tx,
            cur: Vec::new(),
            len: 0,
            done: false,
        };
        let out = f(&mut b);
        // Dropping the receiver makes the inflating thread stop at its next
        // block.
        drop(b);
        out
    })
}
