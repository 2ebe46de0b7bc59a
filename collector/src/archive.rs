//! The tar (and gzip) writer: every entry gets a header built here, never one taken from the file system.
//!
//! With gzip, compression runs on a second thread: the tar stream is cut into blocks that go to it over a channel,
//! so that reading `/proc` and compressing overlap.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use netsnap_collector::members;
use tar::{Builder, EntryType, Header};

use crate::error::{Error, check_signal};

/// The gzip level (docs/snapshot-format.md).
const GZIP_LEVEL: u32 = 6;
/// Size of the blocks of tar stream handed to the compressing thread.
const BLOCK: usize = 256 * 1024;
/// Blocks that may wait for the compressing thread before the reading side blocks.
const QUEUE: usize = 4;

/// The tar stream being written; the signal flag is checked before each entry.
pub struct Archive<'a> {
    builder: Builder<Sink<'a>>,
    mtime: u64,
    /// Put before every entry path: empty for the first frame, `frames/<k>/` for later ones.
    prefix: PathBuf,
    /// The header of every fd link before its path, link name and checksum are set.
    link_header: Header,
    /// Scratch space for entry paths.
    path: Vec<u8>,
}

impl Archive<'_> {
    /// Entries written from now on go under `prefix` (`frames/<k>/` for frame k of a multi-frame snapshot).
    pub fn set_prefix(&mut self, prefix: &Path) {
        self.prefix = prefix.to_path_buf();
    }

    fn header(mtime: u64, kind: EntryType, mode: u32, size: u64) -> Header {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_mtime(mtime);
        h.set_uid(0);
        h.set_gid(0);
        h
    }

    /// A regular file, mode 0644; its size is that of `data`, whatever the source file reported.
    pub fn file(&mut self, path: &Path, data: &[u8]) -> Result<(), Error> {
        check_signal()?;
        let mut h = Self::header(self.mtime, EntryType::Regular, 0o644, data.len() as u64);
        let path = &self.prefix.join(path);
        self.builder
            .append_data(&mut h, path, data)
            .map_err(|e| Error::io(format_args!("archiving {}", path.display()), e))
    }

    /// The symlink `proc/<pid>/fd/<fd>`, mode 0777, whose target is stored as given (long targets use a GNU long-link entry).
    ///
    /// The header is the tar crate's own, filled by the same calls as `Builder::append_link`, but written without that method's path copies;
    /// a path or target too long for the header goes through `append_link` itself.
    pub fn fd_link(&mut self, pid: u32, fd: u32, target: &[u8]) -> Result<(), Error> {
        check_signal()?;
        self.path.clear();
        let prefix = self.prefix.as_os_str().as_bytes();
        if !prefix.is_empty() {
            self.path.extend_from_slice(prefix);
            if !prefix.ends_with(b"/") {
                self.path.push(b'/');
            }
        }
        // Writing to a Vec cannot fail.
        let _ = write!(self.path, "proc/{pid}/fd/{fd}");
        let path = Path::new(OsStr::from_bytes(&self.path));
        let target = Path::new(OsStr::from_bytes(target));
        let mut h = self.link_header.clone();
        let written = if h.set_path(path).is_ok() && h.set_link_name(target).is_ok() {
            h.set_cksum();
            self.builder.get_mut().write_all(h.as_bytes())
        } else {
            let mut h = self.link_header.clone();
            self.builder.append_link(&mut h, path, target)
        };
        written.map_err(|e| Error::io(format_args!("archiving {}", path.display()), e))
    }

    /// A directory with mode 0000, standing for one the collector was not allowed to read.
    pub fn denied_dir(&mut self, path: &Path) -> Result<(), Error> {
        check_signal()?;
        let mut h = Self::header(self.mtime, EntryType::Directory, 0o000, 0);
        let path = &self.prefix.join(path);
        self.builder
            .append_data(&mut h, path, std::io::empty())
            .map_err(|e| Error::io(format_args!("archiving {}", path.display()), e))
    }
}

/// The byte stream under the tar stream: blocks for the compressing thread, or the output itself.
enum Sink<'a> {
    Gzip(Box<Pipe<'a>>),
    Plain(&'a mut (dyn Write + Send)),
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Gzip(pipe) => pipe.write(buf),
            Sink::Plain(out) => out.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Gzip(pipe) => pipe.write_all(buf),
            Sink::Plain(out) => out.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            // The blocks are flushed by `Pipe::finish`; the tar builder never needs them out earlier.
            Sink::Gzip(_) => Ok(()),
            Sink::Plain(out) => out.flush(),
        }
    }
}

