//! `proc/<pid>/stat`: `pid (comm) state ppid ...`; ss names processes by
//! the comm field.

/// The command name in a `stat` line: the text between the first `(` and
/// the last `)`.
pub fn stat_comm(stat: &[u8]) -> Option<&[u8]> {
    let open = stat.iter().position(|&b| b == b'(')?;
    let close = stat.iter().rposition(|&b| b == b')')?;
    stat.get(open + 1..close)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comm() {
        assert_eq!(stat_comm(b"12 (my prog) S 1"), Some(&b"my prog"[..]));
        assert_eq!(stat_comm(b"12 (a) b) S 1"), Some(&b"a) b"[..]));
    }
}
