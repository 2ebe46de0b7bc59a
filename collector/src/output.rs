//! Where the snapshot goes: a temporary file beside the target, renamed into place once complete.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// The error for a target that exists when `--force` was not given.
pub fn exists_error(target: &Path) -> Error {
    Error::Failed(format!(
        "{}: file exists (use --force to overwrite it)",
        target.display()
    ))
}

/// A `.netsnap-XXXXXXXX.tmp` file (mode 0600) in the target's directory; removed when dropped unless committed,
/// and by the signal handler on a second signal or by the panic hook (`sys::set_cleanup_file`).
pub struct TempFile {
    tmp: PathBuf,
    target: PathBuf,
    force: bool,
    writer: Option<BufWriter<Tracked>>,
    committed: bool,
}

/// The file under the buffer, remembering the first write error, so that a failure deep in the archive writer
/// (or on the compressing thread) is reported as what it is: this file could not be written.
struct Tracked {
    file: File,
    error: Option<String>,
}

impl Write for Tracked {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf).inspect_err(|e| {
            self.error.get_or_insert_with(|| e.to_string());
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The directory a path is in (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

impl TempFile {
    pub fn create(target: &Path, force: bool) -> Result<TempFile, Error> {
        let dir = parent_dir(target);
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
            ^ std::process::id().rotate_left(16);
        let mut attempt = 0u32;
        loop {
            let name = format!(
                ".netsnap-{:08x}.tmp",
                seed.wrapping_add(attempt.wrapping_mul(0x9e37_79b9))
            );
            let tmp = dir.join(name);
            let opened = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp);
            match opened {
                Ok(file) => {
                    crate::sys::set_cleanup_file(Some(&tmp));
                    let file = Tracked { file, error: None };
                    return Ok(TempFile {
                        tmp,
                        target: target.to_path_buf(),
                        force,
                        writer: Some(BufWriter::with_capacity(1 << 16, file)),
                        committed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => {
                    return Err(Error::io(
                        format_args!("creating a temporary file in {}", dir.display()),
                        e,
                    ));
                }
            }
        }
    }

    pub fn writer(&mut self) -> Result<&mut (dyn Write + Send), Error> {
        match self.writer.as_mut() {
            Some(w) => Ok(w),
            None => Err(Error::Failed("snapshot file already closed".into())),
        }
    }

    /// The error to report for a failed run: when writing this file failed, say so, with the file and the cause
    /// (the temporary file is removed when `self` is dropped, before the message is printed).
    pub fn explain(&self, err: Error) -> Error {
        match self
            .writer
            .as_ref()
            .and_then(|w| w.get_ref().error.as_ref())
        {
            Some(cause) => self.write_failed(cause),
            None => err,
        }
    }

    fn write_failed(&self, cause: &dyn std::fmt::Display) -> Error {
        Error::Failed(format!(
            "cannot write {}: {cause}; no snapshot written (temporary file {} removed)",
            self.target.display(),
            self.tmp.display()
        ))
    }

    /// Flushes and syncs the file, then moves it to the target: without `--force` an existing target is left alone and is an error.
    /// A signal that arrived before the move still stops the run.
    pub fn commit(mut self) -> Result<(), Error> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| Error::Failed("snapshot file already closed".into()))?;
        let file = match writer.into_inner() {
            Ok(tracked) => tracked.file,
            Err(e) => return Err(self.write_failed(e.error())),
        };
        if let Err(e) = file.sync_all() {
            return Err(self.write_failed(&e));
        }
        drop(file);
        crate::error::check_signal()?;
        let placed = if self.force {
            fs::rename(&self.tmp, &self.target)
        } else {
            // A hard link fails on an existing target, where a rename would replace it.
            match fs::hard_link(&self.tmp, &self.target) {
                Ok(()) => {
                    // The snapshot is in place; a leftover second name is no reason to fail.
                    let _ = fs::remove_file(&self.tmp);
                    Ok(())
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(exists_error(&self.target));
                }
                // File systems without hard links: check, then rename.
                Err(_) if self.target.symlink_metadata().is_ok() => {
                    return Err(exists_error(&self.target));
                }
                Err(_) => fs::rename(&self.tmp, &self.target),
            }
        };
        placed.map_err(|e| {
            Error::io(
                format_args!("moving snapshot to {}", self.target.display()),
                e,
            )
        })?;
        // Make the new directory entry durable too; a failure here loses nothing already written.
        self.committed = true;
        crate::sys::set_cleanup_file(None);
        let _ = File::open(parent_dir(&self.target)).and_then(|d| d.sync_all());
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            crate::sys::set_cleanup_file(None);
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
