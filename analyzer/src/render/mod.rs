//! Renderers: pure functions from the model to bytes. One module per
//! netstat table or column group. Renderers never read files.
//!
//! All padding goes through [`pad_right`] and [`pad_left`], which count
//! bytes as C's `printf` does (Rust's `{:<n}` counts chars).

pub mod addr;
pub mod groups;
pub mod inet;
pub mod json;
mod packed;
pub mod programs;
pub mod sctp;
pub mod ss;
pub mod stats;
pub mod unix;

/// What a command prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status.
    pub status: i32,
    /// netsnap's own findings about damaged input (file and line); not
    /// part of what the real tool prints. Empty for a sound snapshot.
    pub diagnostics: Vec<crate::diag::Diagnostic>,
}

/// `%-Ns`: the text, then spaces up to `width` bytes; never cut.
#[inline]
pub fn pad_right(out: &mut Vec<u8>, text: &[u8], width: usize) {
    out.extend_from_slice(text);
    spaces(out, width.saturating_sub(text.len()));
}

/// `%Ns`: spaces up to `width` bytes, then the text; never cut.
#[inline]
pub fn pad_left(out: &mut Vec<u8>, text: &[u8], width: usize) {
    spaces(out, width.saturating_sub(text.len()));
    out.extend_from_slice(text);
}

/// Appends `n` spaces.
#[inline]
pub fn spaces(out: &mut Vec<u8>, n: usize) {
    const SPACES: [u8; 32] = [b' '; 32];
    match SPACES.get(..n) {
        Some(s) => out.extend_from_slice(s),
        None => out.resize(out.len() + n, b' '),
    }
}

/// Spaces after text that starts at `start` in `out`, up to `width` bytes
/// in all (`%-Ns` of text already written).
#[inline]
pub fn pad_from(out: &mut Vec<u8>, start: usize, width: usize) {
    let written = out.len() - start;
    spaces(out, width.saturating_sub(written));
}

/// Tables with more shown rows than this are rendered in parts, one per
/// thread ([`crate::par::threads`]).
pub const PARALLEL_ROWS: usize = 50_000;

/// Rows per part in one round of a spilled rendering.
const SPILL_ROWS: usize = 8_192;

/// Writes spilled bytes somewhere.
pub type SpillTarget = Box<dyn FnMut(&[u8])>;

thread_local! {
    /// Where [`in_parts`] writes what it renders, when set (the CLI sets it
    /// to standard output): big tables are then rendered in rounds of parts
    /// into reused buffers and written as they are done, instead of being
    /// gathered whole in memory.
    static SPILL: std::cell::RefCell<Option<SpillTarget>> =
        std::cell::RefCell::new(None);
}

/// Sets (or, with `None`, clears) this thread's spill target: a function
/// that writes the bytes it is given, in order, after what is already in the
/// output buffer. Output that goes through it no longer appears in
/// [`Output::stdout`]; the caller writes what is left there after the run.
pub fn set_spill(target: Option<SpillTarget>) {
    SPILL.with(|s| *s.borrow_mut() = target);
}

/// Writes `out` through this thread's spill target and empties it (leaves
/// it as it is when no target is set).
pub(crate) fn spill(out: &mut Vec<u8>) {
    SPILL.with(|s| {
        if let Some(f) = s.borrow_mut().as_mut() {
            f(out);
            out.clear();
        }
    });
}

/// Whether a spill target is set ([`set_spill`]).
pub(crate) fn spilling() -> bool {
    SPILL.with(|s| s.borrow().is_some())
}

/// Writes `out` and then `pieces` through the spill target, and empties `out`; `false`, and
/// nothing done, when no target is set.
fn spill_pieces(out: &mut Vec<u8>, pieces: &[&[u8]]) -> bool {
    SPILL.with(|s| {
        let mut s = s.borrow_mut();
        let Some(f) = s.as_mut() else {
            return false;
        };
        f(out);
        out.clear();
        for piece in pieces {
            f(piece);
        }
        true
    })
}

