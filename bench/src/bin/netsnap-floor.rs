//! `netsnap-floor SNAP [--until PATH]`: the floor of the benchmark. Inflates
//! the archive with flate2 built with the workspace's features (so netsnap's
//! backend), in large blocks, up to the end of the tar entry PATH (to the end
//! of the archive without it), and does nothing else with the bytes. Tar
//! headers are only looked at to know where PATH ends: the floor is the cost
//! of inflating, not of any particular way of walking a tar stream. Prints the
//! number of bytes it inflated: whole blocks, through the end of PATH.

use std::io::{BufReader, Read};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(snap), until) = (args.next(), args.next()) else {
        eprintln!("usage: netsnap-floor SNAP [--until PATH]");
        return ExitCode::from(2);
    };
    let until = match (until.as_deref(), args.next()) {
        (Some("--until"), Some(p)) => Some(p),
        (None, None) => None,
        _ => {
            eprintln!("usage: netsnap-floor SNAP [--until PATH]");
            return ExitCode::from(2);
        }
    };
    match run(&snap, until.as_deref()) {
        Ok(bytes) => {
            println!("{bytes}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("netsnap-floor: {snap}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Block size of each inflate call.
const BLOCK: usize = 1 << 20;

/// The octal number of a tar header field.
fn octal(field: &[u8]) -> u64 {
    field
        .iter()
        .skip_while(|&&b| b == b' ')
        .take_while(|&&b| (b'0'..=b'7').contains(&b))
        .fold(0, |acc, &b| acc * 8 + u64::from(b - b'0'))
}

/// Walks tar headers over the inflated stream to find where an entry ends.
struct Walker {
    /// Stream offset of the next header.
    next_header: u64,
    /// A header being assembled across blocks.
    partial: Vec<u8>,
    /// The GNU long name for the next header.
    long_name: Option<Vec<u8>>,
    /// Offset and size of a long-name entry's content being read.
    long_name_at: Option<(u64, u64)>,
}

impl Walker {
    /// Looks at `block`, which starts at stream offset `at`; returns the
    /// stream offset where `until` ends once its header is seen.
    fn feed(&mut self, at: u64, block: &[u8], until: &[u8]) -> Option<u64> {
        let end = at + block.len() as u64;
        loop {
            if let Some((start, size)) = self.long_name_at {
                let lo = start.max(at);
                let hi = (start + size).min(end);
                if lo < hi {
                    self.partial
                        .extend_from_slice(&block[(lo - at) as usize..(hi - at) as usize]);
                }
                if start + size > end {
                    return None;
                }
                let mut name = std::mem::take(&mut self.partial);
                if let Some(nul) = name.iter().position(|&b| b == 0) {
                    name.truncate(nul);
                }
                self.long_name = Some(name);
                self.long_name_at = None;
            }
            if self.next_header >= end {
                return None;
            }
            let from = (self.next_header.max(at) - at) as usize;
            let want = 512 - self.partial.len();
            let take = want.min(block.len() - from);
            self.partial.extend_from_slice(&block[from..from + take]);
            if self.partial.len() < 512 {
                self.next_header = end;
                return None;
            }
            let header = std::mem::take(&mut self.partial);
            let header_end = self.next_header.max(at) + take as u64;
            if header.iter().all(|&b| b == 0) {
                self.next_header = u64::MAX;
                return None;
            }
            let size = octal(&header[124..136]);
            let data_end = header_end + size.div_ceil(512) * 512;
            self.next_header = data_end;
            if header[156] == b'L' {
                self.long_name_at = Some((header_end, size));
                continue;
            }
            let name = match self.long_name.take() {
                Some(n) => n,
                None => {
                    let short = &header[..100];
                    let short = &short[..short.iter().position(|&b| b == 0).unwrap_or(100)];
                    let prefix = &header[345..500];
                    let prefix = &prefix[..prefix.iter().position(|&b| b == 0).unwrap_or(155)];
                    if header[257..262] == *b"ustar" && !prefix.is_empty() {
                        [prefix, b"/", short].concat()
                    } else {
                        short.to_vec()
                    }
                }
            };
            let name = name.strip_prefix(b"./").unwrap_or(&name);
            if name == until {
                return Some(header_end + size);
            }
        }
    }
}

fn run(snap: &str, until: Option<&str>) -> std::io::Result<u64> {
    let file = std::fs::File::open(snap)?;
    let mut gz = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
    let mut block = vec![0u8; BLOCK];
    let mut walker = Walker {
        next_header: 0,
        partial: Vec::new(),
        long_name: None,
        long_name_at: None,
    };
    let mut total = 0u64;
    // Where `until` ends, once its header has been seen: the blocks up to there are inflated too.
    let mut stop = None;
    loop {
        let mut filled = 0;
        while filled < BLOCK {
            let n = gz.read(&mut block[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            return Ok(total);
        }
        if let (Some(u), None) = (until, stop) {
            stop = walker.feed(total, &block[..filled], u.as_bytes());
        }
        total += filled as u64;
        if filled < BLOCK || stop.is_some_and(|s| total >= s) {
            return Ok(total);
        }
    }
}
