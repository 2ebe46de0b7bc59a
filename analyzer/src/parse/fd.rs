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
    let rest = path.strip_prefix("proc/")?;
    let (pid, rest) = rest.split_once('/')?;
    let fd = rest.strip_prefix("fd/")?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fd.bytes().next().is_some_and(|b| b.is_ascii_digit()) || fd.contains('/') {
        return None;
    }
    Some((pid.parse().ok()?, fd.parse().ok()?))
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