/// Writes `out` and then `piece` through the spill target (appends `piece` to `out` when none is
/// set).
pub(crate) fn spill_now(out: &mut Vec<u8>, piece: &[u8]) {
    if !spill_pieces(out, &[piece]) {
        out.extend_from_slice(piece);
    }
}

/// Appends a text in `pieces` (printed one after the other) to `out`; with a spill target set
/// and a big text, writes `out` and then the pieces through it instead (without copying them).
pub(crate) fn append_or_spill(out: &mut Vec<u8>, pieces: &[&[u8]]) {
    let big = pieces.iter().map(|p| p.len()).sum::<usize>() >= 1 << 20;
    if big && spill_pieces(out, pieces) {
        return;
    }
    for piece in pieces {
        out.extend_from_slice(piece);
    }
}

/// How many threads share the work on `rows` rows: one up to [`PARALLEL_ROWS`], then one per
/// half of that, up to [`crate::par::threads`].
pub(crate) fn part_threads(rows: usize) -> usize {
    if rows > PARALLEL_ROWS {
        crate::par::threads().min(rows / (PARALLEL_ROWS / 2)).max(1)
    } else {
        1
    }
}

/// Renders `items` (of which about `shown` print, each about `row_size`
/// bytes) with `render`, appending to `out`: in one go, or, for big tables
/// with more than one thread allowed, in contiguous parts rendered on
/// scoped threads and appended in order (the first part straight into
/// `out`). With a spill target set ([`set_spill`]), big tables are rendered
/// in rounds and written as they go. The bytes are the same either way.
pub fn in_parts<T: Sync>(
    out: &mut Vec<u8>,
    items: &[T],
    shown: usize,
    row_size: usize,
    render: &(dyn Fn(&mut Vec<u8>, &[T]) + Sync),
) {
    let threads = part_threads(shown);
    if shown > PARALLEL_ROWS && spilling() {
        return in_rounds(out, items, threads.max(1), row_size, render);
    }
    let bytes = shown.saturating_mul(row_size);
    if threads <= 1 || items.len() < threads {
        out.reserve(bytes);
        render(out, items);
        return;
    }
    out.reserve(bytes + bytes / 16);
    let part_bytes = bytes / threads + bytes / threads / 8;
    let mut bufs: Vec<Vec<u8>> = (1..threads)
        .map(|_| Vec::with_capacity(part_bytes))
        .collect();
    let used = render_parts(out, items, threads, &mut bufs, render);
    for b in bufs.iter().take(used) {
        out.extend_from_slice(b);
    }
}

/// [`in_parts`] with a spill target: rounds of `threads` parts of
/// [`SPILL_ROWS`] items, each part rendered into a buffer kept from round
/// to round, written in order after each round.
fn in_rounds<T: Sync>(
    out: &mut Vec<u8>,
    items: &[T],
    threads: usize,
    row_size: usize,
    render: &(dyn Fn(&mut Vec<u8>, &[T]) + Sync),
) {
    let part_bytes = SPILL_ROWS.saturating_mul(row_size);
    let mut bufs: Vec<Vec<u8>> = (1..threads)
        .map(|_| Vec::with_capacity(part_bytes))
        .collect();
    for round in items.chunks(SPILL_ROWS * threads) {
        let used = render_parts(out, round, threads, &mut bufs, render);
        spill(out);
        for b in bufs.iter_mut().take(used) {
            spill(b);
            b.clear();
        }
    }
}

