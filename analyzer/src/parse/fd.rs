//! `proc/<pid>/fd/<n>` symlink targets, read as netstat reads them.
//!
//! netstat reads at most 29 bytes of the link and takes it for a socket when
//! it reads `socket:[N]` or `[0000]:N`, N in C's base-0 notation (a leading
//! `0` is octal), and N is not `ULONG_MAX`.

use crate::parse::scan::strtoul_whole;

/// How many bytes of a link netstat reads.
pub const LINK_READ: usize = 29;

/// The socket inode netstat finds in a link target, if any.
pub fn netstat_socket_inode(target: &[u8]) -> Option<u64> {
    let t = target.get(..LINK_READ).unwrap_or(target);
    // A C string ends at its first NUL.
    let t = match t.iter().position(|&b| b == 0) {
        Some(n) => t.get(..n).unwrap_or(t),
        None => t,
    };
    let accept = |v: u64| if v == u64::MAX { None } else { Some(v) };
    if t.len() >= b"socket:[".len() + 3 && t.starts_with(b"socket:[") && t.ends_with(b"]") {
        let inner = t.get(8..t.len() - 1)?;
        return strtoul_whole(inner).and_then(accept);
    }
    if t.len() > b"[0000]:".len() && t.starts_with(b"[0000]:") {
        return strtoul_whole(t.get(7..)?).and_then(accept);
    }
    None
}

/// Splits `proc/<pid>/fd/<n>` into pid and fd as netstat walks them: the pid
/// directory must be all digits and the fd name must start with a digit.
pub fn split_fd_path(path: &str) -> Option<(u32, u32)> {
    let rest = path.strip_prefix("proc/")?.as_bytes();
    let slash = memchr::memchr(b'/', rest)?;
    let (pid, fd) = (
        rest.get(..slash)?,
        rest.get(slash + 1..)?.strip_prefix(b"fd/")?,
    );
    if !fd.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((digits_u32(pid)?, digits_u32(fd)?))
}

/// A non-empty run of decimal digits and nothing else, as a `u32` (`str::parse` for such text).
fn digits_u32(text: &[u8]) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    text.iter().try_fold(0u32, |v, &b| {
        let d = b.wrapping_sub(b'0');
        (d <= 9).then_some(())?;
        v.checked_mul(10)?.checked_add(u32::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_links() {
        assert_eq!(netstat_socket_inode(b"socket:[12345]"), Some(12345));
        assert_eq!(netstat_socket_inode(b"socket:[0123]"), Some(83));
        assert_eq!(netstat_socket_inode(b"[0000]:77"), Some(77));
        assert_eq!(netstat_socket_inode(b"pipe:[123]"), None);
        assert_eq!(netstat_socket_inode(b"socket:[]"), None);
        assert_eq!(netstat_socket_inode(b"socket:[1x]"), None);
        // Longer than 29 bytes: the closing bracket is never read.
        assert_eq!(
            netstat_socket_inode(b"socket:[000000000000000000012345]"),
            None
        );
    }

    #[test]
    fn fd_paths() {
        assert_eq!(split_fd_path("proc/12/fd/3"), Some((12, 3)));
        assert_eq!(split_fd_path("proc/self/fd/3"), None);
        assert_eq!(split_fd_path("proc/12/fdinfo/3"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    /// Socket links read back their inode (decimal, or octal with a
    /// leading 0) while they fit netstat's 29 bytes; any bytes: no panic,
    /// never `ULONG_MAX`.
    #[test]
    fn socket_links_round_trip() {
        let mut rng = Rng(0x6664_6c69_6e6b);
        for _ in 0..50_000 {
            let inode = rng.next() >> rng.below(64);
            let (text, fits) = match rng.below(3) {
                0 => {
                    let t = format!("socket:[{inode}]");
                    // netstat wants at least two digits in the brackets.
                    let fits = t.len() <= LINK_READ && t.len() >= 11;
                    (t, fits)
                }
                1 => {
                    let t = format!("socket:[0{inode:o}]");
                    let fits = t.len() <= LINK_READ && t.len() >= 11;
                    (t, fits)
                }
                _ => (format!("[0000]:{inode}"), true),
            };
            let got = netstat_socket_inode(text.as_bytes());
            if inode == u64::MAX {
                assert_eq!(got, None);
            } else if fits && (inode > 0 || !text.starts_with("socket:[0")) {
                // (`socket:[00]` is read as 0 too.)
                assert_eq!(got, Some(inode), "{text}");
            }
            let junk = rng.mutate(text.as_bytes());
            assert_ne!(netstat_socket_inode(&junk), Some(u64::MAX));
        }
    }

    /// fd entry paths read back their pid and fd; mutated ones never panic
    /// and are only accepted under `proc/<digits>/fd/`.
    #[test]
    fn fd_paths_round_trip() {
        let mut rng = Rng(0x6664_7061_7468);
        for _ in 0..50_000 {
            let (pid, fd) = (rng.next() as u32, rng.next() as u32 >> rng.below(32));
            let path = format!("proc/{pid}/fd/{fd}");
            assert_eq!(split_fd_path(&path), Some((pid, fd)));
            let junk = rng.mutate(path.as_bytes());
            let junk = String::from_utf8_lossy(&junk);
            if split_fd_path(&junk).is_some() {
                assert!(junk.starts_with("proc/") && junk.contains("/fd/"));
            }
        }
    }
}
