//! Reading a snapshot archive: gzip or plain tar, streamed from any reader,
//! entry by entry, in memory, under limits. This module knows nothing about
//! /proc; it hands each entry's path and content to a visitor.
//!
//! The input is inflated in large blocks ([`blocks`]), natively on a thread
//! of its own while the caller's thread walks the tar headers and hands
//! entries to the visitor; tar headers are read where they lie in the
//! blocks, and file contents are handed over without copying when they lie
//! in one block, or piece by piece to a visitor that streams them.

use std::io::{self, Read};

use crate::diag::{Diagnostic, Error};

mod blocks;
mod members;
mod tar;

pub use blocks::BLOCK;

/// Limits that keep a hostile archive from exhausting memory or time.
/// Exceeding one is an [`Error::Limit`] naming it and the CLI flag that
/// raises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes the decompressed tar stream may hold (`--max-decompressed`).
    pub max_decompressed: u64,
    /// Most entries the archive may hold (`--max-entries`).
    pub max_entries: u64,
    /// Largest single entry (`--max-entry-size`).
    pub max_entry_size: u64,
    /// Longest line of a line-oriented file (`proc/…`, `sys/…`, `etc/…`,
    /// the manifests) (`--max-line`).
    pub max_line: u64,
    /// Most bytes the loaded snapshot may keep in memory: table rows, kept
    /// files, command lines and fd links, counted by their size in memory
    /// (`--max-memory`).
    pub max_memory: u64,
}

impl Default for Limits {
    /// Room for a million-socket snapshot (about 640 MB of tar, 135 MB
    /// kept), an early stop for a gzip bomb, and a peak of under 256 MiB
    /// for any input.
    fn default() -> Self {
        Limits {
            max_decompressed: 2 << 30,
            max_entries: 20_000_000,
            max_entry_size: 512 << 20,
            max_line: 1 << 20,
            max_memory: 192 << 20,
        }
    }
}

/// One archive entry, as the visitor sees it.
#[derive(Debug)]
pub enum Entry<'a> {
    /// A regular file and its content.
    File(&'a [u8]),
    /// A symbolic link and its target.
    Symlink(&'a [u8]),
    /// A directory and its permission bits.
    Dir(u32),
    /// Anything else (devices, fifos, hard links): ignored by readers.
    Other,
}

/// What the visitor wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next entry (from [`Visitor::wants`]: hand over this
    /// file's content whole, through [`Visitor::visit`]).
    Continue,
    /// Stop reading: everything needed has been seen.
    Stop,
    /// Skip this entry's content (the visitor does not need it).
    Skip,
    /// (From [`Visitor::wants`].) Hand this file's content over in pieces,
    /// as it is inflated, through [`Visitor::piece`] and then
    /// [`Visitor::end`], instead of whole.
    Stream,
}

/// Normalises an entry path: drops leading `./` and trailing `/`; refuses
/// absolute paths, `..` components and names that are not UTF-8.
pub fn normalise(path: &[u8]) -> Result<&str, &'static str> {
    normalise_text(std::str::from_utf8(path).map_err(|_| "entry name is not UTF-8")?)
}

/// [`normalise`] for a path already read as UTF-8.
pub(crate) fn normalise_text(text: &str) -> Result<&str, &'static str> {
    let mut t = text;
    while let Some(rest) = t.strip_prefix("./") {
        t = rest;
    }
    if t.starts_with('/') {
        return Err("absolute entry name");
    }
    if memchr::memchr(b'.', t.as_bytes()).is_some() && t.split('/').any(|c| c == "..") {
        return Err("entry name with `..`");
    }
    Ok(t.trim_end_matches('/'))
}

/// A few numbers a visitor derives from the name and target of a symbolic link entry, on the
/// threads that inflate the archive ([`Visitor::preparer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prepared {
    /// A first number (the loader: the pid of an fd link).
    pub a: u32,
    /// A second number (the loader: the fd).
    pub b: u32,
    /// An optional wide number (the loader: the socket inode the target names).
    pub c: Option<u64>,
}

/// What derives [`Prepared`] numbers from a symbolic link entry's name and target, or declines.
pub type Preparer = fn(name: &str, target: &[u8]) -> Option<Prepared>;