/// Splits `items` into up to `threads` contiguous parts: renders the first
/// into `out` on this thread and the others into `bufs` (appended to what
/// they hold; grown when short) on scoped threads. Returns how many of
/// `bufs` hold a part, in order.
fn render_parts<T: Sync>(
    out: &mut Vec<u8>,
    items: &[T],
    threads: usize,
    bufs: &mut Vec<Vec<u8>>,
    render: &(dyn Fn(&mut Vec<u8>, &[T]) + Sync),
) -> usize {
    let per = items.len().div_ceil(threads.max(1)).max(1);
    let mut parts = items.chunks(per);
    let first = parts.next().unwrap_or(&[]);
    let rest: Vec<&[T]> = parts.collect();
    if rest.is_empty() {
        render(out, first);
        return 0;
    }
    if bufs.len() < rest.len() {
        bufs.resize_with(rest.len(), Vec::new);
    }
    let failed: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = rest
            .iter()
            .zip(bufs.iter_mut())
            .map(|(&part, buf)| s.spawn(move || render(buf, part)))
            .collect();
        render(out, first);
        handles
            .into_iter()
            .enumerate()
            .filter_map(|(i, h)| h.join().is_err().then_some(i))
            .collect()
    });
    // Only with unwinding panics: render those parts here instead.
    for i in failed {
        if let (Some(buf), Some(part)) = (bufs.get_mut(i), rest.get(i)) {
            buf.clear();
            render(buf, part);
        }
    }
    rest.len()
}

/// Output written in place: `out` holds room filled with spaces past
/// `pos`, so that padding costs nothing and fields are written with
/// fixed-size copies. Every writer leaves the bytes past what it wrote as
/// spaces. Dropping it cuts the room off.
pub struct Room<'a> {
    out: &'a mut Vec<u8>,
    pos: usize,
}

impl<'a> Room<'a> {
    /// Room at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Room<'a> {
        let pos = out.len();
        Room { out, pos }
    }

    /// At least `need` bytes of space-filled room.
    #[inline]
    pub fn get(&mut self, need: usize) -> &mut [u8] {
        if self.out.len() < self.pos + need {
            self.out.resize(self.pos + need.max(1 << 16), b' ');
        }
        let pos = self.pos;
        self.out.get_mut(pos..).unwrap_or_default()
    }

    /// Appends with the `Vec` API (the room is given up and made again
    /// when next asked for).
    #[inline]
    pub fn append(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        self.out.truncate(self.pos);
        f(self.out);
        self.pos = self.out.len();
    }

    /// Where the room begins in the output.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Keeps the first `n` bytes of the room.
    #[inline]
    pub fn advance(&mut self, n: usize) {
        self.pos += n;
    }
}

impl Drop for Room<'_> {
    fn drop(&mut self) {
        self.out.truncate(self.pos);
    }
}

/// Number of decimal digits of `v`.
#[inline]
pub fn digit_count(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// Writes the digits of `v` into `b` ending before `end`.
#[inline]
fn put_digits(b: &mut [u8], end: usize, mut v: u64) {
    let mut i = end;
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        b[i] = DIGITS2[d];
        b[i + 1] = DIGITS2[d + 1];
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        b[i] = DIGITS2[d];
        b[i + 1] = DIGITS2[d + 1];
    } else {
        i -= 1;
        b[i] = b'0' + v as u8;
    }
}

/// Writes the decimal text of `v` at `p` in space-filled room; returns
/// where it ends.
#[inline]
pub fn put_u64(b: &mut [u8], p: usize, v: u64) -> usize {
    let end = p + digit_count(v);
    put_digits(b, end, v);
    end
}

/// Writes the decimal text of a signed number at `p`; returns its end.
#[inline]
pub fn put_i64(b: &mut [u8], p: usize, v: i64) -> usize {
    if v < 0 {
        b[p] = b'-';
        put_u64(b, p + 1, v.unsigned_abs())
    } else {
        put_u64(b, p, v as u64)
    }
}

/// `%*ld`: a signed number right-aligned in `width` bytes from `p`;
/// returns the end of the field.
#[inline]
pub fn put_i64_right(b: &mut [u8], p: usize, v: i64, width: usize) -> usize {
    let abs = v.unsigned_abs();
    let len = digit_count(abs) + usize::from(v < 0);
    let end = p + len.max(width);
    put_digits(b, end, abs);
    if v < 0 {
        b[end - len] = b'-';
    }
    end
}

/// Writes `text` at `p`; returns its end.
#[inline]
pub fn put_bytes(b: &mut [u8], p: usize, text: &[u8]) -> usize {
    let end = p + text.len();
    b[p..end].copy_from_slice(text);
    end
}

