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
