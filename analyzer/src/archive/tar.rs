//! Walking a tar stream where it lies in the inflated blocks: ustar, GNU
//! (long names and link names, base-256 sizes) and pax (`path`, `linkpath`,
//! `size`) headers, each checked against its checksum.

use super::blocks::{Blocks, Fail};
use super::{
    Entry, Flow, Limits, Prepared, Preparer, Visitor, limit_error, normalise, normalise_text,
};
use crate::diag::{Diagnostic, Error};

/// A read position over the blocks.
struct Stream<'b> {
    blocks: &'b mut dyn Blocks,
    pos: usize,
    /// Stream offset of the current block's start.
    offset: u64,
}

/// Why the stream stopped.
enum Stop {
    /// The clean end of the stream.
    End,
    /// A failure of the stream.
    Fail(Fail),
}

impl Stream<'_> {
    /// The unread bytes of the current block, moving to the next block
    /// when the current one is used up.
    fn avail(&mut self) -> Result<&[u8], Stop> {
        while self.pos >= self.blocks.current().len() {
            self.offset += self.blocks.current().len() as u64;
            self.pos = 0;
            match self.blocks.advance() {
                Ok(true) => {}
                Ok(false) => return Err(Stop::End),
                Err(f) => return Err(Stop::Fail(f)),
            }
        }
        Ok(self.blocks.current().get(self.pos..).unwrap_or(&[]))
    }

    fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    /// Stream offset of the next unread byte.
    fn at(&self) -> u64 {
        self.offset + self.pos as u64
    }

    /// Skips `n` bytes.
    fn skip(&mut self, mut n: u64) -> Result<(), Stop> {
        while n > 0 {
            let k = (self.avail()?.len() as u64).min(n);
            self.advance(k as usize);
            n -= k;
        }
        Ok(())
    }

    /// Reads exactly `dst.len()` bytes.
    fn read_exact(&mut self, dst: &mut [u8]) -> Result<(), (usize, Stop)> {
        let mut got = 0;
        while got < dst.len() {
            let piece = self.avail().map_err(|s| (got, s))?;
            let k = piece.len().min(dst.len() - got);
            if let (Some(d), Some(s)) = (dst.get_mut(got..got + k), piece.get(..k)) {
                d.copy_from_slice(s);
            }
            self.advance(k);
            got += k;
        }
        Ok(())
    }

    /// Appends `n` bytes to `dst`; on a stop, what was read stays in `dst`.
    fn read_into(&mut self, n: u64, dst: &mut Vec<u8>) -> Result<(), Stop> {
        let mut left = n;
        while left > 0 {
            let piece = self.avail()?;
            let k = (piece.len() as u64).min(left) as usize;
            dst.extend_from_slice(piece.get(..k).unwrap_or(&[]));
            self.advance(k);
            left -= k as u64;
        }
        Ok(())
    }
}