/// Two decimal digits of every number below 100.
const DIGITS2: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Decimal digits of `v` at the end of `buf`; returns where they start.
#[inline]
fn digits(buf: &mut [u8; 20], mut v: u64) -> usize {
    let mut i = buf.len();
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        if let (Some(dst), Some(src)) = (buf.get_mut(i..i + 2), DIGITS2.get(d..d + 2)) {
            dst.copy_from_slice(src);
        }
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        if let (Some(dst), Some(src)) = (buf.get_mut(i..i + 2), DIGITS2.get(d..d + 2)) {
            dst.copy_from_slice(src);
        }
    } else {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + v as u8;
        }
    }
    i
}

/// Decimal text of an unsigned number in a stack buffer.
#[derive(Clone, Copy)]
pub struct Num {
    buf: [u8; 21],
    start: u8,
}

impl Num {
    /// The text of an unsigned number.
    #[inline]
    pub fn u(v: u64) -> Num {
        let mut d = [0u8; 20];
        let start = digits(&mut d, v);
        let mut buf = [0u8; 21];
        if let Some(dst) = buf.get_mut(1..) {
            dst.copy_from_slice(&d);
        }
        Num {
            buf,
            start: start as u8 + 1,
        }
    }

    /// The text of a signed number.
    #[inline]
    pub fn i(v: i64) -> Num {
        let mut n = Num::u(v.unsigned_abs());
        if v < 0 {
            n.start -= 1;
            if let Some(b) = n.buf.get_mut(n.start as usize) {
                *b = b'-';
            }
        }
        n
    }

    /// The bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(self.start as usize..).unwrap_or(&[])
    }
}

/// Appends the decimal text of an unsigned number.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let start = digits(&mut buf, v);
    out.extend_from_slice(buf.get(start..).unwrap_or(&[]));
}

/// Appends the decimal text of a signed number.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    write_u64(out, v.unsigned_abs());
}

/// Decimal text of a signed number.
pub fn dec(v: i64) -> Vec<u8> {
    Num::i(v).bytes().to_vec()
}

/// Decimal text of an unsigned number.
pub fn udec(v: u64) -> Vec<u8> {
    Num::u(v).bytes().to_vec()
}

/// C's `%2.2f` (and `%.2f`) of a double.
pub fn fixed2(v: f64) -> Vec<u8> {
    let mut out = Vec::with_capacity(8);
    write_fixed2(&mut out, v);
    out
}

/// A `fmt::Write` into a `Vec<u8>` (no intermediate `String`).
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Appends C's `%.2f` of a double.
pub fn write_fixed2(out: &mut Vec<u8>, v: f64) {
    use std::fmt::Write as _;
    // Formatting into a Vec cannot fail.
    let _ = write!(VecWriter(out), "{v:.2}");
}

