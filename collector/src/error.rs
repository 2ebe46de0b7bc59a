//! Why a run ends early, and the errno names the manifests use.

use std::fmt::Display;
use std::io;

/// What stops a run; everything that only loses part of the data is a warning instead.
#[derive(Debug)]
pub enum Error {
    /// Bad command line: message, then exit status 2.
    Usage(String),
    /// Anything else that stops the capture: message, then exit status 1.
    Failed(String),
    /// SIGINT or SIGTERM arrived: exit status 128 + signal.
    Signal(i32),
    /// The reader of stdout went away: not an error, exit status 0, nothing printed.
    BrokenPipe,
}

impl Error {
    /// An I/O error with what we were doing when it happened.
    pub fn io(context: impl Display, err: io::Error) -> Error {
        if err.kind() == io::ErrorKind::BrokenPipe {
            Error::BrokenPipe
        } else {
            Error::Failed(format!("{context}: {err}"))
        }
    }
}

/// Stops the run if a signal has asked us to.
pub fn check_signal() -> Result<(), Error> {
    match crate::sys::pending_signal() {
        Some(sig) => Err(Error::Signal(sig)),
        None => Ok(()),
    }
}

/// Whether an error means that the process (or fd) is gone.
pub fn is_vanished(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOENT | libc::ESRCH))
}

/// The symbolic errno name of an I/O error (`ENOENT`, `EACCES`, ...), as the manifests record it.
pub fn errno_name(err: &io::Error) -> String {
    let Some(code) = err.raw_os_error() else {
        return format!("{:?}", err.kind());
    };
    let name = match code {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ENFILE => "ENFILE",
        libc::EMFILE => "EMFILE",
        libc::EFBIG => "EFBIG",
        libc::ENOSPC => "ENOSPC",
        libc::EROFS => "EROFS",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ELOOP => "ELOOP",
        libc::ENODATA => "ENODATA",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ETIMEDOUT => "ETIMEDOUT",
        _ => return format!("errno {code}"),
    };
    name.to_string()
}

/// `what: ENAME` for warnings.
pub fn warning(what: impl Display, err: &io::Error) -> String {
    format!("{what}: {}", errno_name(err))
}