/// A numeric header field: octal (leading spaces and NULs allowed, ended by
/// a space or NUL) or GNU base-256 (high bit of the first byte set).
fn number(field: &[u8]) -> Option<u64> {
    let first = *field.first()?;
    if first & 0x80 != 0 {
        if first & 0x40 != 0 {
            return None; // negative
        }
        let mut v: u64 = u64::from(first & 0x3f);
        for &b in field.get(1..).unwrap_or(&[]) {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let start = field
        .iter()
        .position(|&b| b != b' ' && b != 0)
        .unwrap_or(field.len());
    let digits = field.get(start..).unwrap_or(&[]);
    let end = digits
        .iter()
        .position(|&b| b == b' ' || b == 0)
        .unwrap_or(digits.len());
    let digits = digits.get(..end).unwrap_or(&[]);
    if digits.is_empty() {
        // Blank, or nothing but spaces and NULs.
        return Some(0);
    }
    if digits.iter().any(|&b| !(b'0'..=b'7').contains(&b)) {
        return None;
    }
    // Header fields hold at most 12 digits (36 bits); only a longer run can
    // overflow.
    if digits.len() <= 21 {
        return Some(
            digits
                .iter()
                .fold(0, |v, &b| (v << 3) | u64::from(b - b'0')),
        );
    }
    digits.iter().try_fold(0u64, |v, &b| {
        v.checked_mul(8)?.checked_add(u64::from(b - b'0'))
    })
}

fn field(h: &[u8; 512], from: usize, to: usize) -> &[u8] {
    h.get(from..to).unwrap_or(&[])
}

/// Bytes up to the first NUL.
fn cstr(b: &[u8]) -> &[u8] {
    memchr::memchr(0, b).map_or(b, |n| b.get(..n).unwrap_or(b))
}

/// Whether the header's checksum holds (the sum of its bytes, the checksum
/// field counted as spaces).
fn checksum_ok(h: &[u8; 512]) -> bool {
    let Some(want) = number(field(h, 148, 156)) else {
        return false;
    };
    // Summed whole in runs of 64 bytes (at most 64 * 255 each, which fits 16 bits: the compiler
    // sums such runs with wide instructions), then the field swapped for spaces.
    let all = byte_sum(h);
    let stored: u64 = field(h, 148, 156).iter().map(|&b| u64::from(b)).sum();
    all - stored + 8 * 32 == want
}

/// The sum of a header's bytes.
#[inline(never)]
fn byte_sum(h: &[u8; 512]) -> u64 {
    let mut total = 0u32;
    for run in h.chunks_exact(64) {
        let mut acc = 0u16;
        for &b in run {
            acc += u16::from(b);
        }
        total += u32::from(acc);
    }
    u64::from(total)
}

/// A symbolic link header that stands alone, at byte `512 * chunk` of an inflated block, and what
/// the visitor's [`Preparer`] made of it ([`prepare_block`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ready {
    pub(crate) chunk: usize,
    name_len: u8,
    target_len: u8,
    prepared: Prepared,
}

/// The name and target of `h` if it is a sound header of a symbolic link (checksum, size 0) whose
/// path is its name field alone, as [`normalise`] leaves it.
fn plain_symlink(h: &[u8; 512]) -> Option<(&str, &[u8])> {
    if h[156] != b'2' || h[0] == 0 {
        return None;
    }
    if field(h, 257, 263) == b"ustar\0" && h[345] != 0 {
        return None; // a ustar prefix
    }
    if number(field(h, 124, 136)) != Some(0) || !checksum_ok(h) {
        return None;
    }
    let name = std::str::from_utf8(cstr(field(h, 0, 100))).ok()?;
    (normalise_text(name) == Ok(name)).then_some((name, cstr(field(h, 157, 257))))
}

/// Every standing-alone symbolic link header at the 512-byte steps of `block` that `preparer`
/// takes, in order, into `out`: run by the threads that inflate the blocks, before the walk
/// reaches them. Only a header the walk meets at such a step, with no long name or pax record
/// pending, uses what is found ([`Blocks::ready`]); the walk would read it the same way.
pub(crate) fn prepare_block(block: &[u8], preparer: Preparer, out: &mut Vec<Ready>) {
    out.clear();
    for (chunk, h) in block.chunks_exact(512).enumerate() {
        // Most chunks are not symbolic links; one byte tells.
        if h.get(156) != Some(&b'2') {
            continue;
        }
        let Ok(h) = <&[u8; 512]>::try_from(h) else {
            continue;
        };
        if let Some((name, target)) = plain_symlink(h)
            && let Some(prepared) = preparer(name, target)
        {
            out.push(Ready {
                chunk,
                name_len: name.len() as u8,
                target_len: target.len() as u8,
                prepared,
            });
        }
    }
}

/// The `path`, `linkpath` and `size` records of a pax extended header.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
}