/// What the compressing thread is sent.
enum Block {
    Data(Vec<u8>),
    /// The stream is complete: write the gzip trailer.
    End,
}

/// The reading side's end of the compressing thread: fills a block, sends it, and reuses the blocks the thread sends back.
struct Pipe<'a> {
    block: Vec<u8>,
    /// None once the stream was abandoned.
    to: Option<SyncSender<Block>>,
    back: Receiver<Vec<u8>>,
    worker: Option<ScopedJoinHandle<'a, io::Result<()>>>,
}

impl Pipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let room = BLOCK - self.block.len();
            let n = room.min(buf.len());
            self.block.extend_from_slice(&buf[..n]);
            buf = &buf[n..];
            if self.block.len() == BLOCK {
                self.send_block()?;
            }
        }
        Ok(())
    }

    fn send_block(&mut self) -> io::Result<()> {
        let next = self
            .back
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let full = std::mem::replace(&mut self.block, next);
        self.send(Block::Data(full))
    }

    fn send(&mut self, block: Block) -> io::Result<()> {
        let sent = match &self.to {
            Some(to) => to.send(block).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The thread stopped on an error of its own: that error is the one to report.
            Err(self
                .join()
                .err()
                .unwrap_or_else(|| io::Error::other("compressing thread stopped")))
        }
    }

    fn join(&mut self) -> io::Result<()> {
        self.to = None;
        match self.worker.take() {
            Some(worker) => worker
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("compressing thread panicked"))),
            None => Ok(()),
        }
    }

    /// Sends the last block and the end, and waits until the thread has written everything.
    fn finish(&mut self) -> io::Result<()> {
        if !self.block.is_empty() {
            let last = std::mem::take(&mut self.block);
            self.send(Block::Data(last))?;
        }
        self.send(Block::End)?;
        self.join()
    }

    /// Gives up the stream: the thread ends without writing the gzip trailer.
    fn abandon(&mut self) {
        self.block.clear();
        let _ = self.join();
    }
}

/// The compressing thread: gzip members (`members::Writer`) of the blocks to `out`; the last member only on `Block::End`.
fn compress(
    out: &mut (dyn Write + Send),
    blocks: Receiver<Block>,
    back: Sender<Vec<u8>>,
) -> io::Result<()> {
    let mut gz = members::Writer::new(out, GZIP_LEVEL);
    loop {
        match blocks.recv() {
            Ok(Block::Data(mut data)) => {
                if let Err(e) = gz.write_all(&data) {
                    // Whatever was written, the stream must not read as complete.
                    let _ = gz.abandon();
                    return Err(e);
                }
                data.clear();
                let _ = back.send(data);
            }
            Ok(Block::End) => return gz.finish().map(drop),
            Err(_) => return gz.abandon().map(drop),
        }
    }
}

fn start_gzip<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    out: &'env mut (dyn Write + Send),
) -> Pipe<'scope> {
    let (to, blocks) = sync_channel(QUEUE);
    let (back_to, back) = channel();
    let worker = scope.spawn(move || compress(out, blocks, back_to));
    Pipe {
        block: Vec::with_capacity(BLOCK),
        to: Some(to),
        back,
        worker: Some(worker),
    }
}

/// Writes a whole archive to `out`: `body` adds the entries, then the tar end blocks and (with `gzip`) the gzip trailer follow.
/// Every entry gets `mtime` as its modification time.
///
/// When `body` fails, nothing more is written: the tar builder and the gzip encoder would otherwise add their end blocks as they are dropped,
/// and a cut-short snapshot on stdout would look complete to tar and gzip.
/// Forgetting them leaks a few buffers in a process that is about to exit.
pub fn write<T>(
    out: &mut (dyn Write + Send),
    gzip: bool,
    mtime: u64,
    body: impl FnOnce(&mut Archive) -> Result<T, Error>,
) -> Result<T, Error> {
    let finish = |e| Error::io("writing snapshot", e);
    if !gzip {
        return fill(Sink::Plain(out), mtime, body).map(|(value, _)| value);
    }
    std::thread::scope(|scope| {
        let (value, sink) = fill(Sink::Gzip(Box::new(start_gzip(scope, out))), mtime, body)?;
        if let Sink::Gzip(mut pipe) = sink {
            pipe.finish().map_err(finish)?;
        }
        Ok(value)
    })
}

