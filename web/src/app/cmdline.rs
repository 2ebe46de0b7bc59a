//! The command line as the flag toggles see it: which of the common
//! netstat flags a line sets, and the line with one of them switched on or
//! off. Pure text functions, so they are tested natively.
//!
//! Options are read as netstat's `getopt_long` reads them: short options
//! cluster (`-tan`), `-A` takes the rest of its cluster or the next word as
//! its argument, and `--` ends the options.

/// The flags offered as toggles, with their long names and a short hint.
pub const FLAGS: [(char, &str, &str); 10] = [
    ('a', "all", "all sockets, listening or not"),
    ('t', "tcp", "TCP"),
    ('u', "udp", "UDP"),
    ('x', "unix", "UNIX domain sockets"),
    ('n', "numeric", "numeric addresses and ports"),
    ('p', "programs", "PID/Program name"),
    ('e', "extend", "User and Inode columns"),
    ('o', "timers", "timers"),
    ('l', "listening", "listening sockets only"),
    ('W', "wide", "do not cut addresses"),
];

/// What one word of the command line is.
#[derive(Debug, PartialEq)]
enum Word {
    /// The program name (`netstat`), the first word unless it is an option.
    Program,
    /// A cluster of short options; `letters` is the option part (the
    /// argument of a trailing `-A` excluded).
    Short { letters: usize },
    /// A long option (`--wide`).
    Long,
    /// An option argument, `--`, or an operand.
    Other,
}

fn classify(words: &[&str]) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    let mut expect_arg = false;
    let mut options_done = false;
    for (i, w) in words.iter().enumerate() {
        if i == 0 && !w.starts_with('-') {
            out.push(Word::Program);
            continue;
        }
        if expect_arg {
            expect_arg = false;
            out.push(Word::Other);
            continue;
        }
        if options_done || *w == "--" || w.len() < 2 || !w.starts_with('-') {
            options_done |= *w == "--";
            out.push(Word::Other);
            continue;
        }
        if w.starts_with("--") {
            // `--protocol inet` style: a long option taking a separate argument.
            expect_arg = !w.contains('=') && w.len() >= 6 && "--protocol".starts_with(*w);
            out.push(Word::Long);
            continue;
        }
        let body = &w[1..];
        let letters = match body.find('A') {
            Some(at) => {
                expect_arg = at + 1 == body.len();
                at
            }
            None => body.len(),
        };
        out.push(Word::Short { letters });
    }
    out
}

/// Whether the command line sets the flag `letter` (short or long form).
pub fn has_flag(cmdline: &str, letter: char) -> bool {
    let long = long_name(letter);
    let words: Vec<&str> = cmdline.split_whitespace().collect();
    classify(&words)
        .iter()
        .zip(&words)
        .any(|(kind, w)| match kind {
            Word::Short { letters } => w[1..1 + letters].contains(letter),
            Word::Long => long.is_some_and(|l| w.get(2..) == Some(l)),
            _ => false,
        })
}

fn long_name(letter: char) -> Option<&'static str> {
    FLAGS.iter().find(|f| f.0 == letter).map(|f| f.1)
}