impl Pax {
    fn is_empty(&self) -> bool {
        self.path.is_none() && self.linkpath.is_none() && self.size.is_none()
    }
}

fn parse_pax(mut data: &[u8], pax: &mut Pax) {
    // Records: "<len> <key>=<value>\n", len counting the whole record.
    while !data.is_empty() {
        let Some(sp) = data.iter().position(|&b| b == b' ') else {
            return;
        };
        let len: usize = match std::str::from_utf8(data.get(..sp).unwrap_or(&[]))
            .ok()
            .and_then(|s| s.parse().ok())
        {
            Some(l) if l > sp + 1 && l <= data.len() => l,
            _ => return,
        };
        let record = data.get(sp + 1..len).unwrap_or(&[]);
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|&b| b == b'=') {
            let (key, value) = (
                record.get(..eq).unwrap_or(&[]),
                record.get(eq + 1..).unwrap_or(&[]),
            );
            match key {
                b"path" => pax.path = Some(value.to_vec()),
                b"linkpath" => pax.linkpath = Some(value.to_vec()),
                b"size" => {
                    pax.size = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok());
                }
                _ => {}
            }
        }
        data = data.get(len..).unwrap_or(&[]);
    }
}

/// Walks the tar stream, handing entries to `visitor`.
pub(super) fn walk(
    blocks: &mut dyn Blocks,
    gz: bool,
    limits: &Limits,
    diagnostics: &mut Vec<Diagnostic>,
    visitor: &mut impl Visitor,
) -> Result<(), Error> {
    let mut s = Stream {
        blocks,
        pos: 0,
        offset: 0,
    };
    let mut count: u64 = 0;
    let mut whole = Vec::new();
    let mut meta = Vec::new();
    let mut long_name: Option<Vec<u8>> = None;
    let mut long_link: Option<Vec<u8>> = None;
    let mut pax = Pax::default();
    let mut path_buf = Vec::new();
    let mut link_buf = Vec::new();
    // What ends the walk early: a stream failure or a broken header.
    let broken = |count: u64, why: String, diagnostics: &mut Vec<Diagnostic>| {
        if count == 0 {
            return Err(if gz {
                Error::Damaged(format!("no entry could be read: {why}"))
            } else {
                Error::NotAnArchive
            });
        }
        diagnostics.push(Diagnostic::file(
            "archive",
            format!("reading stopped after {count} entries: {why}"),
        ));
        Ok(())
    };
    let stop_text = |stop: Stop| -> Result<String, Error> {
        match stop {
            Stop::End => Ok("the archive ends in the middle of an entry".to_string()),
            Stop::Fail(Fail::Limit) => Err(limit_error(limits)),
            Stop::Fail(Fail::Read(m)) => Ok(m),
        }
    };
    // Where a header that straddles two blocks is copied.
    let mut copy = [0u8; 512];
    loop {
        let header_at = s.at();
        // The header is read where it lies, or copied when it straddles
        // two blocks.
        let in_block = matches!(s.avail(), Ok(p) if p.len() >= 512);
        // A symbolic link the inflating threads already read (`prepare_block`).
        let alone = long_name.is_none() && long_link.is_none() && pax.is_empty();
        if in_block
            && alone
            && s.pos.is_multiple_of(512)
            && let Some(r) = s.blocks.ready(s.pos / 512)
        {
            count += 1;
            if count > limits.max_entries {
                return Err(entries_error(limits));
            }
            let h = s.blocks.current().get(s.pos..).unwrap_or(&[]);
            let name = h.get(..usize::from(r.name_len)).unwrap_or(&[]);
            let target = h.get(157..157 + usize::from(r.target_len)).unwrap_or(&[]);
            let flow = visitor.prepared_symlink(name, target, r.prepared);
            s.advance(512);
            if flow == Flow::Stop {
                return Ok(());
            }
            continue;
        }
        if !in_block {
            match s.read_exact(&mut copy) {
                Ok(()) => {}
                Err((0, Stop::End)) if count > 0 || header_at > 0 || !gz => return Ok(()),
                Err((0, Stop::End)) => {
                    return Err(Error::Damaged(
                        "no entry could be read: the gzip stream ends before any tar data"
                            .to_string(),
                    ));
                }
                Err((_, stop)) => {
                    let why = stop_text(stop)?;
                    return broken(count, why, diagnostics);
                }
            }
        }
        let (zero, sum_ok, size, kind, mode_field) = {
            let placed: Option<&[u8; 512]> = if in_block {
                s.avail()
                    .ok()
                    .and_then(|p| p.get(..512))
                    .and_then(|p| p.try_into().ok())
            } else {
                None
            };
            let h = placed.unwrap_or(&copy);
            // The header's own names; long names and pax records replace
            // them below.
            path_buf.clear();
            let name = cstr(field(h, 0, 100));
            let prefix = cstr(field(h, 345, 500));
            if field(h, 257, 263) == b"ustar\0" && !prefix.is_empty() {
                path_buf.extend_from_slice(prefix);
                path_buf.push(b'/');
            }
            path_buf.extend_from_slice(name);
            link_buf.clear();
            link_buf.extend_from_slice(cstr(field(h, 157, 257)));
            (
                h[0] == 0 && h.iter().all(|&b| b == 0),
                checksum_ok(h),
                number(field(h, 124, 136)),
                h[156],
                // Read only for a directory.
                <[u8; 8]>::try_from(field(h, 100, 108)).unwrap_or([0; 8]),
            )
        };
        if in_block {
            s.advance(512);
        }
        if zero {
            return Ok(());
        }
        if !sum_ok {
            return broken(
                count,
                format!("bad header checksum at byte {header_at} of the tar stream"),
                diagnostics,
            );
        }
        let Some(mut size) = size else {
            return broken(
                count,
                format!("bad size field at byte {header_at} of the tar stream"),
                diagnostics,
            );
        };
        // Headers that describe the next entry.
        if matches!(kind, b'L' | b'K' | b'x' | b'g') {
            if size > limits.max_entry_size {
                return Err(entry_size_error(limits));
            }
            meta.clear();
            if let Err(stop) = s.read_into(size, &mut meta) {
                let why = stop_text(stop)?;
                return broken(count, why, diagnostics);
            }
            if let Err(stop) = s.skip(padding(size)) {
                let why = stop_text(stop)?;
                return broken(count, why, diagnostics);
            }
            match kind {
                b'L' => long_name = Some(cstr(&meta).to_vec()),
                b'K' => long_link = Some(cstr(&meta).to_vec()),
                b'x' => parse_pax(&meta, &mut pax),
                _ => {}
            }
            continue;
        }
        count += 1;
        if count > limits.max_entries {
            return Err(entries_error(limits));
        }
        let pax_now = std::mem::take(&mut pax);
        if let Some(sz) = pax_now.size {
            size = sz;
        }
        if let Some(p) = pax_now.path.or(long_name.take()) {
            path_buf.clear();
            path_buf.extend_from_slice(&p);
        }
        let raw_path = &path_buf;
        if let Some(l) = pax_now.linkpath.or(long_link.take()) {
            link_buf.clear();
            link_buf.extend_from_slice(&l);
        }
        let link = &link_buf;
        let content_end = size + padding(size);
        let path = match normalise(raw_path) {
            Ok(p) => p,
            Err(why) => {
                diagnostics.push(Diagnostic::file(
                    "archive",
                    format!(
                        "entry {count} skipped: {why}: {}",
                        String::from_utf8_lossy(raw_path)
                    ),
                ));
                if let Err(stop) = s.skip(content_end) {
                    let why = stop_text(stop)?;
                    return broken(count, why, diagnostics);
                }
                continue;
            }
        };
        let flow = match kind {
            b'0' | 0 | b'7' => {
                if size > limits.max_entry_size {
                    return Err(entry_size_error(limits));
                }
                match visitor.wants(path, size) {
                    Flow::Stop => return Ok(()),
                    Flow::Skip => Flow::Skip,
                    Flow::Stream => {
                        let mut left = size;
                        let mut failed = None;
                        while left > 0 {
                            match s.avail() {
                                Ok(piece) => {
                                    let k = (piece.len() as u64).min(left) as usize;
                                    let flow = visitor.piece(path, piece.get(..k).unwrap_or(&[]));
                                    s.advance(k);
                                    if flow == Flow::Stop {
                                        return Ok(());
                                    }
                                    left -= k as u64;
                                }
                                Err(stop) => {
                                    failed = Some(stop);
                                    break;
                                }
                            }
                        }
                        if let Some(stop) = failed {
                            let why = stop_text(stop)?;
                            truncated(diagnostics, path, size - left, size, &why);
                            let _ = visitor.end(path);
                            return Ok(());
                        }
                        visitor.end(path)
                    }
                    Flow::Continue => {
                        // Without a copy when the content lies in one block.
                        let inline = s
                            .avail()
                            .ok()
                            .is_some_and(|piece| piece.len() as u64 >= size);
                        if inline {
                            let flow = match s.avail() {
                                Ok(piece) => visitor.visit(
                                    path,
                                    Entry::File(piece.get(..size as usize).unwrap_or(&[])),
                                ),
                                Err(_) => Flow::Continue,
                            };
                            s.advance(size as usize);
                            flow
                        } else {
                            whole.clear();
                            if let Err(stop) = s.read_into(size, &mut whole) {
                                let why = stop_text(stop)?;
                                truncated(diagnostics, path, whole.len() as u64, size, &why);
                                let _ = visitor.visit(path, Entry::File(&whole));
                                return Ok(());
                            }
                            visitor.visit(path, Entry::File(&whole))
                        }
                    }
                }
            }
            b'2' => visitor.visit(path, Entry::Symlink(link)),
            b'5' => {
                let mode = number(&mode_field).unwrap_or(0o755) as u32;
                visitor.visit(path, Entry::Dir(mode))
            }
            _ => visitor.visit(path, Entry::Other),
        };
        if flow == Flow::Stop {
            return Ok(());
        }
        // The rest of the content (all of it unless it was read) and the
        // padding to the next header.
        let consumed = s.at() - (header_at + 512);
        if let Err(stop) = s.skip(content_end.saturating_sub(consumed)) {
            let why = stop_text(stop)?;
            if consumed < size {
                truncated(diagnostics, path, consumed, size, &why);
            }
            return Ok(());
        }
    }
}