/// Appends C's `%.2f` of `ticks / divisor`, computed in `f64` as netstat
/// does.
pub fn write_ticks(out: &mut Vec<u8>, ticks: u64, divisor: u32) {
    // With a divisor of 100 the quotient has two decimals exactly; the
    // double nearest to it is within far less than 0.005 of it while
    // ticks stay below 2^40, so `%.2f` gives back those two decimals.
    if divisor == 100 && ticks < 1 << 40 {
        write_u64(out, ticks / 100);
        out.push(b'.');
        let d = (ticks % 100) as usize * 2;
        out.extend_from_slice(DIGITS2.get(d..d + 2).unwrap_or(b"00"));
    } else {
        write_fixed2(out, ticks as f64 / f64::from(divisor));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_parts_are_the_same_bytes_in_the_same_order() {
        let items: Vec<u32> = (0..300_001).collect();
        // Every third item prints, as with a filter.
        let render = |out: &mut Vec<u8>, part: &[u32]| {
            for i in part.iter().filter(|i| *i % 3 != 1) {
                out.extend_from_slice(format!("row {i}\n").as_bytes());
            }
        };
        let mut whole = b"header\n".to_vec();
        crate::par::set_threads(1);
        in_parts(&mut whole, &items, 200_001, 12, &render);
        for threads in [1, 2, 3] {
            crate::par::set_threads(threads);
            let plain = {
                let mut out = b"header\n".to_vec();
                in_parts(&mut out, &items, 200_001, 12, &render);
                out
            };
            assert!(plain == whole, "{threads} threads");
            let sink = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let s2 = sink.clone();
            set_spill(Some(Box::new(move |b: &[u8]| {
                s2.borrow_mut().extend_from_slice(b)
            })));
            let mut out = b"header\n".to_vec();
            in_parts(&mut out, &items, 200_001, 12, &render);
            out.extend_from_slice(b"tail\n");
            set_spill(None);
            let mut got = sink.borrow().clone();
            assert!(got.len() > 1_000_000, "nothing was spilled");
            got.extend_from_slice(&out);
            let mut want = whole.clone();
            want.extend_from_slice(b"tail\n");
            assert!(got == want, "{threads} threads, spilled");
        }
        crate::par::set_threads(0);
    }

    #[test]
    fn pads_by_bytes() {
        let mut v = Vec::new();
        pad_right(&mut v, "é".as_bytes(), 5);
        v.push(b'|');
        assert_eq!(v.len(), 6);
        let mut w = Vec::new();
        pad_left(&mut w, b"12", 6);
        assert_eq!(w, b"    12");
    }

    #[test]
    fn two_decimals() {
        assert_eq!(fixed2(250.0 / 100.0), b"2.50");
        assert_eq!(fixed2(5999.0 / 100.0), b"59.99");
        assert_eq!(fixed2(0.0), b"0.00");
    }

    #[test]
    fn ticks_like_doubles() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut cases: Vec<u64> = (0..3000).collect();
        for _ in 0..20000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            cases.push(seed >> (seed % 64));
        }
        cases.extend([u64::MAX, 1 << 40, (1 << 40) - 1, (1 << 53) + 1]);
        for t in cases {
            for d in [100u32, 250, 1000, 1] {
                let mut v = Vec::new();
                write_ticks(&mut v, t, d);
                assert_eq!(
                    v,
                    format!("{:.2}", t as f64 / f64::from(d)).into_bytes(),
                    "{t} {d}"
                );
            }
        }
    }

    #[test]
    fn numbers() {
        for v in [
            0i64,
            1,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            12345,
            -1,
            -10,
            -99,
            -100,
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(dec(v), v.to_string().into_bytes());
            assert_eq!(Num::i(v).bytes(), v.to_string().as_bytes());
            let mut o = Vec::new();
            write_i64(&mut o, v);
            assert_eq!(o, v.to_string().into_bytes());
        }
        let mut v = 1u64;
        while v < u64::MAX / 3 {
            for w in [v - 1, v, v + 1] {
                assert_eq!(udec(w), w.to_string().into_bytes());
            }
            v *= 3;
        }
        assert_eq!(udec(u64::MAX), u64::MAX.to_string().into_bytes());
        let mut o = b"x".to_vec();
        pad_from(&mut o, 0, 4);
        assert_eq!(o, b"x   ");
        spaces(&mut o, 40);
        assert_eq!(o.len(), 44);
        for v in [
            0i64,
            5,
            -5,
            12,
            -12,
            123456,
            -123456,
            1234567,
            i64::MIN,
            i64::MAX,
        ] {
            let mut b = [b' '; 64];
            let end = put_i64_right(&mut b, 2, v, 6);
            let mut want = b"  ".to_vec();
            pad_left(&mut want, v.to_string().as_bytes(), 6);
            assert_eq!(&b[..end], &want[..]);
            assert!(b[end..].iter().all(|&c| c == b' '));
            let mut b = [b' '; 64];
            let end = put_i64(&mut b, 1, v);
            assert_eq!(&b[1..end], v.to_string().as_bytes());
        }
        let mut out = b"abc".to_vec();
        {
            let mut r = Room::new(&mut out);
            let b = r.get(10);
            let end = put_bytes(b, 0, b"xy");
            r.advance(end + 1);
        }
        assert_eq!(out, b"abcxy ");
    }
}
pub mod ifaces;
pub mod route;
