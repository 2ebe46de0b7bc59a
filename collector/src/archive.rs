//! The tar (and gzip) writer: every entry gets a header built here, never one taken from the file system.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{Builder, EntryType, Header};

use crate::error::{Error, check_signal};

/// The tar stream being written; the signal flag is checked before each entry.
pub struct Archive<'a> {
    builder: Builder<Sink<'a>>,
    mtime: u64,
    /// Put before every entry path: empty for the first frame, `frames/<k>/` for later ones.
    prefix: PathBuf,
}

impl Archive<'_> {
    /// Entries written from now on go under `prefix` (`frames/<k>/` for frame k of a multi-frame snapshot).
    pub fn set_prefix(&mut self, prefix: &Path) {
        self.prefix = prefix.to_path_buf();
    }

    fn header(&self, kind: EntryType, mode: u32, size: u64) -> Header {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_mtime(self.mtime);
        h.set_uid(0);
        h.set_gid(0);
        h
    }

    /// A regular file, mode 0644; its size is that of `data`, whatever the source file reported.
    pub fn file(&mut self, path: &Path, data: &[u8]) -> Result<(), Error> {
        check_signal()?;
        let mut h = self.header(EntryType::Regular, 0o644, data.len() as u64);
        let path = &self.prefix.join(path);
        self.builder
            .append_data(&mut h, path, data)
            .map_err(|e| Error::io(format_args!("archiving {}", path.display()), e))
    }

    /// A symlink, mode 0777, whose target is stored as given (long targets use a GNU long-link entry).
    pub fn symlink(&mut self, path: &Path, target: &Path) -> Result<(), Error> {
        check_signal()?;
        let mut h = self.header(EntryType::Symlink, 0o777, 0);
        let path = &self.prefix.join(path);
        self.builder
            .append_link(&mut h, path, target)
            .map_err(|e| Error::io(format_args!("archiving {}", path.display()), e))
    }

    /// A directory with mode 0000, standing for one the collector was not allowed to read.
    pub fn denied_dir(&mut self, path: &Path) -> Result<(), Error> {
        check_signal()?;
        let mut h = self.header(EntryType::Directory, 0o000, 0);
        let path = &self.prefix.join(path);
        self.builder
            .append_data(&mut h, path, std::io::empty())
            .map_err(|e| Error::io(format_args!("archiving {}", path.display()), e))
    }
}

/// The byte stream under the tar stream: gzip or plain.
enum Sink<'a> {
    Gzip(Box<GzEncoder<&'a mut dyn Write>>),
    Plain(&'a mut dyn Write),
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Gzip(gz) => gz.write(buf),
            Sink::Plain(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Gzip(gz) => gz.flush(),
            Sink::Plain(out) => out.flush(),
        }
    }
}

/// Writes a whole archive to `out`: `body` adds the entries, then the tar end blocks and (with `gzip`) the gzip trailer follow.
/// Every entry gets `mtime` as its modification time.
///
/// When `body` fails, nothing more is written: the tar builder and the gzip encoder would otherwise add their end blocks as they are dropped,
/// and a cut-short snapshot on stdout would look complete to tar and gzip.
/// Forgetting them leaks a few buffers in a process that is about to exit.
pub fn write<T>(
    out: &mut dyn Write,
    gzip: bool,
    mtime: u64,
    body: impl FnOnce(&mut Archive) -> Result<T, Error>,
) -> Result<T, Error> {
    let sink = if gzip {
        Sink::Gzip(Box::new(GzEncoder::new(out, Compression::new(6))))
    } else {
        Sink::Plain(out)
    };
    let mut archive = Archive {
        builder: Builder::new(sink),
        mtime,
        prefix: PathBuf::new(),
    };
    let value = match body(&mut archive) {
        Ok(value) => value,
        Err(e) => {
            std::mem::forget(archive);
            return Err(e);
        }
    };
    let finish = |e| Error::io("writing snapshot", e);
    match archive.builder.into_inner().map_err(finish)? {
        Sink::Gzip(gz) => gz.finish().map_err(finish)?,
        Sink::Plain(out) => out,
    };
    Ok(value)
}
