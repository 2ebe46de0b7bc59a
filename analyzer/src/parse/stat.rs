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

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    /// `pid (comm) state ...` gives back comm, whatever bytes it holds.
    #[test]
    fn comm_round_trip() {
        let mut rng = Rng(0x7374_6174_636d);
        for _ in 0..50_000 {
            let comm: Vec<u8> = (0..rng.below(20))
                .map(|_| b"ab()) \0\n"[rng.below(8)])
                .collect();
            let stat = [b"123 (", &comm[..], b") S 1 0 0"].concat();
            assert_eq!(stat_comm(&stat), Some(&comm[..]));
            let junk = rng.mutate(&stat);
            if let Some(c) = stat_comm(&junk) {
                assert!(c.len() + 2 <= junk.len());
            }
        }
    }
}
