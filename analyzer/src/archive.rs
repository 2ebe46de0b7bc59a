//! Reading a snapshot archive: gzip or plain tar, streamed from any reader,
//! entry by entry, in memory, under limits. This module knows nothing about
//! /proc; it hands each entry's path and content to a visitor.

use std::io::{self, Read};

use crate::diag::{Diagnostic, Error};

/// Limits that keep a hostile archive from exhausting memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes the decompressed tar stream may hold.
    pub max_decompressed: u64,
    /// Most entries the archive may hold.
    pub max_entries: u64,
    /// Largest single entry.
    pub max_entry_size: u64,
}

impl Default for Limits {
    /// Room for a million-socket snapshot (about 630 MB of tar), and an
    /// early stop for a gzip bomb.
    fn default() -> Self {
        Limits {
            max_decompressed: 2 << 30,
            max_entries: 20_000_000,
            max_entry_size: 512 << 20,
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
    /// Go on with the next entry.
    Continue,
    /// Stop reading: everything needed has been seen.
    Stop,
    /// Skip this entry's content (the visitor does not need it).
    Skip,
}

/// Counts decompressed bytes and fails once the limit is passed.
struct Capped<R> {
    inner: R,
    read: u64,
    max: u64,
}

const CAP_MESSAGE: &str = "netsnap: decompressed size limit";

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(io::Error::other(CAP_MESSAGE));
        }
        Ok(n)
    }
}

fn is_limit(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.to_string() == CAP_MESSAGE)
}

/// Normalises an entry path: drops a leading `./`; refuses absolute paths
/// and `..` components.
pub fn normalise(path: &[u8]) -> Result<String, &'static str> {
    let text = std::str::from_utf8(path).map_err(|_| "entry name is not UTF-8")?;
    let mut t = text;
    while let Some(rest) = t.strip_prefix("./") {
        t = rest;
    }
    if t.starts_with('/') {
        return Err("absolute entry name");
    }
    if t.split('/').any(|c| c == "..") {
        return Err("entry name with `..`");
    }
    Ok(t.trim_end_matches('/').to_string())
}

/// Receives the entries of an archive.
pub trait Visitor {
    /// Whether the content of the regular file at `path` is wanted
    /// ([`Flow::Skip`] if not), or reading should stop.
    fn wants(&mut self, path: &str) -> Flow;
    /// One entry.
    fn visit(&mut self, path: &str, entry: Entry<'_>) -> Flow;
}

/// Reads every entry of a snapshot and hands it to `visitor`, until the end,
/// an error, or [`Flow::Stop`]. Problems that still let reading go on (a bad
/// name, a truncated tail) become diagnostics. Fails only when nothing could
/// be read at all, or a limit is exceeded.
pub fn read_entries<R: Read>(
    input: R,
    limits: &Limits,
    diagnostics: &mut Vec<Diagnostic>,
    visitor: &mut impl Visitor,
) -> Result<(), Error> {
    let mut input = input;
    let mut head = Vec::with_capacity(512);
    (&mut input)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| Error::Io(e.to_string()))?;
    let gz = head.starts_with(&[0x1f, 0x8b]);
    let stream: Box<dyn Read + '_> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(
            io::Cursor::new(head).chain(input),
        ))
    } else {
        let ustar = head.get(257..262) == Some(&b"ustar"[..]);
        let zero_block = head.len() == 512 && head.iter().all(|&b| b == 0);
        if !ustar && !zero_block {
            return Err(Error::NotAnArchive);
        }
        Box::new(io::Cursor::new(head).chain(input))
    };
    let capped = Capped {
        inner: stream,
        read: 0,
        max: limits.max_decompressed,
    };
    let mut archive = tar::Archive::new(capped);
    let entries = archive.entries().map_err(|e| map_io(&e, limits))?;
    let mut count: u64 = 0;
    let mut buf = Vec::new();
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if is_limit(&e) {
                    return Err(limit_error(limits));
                }
                if count == 0 {
                    return Err(if gz {
                        Error::Damaged(format!("no entry could be read: {e}"))
                    } else {
                        Error::NotAnArchive
                    });
                }
                diagnostics.push(Diagnostic::file(
                    "archive",
                    format!("reading stopped after {count} entries: {e}"),
                ));
                break;
            }
        };
        count += 1;
        if count > limits.max_entries {
            return Err(Error::Limit {
                name: "number of entries",
                value: limits.max_entries,
                hint: "raise it with --max-entries",
            });
        }
        let raw_path = entry.path_bytes().into_owned();
        let path = match normalise(&raw_path) {
            Ok(p) => p,
            Err(why) => {
                diagnostics.push(Diagnostic::file(
                    "archive",
                    format!(
                        "entry {count} skipped: {why}: {}",
                        String::from_utf8_lossy(&raw_path)
                    ),
                ));
                continue;
            }
        };
        let header = entry.header();
        let kind = header.entry_type();
        let flow = if kind.is_file() || kind == tar::EntryType::Continuous {
            let size = entry.size();
            if size > limits.max_entry_size {
                return Err(Error::Limit {
                    name: "size of one entry",
                    value: limits.max_entry_size,
                    hint: "raise it with --max-entry-size",
                });
            }
            // Ask first whether the content is wanted at all.
            match visitor.wants(&path) {
                Flow::Stop => break,
                Flow::Skip => Flow::Skip,
                Flow::Continue => {
                    buf.clear();
                    if let Err(e) = (&mut entry).take(size).read_to_end(&mut buf) {
                        if is_limit(&e) {
                            return Err(limit_error(limits));
                        }
                        diagnostics.push(Diagnostic::file(
                            &path,
                            format!("content truncated after {} bytes: {e}", buf.len()),
                        ));
                        let _ = visitor.visit(&path, Entry::File(&buf));
                        break;
                    }
                    visitor.visit(&path, Entry::File(&buf))
                }
            }
        } else if kind.is_symlink() {
            let target = entry
                .link_name_bytes()
                .map(|c| c.into_owned())
                .unwrap_or_default();
            visitor.visit(&path, Entry::Symlink(&target))
        } else if kind.is_dir() {
            let mode = header.mode().unwrap_or(0o755);
            visitor.visit(&path, Entry::Dir(mode))
        } else {
            visitor.visit(&path, Entry::Other)
        };
        if flow == Flow::Stop {
            break;
        }
    }
    Ok(())
}

fn limit_error(limits: &Limits) -> Error {
    Error::Limit {
        name: "decompressed size",
        value: limits.max_decompressed,
        hint: "raise it with --max-decompressed",
    }
}

fn map_io(e: &io::Error, limits: &Limits) -> Error {
    if is_limit(e) {
        limit_error(limits)
    } else {
        Error::Damaged(e.to_string())
    }
}
