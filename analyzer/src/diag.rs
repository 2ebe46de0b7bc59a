//! Diagnostics: what netsnap found wrong with its input, with the file and
//! line it found it in.

use std::fmt;

/// One problem met while reading a snapshot. Never fatal on its own.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Archive path of the file (or `archive` for the container itself).
    pub file: String,
    /// 1-based line number, 0 when the problem is not tied to a line.
    pub line: u32,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic about a line of a file.
    pub fn at(file: &str, line: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    /// A diagnostic about a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic::at(file, 0, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Why a snapshot could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is neither a gzip stream nor a tar archive.
    NotAnArchive,
    /// The archive is damaged beyond the point where anything could be read.
    Damaged(String),
    /// A readable archive that holds nothing of a snapshot.
    NotASnapshot,
    /// A configured limit was exceeded.
    Limit {
        /// Which limit.
        name: &'static str,
        /// Its value.
        value: u64,
        /// How to raise it.
        hint: &'static str,
    },
    /// Reading the input failed.
    Io(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotAnArchive => write!(
                f,
                "not a snapshot: the input is neither a gzip-compressed nor a plain tar archive"
            ),
            Error::Damaged(m) => write!(f, "damaged archive: {m}"),
            Error::NotASnapshot => write!(
                f,
                "not a snapshot: the archive holds no netsnap.json and no proc/net file"
            ),
            Error::Limit { name, value, hint } => {
                write!(f, "limit exceeded: {name} ({value}); {hint}")
            }
            Error::Io(m) => write!(f, "read error: {m}"),
        }
    }
}

impl std::error::Error for Error {}