/// Runs `body` on an archive over `sink`; the sink back once the tar end blocks are in it.
fn fill<'a, T>(
    sink: Sink<'a>,
    mtime: u64,
    body: impl FnOnce(&mut Archive) -> Result<T, Error>,
) -> Result<(T, Sink<'a>), Error> {
    let mut archive = Archive {
        builder: Builder::new(sink),
        mtime,
        prefix: PathBuf::new(),
        link_header: Archive::header(mtime, EntryType::Symlink, 0o777, 0),
        path: Vec::new(),
    };
    match body(&mut archive) {
        Ok(value) => {
            let sink = archive
                .builder
                .into_inner()
                .map_err(|e| Error::io("writing snapshot", e))?;
            Ok((value, sink))
        }
        Err(e) => {
            if let Sink::Gzip(pipe) = archive.builder.get_mut() {
                pipe.abandon();
            }
            std::mem::forget(archive);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fd link, written by `fd_link`, is byte for byte what `Builder::append_link` writes, for short and long paths and targets.
    #[test]
    fn fd_links_as_the_tar_crate_writes_them() {
        let targets: Vec<Vec<u8>> = vec![
            b"socket:[12345]".to_vec(),
            b"[0000]:4026532000".to_vec(),
            vec![b'x'; 99],
            vec![b'y'; 100],
            vec![b'z'; 101],
            vec![b'w'; 300],
        ];
        for prefix in ["", "frames/3", "frames/3/", &"p".repeat(90)] {
            for (pid, fd) in [(1, 0), (4_194_304, 4_294_967_295), (77, 12)] {
                for target in &targets {
                    let mut ours = Vec::new();
                    write(&mut ours, false, 1_700_000_000, |ar| {
                        ar.set_prefix(Path::new(prefix));
                        ar.fd_link(pid, fd, target)
                    })
                    .unwrap_or_else(|e| panic!("{e:?}"));
                    let mut theirs = Builder::new(Vec::new());
                    let mut h = Archive::header(1_700_000_000, EntryType::Symlink, 0o777, 0);
                    let path = Path::new(prefix).join(format!("proc/{pid}/fd/{fd}"));
                    theirs
                        .append_link(&mut h, &path, Path::new(OsStr::from_bytes(target)))
                        .unwrap_or_else(|e| panic!("{e}"));
                    let theirs = theirs.into_inner().unwrap_or_else(|e| panic!("{e}"));
                    assert!(
                        ours == theirs,
                        "{} -> {} differs",
                        path.display(),
                        target.len()
                    );
                }
            }
        }
    }

    /// The gzip stream of the compressing thread inflates to the plain stream.
    #[test]
    fn gzip_through_the_thread_is_the_plain_stream() {
        let entries = |ar: &mut Archive| {
            for pid in 1..3000 {
                ar.file(
                    Path::new(&format!("proc/{pid}/stat")),
                    format!("{pid} (x) S").as_bytes(),
                )?;
                for fd in 0..20 {
                    ar.fd_link(pid, fd, format!("socket:[{}]", pid * 100 + fd).as_bytes())?;
                }
            }
            Ok(())
        };
        let mut plain = Vec::new();
        write(&mut plain, false, 5, entries).unwrap_or_else(|e| panic!("{e:?}"));
        let mut gz = Vec::new();
        write(&mut gz, true, 5, entries).unwrap_or_else(|e| panic!("{e:?}"));
        let mut inflated = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::MultiGzDecoder::new(&gz[..]),
            &mut inflated,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(plain.len() > 2 * BLOCK);
        assert!(inflated == plain);
    }

    /// A failing body leaves no gzip trailer (and no tar end blocks) behind.
    #[test]
    fn failure_writes_no_trailer() {
        let mut gz = Vec::new();
        let r: Result<(), Error> = write(&mut gz, true, 5, |ar| {
            ar.fd_link(1, 1, b"socket:[1]")?;
            Err(Error::Failed("stop".into()))
        });
        assert!(r.is_err());
        let mut inflated = Vec::new();
        let whole = std::io::Read::read_to_end(
            &mut flate2::read::MultiGzDecoder::new(&gz[..]),
            &mut inflated,
        );
        assert!(whole.is_err(), "{} bytes inflated", inflated.len());
    }
}