/// The command line with `letter` switched on or off.
/// Switching on adds the letter to the first short-option cluster (or a new
/// `-x` word after the program name); switching off removes every
/// occurrence, short or long, and drops clusters left empty. Words are
/// joined by single spaces.
pub fn set_flag(cmdline: &str, letter: char, on: bool) -> String {
    if has_flag(cmdline, letter) == on {
        return cmdline.to_string();
    }
    let mut words: Vec<String> = cmdline.split_whitespace().map(str::to_string).collect();
    let kinds = {
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        classify(&refs)
    };
    let long = long_name(letter);
    if on {
        let cluster = kinds
            .iter()
            .position(|k| matches!(k, Word::Short { letters } if *letters > 0));
        match cluster {
            Some(i) => {
                if let (Some(Word::Short { letters }), Some(w)) = (kinds.get(i), words.get_mut(i)) {
                    w.insert(1 + letters, letter);
                }
            }
            None => {
                let at = usize::from(kinds.first() == Some(&Word::Program));
                words.insert(at, format!("-{letter}"));
            }
        }
        return words.join(" ");
    }
    let mut out = Vec::with_capacity(words.len());
    for (kind, w) in kinds.iter().zip(words) {
        match kind {
            Word::Short { letters } => {
                let (opts, rest) = w[1..].split_at(*letters);
                let kept: String = opts.chars().filter(|&c| c != letter).collect();
                if !(kept.is_empty() && rest.is_empty()) {
                    out.push(format!("-{kept}{rest}"));
                }
            }
            Word::Long if long.is_some_and(|l| w.get(2..) == Some(l)) => {}
            _ => out.push(w),
        }
    }
    out.join(" ")
}

/// The download name of a command's stdout: `netstat` followed by the
/// arguments without spaces (`netstat -tan` gives `netstat-tan.txt`), with
/// characters unsafe in file names replaced by `_`.
pub fn download_name(cmdline: &str) -> String {
    let mut words = cmdline.split_whitespace().peekable();
    if words.peek().is_some_and(|w| !w.starts_with('-')) {
        words.next();
    }
    let mut name = String::from("netstat");
    for c in words.flat_map(str::chars).take(80) {
        let safe = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | '=' | '+');
        name.push(if safe { c } else { '_' });
    }
    name.push_str(".txt");
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_clusters_and_long_options() {
        assert!(has_flag("netstat -tan", 'a'));
        assert!(has_flag("netstat -t -a", 'a'));
        assert!(!has_flag("netstat -tan", 'p'));
        assert!(has_flag("netstat --wide -t", 'W'));
        assert!(has_flag("-tan", 't'));
        // The argument of -A is not a flag; -- ends the options.
        assert!(!has_flag("netstat -Ainet", 'n'));
        assert!(!has_flag("netstat -A inet", 'n'));
        assert!(has_flag("netstat -nA inet", 'n'));
        assert!(!has_flag("netstat -- -a", 'a'));
        assert!(!has_flag("netstat", 't'));
    }

    #[test]
    fn switches_flags_on() {
        assert_eq!(set_flag("netstat -tan", 'p', true), "netstat -tanp");
        assert_eq!(set_flag("netstat", 't', true), "netstat -t");
        assert_eq!(set_flag("netstat  -r ", 'n', true), "netstat -rn");
        assert_eq!(set_flag("netstat -A inet", 'n', true), "netstat -n -A inet");
        assert_eq!(set_flag("netstat -nA inet", 'l', true), "netstat -nlA inet");
        assert_eq!(set_flag("netstat -tan", 'a', true), "netstat -tan");
        assert_eq!(set_flag("netstat --tcp", 'u', true), "netstat -u --tcp");
    }

    #[test]
    fn switches_flags_off() {
        assert_eq!(set_flag("netstat -tanp", 'p', false), "netstat -tan");
        assert_eq!(set_flag("netstat -t -a", 'a', false), "netstat -t");
        assert_eq!(set_flag("netstat -tee", 'e', false), "netstat -t");
        assert_eq!(set_flag("netstat -W --wide -t", 'W', false), "netstat -t");
        assert_eq!(set_flag("netstat -aAinet", 'a', false), "netstat -Ainet");
        assert_eq!(set_flag("netstat -tan", 'x', false), "netstat -tan");
    }

    #[test]
    fn names_downloads() {
        assert_eq!(download_name("netstat -tan"), "netstat-tan.txt");
        assert_eq!(download_name("netstat -t -a"), "netstat-t-a.txt");
        assert_eq!(download_name("netstat"), "netstat.txt");
        assert_eq!(download_name("netstat -A inet/x"), "netstat-Ainet_x.txt");
    }
}
