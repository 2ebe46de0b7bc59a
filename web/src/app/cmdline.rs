//! The command line as the flag toggles see it: which of the common
//! netstat (or ss) flags a line sets, and the line with one of them
//! switched on or off. Pure text functions, so they are tested natively.
//!
//! Options are read as `getopt_long` reads them: short options cluster
//! (`-tan`), an option with an argument (netstat's `-A`; ss's `-f -A -D -F
//! -N`) takes the rest of its cluster or the next word, and `--` ends the
//! options. A line whose first word is `ss` is read with ss's options and
//! gets ss's toggles; any other with netstat's.

/// A toggle: the short letter, the long name and a short hint.
pub type Flag = (char, &'static str, &'static str);

/// netstat's flags offered as toggles, with their long names and a short hint.
pub const FLAGS: [Flag; 10] = [
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

/// ss's flags offered as toggles (the same letters where ss has them).
pub const SS_FLAGS: [Flag; 9] = [
    ('a', "all", "all sockets, listening or not"),
    ('t', "tcp", "TCP"),
    ('u', "udp", "UDP"),
    ('x', "unix", "UNIX domain sockets"),
    ('n', "numeric", "do not resolve service names"),
    ('p', "processes", "processes using the sockets"),
    ('e', "extended", "detailed socket information"),
    ('o', "options", "timer information"),
    ('l', "listening", "listening sockets only"),
];

/// The tool a command line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// netstat (any line that does not start with `ss`).
    Netstat,
    /// ss.
    Ss,
}

impl Tool {
    /// The tool of `cmdline`: ss when its first word is `ss`.
    pub fn of(cmdline: &str) -> Tool {
        match cmdline.split_whitespace().next() {
            Some("ss") => Tool::Ss,
            _ => Tool::Netstat,
        }
    }

    /// Its program name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Netstat => "netstat",
            Tool::Ss => "ss",
        }
    }

    /// The toggles offered for its lines.
    pub fn flags(self) -> &'static [Flag] {
        match self {
            Tool::Netstat => &FLAGS,
            Tool::Ss => &SS_FLAGS,
        }
    }

    /// Its short options that take an argument.
    fn short_args(self) -> &'static str {
        match self {
            Tool::Netstat => "A",
            Tool::Ss => "fADFN",
        }
    }

    /// Whether the long option `word` (`--…` without `=`) takes the next
    /// word as its argument: a prefix (of at least `min` letters) of one of
    /// these names.
    fn long_takes_arg(self, word: &str) -> bool {
        let (names, min): (&[&str], usize) = match self {
            Tool::Netstat => (&["protocol"], 4),
            Tool::Ss => (&["family", "socket", "query", "diag", "filter", "net"], 3),
        };
        let name = &word[2..];
        !word.contains('=')
            && names
                .iter()
                .any(|n| n.starts_with(name) && name.len() >= min.min(n.len()))
    }
}

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

fn classify(tool: Tool, words: &[&str]) -> Vec<Word> {
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
            expect_arg = tool.long_takes_arg(w);
            out.push(Word::Long);
            continue;
        }
        let body = &w[1..];
        let letters = match body.find(|c| tool.short_args().contains(c)) {
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
    let tool = Tool::of(cmdline);
    let long = long_name(tool, letter);
    let words: Vec<&str> = cmdline.split_whitespace().collect();
    classify(tool, &words)
        .iter()
        .zip(&words)
        .any(|(kind, w)| match kind {
            Word::Short { letters } => w[1..1 + letters].contains(letter),
            Word::Long => long.is_some_and(|l| w.get(2..) == Some(l)),
            _ => false,
        })
}

fn long_name(tool: Tool, letter: char) -> Option<&'static str> {
    tool.flags().iter().find(|f| f.0 == letter).map(|f| f.1)
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
    let tool = Tool::of(cmdline);
    let mut words: Vec<String> = cmdline.split_whitespace().map(str::to_string).collect();
    let kinds = {
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        classify(tool, &refs)
    };
    let long = long_name(tool, letter);
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

/// The download name of a command's stdout: the tool's name followed by
/// the arguments, for netstat without spaces (`netstat -tan` gives
/// `netstat-tan.txt`), for ss joined by `_` as the fixtures' names are
/// (`ss -tan state established` gives `ss-tan_state_established.txt`), with
/// characters unsafe in file names replaced by `_`.
pub fn download_name(cmdline: &str) -> String {
    let tool = Tool::of(cmdline);
    let mut words = cmdline.split_whitespace().peekable();
    if words.peek().is_some_and(|w| !w.starts_with('-')) {
        words.next();
    }
    let joint = match tool {
        Tool::Netstat => "",
        Tool::Ss => "_",
    };
    let mut name = String::from(tool.name());
    if tool == Tool::Ss && words.peek().is_some_and(|w| !w.starts_with('-')) {
        name.push('_');
    }
    let args = words.collect::<Vec<_>>().join(joint);
    for c in args.chars().take(80) {
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
        assert_eq!(download_name("ss -tan"), "ss-tan.txt");
        assert_eq!(download_name("ss"), "ss.txt");
        assert_eq!(
            download_name("ss -tan state established"),
            "ss-tan_state_established.txt"
        );
        assert_eq!(
            download_name("ss state listening"),
            "ss_state_listening.txt"
        );
    }

    #[test]
    fn ss_lines_use_ss_options() {
        assert_eq!(Tool::of("ss -tan"), Tool::Ss);
        assert_eq!(Tool::of("netstat -tan"), Tool::Netstat);
        assert_eq!(Tool::of("sss -tan"), Tool::Netstat);
        assert!(has_flag("ss -tan", 'n'));
        assert!(has_flag("ss --processes -t", 'p'));
        assert!(!has_flag("ss --programs -t", 'p'));
        // -f and -A take an argument, in the cluster or the next word.
        assert!(!has_flag("ss -f inet", 'n'));
        assert!(!has_flag("ss -finet", 'n'));
        assert!(!has_flag("ss -A tcp", 't'));
        assert!(!has_flag("ss --query tcp", 't'));
        assert!(has_flag("ss -nA tcp", 'n'));
        // netstat's -f is a flag, ss's is not.
        assert!(has_flag("netstat -ftn", 'n'));
        assert!(!has_flag("ss -ftn", 'n'));
        // The filter's words are operands.
        assert!(!has_flag("ss -t state listening", 'l'));
        assert_eq!(set_flag("ss -tan", 'p', true), "ss -tanp");
        assert_eq!(set_flag("ss", 't', true), "ss -t");
        assert_eq!(
            set_flag("ss -tanp state established", 'p', false),
            "ss -tan state established"
        );
        assert_eq!(set_flag("ss -t --processes", 'p', false), "ss -t");
        assert_eq!(set_flag("ss -A tcp", 'n', true), "ss -n -A tcp");
        assert!(SS_FLAGS.iter().all(|f| FLAGS.iter().any(|g| g.0 == f.0)));
        assert!(!Tool::Ss.flags().iter().any(|f| f.0 == 'W'));
    }
}
