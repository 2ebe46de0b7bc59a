//! `proc/<pid>/cmdline`: the NUL-separated argv of a process.

/// The program name netstat shows for `-p`: argv[0] from the first 511 bytes
/// of the command line; when it starts with `/`, the part after its last `/`.
pub fn netstat_program(cmdline: &[u8]) -> &[u8] {
    let buf = cmdline.get(..511).unwrap_or(cmdline);
    let argv0 = match buf.iter().position(|&b| b == 0) {
        Some(n) => buf.get(..n).unwrap_or(buf),
        None => buf,
    };
    if argv0.first() == Some(&b'/') {
        match argv0.iter().rposition(|&b| b == b'/') {
            Some(p) => argv0.get(p + 1..).unwrap_or(&[]),
            None => argv0,
        }
    } else {
        argv0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names() {
        assert_eq!(netstat_program(b"/usr/sbin/sshd\0-D\0"), b"sshd");
        assert_eq!(
            netstat_program(b"sshd: alice@pts/0\0"),
            b"sshd: alice@pts/0"
        );
        assert_eq!(netstat_program(b"rel/path/prog\0"), b"rel/path/prog");
        assert_eq!(netstat_program(b"/a/b/c/\0"), b"");
        assert_eq!(netstat_program(b""), b"");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::parse::inet::tests::Rng;

    /// Any command line: the program is a NUL-free piece of the first 511
    /// bytes, without a `/` when argv[0] is an absolute path.
    #[test]
    fn program_is_a_piece_of_argv0() {
        let mut rng = Rng(0x636d_646c_696e);
        for _ in 0..50_000 {
            let len = rng.below(700);
            let cmd: Vec<u8> = (0..len).map(|_| b"/ab\0 -x."[rng.below(8)]).collect();
            let p = netstat_program(&cmd);
            assert!(p.len() <= 511 && !p.contains(&0));
            let head = cmd.get(..511).unwrap_or(&cmd);
            assert!(head.windows(p.len().max(1)).any(|w| w == p) || p.is_empty());
            if cmd.first() == Some(&b'/') {
                assert!(!p.contains(&b'/'));
            }
        }
    }
}
