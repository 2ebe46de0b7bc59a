//! gzip written as a series of members of [`MEMBER`] bytes of input each, every member's header
//! carrying its own compressed length and its input length in an extra field (`NS`), the way BGZF
//! does for genomics files.
//!
//! The result is a plain `.tar.gz`: gzip, tar and every decoder that reads multi-member gzip read it
//! unchanged. A reader that knows the field can find where each member ends without inflating it,
//! and so inflate several members at once (`analyzer/src/archive/members.rs`). docs/snapshot-format.md
//! describes the header.

use std::io::{self, Write};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// Bytes of input in every member but the last.
pub const MEMBER: usize = 1 << 20;
/// Length of a member header: the 10 fixed bytes, XLEN, and one 12-byte extra subfield.
pub const HEADER: usize = 24;
/// Length of a member trailer (CRC-32 and input length).
pub const TRAILER: usize = 8;

/// The header of a member whose compressed length (header and trailer included) is `total` and
/// whose input is `len` bytes long.
pub fn header(total: u32, len: u32) -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    // ID1 ID2, CM = deflate, FLG = FEXTRA; MTIME 0, XFL 0, OS 3 (Unix).
    h[..4].copy_from_slice(&[0x1f, 0x8b, 8, 4]);
    h[9] = 3;
    // XLEN 12: one subfield `NS` of 8 bytes.
    h[10..12].copy_from_slice(&12u16.to_le_bytes());
    h[12..14].copy_from_slice(b"NS");
    h[14..16].copy_from_slice(&8u16.to_le_bytes());
    h[16..20].copy_from_slice(&total.to_le_bytes());
    h[20..24].copy_from_slice(&len.to_le_bytes());
    h
}

/// A writer that compresses what it is given into members of [`MEMBER`] input bytes.
///
/// [`Writer::finish`] writes the last member; a writer dropped without it leaves an unterminated
/// member behind (see [`Writer::abandon`]).
pub struct Writer<W: Write> {
    out: W,
    input: Vec<u8>,
    deflated: Vec<u8>,
    deflate: Compress,
    /// Whether a member was written: an empty input still makes one (empty) member.
    wrote: bool,
}

impl<W: Write> Writer<W> {
    /// A writer at gzip level `level`.
    pub fn new(out: W, level: u32) -> Self {
        Writer {
            out,
            input: Vec::with_capacity(MEMBER),
            deflated: Vec::new(),
            deflate: Compress::new(Compression::new(level), false),
            wrote: false,
        }
    }

    /// Compresses the buffered input into one member and writes it.
    fn member(&mut self) -> io::Result<()> {
        if self.input.is_empty() && self.wrote {
            return Ok(());
        }
        self.wrote = true;
        self.deflate.reset();
        self.deflated.clear();
        // Deflate never grows data by more than a few bytes per 16 KiB block.
        self.deflated
            .reserve(self.input.len() + self.input.len() / 1000 + 64);
        loop {
            let consumed = self.deflate.total_in() as usize;
            let rest = self.input.get(consumed..).unwrap_or(&[]);
            let status = self
                .deflate
                .compress_vec(rest, &mut self.deflated, FlushCompress::Finish)
                .map_err(io::Error::other)?;
            if status == Status::StreamEnd {
                break;
            }
            self.deflated.reserve(64 << 10);
        }
        let mut crc = Crc::new();
        crc.update(&self.input);
        let total = HEADER + self.deflated.len() + TRAILER;
        let total = u32::try_from(total).map_err(io::Error::other)?;
        let len = self.input.len() as u32;
        self.out.write_all(&header(total, len))?;
        self.out.write_all(&self.deflated)?;
        self.out.write_all(&crc.sum().to_le_bytes())?;
        self.out.write_all(&len.to_le_bytes())?;
        self.input.clear();
        Ok(())
    }

    /// Writes the last member and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.member()?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Gives up: writes the start of a member and nothing more, so that every gzip reader reports
    /// the stream as cut short (members already written would otherwise read as a complete file).
    pub fn abandon(mut self) -> io::Result<W> {
        self.out.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = (MEMBER - self.input.len()).min(buf.len());
        self.input.extend_from_slice(&buf[..n]);
        if self.input.len() == MEMBER {
            self.member()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn pseudo_random(n: usize) -> Vec<u8> {
        let mut x = 0x1234_5678_u32;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                // Half text-like, half noise, so that members compress unevenly.
                if (i / 4096) % 2 == 0 {
                    b"0123456789ABCDEF :\n"[(x % 19) as usize]
                } else {
                    x as u8
                }
            })
            .collect()
    }

    /// Members read back as one stream with a multi-member decoder, each header's lengths are
    /// right, and every member but the last holds exactly MEMBER bytes.
    #[test]
    fn members_round_trip_and_say_their_lengths() {
        for n in [0, 1, MEMBER - 1, MEMBER, MEMBER + 1, 3 * MEMBER + 12345] {
            let data = pseudo_random(n);
            let mut w = Writer::new(Vec::new(), 6);
            // Odd-sized writes.
            for chunk in data.chunks(77_777) {
                w.write_all(chunk).unwrap_or_else(|e| panic!("{e}"));
            }
            let gz = w.finish().unwrap_or_else(|e| panic!("{e}"));
            let mut back = Vec::new();
            flate2::read::MultiGzDecoder::new(&gz[..])
                .read_to_end(&mut back)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(back == data, "{n} bytes");
            let mut at = 0;
            let mut lens = Vec::new();
            while at < gz.len() {
                let h = &gz[at..at + HEADER];
                assert_eq!(h[..4], [0x1f, 0x8b, 8, 4]);
                assert_eq!(&h[12..14], b"NS");
                let total = u32::from_le_bytes([h[16], h[17], h[18], h[19]]) as usize;
                let len = u32::from_le_bytes([h[20], h[21], h[22], h[23]]) as usize;
                let isize = &gz[at + total - 4..at + total];
                assert_eq!(
                    u32::from_le_bytes([isize[0], isize[1], isize[2], isize[3]]) as usize,
                    len
                );
                lens.push(len);
                at += total;
            }
            assert_eq!(at, gz.len());
            assert_eq!(lens.iter().sum::<usize>(), n);
            let (last, full) = lens.split_last().unwrap_or_else(|| panic!("no member"));
            assert!(full.iter().all(|&l| l == MEMBER));
            assert!(*last <= MEMBER && (*last > 0 || n == 0));
        }
    }

    /// An abandoned stream is an error to a multi-member decoder, after complete members too.
    #[test]
    fn abandoned_stream_reads_as_cut_short() {
        let data = pseudo_random(MEMBER + 10);
        let mut w = Writer::new(Vec::new(), 6);
        w.write_all(&data).unwrap_or_else(|e| panic!("{e}"));
        let gz = w.abandon().unwrap_or_else(|e| panic!("{e}"));
        let mut back = Vec::new();
        let r = flate2::read::MultiGzDecoder::new(&gz[..]).read_to_end(&mut back);
        assert!(r.is_err(), "{} bytes inflated", back.len());
        assert!(back == data[..MEMBER]);
    }
}
