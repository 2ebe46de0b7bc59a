//! Walking a tar stream where it lies in the inflated blocks: ustar, GNU
//! (long names and link names, base-256 sizes) and pax (`path`, `linkpath`,
//! `size`) headers, each checked against its checksum.

use super::blocks::{Blocks, Fail};
use super::{Entry, Flow, Limits, Visitor, limit_error, normalise};
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
    let digits = field
        .iter()
        .skip_while(|&&b| b == b' ' || b == 0)
        .take_while(|&&b| b != b' ' && b != 0);
    let mut v: u64 = 0;
    let mut any = false;
    for &b in digits {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
        any = true;
    }
    if any || field.iter().all(|&b| b == b' ' || b == 0) {
        Some(v)
    } else {
        None
    }
}

fn field(h: &[u8; 512], from: usize, to: usize) -> &[u8] {
    h.get(from..to).unwrap_or(&[])
}

/// Bytes up to the first NUL.
fn cstr(b: &[u8]) -> &[u8] {
    b.iter()
        .position(|&c| c == 0)
        .map_or(b, |n| b.get(..n).unwrap_or(b))
}

/// Whether the header's checksum holds (the sum of its bytes, the checksum
/// field counted as spaces).
fn checksum_ok(h: &[u8; 512]) -> bool {
    let Some(want) = number(field(h, 148, 156)) else {
        return false;
    };
    // Summed whole, eight bytes at a time into four 16-bit lanes (64 words
    // of at most 2 * 255 per lane fit), then the field swapped for spaces.
    const LOW: u64 = 0x00ff_00ff_00ff_00ff;
    let mut lanes = 0u64;
    for chunk in h.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        lanes += (w & LOW) + ((w >> 8) & LOW);
    }
    let all =
        (lanes & 0xffff) + ((lanes >> 16) & 0xffff) + ((lanes >> 32) & 0xffff) + (lanes >> 48);
    let stored: u64 = field(h, 148, 156).iter().map(|&b| u64::from(b)).sum();
    all - stored + 8 * 32 == want
}

/// The `path`, `linkpath` and `size` records of a pax extended header.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
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
    loop {
        let header_at = s.at();
        // The header is read where it lies, or copied when it straddles
        // two blocks.
        let in_block = matches!(s.avail(), Ok(p) if p.len() >= 512);
        let mut copy = [0u8; 512];
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
        let (zero, sum_ok, size, kind, mode) = {
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
                number(field(h, 100, 108)),
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
            return Err(Error::Limit {
                name: "number of entries",
                value: limits.max_entries,
                hint: "raise it with --max-entries",
            });
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
                let mode = mode.unwrap_or(0o755) as u32;
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