/// Receives the entries of an archive.
pub trait Visitor {
    /// Whether the content of the regular file at `path` (of `size` bytes)
    /// is wanted whole
    /// ([`Flow::Continue`]), in pieces ([`Flow::Stream`]), not at all
    /// ([`Flow::Skip`]), or reading should stop.
    fn wants(&mut self, path: &str, size: u64) -> Flow;
    /// One entry.
    fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow;
    /// The next piece of a streamed file's content; [`Flow::Stop`] stops
    /// reading.
    fn piece(&mut self, path: &str, data: &[u8]) -> Flow {
        let _ = (path, data);
        Flow::Continue
    }
    /// The end of a streamed file.
    fn end(&mut self, path: &str) -> Flow {
        let _ = path;
        Flow::Continue
    }
    /// A function that the threads inflating a gzip archive of the collector's members may run on
    /// each symbolic link whose header stands alone (no long name or pax record before it, its
    /// name as [`normalise`] leaves it): where it gives numbers, the entry comes to
    /// [`Visitor::prepared_symlink`] with them instead of to [`Visitor::visit`]. Work moved off
    /// the reading thread where an archive holds many such links (the fd links).
    fn preparer() -> Option<Preparer>
    where
        Self: Sized,
    {
        None
    }
    /// A symbolic link (`name`, its path, is UTF-8) and what the [`Visitor::preparer`] made of
    /// its name and target: must do what [`Visitor::visit`] does with it. (Name and target lie
    /// where they were inflated, and are not read unless they are needed.)
    fn prepared_symlink(&mut self, name: &[u8], target: &[u8], prepared: Prepared) -> Flow {
        let _ = prepared;
        match std::str::from_utf8(name) {
            Ok(path) => self.visit(path, Entry::Symlink(target)),
            Err(_) => Flow::Continue,
        }
    }
}

/// The input with its first bytes put back in front.
type Sniffed<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// Checks the first bytes: a gzip stream, or a tar archive (a ustar header
/// or a zero block). Returns the whole input again and whether it is gzip.
fn sniff<R: Read>(input: R) -> Result<(Sniffed<R>, bool), Error> {
    let mut input = input;
    let mut head = Vec::with_capacity(512);
    (&mut input)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| Error::Io(e.to_string()))?;
    let gz = head.starts_with(&[0x1f, 0x8b]);
    if !gz {
        let ustar = head.get(257..262) == Some(&b"ustar"[..]);
        let zero_block = head.len() == 512 && head.iter().all(|&b| b == 0);
        if !ustar && !zero_block {
            return Err(Error::NotAnArchive);
        }
    }
    Ok((io::Cursor::new(head).chain(input), gz))
}

/// Reads every entry of a snapshot and hands it to `visitor`, until the end,
/// an error, or [`Flow::Stop`]. Problems that still let reading go on (a bad
/// name, a truncated tail) become diagnostics. Fails only when nothing could
/// be read at all, or a limit is exceeded. Everything runs on the caller's
/// thread.
pub fn read_entries<R: Read>(
    input: R,
    limits: &Limits,
    diagnostics: &mut Vec<Diagnostic>,
    visitor: &mut impl Visitor,
) -> Result<(), Error> {
    let (source, gz) = sniff(input)?;
    blocks::with_blocks(source, gz, limits.max_decompressed, |blocks| {
        tar::walk(blocks, gz, limits, diagnostics, visitor)
    })
}

/// [`read_entries`], with the input read and inflated on a second thread
/// when [`crate::par::threads`] allows.
pub fn read_entries_par<R: Read + Send, V: Visitor>(
    input: R,
    limits: &Limits,
    diagnostics: &mut Vec<Diagnostic>,
    visitor: &mut V,
) -> Result<(), Error> {
    let (source, gz) = sniff(input)?;
    let threads = crate::par::threads();
    let preparer = V::preparer();
    blocks::with_blocks_par(
        source,
        gz,
        limits.max_decompressed,
        threads,
        preparer,
        |blocks| tar::walk(blocks, gz, limits, diagnostics, visitor),
    )
}