fn padding(size: u64) -> u64 {
    (512 - size % 512) % 512
}

fn truncated(diagnostics: &mut Vec<Diagnostic>, path: &str, got: u64, size: u64, why: &str) {
    diagnostics.push(Diagnostic::file(
        path,
        format!("content truncated after {got} of {size} bytes: {why}"),
    ));
}

fn entries_error(limits: &Limits) -> Error {
    Error::Limit {
        name: "number of entries",
        value: limits.max_entries,
        hint: "raise it with --max-entries",
    }
}

fn entry_size_error(limits: &Limits) -> Error {
    Error::Limit {
        name: "size of one entry",
        value: limits.max_entry_size,
        hint: "raise it with --max-entry-size",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(b"0000644\0"), Some(0o644));
        assert_eq!(number(b"  1234 \0"), Some(0o1234));
        assert_eq!(number(b"\0\0\0\0"), Some(0));
        assert_eq!(number(b"12x4\0"), None);
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 1, 0]), Some(256));
        assert_eq!(number(&[0xff, 0, 0]), None);
    }

    #[test]
    fn checksum_as_the_byte_sum() {
        let mut h = [0u8; 512];
        for (i, b) in h.iter_mut().enumerate() {
            *b = (i * 7 % 256) as u8;
        }
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        let text = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(text.as_bytes());
        assert!(checksum_ok(&h));
        h[0] ^= 1;
        assert!(!checksum_ok(&h));
        let mut full = [0xffu8; 512];
        let sum = 504 * 255 + 8 * 32;
        full[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        assert!(checksum_ok(&full));
    }

    /// A header: `name`, type `kind`, `size`, link `link`, ustar (with `prefix`) or GNU magic.
    fn header(name: &str, kind: u8, size: usize, link: &str, prefix: Option<&str>) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..108].copy_from_slice(b"0000777\0");
        h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = kind;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        match prefix {
            Some(p) => {
                h[257..265].copy_from_slice(b"ustar\x0000");
                h[345..345 + p.len()].copy_from_slice(p.as_bytes());
            }
            None => h[257..265].copy_from_slice(b"ustar  \0"),
        }
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * 32;
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    }

    /// An entry: its header, then `data` padded to 512 bytes.
    fn entry(h: Vec<u8>, data: &[u8]) -> Vec<u8> {
        let mut e = h;
        e.extend_from_slice(data);
        e.resize(e.len().div_ceil(512) * 512, 0);
        e
    }

    /// Blocks of `size` bytes of `data`, with what `preparer` finds in each.
    struct Pieces {
        blocks: Vec<Vec<u8>>,
        at: Option<usize>,
        preparer: Option<Preparer>,
        ready: Vec<Ready>,
    }

    impl Blocks for Pieces {
        fn advance(&mut self) -> Result<bool, Fail> {
            let next = self.at.map_or(0, |i| i + 1);
            self.at = Some(next);
            self.ready.clear();
            match (self.blocks.get(next), self.preparer) {
                (Some(b), Some(p)) => prepare_block(b, p, &mut self.ready),
                (None, _) => return Ok(false),
                _ => {}
            }
            Ok(true)
        }
        fn current(&self) -> &[u8] {
            self.at.and_then(|i| self.blocks.get(i)).map_or(&[], |b| b)
        }
        fn ready(&mut self, chunk: usize) -> Option<Ready> {
            self.ready.iter().find(|r| r.chunk == chunk).copied()
        }
    }

    /// What a walk hands its visitor, and which links came prepared.
    #[derive(Default)]
    struct Log {
        seen: Vec<String>,
        prepared: Vec<(String, Prepared)>,
    }

    impl Visitor for Log {
        fn wants(&mut self, _path: &str, _size: u64) -> Flow {
            Flow::Continue
        }
        fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow {
            self.seen.push(format!("{path} {entry:?}"));
            Flow::Continue
        }
        fn prepared_symlink(&mut self, name: &[u8], target: &[u8], p: Prepared) -> Flow {
            let name = String::from_utf8_lossy(name).into_owned();
            self.prepared.push((name.clone(), p));
            self.visit(&name, Entry::Symlink(target))
        }
    }

    /// Takes links under `proc/`, with the lengths of name and target.
    fn lengths(name: &str, target: &[u8]) -> Option<Prepared> {
        name.starts_with("proc/").then_some(Prepared {
            a: name.len() as u32,
            b: target.len() as u32,
            c: None,
        })
    }

    fn walked(data: &[u8], size: usize, prepare: bool, limits: &Limits) -> (String, Log) {
        let mut blocks = Pieces {
            blocks: data.chunks(size).map(<[u8]>::to_vec).collect(),
            at: None,
            preparer: prepare.then_some(lengths as Preparer),
            ready: Vec::new(),
        };
        let (mut log, mut d) = (Log::default(), Vec::new());
        let res = walk(&mut blocks, true, limits, &mut d, &mut log);
        (format!("{res:?} {d:?}"), log)
    }

    #[test]
    fn prepared_links_are_read_as_the_walk_reads_them() {
        let long = "l".repeat(130);
        let mut data = Vec::new();
        for e in [
            entry(header("proc/net/tcp", b'0', 3, "", None), b"x\ny"),
            entry(header("proc/1/fd/3", b'2', 0, "socket:[42]", None), b""),
            entry(header("proc/1/fd/4", b'2', 0, "pipe:[7]", Some("")), b""),
            // Not alone: a ustar prefix, a name `normalise` changes, a size, a pax path, a long
            // link name, a long name.
            entry(header("fd/5", b'2', 0, "socket:[1]", Some("proc/1")), b""),
            entry(header("./proc/2/fd/1", b'2', 0, "socket:[2]", None), b""),
            entry(
                header("proc/2/fd/2", b'2', 512, "socket:[3]", None),
                &[b'z'; 512],
            ),
            entry(header("pax", b'x', 20, "", None), b"20 path=proc/3/fd/1\n"),
            entry(header("proc/3/fd/9", b'2', 0, "socket:[4]", None), b""),
            entry(
                header("././@LongLink", b'K', 131, "", None),
                format!("{long}\0").as_bytes(),
            ),
            entry(header("proc/4/fd/1", b'2', 0, "short", None), b""),
            entry(
                header("././@LongLink", b'L', 131, "", None),
                format!("{long}\0").as_bytes(),
            ),
            entry(header("proc/4/fd/2", b'2', 0, "socket:[5]", None), b""),
            // Declined by the preparer.
            entry(header("sys/x", b'2', 0, "y", None), b""),
            entry(header("proc/5/fd/1", b'2', 0, "socket:[6]", None), b""),
        ] {
            data.extend_from_slice(&e);
        }
        let sound = data.clone();
        // The last link's checksum broken: reading stops before it.
        let last = data.len() - 512;
        data[last + 5] ^= 1;
        let few = Limits {
            max_entries: 4,
            ..Limits::default()
        };
        for (input, limits) in [
            (&sound, Limits::default()),
            (&data, Limits::default()),
            (&sound, few),
        ] {
            for size in [512, 1024, 1536, 700, 1 << 20] {
                let (want, plain) = walked(input, size, false, &limits);
                let (got, log) = walked(input, size, true, &limits);
                assert_eq!(got, want, "{size}");
                assert_eq!(log.seen, plain.seen, "{size}");
                assert!(plain.prepared.is_empty());
                let names: Vec<&str> = log.prepared.iter().map(|(n, _)| n.as_str()).collect();
                let mut expect = vec!["proc/1/fd/3", "proc/1/fd/4", "proc/5/fd/1"];
                if input == &data {
                    expect.pop();
                }
                if limits.max_entries == 4 {
                    expect.truncate(2);
                }
                // Blocks that do not start at 512-byte steps of the stream: no header lies at
                // a 512-byte step of its block, and each is read the ordinary way.
                if size == 700 {
                    expect.clear();
                }
                assert_eq!(names, expect, "{size}");
                for (name, p) in &log.prepared {
                    assert_eq!(p.a as usize, name.len());
                }
            }
        }
        let (_, log) = walked(&sound, 1 << 20, false, &Limits::default());
        assert_eq!(log.seen.len(), 11);
        assert!(
            log.seen
                .iter()
                .any(|s| s.starts_with(&format!("proc/4/fd/1 Symlink({:?}", long.as_bytes())))
        );
    }

    #[test]
    fn pax_records() {
        let mut p = Pax::default();
        parse_pax(b"19 path=proc/net/x\n11 size=42\n", &mut p);
        assert_eq!(p.path.as_deref(), Some(&b"proc/net/x"[..]));
        assert_eq!(p.size, Some(42));
        let mut p = Pax::default();
        parse_pax(b"999 path=x\n", &mut p);
        assert!(p.path.is_none());
    }
}