pub(crate) fn limit_error(limits: &Limits) -> Error {
    Error::Limit {
        name: "decompressed size",
        value: limits.max_decompressed,
        hint: "raise it with --max-decompressed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what a visitor is handed.
    #[derive(Default)]
    struct Record {
        seen: Vec<(String, String)>,
        stream: bool,
        streamed: Vec<u8>,
    }

    impl Visitor for Record {
        fn wants(&mut self, _path: &str, _size: u64) -> Flow {
            if self.stream {
                Flow::Stream
            } else {
                Flow::Continue
            }
        }
        fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow {
            let what = match entry {
                Entry::File(d) => format!("file {}", String::from_utf8_lossy(d)),
                Entry::Symlink(t) => format!("link {}", String::from_utf8_lossy(t)),
                Entry::Dir(m) => format!("dir {m:o}"),
                Entry::Other => "other".to_string(),
            };
            self.seen.push((path.to_string(), what));
            Flow::Continue
        }
        fn piece(&mut self, _path: &str, data: &[u8]) -> Flow {
            self.streamed.extend_from_slice(data);
            Flow::Continue
        }
        fn end(&mut self, path: &str) -> Flow {
            let text = String::from_utf8_lossy(&self.streamed).into_owned();
            self.seen.push((path.to_string(), format!("file {text}")));
            self.streamed.clear();
            Flow::Continue
        }
    }

    fn sample(gzip: bool) -> Vec<u8> {
        let mut b = ::tar::Builder::new(Vec::new());
        let mut add = |path: &str, data: &[u8]| {
            let mut h = ::tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            let _ = b.append_data(&mut h, path, data);
        };
        add("./proc/net/tcp", b"header\nrow\n");
        add(&format!("proc/{}/x", "d".repeat(120)), b"long name");
        add("proc/net/big", &vec![b'z'; 3 * BLOCK + 17]);
        let mut h = ::tar::Header::new_gnu();
        h.set_entry_type(::tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        let _ = b.append_link(&mut h, "proc/1/fd/3", "socket:[42]");
        let mut h = ::tar::Header::new_gnu();
        h.set_entry_type(::tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o500);
        h.set_cksum();
        let _ = b.append_data(&mut h, "proc/1/fd/", &b""[..]);
        let tar = b.into_inner().unwrap_or_default();
        if gzip {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = std::io::Write::write_all(&mut e, &tar);
            e.finish().unwrap_or_default()
        } else {
            tar
        }
    }

    fn read(
        data: &[u8],
        stream: bool,
        threads: usize,
    ) -> (Result<(), Error>, Record, Vec<Diagnostic>) {
        crate::par::set_threads(threads);
        let mut r = Record {
            stream,
            ..Record::default()
        };
        let mut d = Vec::new();
        let res = read_entries_par(data, &Limits::default(), &mut d, &mut r);
        crate::par::set_threads(0);
        (res, r, d)
    }

    #[test]
    fn reads_every_kind_whole_and_streamed_on_one_and_two_threads() {
        for gzip in [false, true] {
            let data = sample(gzip);
            for (stream, threads) in [(false, 1), (true, 1), (false, 2), (true, 2)] {
                let (res, r, d) = read(&data, stream, threads);
                assert_eq!(res, Ok(()));
                assert!(d.is_empty(), "{d:?}");
                let paths: Vec<&str> = r.seen.iter().map(|(p, _)| p.as_str()).collect();
                let long = format!("proc/{}/x", "d".repeat(120));
                assert_eq!(
                    paths,
                    vec![
                        "proc/net/tcp",
                        long.as_str(),
                        "proc/net/big",
                        "proc/1/fd/3",
                        "proc/1/fd"
                    ]
                );
                assert_eq!(r.seen[0].1, "file header\nrow\n");
                assert_eq!(r.seen[2].1.len(), 5 + 3 * BLOCK + 17);
                assert_eq!(r.seen[3].1, "link socket:[42]");
                assert_eq!(r.seen[4].1, "dir 500");
            }
        }
    }

    #[test]
    fn truncated_and_broken_input() {
        let data = sample(true);
        let (res, r, d) = read(&data[..data.len() / 2], false, 2);
        assert_eq!(res, Ok(()));
        assert!(!r.seen.is_empty());
        assert!(!d.is_empty());
        let (res, _, _) = read(&data[..20], false, 2);
        assert!(matches!(res, Err(Error::Damaged(_))), "{res:?}");
        let (res, _, _) = read(b"", false, 1);
        assert_eq!(res, Err(Error::NotAnArchive));
        let mut plain = sample(false);
        plain[148] ^= 1; // first header's checksum
        let (res, _, _) = read(&plain, false, 1);
        assert!(matches!(res, Err(Error::NotAnArchive)), "{res:?}");
    }

    #[test]
    fn decompressed_limit_stops_a_bomb() {
        let zeros = vec![0u8; 8 << 20];
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = std::io::Write::write_all(&mut e, &sample(false));
        let _ = std::io::Write::write_all(&mut e, &zeros);
        let bomb = e.finish().unwrap_or_default();
        let limits = Limits {
            max_decompressed: 1 << 20,
            ..Limits::default()
        };
        for threads in [1, 2] {
            crate::par::set_threads(threads);
            let mut r = Record::default();
            let res = read_entries_par(&bomb[..], &limits, &mut Vec::new(), &mut r);
            crate::par::set_threads(0);
            assert_eq!(res, Err(limit_error(&limits)));
        }
    }
}
